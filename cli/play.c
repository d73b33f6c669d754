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

/* --log: each line on disk as it is made, so a crash loses nothing. */
typedef struct log_out {
  FILE *f;
  bool failed;
} log_out;

static void write_log_line(void *ud, const char *line) {
  log_out *l = ud;
  if (fprintf(l->f, "%s\n", line) < 0 || fflush(l->f) != 0) l->failed = true;
}

/* /report: the report of the session's log so far. */
static const char *write_report(void *ud, brink_session *s, const char *path) {
  static char err[600];
  (void)ud;
  model m;
  model_init(&m);
  for (size_t i = 0; i < brink_session_log_count(s); i++) {
    const char *line = brink_session_log_line(s, i);
    model_feed(&m, line, strlen(line));
  }
  model_finish(&m);
  int rc = report_write(path, &m, brink_session_engine(s), err, sizeof err);
  model_free(&m);
  return rc ? err : NULL;
}

/* One line of input, without its newline; NULL at the end of input. */
static char *read_line(bool interactive, const char *raw) {
  /* The prompt names an actor: the scenario's text, shown as such. */
  char *prompt = term_text(raw);
  if (prompt == NULL) return NULL;
  if (interactive) {
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

/* Asks whether to save before quitting (terminals only). */
static void offer_save(brink_session *s, bool interactive) {
  if (!interactive) return;
  char *name = readline("Save before quitting? File name, or Enter for no: ");
  if (name && *trim_space(name)) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "/save %s", trim_space(name));
    brink_session_command(s, cmd);
  }
  free(name);
}

/* Seats, policies, sets and the turn limit of the command line. */
static int set_up(brink_session *s, const options *o) {
  for (int i = 0; i < o->nseats; i++) {
    int rc = brink_session_seat(s, o->seats[i]);
    if (rc == BRINK_EEXIST)   /* seats come before policies */
      return usage_error("play", "--seat %s: given twice", o->seats[i]);
    if (rc != BRINK_OK)
      return usage_error("play", "--seat %s: %s", o->seats[i],
                         brink_session_errmsg(s));
  }
  for (int i = 0; i < o->npolicies; i++) {
    const char *p = o->policies[i], *eq = strchr(p, '=');
    char actor[256];
    snprintf(actor, sizeof actor, "%.*s", (int)(eq - p), p);
    if (brink_session_policy(s, actor, eq + 1) != BRINK_OK)
      return usage_error("play", "--policy %s: %s", p,
                         brink_session_errmsg(s));
  }
  for (int i = 0; i < o->nsets; i++) {
    const char *p = o->sets[i], *eq = strchr(p, '=');
    char var[256];
    snprintf(var, sizeof var, "%.*s", (int)(eq - p), p);
    if (brink_session_preset(s, var, eq + 1) != BRINK_OK)
      return usage_error("play", "--set %s: %s", p, brink_session_errmsg(s));
  }
  brink_session_turn_limit(s, o->turns);
  return 0;
}

/* Reads and hands on each line at the session's prompts until /quit, the
   end of input, or a run that cannot go on. */
static void converse(brink_session *s, bool interactive) {
  bool show = true, ended = false;
  for (;;) {
    if (brink_session_prompt(s) < 0 || brink_session_over(s)) return;
    brink_engine *e = brink_session_engine(s);
    int a = brink_awaiting(e);
    const char *outcome = brink_outcome(e);
    char prompt[64];
    if (outcome && !ended) {
      term_printf(stdout, "The scenario has ended: /undo goes back, /branch "
                  "returns to a branch point, /report and /save keep it, "
                  "/quit ends.\n");
      ended = true;
    }
    if (a >= 0 && show) brink_session_show(s, BRINK_SHOW_SEAT);
    show = false;
    bool held = brink_held(e);
    if (outcome) snprintf(prompt, sizeof prompt, "end> ");
    else if (held) snprintf(prompt, sizeof prompt, "held> ");
    else if (a >= 0) snprintf(prompt, sizeof prompt, "%s> ",
                              brink_actor_id(e, a));
    else snprintf(prompt, sizeof prompt, "turn %d> ", brink_turn(e));
    fflush(stdout);
    char *line = read_line(interactive, prompt);
    if (line == NULL) {
      brink_session_command(s, "/quit");
      return;
    }
    char *t = trim_space(line);
    if (*t == '/') {
      brink_session_command(s, t);
      if (brink_session_changed(s)) {
        show = true;
        ended = false;
      }
      if (brink_session_over(s) == 1) offer_save(s, interactive);
    } else if (a >= 0) {
      if (brink_session_answer(s, t) >= 0) show = true;
      else if (*t == '\0') brink_session_show(s, BRINK_SHOW_MOVES);
    } else if (outcome) {
      if (*t) term_printf(stdout, "! the scenario has ended: commands only "
                          "(/help)\n");
    } else if (held) {
      term_printf(stdout, "! the turn is held: /release lets it resolve\n");
    } else if (*t == '\0') {
      brink_session_step(s);   /* Enter: play the turn */
      show = true;
    } else {
      term_printf(stdout, "! Enter plays the turn; /help lists the "
                  "commands\n");
    }
    free(line);
  }
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
  brink_session *s;
  if (brink_session_open(&s, &o.cfg) != BRINK_OK) {
    term_printf(stderr, "brink play: out of memory\n");
    free(save_file);
    return 1;
  }
  log_out log = {NULL, false};
  bool interactive = isatty(0);
  if (brink_session_load_file(s, o.file) != BRINK_OK) {
    print_load_errors(brink_session_engine(s));
    rc = 1;
    goto done;
  }
  if (!o.resume && (rc = set_up(s, &o)) != 0) goto done;
  char why[512];
  if (o.log && (log.f = growing_open(o.log, why, sizeof why)) == NULL) {
    term_printf(stderr, "brink play: cannot write %s: %s\n", o.log, why);
    rc = 1;
    goto done;
  }
  if (log.f) brink_session_on_line(s, write_log_line, &log);
  brink_session_on_say(s, print_text, NULL);
  brink_session_on_report(s, write_report, NULL);
  if (o.resume) {
    rc = brink_session_resume_file(s, o.resume, o.force);
    if (rc != BRINK_OK) {
      term_printf(stderr, "brink play: %s: %s (nothing was loaded)\n",
                  o.resume, brink_session_errmsg(s));
      rc = 1;
      goto done;
    }
  } else {
    rc = brink_session_start(s, o.has_seed ? o.seed
                                           : brink_scenario_seed(
                                                 brink_session_engine(s)));
    if (rc != BRINK_OK) {
      if (rc == BRINK_EINVAL) {
        rc = usage_error("play", "%s", brink_session_errmsg(s));
      } else {
        term_printf(stdout, "%s\n", brink_session_errmsg(s));
        rc = 1;
      }
      goto done;
    }
  }
  converse(s, interactive);
  rc = brink_session_over(s) == 2 ? 1 : 0;
  term_printf(stdout, "\nSession over at turn %d",
              brink_turn(brink_session_engine(s)));
  if (o.log) term_printf(stdout, "; the log is in %s", o.log);
  term_printf(stdout, ".\n");
done:
  fflush(stdout);
  if (log.f && fclose(log.f) != 0) log.failed = true;
  if (log.failed) {
    term_printf(stderr, "brink play: could not write the log\n");
    if (rc == 0) rc = 1;
  }
  brink_session_close(s);
  free(save_file);
  return rc;
}
