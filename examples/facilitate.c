/*
** facilitate.c: a host that runs a tabletop session through
** brink_session.h.  The USA has a seat, answered here by always taking
** the first legal move; the rest play by the built-in AI.  After the
** second turn the facilitator sets a value and marks a branch point.  The
** session is saved to memory, resumed in a second session, and its log is
** verified by replaying it.
**
**   cc facilitate.c $(pkg-config --cflags --libs brink) -o facilitate
**   ./facilitate scripts/scenarios/korea-2019.lua
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <brink_session.h>

static int fail(brink_session *s, const char *what) {
  fprintf(stderr, "facilitate: %s: %s\n", what, brink_session_errmsg(s));
  brink_session_close(s);
  return 1;
}

static void print_line(void *ud, const char *line) {
  (void)ud;
  printf("log: %s\n", line);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: facilitate SCENARIO\n");
    return 2;
  }
  brink_session *s;
  if (brink_session_open(&s, NULL) != BRINK_OK) return 1;
  if (brink_session_load_file(s, argv[1]) != BRINK_OK) return fail(s, "load");
  if (brink_session_seat(s, "USA") != BRINK_OK) return fail(s, "seat");
  if (brink_session_turn_limit(s, 4) != BRINK_OK) return fail(s, "turns");
  brink_session_on_line(s, print_line, NULL);
  if (brink_session_start(s, 2019) != BRINK_OK) return fail(s, "start");

  int rc = brink_session_step(s), turn = 0;
  while (rc == BRINK_AWAIT) {
    if (++turn == 2 &&
        (brink_session_set(s, "DPRK.economy", "40") != BRINK_OK ||
         brink_session_branch(s, "after-turn-2") != BRINK_OK))
      return fail(s, "facilitator");
    rc = brink_session_answer(s, "1");
  }
  if (rc != BRINK_DONE) return fail(s, "play");
  printf("outcome: %s\n", brink_outcome(brink_session_engine(s)));

  /* A save in memory goes on in another session, where this one is. */
  void *save;
  size_t len;
  if (brink_session_save(s, &save, &len) != BRINK_OK) return fail(s, "save");
  brink_session *again;
  if (brink_session_open(&again, NULL) != BRINK_OK ||
      brink_session_load_file(again, argv[1]) != BRINK_OK ||
      brink_session_resume(again, save, len, 0) != BRINK_OK)
    return fail(s, "resume");
  printf("resumed at turn %d\n", brink_turn(brink_session_engine(again)));
  brink_buffer_free(save);
  brink_session_close(again);

  /* The log, replayed line by line. */
  size_t n = 0, line;
  for (size_t i = 0; i < brink_session_log_count(s); i++)
    n += strlen(brink_session_log_line(s, i)) + 1;
  char *log = malloc(n + 1), *p = log, *why;
  if (log == NULL) return fail(s, "out of memory");
  for (size_t i = 0; i < brink_session_log_count(s); i++)
    p += sprintf(p, "%s\n", brink_session_log_line(s, i));
  const char *files[] = {argv[1]};
  rc = brink_log_verify(log, n, files, 1, NULL, &line, &why);
  if (rc == BRINK_OK)
    printf("verified: %zu lines\n", brink_session_log_count(s));
  else
    printf("line %zu differs: %s\n", line, why);
  brink_buffer_free(why);
  free(log);
  brink_session_close(s);
  return rc == BRINK_OK ? 0 : 1;
}
