/*
** The session layer through its public header only, as a host uses it:
** setup, play, the facilitator's commands, saves to memory and to files,
** resuming, and verifying the session's own log.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "brink_session.h"
#include "locale_fixture.h"

#define KOREA "scripts/scenarios/korea-2019.lua"

typedef struct said {
  char text[1 << 16];
  size_t n;
} said;

static void hear(void *ud, const char *text) {
  said *s = ud;
  size_t k = strlen(text);
  if (s->n + k < sizeof s->text) {
    memcpy(s->text + s->n, text, k + 1);
    s->n += k;
  }
}

static brink_session *opened(const char *path) {
  brink_session *s;
  cr_assert_eq(brink_session_open(&s, NULL), BRINK_OK);
  cr_assert_eq(brink_session_load_file(s, path), BRINK_OK, "%s",
               brink_session_errmsg(s));
  return s;
}

/* The whole log as one text, a line each. */
static char *log_text(brink_session *s, size_t *len) {
  size_t n = 0;
  for (size_t i = 0; i < brink_session_log_count(s); i++)
    n += strlen(brink_session_log_line(s, i)) + 1;
  char *t = malloc(n + 1), *p = t;
  for (size_t i = 0; i < brink_session_log_count(s); i++)
    p += sprintf(p, "%s\n", brink_session_log_line(s, i));
  *len = n;
  return t;
}

/* USA seated, three turns with an intervention and a branch point. */
static brink_session *played(void) {
  brink_session *s = opened(KOREA);
  cr_assert_eq(brink_session_seat(s, "USA"), BRINK_OK);
  cr_assert_eq(brink_session_start(s, 7), BRINK_OK, "%s",
               brink_session_errmsg(s));
  int rc = brink_session_step(s);
  for (int turn = 0; turn < 3; turn++) {
    cr_assert_eq(rc, BRINK_AWAIT, "%s", brink_session_errmsg(s));
    cr_assert_eq(brink_session_step(s), BRINK_AWAIT);   /* answer first */
    rc = brink_session_answer(s, "1");
    if (turn == 1) {
      cr_assert_eq(brink_session_set(s, "DPRK.economy", "40"), BRINK_OK,
                   "%s", brink_session_errmsg(s));
      cr_assert_eq(brink_session_branch(s, "here"), BRINK_OK, "%s",
                   brink_session_errmsg(s));
    }
  }
  return s;
}

Test(session, a_hosts_session_verifies_its_own_log) {
  brink_session *s = played();
  size_t len, line = 99;
  char *log = log_text(s, &len), *msg = NULL;
  cr_assert(strstr(log, "\"t\":\"setup\""));
  cr_assert(strstr(log, "\"command\":\"/set DPRK.economy 40\""));
  const char *files[] = {KOREA};
  cr_assert_eq(brink_log_verify(log, len, files, 1, NULL, &line, &msg),
               BRINK_OK, "%s", msg ? msg : "");
  cr_assert_null(msg);
  /* One changed value in the intervention: named by its line. */
  char *at = strstr(log, "/set DPRK.economy 40");
  at[strlen("/set DPRK.economy 4")] = '1';
  size_t want = 1;
  for (char *p = log; p < at; p++) want += *p == '\n';
  cr_assert_eq(brink_log_verify(log, len, files, 1, NULL, &line, &msg),
               BRINK_EFORMAT);
  cr_assert_gt(line, want - 1);
  cr_assert_not_null(msg);
  brink_buffer_free(msg);
  free(log);
  brink_session_close(s);
}

Test(session, a_save_in_memory_resumes_where_it_was) {
  brink_session *s = played();
  void *save;
  size_t n;
  cr_assert_eq(brink_session_save(s, &save, &n), BRINK_OK);
  brink_session *r = opened(KOREA);
  cr_assert_eq(brink_session_resume(r, save, n, 0), BRINK_OK, "%s",
               brink_session_errmsg(r));
  brink_engine *a = brink_session_engine(s), *b = brink_session_engine(r);
  cr_assert_eq(brink_turn(a), brink_turn(b));
  for (int v = 0; v < brink_var_count(a); v++) {
    double x, y;
    brink_var_get(a, v, &x);
    brink_var_get(b, v, &y);
    cr_assert_eq(x, y, "%s", brink_var_name(a, v));
  }
  /* The resumed log holds the save's, then goes on from it. */
  cr_assert_gt(brink_session_log_count(r), brink_session_log_count(s));
  cr_assert_str_eq(brink_session_log_line(r, 0),
                   brink_session_log_line(s, 0));
  /* Both play on alike. */
  cr_assert_eq(brink_session_branch(r, "here"), BRINK_OK, "%s",
               brink_session_errmsg(r));
  cr_assert_eq(brink_session_step(r), BRINK_AWAIT);
  cr_assert_eq(brink_session_answer(r, "pass"), BRINK_AWAIT);
  brink_buffer_free(save);
  brink_session_close(s);
  brink_session_close(r);
}

Test(session, damaged_saves_are_refused_and_change_nothing) {
  brink_session *s = played();
  void *save;
  size_t n;
  cr_assert_eq(brink_session_save(s, &save, &n), BRINK_OK);
  for (size_t cut = 0; cut < n; cut += n / 17 + 1) {
    brink_session *r = opened(KOREA);
    cr_assert_eq(brink_session_resume(r, save, cut, 0), BRINK_EFORMAT);
    cr_assert_neq(*brink_session_errmsg(r), '\0');
    /* Refused: the session may still start afresh. */
    cr_assert_eq(brink_session_start(r, 1), BRINK_OK, "%s",
                 brink_session_errmsg(r));
    brink_session_close(r);
  }
  brink_buffer_free(save);
  brink_session_close(s);
}

Test(session, a_save_file_is_written_whole) {
  brink_session *s = played();
  char path[] = "/tmp/brink-session-XXXXXX";
  int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  close(fd);
  cr_assert_eq(brink_session_save_file(s, path), BRINK_OK, "%s",
               brink_session_errmsg(s));
  brink_session *r = opened(KOREA);
  cr_assert_eq(brink_session_resume_file(r, path, 0), BRINK_OK, "%s",
               brink_session_errmsg(r));
  cr_assert_eq(brink_turn(brink_session_engine(r)),
               brink_turn(brink_session_engine(s)));
  cr_assert_eq(brink_session_save_file(s, "/nonexistent-dir/x.json"),
               BRINK_EIO);
  cr_assert(strstr(brink_session_errmsg(s), "/nonexistent-dir/x.json"));
  unlink(path);
  brink_session_close(s);
  brink_session_close(r);
}

Test(session, refused_commands_say_why_through_the_status) {
  brink_session *s = played();
  said heard = {0};
  brink_session_on_say(s, hear, &heard);
  cr_assert_eq(brink_session_set(s, "DPRK.econmy", "1"), BRINK_EINVAL);
  cr_assert(strstr(brink_session_errmsg(s), "did you mean"), "%s",
            brink_session_errmsg(s));
  cr_assert(strstr(heard.text, "! "), "%s", heard.text);
  cr_assert_eq(brink_session_command(s, "/nonsense"), BRINK_EINVAL);
  cr_assert_eq(brink_session_undo(s, 999), BRINK_EINVAL);
  cr_assert_eq(brink_session_fire(s, "no_such_event", NULL), BRINK_EINVAL);
  cr_assert_eq(brink_session_odds(s, "summit", 2), BRINK_ERANGE);
  /* A good command after a refusal: no message left over. */
  cr_assert_eq(brink_session_news(s, "Talks in Stockholm"), BRINK_OK);
  cr_assert_eq(brink_session_undo(s, 1), BRINK_OK, "%s",
               brink_session_errmsg(s));
  cr_assert_eq(brink_session_answer(s, "no_such_move"), BRINK_EINVAL);
  cr_assert(strstr(brink_session_errmsg(s), "no_such_move"), "%s",
            brink_session_errmsg(s));
  cr_assert_eq(brink_session_answer(s, "99"), BRINK_EINVAL);
  cr_assert(strstr(brink_session_errmsg(s), "choose a number"), "%s",
            brink_session_errmsg(s));
  brink_session_close(s);
}

Test(session, why_and_load_are_calls_too) {
  brink_session *s = played();
  char *why = NULL;
  cr_assert_eq(brink_session_why(s, "DPRK.economy", &why), BRINK_OK, "%s",
               brink_session_errmsg(s));
  cr_assert(strstr(why, "facilitator"), "%s", why);
  brink_buffer_free(why);
  cr_assert_eq(brink_session_why(s, "DPRK.econmy", &why), BRINK_EINVAL);
  cr_assert_null(why);
  char path[] = "/tmp/brink-session-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  cr_assert_eq(brink_session_save_file(s, path), BRINK_OK);
  int turn = brink_turn(brink_session_engine(s));
  cr_assert_eq(brink_session_answer(s, "1"), BRINK_AWAIT);
  cr_assert_eq(brink_session_load(s, path, 0), BRINK_OK, "%s",
               brink_session_errmsg(s));
  cr_assert_eq(brink_turn(brink_session_engine(s)), turn);
  cr_assert_eq(brink_session_load(s, "/nonexistent.json", 0), BRINK_EINVAL);
  cr_assert(strstr(brink_session_errmsg(s), "/nonexistent.json"));
  unlink(path);
  brink_session_close(s);
}

Test(session, setup_is_checked_when_given) {
  brink_session *s = opened(KOREA);
  cr_assert_eq(brink_session_seat(s, "USX"), BRINK_ENOTFOUND);
  cr_assert(strstr(brink_session_errmsg(s), "USA"));
  cr_assert_eq(brink_session_seat(s, "USA"), BRINK_OK);
  cr_assert_eq(brink_session_seat(s, "USA"), BRINK_EEXIST);
  cr_assert_eq(brink_session_preset(s, "nope", "1"), BRINK_ENOTFOUND);
  cr_assert_eq(brink_session_turn_limit(s, -1), BRINK_ERANGE);
  cr_assert_eq(brink_session_step(s), BRINK_ESTATE);
  cr_assert_eq(brink_session_preset(s, "DPRK.economy", "loads"), BRINK_OK);
  /* A value that does not fit its variable fails at the start. */
  cr_assert_eq(brink_session_start(s, 1), BRINK_EINVAL);
  cr_assert(strstr(brink_session_errmsg(s), "DPRK.economy"), "%s",
            brink_session_errmsg(s));
  brink_session_close(s);
}

Test(session, a_session_with_no_seats_steps_turn_by_turn) {
  brink_session *s = opened(KOREA);
  cr_assert_eq(brink_session_turn_limit(s, 4), BRINK_OK);
  cr_assert_eq(brink_session_start(s, 3), BRINK_OK);
  int steps = 1, rc;
  while ((rc = brink_session_step(s)) == BRINK_OK) steps++;
  cr_assert_eq(rc, BRINK_DONE, "%s", brink_session_errmsg(s));
  cr_assert_eq(steps, 4, "one step a turn");
  cr_assert_eq(brink_turn(brink_session_engine(s)), 4);
  brink_session_close(s);
}

/* examples/facilitate.c, built by make examples, plays, resumes and
   verifies a session as its comment says. */
Test(session, the_example_host_verifies_its_session) {
  const char *build = getenv("BRINK_BUILD");
  cr_assert_not_null(build, "BRINK_BUILD is not set (run through make test)");
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s/examples/facilitate %s 2>&1", build, KOREA);
  FILE *p = popen(cmd, "r");
  cr_assert_not_null(p);
  static char out[1 << 20];
  size_t n = fread(out, 1, sizeof out - 1, p);
  out[n] = '\0';
  cr_assert_eq(pclose(p), 0, "%s", out);
  cr_assert(strstr(out, "\nresumed at turn 4\n"), "%s", out);
  cr_assert(strstr(out, "\nverified: "), "%s", out);
  cr_assert(strstr(out, "\"command\":\"/set DPRK.economy 40\""), "%s", out);
}

/* A host in a comma-decimal locale gets the same log, messages and saves
   as one in the C locale, and its log replays. */
Test(session, the_hosts_locale_changes_nothing) {
  comma_locale();
  brink_session *s = played();
  said heard = {0};
  brink_session_on_say(s, hear, &heard);
  cr_assert_eq(brink_session_set(s, "DPRK.economy", "40.5"), BRINK_OK, "%s",
               brink_session_errmsg(s));
  cr_assert_eq(brink_session_odds(s, "summit", 0.25), BRINK_OK, "%s",
               brink_session_errmsg(s));
  cr_assert_eq(brink_session_show(s, BRINK_SHOW_SEAT), BRINK_OK);
  cr_assert(strstr(heard.text, " -> 40.5\n"), "%s", heard.text);
  /* A value with decimals in the seat's view: a point, not a comma. */
  const char *row = strstr(heard.text, "DPRK.economy   ");
  cr_assert_not_null(row, "%s", heard.text);
  cr_assert_eq(strncmp(row + strcspn(row, "0123456789"), "40.5", 4), 0,
               "%s", row);
  cr_assert(strstr(heard.text, "probability 0.25"), "%s", heard.text);
  cr_assert_null(strstr(heard.text, "0,25"), "%s", heard.text);
  size_t len, line;
  char *log = log_text(s, &len), *msg = NULL;
  cr_assert(strstr(log, "\"command\":\"/odds summit 0.25\""), "%s", log);
  cr_assert(strstr(log, "\"new\":40.5"), "%s", log);
  const char *files[] = {KOREA};
  cr_assert_eq(brink_log_verify(log, len, files, 1, NULL, &line, &msg),
               BRINK_OK, "%s", msg ? msg : "");
  free(log);
  brink_session_close(s);
}

/* 'text' with the first 'from' replaced by 'to' (malloc'd). */
static char *edited(const char *text, const char *from, const char *to) {
  const char *at = strstr(text, from);
  cr_assert_not_null(at, "no %s", from);
  size_t a = strlen(from), b = strlen(to), n = strlen(text);
  char *out = malloc(n - a + b + 1);
  memcpy(out, text, (size_t)(at - text));
  memcpy(out + (at - text), to, b);
  memcpy(out + (at - text) + b, at + a, n - (size_t)(at - text) - a + 1);
  return out;
}

static int resume_text(const char *text, int force, char *why, size_t cap) {
  brink_session *r = opened(KOREA);
  int rc = brink_session_resume(r, text, strlen(text), force);
  snprintf(why, cap, "%s", brink_session_errmsg(r));
  brink_session_close(r);
  return rc;
}

/* A save carries the engine's exact state beside the state by name; the
   two must agree, and --force takes the state as written. */
Test(session, a_save_embeds_the_engines_state_and_checks_it) {
  brink_session *s = played();
  cr_assert_eq(brink_session_odds(s, "summit", 0.25), BRINK_OK);
  void *save;
  size_t n;
  cr_assert_eq(brink_session_save(s, &save, &n), BRINK_OK);
  const char *text = save;
  cr_assert(strstr(text, "\"engine_state\": \""), "%.400s", text);
  char why[600];
  cr_assert_eq(resume_text(text, 0, why, sizeof why), BRINK_OK, "%s", why);
  /* The exact state keeps what no name says: the odds the white cell set. */
  brink_session *r = opened(KOREA);
  cr_assert_eq(brink_session_resume(r, save, n, 0), BRINK_OK);
  int move;
  double p;
  cr_assert_eq(brink_odds_get(brink_session_engine(r), &move, &p), BRINK_OK);
  cr_assert_eq(p, 0.25);
  brink_session_close(r);
  /* A value of the world edited by hand: refused, unless forced. */
  const char *world = strstr(text, "\"state\": {");
  cr_assert_not_null(world);
  const char *tw = strstr(world, "\"trade_war\": ");
  cr_assert_not_null(tw);
  int was = atoi(tw + strlen("\"trade_war\": "));
  char from[64], to[64];
  snprintf(from, sizeof from, "\"trade_war\": %d", was);
  snprintf(to, sizeof to, "\"trade_war\": %d", was == 50 ? 51 : 50);
  char *hand = malloc(strlen(text) + 8);
  snprintf(hand, strlen(text) + 8, "%.*s%s%s", (int)(tw - text), text, to,
           tw + strlen(from));
  cr_assert_eq(resume_text(hand, 0, why, sizeof why), BRINK_EFORMAT);
  cr_assert(strstr(why, "engine_state: not the world"), "%s", why);
  cr_assert_eq(resume_text(hand, 1, why, sizeof why), BRINK_OK, "%s", why);
  free(hand);
  /* Damaged bytes: not Base64, or Base64 of something else. */
  char *junk = edited(text, "\"engine_state\": \"", "\"engine_state\": \"!");
  cr_assert_eq(resume_text(junk, 0, why, sizeof why), BRINK_EFORMAT);
  cr_assert(strstr(why, "engine_state: not Base64"), "%s", why);
  free(junk);
  char *flip = edited(text, "\"engine_state\": \"QlJOS", "\"engine_state\": \"QlJPS");
  cr_assert_eq(resume_text(flip, 0, why, sizeof why), BRINK_EFORMAT);
  cr_assert(strstr(why, "engine_state: "), "%s", why);
  free(flip);
  /* A save from before engine states still loads by name. */
  const char *at = strstr(text, "  \"engine_state\"");
  char *old = strdup(text);
  const char *end = strchr(at, '\n') + 1;
  memmove(old + (at - text), end, strlen(end) + 1);
  cr_assert_eq(resume_text(old, 0, why, sizeof why), BRINK_OK, "%s", why);
  free(old);
  brink_buffer_free(save);
  brink_session_close(s);
}

/* A NULL where text is wanted is refused with a message, never a crash. */
Test(session, null_arguments_are_refused) {
  brink_session *s = opened(KOREA);
  cr_assert_eq(brink_session_seat(s, NULL), BRINK_EINVAL);
  cr_assert(strstr(brink_session_errmsg(s), "actor is NULL"));
  cr_assert_eq(brink_session_preset(s, "trade_war", NULL), BRINK_EINVAL);
  cr_assert_eq(brink_session_resume(s, NULL, 4, 0), BRINK_EINVAL);
  cr_assert_eq(brink_session_start(s, 1), BRINK_OK);
  cr_assert_eq(brink_session_command(s, NULL), BRINK_EINVAL);
  cr_assert_eq(brink_session_answer(s, NULL), BRINK_EINVAL);
  cr_assert_eq(brink_session_save_file(s, NULL), BRINK_EINVAL);
  cr_assert_eq(brink_session_why(s, "trade_war", NULL), BRINK_EINVAL);
  cr_assert_eq(brink_session_save(s, NULL, NULL), BRINK_EINVAL);
  brink_session_close(s);
  brink_session *t;
  cr_assert_eq(brink_session_open(&t, NULL), BRINK_OK);
  cr_assert_eq(brink_session_load_file(t, NULL), BRINK_EINVAL);
  brink_session_close(t);
}

/* The index of the first log line at or after 'from' holding 'what'. */
static size_t line_with(brink_session *s, size_t from, const char *what) {
  for (size_t i = from; i < brink_session_log_count(s); i++)
    if (strstr(brink_session_log_line(s, i), what)) return i;
  return (size_t)-1;
}

Test(session, a_held_turn_waits_for_the_white_cell_before_it_resolves) {
  brink_session *s = opened(KOREA);
  cr_assert_eq(brink_session_seat(s, "USA"), BRINK_OK);
  cr_assert_eq(brink_session_start(s, 7), BRINK_OK);
  cr_assert_eq(brink_session_prompt(s), BRINK_AWAIT);
  cr_assert_eq(brink_session_hold(s, 1), BRINK_OK, "%s",
               brink_session_errmsg(s));
  size_t before = brink_session_log_count(s);
  cr_assert_eq(brink_session_answer(s, "1"), BRINK_HELD, "%s",
               brink_session_errmsg(s));
  brink_engine *e = brink_session_engine(s);
  cr_assert(brink_held(e));
  cr_assert_eq(brink_turn(e), 1);
  /* Every actor has moved; nothing of the turn's resolution is logged. */
  cr_assert_neq(line_with(s, before, "\"actor\":\"JPN\""), (size_t)-1);
  cr_assert_eq(line_with(s, before, "\"t\":\"trigger\""), (size_t)-1);
  cr_assert_eq(line_with(s, before, "\"t\":\"turn\""), (size_t)-1);
  cr_assert_eq(brink_session_step(s), BRINK_HELD);
  cr_assert_eq(brink_session_prompt(s), BRINK_HELD);
  cr_assert_eq(brink_session_answer(s, "1"), BRINK_ESTATE);
  cr_assert(strstr(brink_session_errmsg(s), "held"));
  /* The white cell may change the world before the turn resolves. */
  cr_assert_eq(brink_session_set(s, "DPRK.economy", "40"), BRINK_OK);
  /* A save keeps the hold; its resumed session is held where it was. */
  void *save;
  size_t len;
  cr_assert_eq(brink_session_save(s, &save, &len), BRINK_OK);
  brink_session *r = opened(KOREA);
  cr_assert_eq(brink_session_resume(r, save, len, 0), BRINK_OK, "%s",
               brink_session_errmsg(r));
  cr_assert_eq(brink_session_prompt(r), BRINK_HELD);
  brink_buffer_free(save);
  brink_session_close(r);
  cr_assert_eq(brink_session_hold(s, 0), BRINK_OK);
  cr_assert_eq(brink_session_prompt(s), BRINK_AWAIT);
  cr_assert_eq(brink_turn(e), 2);
  size_t n, line;
  char *log = log_text(s, &n), *msg = NULL;
  const char *files[] = {KOREA};
  cr_assert_eq(brink_log_verify(log, n, files, 1, NULL, &line, &msg),
               BRINK_OK, "line %zu: %s", line, msg ? msg : "");
  free(log);
  brink_session_close(s);
}

/* The view of 'actor' as text, and whether it holds 'what'. */
static bool view_has(brink_session *s, int actor, const char *what) {
  char *json;
  size_t len;
  cr_assert_eq(brink_session_view(s, actor, &json, &len), BRINK_OK, "%s",
               brink_session_errmsg(s));
  cr_assert_eq(strlen(json), len);
  bool has = strstr(json, what) != NULL;
  brink_buffer_free(json);
  return has;
}

Test(session, each_view_shows_only_what_its_reader_may_see) {
  brink_session *s = opened(KOREA);
  cr_assert_eq(brink_session_seat(s, "USA"), BRINK_OK);
  cr_assert_eq(brink_session_seat(s, "DPRK"), BRINK_OK);
  cr_assert_eq(brink_session_start(s, 7), BRINK_OK);
  cr_assert_eq(brink_session_prompt(s), BRINK_AWAIT);
  brink_engine *e = brink_session_engine(s);
  int usa, dprk;
  brink_actor_find(e, "USA", &usa);
  brink_actor_find(e, "DPRK", &dprk);
  const char *warheads_hidden =
      "{\"name\":\"DPRK.warheads\",\"value\":null,\"text\":\"hidden\","
      "\"hidden\":true";
  /* The North's arsenal: its own seat and the white cell see it; the
     USA's seat sees its estimate instead. */
  cr_assert_not(view_has(s, usa, warheads_hidden));
  cr_assert(view_has(s, usa, "{\"name\":\"DPRK.warheads\",\"value\":null,"
                              "\"text\":\"20-60 (believed)\",\"hidden\":true"));
  cr_assert(view_has(s, usa, "\"belief\":[20,60]"));
  cr_assert(view_has(s, BRINK_VIEW_PUBLIC, warheads_hidden));
  cr_assert_not(view_has(s, dprk, warheads_hidden));
  cr_assert(view_has(s, dprk, "{\"name\":\"DPRK.warheads\",\"value\":52"));
  cr_assert(view_has(s, BRINK_VIEW_ALL, "{\"name\":\"DPRK.warheads\","
                                        "\"value\":52"));
  /* A seat sees its own moves (a preview while others move), the
     facilitator those of the actor to move, the wall none. */
  cr_assert(view_has(s, usa, "\"label\":\"summit DPRK\""));
  cr_assert_not(view_has(s, dprk, "\"label\":\"summit DPRK\""));
  cr_assert(view_has(s, dprk, "\"your_turn\":false"));
  cr_assert_not(view_has(s, BRINK_VIEW_PUBLIC, "\"label\""));
  cr_assert(view_has(s, BRINK_VIEW_ALL, "\"label\":\"summit DPRK\""));
  cr_assert_eq(brink_session_answer(s, "summit DPRK"), BRINK_AWAIT);
  /* Moves are public; the world's bookkeeping is the white cell's. */
  const char *summit = "\"kind\":\"move\",\"actor\":\"USA\",\"move\":"
                       "\"summit\",\"target\":\"DPRK\"";
  cr_assert(view_has(s, dprk, summit));
  cr_assert(view_has(s, BRINK_VIEW_PUBLIC, summit));
  cr_assert(view_has(s, usa, "{\"actor\":\"USA\",\"name\":\"United States\","
                             "\"moved\":true}"));
  cr_assert_not(view_has(s, usa, "\"kind\":\"set\""));
  cr_assert(view_has(s, BRINK_VIEW_ALL, "\"kind\":\"set\""));
  cr_assert(view_has(s, dprk, "\"your_turn\":true"));
  cr_assert(view_has(s, usa, "\"held\":false"));
  cr_assert_eq(brink_session_hold(s, 1), BRINK_OK);
  /* The switch is on before the turn reaches the held point. */
  cr_assert(view_has(s, usa, "\"status\":\"awaiting\",\"awaiting\":"
                             "\"DPRK\""));
  cr_assert(view_has(s, usa, "\"held\":true"));
  cr_assert(view_has(s, BRINK_VIEW_ALL, "{\"turn\":1,\"command\":\"/hold\"}"));
  cr_assert_not(view_has(s, usa, "/hold"));
  char *json;
  cr_assert_eq(brink_session_view(s, 99, &json, NULL), BRINK_EINVAL);
  cr_assert_null(json);
  brink_session_close(s);
}

/* The "end" record of a session's log. */
static const char *end_of(brink_session *s) {
  for (size_t i = brink_session_log_count(s); i-- > 0;)
    if (strstr(brink_session_log_line(s, i), "\"t\":\"end\""))
      return brink_session_log_line(s, i);
  return "";
}

Test(session, reload_carries_every_random_streams_place_by_name) {
  const char *path = "tests/cli/streams.lua";
  brink_session *straight = opened(path), *s = opened(path);
  cr_assert_eq(brink_session_start(straight, 3), BRINK_OK);
  cr_assert_eq(brink_session_start(s, 3), BRINK_OK);
  while (brink_session_step(straight) == BRINK_OK) continue;
  for (int i = 0; i < 4; i++) cr_assert_eq(brink_session_step(s), BRINK_OK);
  /* /reload carries the world over by name: the state record has them. */
  cr_assert_eq(brink_session_reload(s), BRINK_OK, "%s",
               brink_session_errmsg(s));
  size_t n = brink_session_log_count(s);
  cr_assert(strstr(brink_session_log_line(s, n - 1),
                   "\"streams\":{\"intel\":["), "%s",
            brink_session_log_line(s, n - 1));
  while (brink_session_step(s) == BRINK_OK) continue;
  cr_assert_str_eq(end_of(s), end_of(straight));
  size_t len, line;
  char *log = log_text(s, &len), *msg = NULL;
  const char *files[] = {path};
  cr_assert_eq(brink_log_verify(log, len, files, 1, NULL, &line, &msg),
               BRINK_OK, "line %zu: %s", line, msg ? msg : "");
  free(log);
  brink_session_close(straight);
  brink_session_close(s);
}

Test(session, undo_keeps_a_pending_odds_ruling) {
  brink_session *s = opened(KOREA);
  cr_assert_eq(brink_session_seat(s, "USA"), BRINK_OK);
  cr_assert_eq(brink_session_start(s, 7), BRINK_OK);
  cr_assert_eq(brink_session_answer(s, "1"), BRINK_AWAIT);   /* turn 2 */
  cr_assert_eq(brink_session_odds(s, "summit", 0.25), BRINK_OK);
  cr_assert_eq(brink_session_undo(s, 1), BRINK_OK, "%s",
               brink_session_errmsg(s));
  brink_engine *e = brink_session_engine(s);
  cr_assert_eq(brink_turn(e), 1);
  int move, summit;
  double p;
  brink_move_find(e, "summit", &summit);
  cr_assert_eq(brink_odds_get(e, &move, &p), BRINK_OK);
  cr_assert_eq(move, summit, "the ruling was lost with the undo");
  cr_assert_eq(p, 0.25);
  /* The log replays with it. */
  size_t n, line;
  char *log = log_text(s, &n), *msg = NULL;
  const char *files[] = {KOREA};
  cr_assert_eq(brink_log_verify(log, n, files, 1, NULL, &line, &msg),
               BRINK_OK, "line %zu: %s", line, msg ? msg : "");
  free(log);
  brink_session_close(s);
}

Test(session, a_fired_once_trigger_has_fired_and_does_not_fire_again) {
  /* The flagship's year-end deadline, fired by the white cell in May:
     it has come, and December brings it no second time. */
  brink_session *s = opened(KOREA);
  cr_assert_eq(brink_session_start(s, 7), BRINK_OK);
  cr_assert_eq(brink_session_fire(s, "year_end_deadline", NULL), BRINK_OK,
               "%s", brink_session_errmsg(s));
  while (brink_session_step(s) == BRINK_OK) continue;
  int fired = 0;
  for (size_t i = 0; i < brink_session_log_count(s); i++)
    fired += strstr(brink_session_log_line(s, i),
                    "\"t\":\"trigger\",\"turn\"") &&
             strstr(brink_session_log_line(s, i), "\"year_end_deadline\"");
  cr_assert_eq(fired, 1);
  brink_session_close(s);
}
