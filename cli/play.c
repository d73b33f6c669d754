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
  exercise x = {.say_fn = print_text};
  if ((rc = exercise_open(&x, "play", &o)) == 0) {
    converse(x.s, isatty(0));
    rc = brink_session_over(x.s) == 2 ? 1 : 0;
    term_printf(stdout, "\nSession over at turn %d",
                brink_turn(brink_session_engine(x.s)));
    if (o.log) term_printf(stdout, "; the log is in %s", o.log);
    term_printf(stdout, ".\n");
  }
  return exercise_close(&x, "play", rc);
}
