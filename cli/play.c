/*
** play.c: brink play, a tabletop exercise at one terminal: the terminal
** loop around the library's session.
*/
#include <ctype.h>
#include <editline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* brink play ------------------------------------------------------------- */

static void print_text(void *ud, const char *text) {
  (void)ud;
  fputs(text, stdout);
}

/* One line of input, without its newline; NULL at the end of input. */
static char *read_line(session *s, const char *raw) {
  /* The prompt names an actor: the scenario's text, shown as such. */
  char *prompt = term_text(raw);
  if (prompt == NULL) return NULL;
  if (s->interactive) {
    char *l = readline(prompt);
    free(prompt);
    if (l && *l) add_history(l);
    return l;
  }
  fputs(prompt, stdout);
  free(prompt);
  fflush(stdout);   /* whoever drives the pipe waits for the prompt */
  char *buf = NULL;
  size_t cap = 0;
  ssize_t n = getline(&buf, &cap, stdin);
  if (n < 0) {
    free(buf);
    fputs("\n", stdout);
    return NULL;
  }
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
  /* A scripted session reads like a typed one. */
  term_printf(stdout, "%s\n", buf);
  return buf;
}

static void banner(session *s) {
  brink_engine *e = s->e;
  const char *title = brink_scenario_field(e, "title");
  const char *id = brink_scenario_field(e, "id");
  term_printf(stdout, "%s%s%s%s, seed %llu: a tabletop exercise\n",
              *title ? title : id, *title ? " (" : "", *title ? id : "",
              *title ? ")" : "", (unsigned long long)s->setup.seed);
  if (s->setup.seats.n == 0)
    term_printf(stdout, "No seats: every actor plays by the AI or a policy, "
                "and the facilitator steps through the turns.\n");
  for (size_t i = 0; i < s->setup.seats.n; i++) {
    int a;
    brink_actor_find(e, s->setup.seats.v[i], &a);
    term_printf(stdout, "%s %s (%s)", i ? "," : "Seats:",
                s->setup.seats.v[i], brink_actor_name(e, a));
  }
  if (s->setup.seats.n) term_printf(stdout, ".\n");
  term_printf(stdout, "/help lists the facilitator's commands.\n");
}

/* Asks whether to save before quitting (terminals only). */
static void offer_save(session *s) {
  if (!s->interactive) return;
  char *name = readline("Save before quitting? File name, or Enter for no: ");
  if (name && *trim_space(name)) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "/save %s", trim_space(name));
    session_command(s, cmd);
  }
  free(name);
}

int cmd_play(int argc, char **argv) {
  options o;
  int rc = parse_options("play", argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  char err[600];
  char *save_file = NULL;
  if (o.resume) {
    if (o.has_seed || o.npolicies || o.nsets || o.nseats || o.turns)
      return usage_error("play", "--resume takes the seats, seed, policies, "
                         "sets and turns from the save");
    if (o.file == NULL) {
      save_file = save_scenario_file(o.resume, err, sizeof err);
      if (save_file == NULL) {
        term_printf(stderr, "brink play: %s: %s (nothing was loaded)\n",
                    o.resume, err);
        return 1;
      }
      o.file = save_file;
    }
  } else if (o.force) {
    return usage_error("play", "--force goes with --resume");
  }
  brink_engine *e;
  if (open_scenario(&o, &e)) {
    free(save_file);
    return 1;
  }
  loaded l;
  memset(&l, 0, sizeof l);
  setup su;
  memset(&su, 0, sizeof su);
  if (o.resume) {
    if (save_load(o.resume, e, o.force, &l, err, sizeof err)) {
      term_printf(stderr, "brink play: %s: %s (nothing was loaded)\n", o.resume,
                  err);
      brink_engine_close(e);
      free(save_file);
      return 1;
    }
    su = l.setup;
    memset(&l.setup, 0, sizeof l.setup);
    free(su.file);
    su.file = strdup(o.file);
  } else {
    setup_init(&su, e, o.file, o.has_seed ? o.seed : brink_scenario_seed(e));
    for (int i = 0; i < o.nseats; i++) strlist_push(&su.seats, o.seats[i]);
    for (int i = 0; i < o.npolicies; i++)
      strlist_push(&su.policies, o.policies[i]);
    for (int i = 0; i < o.nsets; i++) strlist_push(&su.sets, o.sets[i]);
    su.turns = o.turns;
  }
  session s;
  rc = session_init(&s, e, &su, &o.cfg) ? 1 : 0;
  setup_free(&su);
  if (rc == 0 && session_configure(&s, err, sizeof err))
    rc = usage_error("play", "%s", err);
  char why[512];
  if (rc == 0 && o.log &&
      (s.logfile = growing_open(o.log, why, sizeof why)) == NULL) {
    term_printf(stderr, "brink play: cannot write %s: %s\n", o.log, why);
    rc = 1;
  }
  if (rc) goto done;
  s.say = print_text;
  s.report = report_write;
  s.interactive = isatty(0);
  banner(&s);
  if (o.resume) {
    if (session_resume(&s, &l, o.resume)) {
      rc = 1;
      goto done;
    }
    session_notes(&s, &l.notes);
    char what[4200];
    snprintf(what, sizeof what, "Resumed from %s", o.resume);
    session_where(&s, what);
  } else if ((rc = session_start(&s, err, sizeof err)) != 0) {
    if (rc == 2) usage_error("play", "%s", err);
    goto done;
  }
  bool show = true, ended = false;
  while (!s.quit && !s.stuck) {
    brink_engine *en = s.e;
    int a = brink_awaiting(en);
    const char *outcome = brink_outcome(en);
    char *line = NULL, prompt[64];
    if (session_at_prompt(&s)) {
      if (outcome && !ended) {
        term_printf(stdout, "The scenario has ended: /undo goes back, /branch "
                    "returns to a branch point, /report and /save keep it, "
                    "/quit ends.\n");
        ended = true;
      }
      if (a >= 0 && show) session_show_seat(&s);
      show = false;
      if (outcome) snprintf(prompt, sizeof prompt, "end> ");
      else if (a >= 0) snprintf(prompt, sizeof prompt, "%s> ",
                                brink_actor_id(en, a));
      else snprintf(prompt, sizeof prompt, "turn %d> ", brink_turn(en));
      fflush(stdout);
      line = read_line(&s, prompt);
      if (line == NULL) {
        session_command(&s, "/quit");
        break;
      }
      char *t = trim_space(line);
      if (*t == '/') {
        if (session_command(&s, t) > 0) {
          show = true;
          ended = false;
        }
        if (s.quit) offer_save(&s);
      } else if (a >= 0) {
        if (session_answer(&s, t) == 0) show = true;
        else if (*t == '\0') session_show_moves(&s, a);
      } else if (outcome) {
        if (*t)
          term_printf(stdout, "! the scenario has ended: commands only "
                      "(/help)\n");
      } else if (*t == '\0') {
        s.turn_start = false;   /* Enter: play the turn */
      } else {
        term_printf(stdout, "! Enter plays the turn; /help lists the "
                    "commands\n");
      }
      free(line);
      continue;
    }
    session_step(&s);
    show = true;
  }
  if (s.stuck) rc = 1;
  term_printf(stdout, "\nSession over at turn %d", brink_turn(s.e));
  if (o.log) term_printf(stdout, "; the log is in %s", o.log);
  term_printf(stdout, ".\n");
done:
  fflush(stdout);
  if (s.logfile && fclose(s.logfile) != 0) s.io_error = 1;
  if (s.io_error) {
    term_printf(stderr, "brink play: could not write the log\n");
    if (rc == 0) rc = 1;
  }
  brink_engine *last = s.e;
  session_free(&s);
  brink_engine_close(last);
  loaded_free(&l);
  free(save_file);
  return rc;
}
