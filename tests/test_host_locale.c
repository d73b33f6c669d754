/*
** Whatever locale the host sets, in whichever thread, brink reads and
** writes numbers the C way: values, messages, JSON records and what
** scripts print.  Each test runs in its own process, so setting the
** locale here touches no other test.
*/
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>

#include "data.h"
#include "host_fixture.h"
#include "locale_fixture.h"

#define LOCALE_SCENARIO                                                     \
  "scenario { id = 'loc', start = '2024-01-01', finish = '2024-03-31' }\n" \
  "actor 'A' {}\n"                                                         \
  "var 'level' { min = 0, max = 100, init = 1.25 }\n"                      \
  "var 'count' { type = 'integer', min = 0, max = 9, init = 0 }\n"         \
  "event 'later' { effect = function(w, data) end }\n"                    \
  "trigger 'say' { at = '2024-01-01', effect = function(w)\n"              \
  "  news(tostring(w.level) .. ' ' .. string.format('%.2f', 2.5) ..\n"     \
  "    ' ' .. tostring(tonumber('3.5') + 0.25) .. ' ' .. 0.5)\n"           \
  "  w.level = 7.5 end }\n"

/* Every way a number crosses the API, checked in the calling thread. */
static void *check_numbers(void *unused) {
  (void)unused;
  brink_engine *e = load_ok(LOCALE_SCENARIO);
  int level = var(e, "level");
  char buf[64];
  brink_var_format(e, level, buf, sizeof buf);
  cr_assert_str_eq(buf, "1.25");
  cr_assert_eq(brink_var_set_text(e, level, "61.5"), BRINK_OK, "%s",
               brink_errmsg(e));
  cr_assert_eq(get(e, "level"), 61.5);
  cr_assert_eq(brink_var_set_text(e, level, "61,5"), BRINK_ETYPE);
  brink_value_format(e, level, 62.73, buf, sizeof buf);
  cr_assert_str_eq(buf, "62.73");
  cr_assert_eq(brink_var_set(e, var(e, "count"), 1.5), BRINK_ETYPE);
  cr_assert(strstr(brink_errmsg(e), "1.5 is not an integer"), "%s",
            brink_errmsg(e));

  brink_record r;
  memset(&r, 0, sizeof r);
  r.size = sizeof r;
  r.kind = BRINK_REC_SET;
  r.var = level;
  r.old_value = 1.25;
  r.new_value = 0.5;
  r.cause = "host";
  brink_record_json(e, &r, buf, sizeof buf);
  cr_assert(strstr(buf, "\"old\":1.25,\"new\":0.5,"), "%s", buf);
  brink_engine_close(e);

  /* Event data's numbers are checked without the locale too: the comma
     locale would read "1.5e308" as 1 and take 1.9e308 for finite. */
  e = load_ok(LOCALE_SCENARIO);
  brink_start(e, 1);
  cr_assert_eq(brink_schedule_put(e, 2, 0, 0, "{[\"x\"]=1.9e308,}"),
               BRINK_EINVAL);
  cr_assert_eq(brink_schedule_put(e, 2, 0, 0, "{[\"x\"]=1.5e308,}"),
               BRINK_OK, "%s", brink_errmsg(e));
  brink_engine_close(e);
  cr_assert(brink__data_valid("{[\"x\"]=1.5e307,[2.5]=-0.25,}"));
  cr_assert(!brink__data_valid("{[\"x\"]=1.9e308,}"));
  cr_assert(!brink__data_valid("1.5e309"));

  int status;
  char *log = play(LOCALE_SCENARIO, 1, &status);
  assert_has(log, "\"text\":\"1.25 2.50 3.75 0.5\"");
  assert_has(log, "\"level\":7.5");
  free(log);
  return NULL;
}

Test(host_locale, numbers_read_and_print_the_c_way_under_a_comma_locale) {
  comma_locale();
  check_numbers(NULL);
}

Test(host_locale, numbers_read_and_print_the_c_way_in_another_thread) {
  comma_locale();
  pthread_t t;
  cr_assert_eq(pthread_create(&t, NULL, check_numbers, NULL), 0);
  pthread_join(t, NULL);
}

/* A thread with its own comma locale (uselocale) and the host's. */
static void *own_locale(void *unused) {
  (void)unused;
  locale_t de = newlocale(LC_ALL_MASK, "de_DE.UTF-8", (locale_t)0);
  cr_assert_neq(de, (locale_t)0);
  uselocale(de);
  check_numbers(NULL);
  /* brink put the thread's own locale back. */
  char t[16];
  snprintf(t, sizeof t, "%.1f", 1.5);
  cr_assert_str_eq(t, "1,5");
  uselocale(LC_GLOBAL_LOCALE);
  freelocale(de);
  return NULL;
}

Test(host_locale, a_thread_keeps_its_own_locale_and_brink_the_c_way) {
  comma_locale();
  setlocale(LC_ALL, "C");
  pthread_t t;
  cr_assert_eq(pthread_create(&t, NULL, own_locale, NULL), 0);
  pthread_join(t, NULL);
}

/* The record callback is the host's code: it runs in the host's locale
   even while a step holds the C locale, and what it asks of brink is
   still the C way. */
static brink_engine *heard;

static void in_callback(void *ud, const brink_record *r) {
  int *bad = ud;
  char t[16], json[512];
  snprintf(t, sizeof t, "%.1f", 1.5);
  if (strcmp(t, "1,5") != 0) (*bad)++;
  if (r->kind == BRINK_REC_SET &&
      brink_record_json(heard, r, json, sizeof json) > 0 &&
      strstr(json, "\"new\":7.5") == NULL)
    (*bad)++;
}

Test(host_locale, the_record_callback_runs_in_the_hosts_locale) {
  comma_locale();
  brink_engine *e = heard = load_ok(LOCALE_SCENARIO);
  int bad = 0;
  brink_on_record(e, in_callback, &bad);
  cr_assert_eq(brink_start(e, 1), BRINK_OK);
  cr_assert_eq(brink_run(e), BRINK_DONE, "%s", brink_errmsg(e));
  cr_assert_eq(bad, 0);
  char t[16];
  snprintf(t, sizeof t, "%.1f", 1.5);
  cr_assert_str_eq(t, "1,5");
  brink_engine_close(e);
}
