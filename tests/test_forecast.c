/*
** /forecast and /preview through the session's public header: the same
** numbers whatever the threads, nothing changed but one log line, pairs
** that share their dice, and the refusals.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brink_session.h"

#define KOREA "scripts/scenarios/korea-2019.lua"

/*
** A seated actor A whose moves the AI never draws (every weight 0, pass
** too), so its AI passes without a draw; B plays dice.  "stir" changes
** the world, "nod" changes nothing but is a move of its own.
*/
static const char fork_lua[] =
    "scenario { id = 'fork', start = '2020-01-01', finish = '2020-06-30',\n"
    "  turn = 'month', default_outcome = 'calm', pass_weight = 0 }"
    " outcome 'calm' {}\n"
    "actor 'A' {}\n"
    "actor 'B' {}\n"
    "var 'heat' { min = 0, max = 100, init = 40 }\n"
    "local never = function(w) return 0 end\n"
    "move 'nod' { by = 'A', weight = never, effect = function(w) end }\n"
    "move 'stir' { by = 'A', weight = never,\n"
    "  effect = function(w) w.heat = w.heat + 25 end }\n"
    "move 'poke' { by = 'B', effect = function(w)\n"
    "  if chance(0.5) then w.heat = w.heat + 10 end end }\n"
    "move 'soothe' { by = 'B', effect = function(w)\n"
    "  w.heat = w.heat - random(0, 6) end }\n"
    "outcome 'war' { when = function(w) return w.heat >= 60 end }\n";

static brink_session *started(const char *path, const char *seat,
                              uint64_t seed) {
  brink_session *s;
  cr_assert_eq(brink_session_open(&s, NULL), BRINK_OK);
  int rc = path ? brink_session_load_file(s, path)
                : brink_session_load_string(s, "fork.lua", fork_lua,
                                            strlen(fork_lua));
  cr_assert_eq(rc, BRINK_OK, "%s", brink_session_errmsg(s));
  if (seat) cr_assert_eq(brink_session_seat(s, seat), BRINK_OK);
  cr_assert_eq(brink_session_start(s, seed), BRINK_OK, "%s",
               brink_session_errmsg(s));
  return s;
}

/* The flagship with USA seated, two turns played. */
static brink_session *korea_turn3(void) {
  brink_session *s = started(KOREA, "USA", 2019);
  cr_assert_eq(brink_session_step(s), BRINK_AWAIT);
  cr_assert_eq(brink_session_answer(s, "1"), BRINK_AWAIT);
  cr_assert_eq(brink_session_answer(s, "2"), BRINK_AWAIT);
  return s;
}

static char *forecast(brink_session *s, int runs) {
  char *text = NULL;
  cr_assert_eq(brink_session_forecast(s, runs, &text), BRINK_OK, "%s",
               brink_session_errmsg(s));
  return text;
}

static char *preview(brink_session *s, const char *move, const char *target,
                     int runs) {
  char *text = NULL;
  cr_assert_eq(brink_session_preview(s, move, target, runs, &text), BRINK_OK,
               "%s", brink_session_errmsg(s));
  return text;
}

static char *state_of(brink_session *s, size_t *len) {
  void *bytes;
  cr_assert_eq(brink_state_save(brink_session_engine(s), &bytes, len),
               BRINK_OK);
  return bytes;
}

Test(forecast, the_same_state_gives_the_same_text_whatever_the_threads) {
  brink_session *s = korea_turn3();
  cr_assert_eq(brink_session_jobs(s, 1), BRINK_OK);
  char *one = forecast(s, 300);
  cr_assert_eq(brink_session_jobs(s, 2), BRINK_OK);
  char *two = forecast(s, 300);
  cr_assert_str_eq(one, two);
  cr_assert(strstr(one, "300 continuations from turn 3, seed 2019"), "%s",
            one);
  cr_assert(strstr(one, "95% interval"));
  cr_assert(strstr(one, "what the outcomes turn on"));
  cr_assert_eq(brink_session_jobs(s, -1), BRINK_ERANGE);
  brink_buffer_free(one);
  brink_buffer_free(two);
  brink_session_close(s);
}

Test(forecast, changes_nothing_but_one_intervention_in_the_log) {
  brink_session *a = korea_turn3(), *b = korea_turn3();
  size_t na = brink_session_log_count(a), la, lb;
  char *text = forecast(a, 200);
  cr_assert_eq(brink_session_log_count(a), na + 1);
  cr_assert(strstr(brink_session_log_line(a, na),
                   "\"command\":\"/forecast 200\""), "%s",
            brink_session_log_line(a, na));
  char *sa = state_of(a, &la), *sb = state_of(b, &lb);
  cr_assert_eq(la, lb);
  cr_assert_eq(memcmp(sa, sb, la), 0, "the forecast moved the state");
  /* Play goes on alike: the same lines after the forecast's own. */
  cr_assert_eq(brink_session_answer(a, "1"), BRINK_AWAIT);
  cr_assert_eq(brink_session_answer(b, "1"), BRINK_AWAIT);
  cr_assert_eq(brink_session_log_count(a), brink_session_log_count(b) + 1);
  for (size_t i = 0; i < brink_session_log_count(b); i++)
    cr_assert_str_eq(brink_session_log_line(a, i < na ? i : i + 1),
                     brink_session_log_line(b, i));
  /* And the log with the forecast in it replays. */
  size_t n = 0;
  for (size_t i = 0; i < brink_session_log_count(a); i++)
    n += strlen(brink_session_log_line(a, i)) + 1;
  char *log = malloc(n + 1), *p = log, *msg = NULL;
  for (size_t i = 0; i < brink_session_log_count(a); i++)
    p += sprintf(p, "%s\n", brink_session_log_line(a, i));
  const char *files[] = {KOREA};
  cr_assert_eq(brink_log_verify(log, n, files, 1, NULL, NULL, &msg),
               BRINK_OK, "%s", msg ? msg : "");
  free(log);
  brink_buffer_free(sa);
  brink_buffer_free(sb);
  brink_buffer_free(text);
  brink_session_close(a);
  brink_session_close(b);
}

Test(forecast, is_refused_once_the_run_has_ended) {
  brink_session *s;
  cr_assert_eq(brink_session_open(&s, NULL), BRINK_OK);
  cr_assert_eq(brink_session_load_file(s, KOREA), BRINK_OK);
  cr_assert_eq(brink_session_turn_limit(s, 1), BRINK_OK);
  cr_assert_eq(brink_session_start(s, 1), BRINK_OK);
  while (brink_session_step(s) == BRINK_OK) continue;
  char *text = NULL;
  cr_assert_eq(brink_session_forecast(s, 10, &text), BRINK_EINVAL);
  cr_assert_null(text);
  cr_assert(strstr(brink_session_errmsg(s), "the run has ended"), "%s",
            brink_session_errmsg(s));
  cr_assert_eq(brink_session_command(s, "/forecast many"), BRINK_EINVAL);
  cr_assert(strstr(brink_session_errmsg(s), "usage: /forecast [N]"));
  brink_session_close(s);
}

/* The rows of a preview's table: "  OUTCOME  A%  B%  DIFF  [LO, HI]  +/-U". */
typedef struct row {
  char name[64];
  double a, b, diff, lo, hi, unpaired;
} row;

static int rows_of(const char *text, row *rows, int cap) {
  const char *p = strstr(text, "95% (paired)");
  cr_assert_not_null(p, "%s", text);
  int n = 0;
  for (p = strchr(p, '\n') + 1; *p == ' ' && n < cap; n++) {
    row *r = &rows[n];
    cr_assert_eq(sscanf(p, " %63s %lf%% %lf%% %lf [%lf, %lf] +/-%lf", r->name,
                        &r->a, &r->b, &r->diff, &r->lo, &r->hi,
                        &r->unpaired), 7, "%s", p);
    p = strchr(p, '\n') + 1;
  }
  return n;
}

Test(preview, a_move_that_changes_nothing_differs_by_exactly_zero) {
  brink_session *s = started(NULL, "A", 5);
  cr_assert_eq(brink_session_step(s), BRINK_AWAIT);
  char *same = preview(s, "pass", NULL, 400);
  cr_assert(strstr(same, "The AI would choose: pass 100.0%"), "%s", same);
  row rows[8];
  int n = rows_of(same, rows, 8);
  cr_assert_eq(n, 2, "%s", same);   /* calm and war */
  for (int i = 0; i < n; i++) {
    cr_assert_eq(rows[i].a, rows[i].b, "%s", same);
    cr_assert_eq(rows[i].diff, 0);
    cr_assert_eq(rows[i].lo, 0);
    cr_assert_eq(rows[i].hi, 0);
    cr_assert_gt(rows[i].unpaired, 0);
  }
  /* A move that changes the world shows. */
  char *stir = preview(s, "stir", NULL, 400);
  n = rows_of(stir, rows, 8);
  cr_assert_eq(n, 2);
  cr_assert_str_eq(rows[1].name, "war");
  cr_assert_gt(rows[1].diff, 5, "%s", stir);
  cr_assert_gt(rows[1].lo, 0, "%s", stir);
  brink_buffer_free(same);
  brink_buffer_free(stir);
  brink_session_close(s);
}

Test(preview, pairs_are_narrower_than_independent_samples_on_the_flagship) {
  brink_session *s = korea_turn3();
  char *text = preview(s, "summit", "DPRK", 500);
  cr_assert(strstr(text, "Preview for USA, turn 3"), "%s", text);
  cr_assert(strstr(text, "The AI would choose: "), "%s", text);
  row rows[8];
  int n = rows_of(text, rows, 8);
  cr_assert_geq(n, 3, "%s", text);
  double paired = 0, unpaired = 0;
  for (int i = 0; i < n; i++) {
    cr_assert_leq(rows[i].lo, rows[i].diff);
    cr_assert_geq(rows[i].hi, rows[i].diff);
    paired += (rows[i].hi - rows[i].lo) / 2;
    unpaired += rows[i].unpaired;
  }
  cr_assert_lt(paired, unpaired, "%s", text);
  /* The same pairs again: the same text, and the session as it was. */
  size_t before = brink_session_log_count(s), la, lb;
  char *sa = state_of(s, &la);
  char *again = preview(s, "summit", "DPRK", 500);
  char *sb = state_of(s, &lb);
  cr_assert_str_eq(text, again);
  cr_assert_eq(brink_session_log_count(s), before + 1);
  cr_assert(la == lb && memcmp(sa, sb, la) == 0, "the preview moved the state");
  brink_buffer_free(sa);
  brink_buffer_free(sb);
  brink_buffer_free(text);
  brink_buffer_free(again);
  brink_session_close(s);
}

static void refused(brink_session *s, const char *move, const char *target,
                    int runs, const char *why) {
  char *text = NULL;
  size_t lines = brink_session_log_count(s);
  int rc = brink_session_preview(s, move, target, runs, &text);
  cr_assert_neq(rc, BRINK_OK, "%s %s was not refused", move,
                target ? target : "");
  cr_assert_null(text);
  cr_assert(strstr(brink_session_errmsg(s), why), "'%s' has no '%s'",
            brink_session_errmsg(s), why);
  cr_assert_leq(brink_session_log_count(s), lines + 1);
}

Test(preview, is_refused_without_a_seat_to_move_or_a_legal_move) {
  brink_session *s = started(KOREA, "USA", 2019);
  cr_assert_eq(brink_session_step(s), BRINK_AWAIT);
  refused(s, "partial_relief", "DPRK", 10, "is not allowed now: the talks");
  refused(s, "consult_allies", NULL, 10, "consult_allies takes a target");
  char *one = preview(s, "summit", NULL, 10);   /* its one target */
  cr_assert(strstr(one, "summit DPRK now"), "%s", one);
  brink_buffer_free(one);
  refused(s, "summit", "JPN", 10, "USA cannot play summit on JPN");
  refused(s, "sumit", "DPRK", 10, "summit");   /* did you mean */
  refused(s, "summit", "DPRK", -1, "runs");
  refused(s, "summit two", NULL, 10, "one word");
  brink_session_close(s);
  s = started(KOREA, NULL, 1);   /* nobody seated: nobody to move */
  refused(s, "pass", NULL, 10, "no seat is to move");
  char *text = forecast(s, 20);   /* a forecast needs no seat */
  brink_buffer_free(text);
  brink_session_close(s);
}
