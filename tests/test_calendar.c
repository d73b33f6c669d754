/*
** test_calendar.c: civil dates, month arithmetic, turns and period ends.
*/
#include <criterion/criterion.h>
#include <string.h>

#include "brinkint.h"

static int32_t D(const char *text) {
  int32_t days = 0;
  cr_assert_eq(brink_date_parse(text, &days), BRINK_OK, "parse %s", text);
  return days;
}

static const char *S(int32_t days) {
  static char buf[4][11];
  static int next;
  char *b = buf[next++ % 4];
  cr_assert_eq(brink_date_format(days, b, 11), BRINK_OK);
  return b;
}

static brink_engine *e;

static void open_engine(void) {
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
}

static void close_engine(void) {
  brink_engine_close(e);
  e = NULL;
}

/* civil dates ------------------------------------------------------------ */

Test(calendar, the_epoch_and_its_neighbours_are_days_0_and_minus_1) {
  cr_assert_eq(brink__days_from_civil(1970, 1, 1), 0);
  cr_assert_eq(brink__days_from_civil(1969, 12, 31), -1);
  cr_assert_eq(brink__days_from_civil(2000, 3, 1), 11017);
  cr_assert_eq(brink__days_from_civil(2019, 5, 1), 18017);
  cr_assert_eq(brink__days_from_civil(1, 1, 1), -719162);
  cr_assert_eq(brink__days_from_civil(9999, 12, 31), 2932896);
}

Test(calendar, every_day_from_year_1_to_9999_round_trips_and_follows_on) {
  int32_t y0, m0, d0;
  brink__civil_from_days(-719162, &y0, &m0, &d0);
  cr_assert(y0 == 1 && m0 == 1 && d0 == 1);
  for (int32_t days = -719161; days <= 2932896; days++) {
    int32_t y, m, d;
    brink__civil_from_days(days, &y, &m, &d);
    bool next_day = y == y0 && m == m0 && d == d0 + 1;
    bool next_month = y == y0 && m == m0 + 1 && d == 1 &&
                      d0 == brink__days_in_month(y0, m0);
    bool next_year = y == y0 + 1 && m == 1 && d == 1 && m0 == 12 && d0 == 31;
    if (!(next_day || next_month || next_year))
      cr_assert_fail("day %d is %d-%d-%d after %d-%d-%d", days, y, m, d,
                     y0, m0, d0);
    if (brink__days_from_civil(y, m, d) != days)
      cr_assert_fail("day %d does not round trip", days);
    y0 = y, m0 = m, d0 = d;
  }
  cr_assert(y0 == 9999 && m0 == 12 && d0 == 31);
}

Test(calendar, dates_far_outside_the_scenario_years_still_convert) {
  int32_t y, m, d;
  brink__civil_from_days(INT32_MIN, &y, &m, &d);
  cr_assert_eq(brink__days_from_civil(y, m, d), INT32_MIN);
  brink__civil_from_days(INT32_MAX, &y, &m, &d);
  cr_assert_eq(brink__days_from_civil(y, m, d), INT32_MAX);
  brink__civil_from_days(brink__days_from_civil(-4713, 11, 24), &y, &m, &d);
  cr_assert(y == -4713 && m == 11 && d == 24);
}

Test(calendar, leap_years_follow_the_gregorian_rule) {
  cr_assert_eq(brink__days_in_month(2000, 2), 29);   /* divisible by 400 */
  cr_assert_eq(brink__days_in_month(1900, 2), 28);   /* by 100, not 400 */
  cr_assert_eq(brink__days_in_month(2100, 2), 28);
  cr_assert_eq(brink__days_in_month(2024, 2), 29);
  cr_assert_eq(brink__days_in_month(2019, 2), 28);
  cr_assert_eq(brink__days_in_month(1600, 2), 29);
  cr_assert_eq(D("2024-03-01") - D("2024-02-28"), 2);
  cr_assert_eq(D("2019-03-01") - D("2019-02-28"), 1);
  cr_assert_eq(D("2001-01-01") - D("2000-01-01"), 366);
  cr_assert_eq(D("1901-01-01") - D("1900-01-01"), 365);
}

Test(calendar, months_have_their_usual_lengths) {
  static const int32_t len[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  for (int m = 1; m <= 12; m++)
    cr_assert_eq(brink__days_in_month(2019, m), len[m - 1], "month %d", m);
}

/* parsing and formatting ------------------------------------------------- */

Test(calendar, dates_round_trip_through_parse_and_format) {
  static const char *dates[] = {"0001-01-01", "1969-12-31", "1970-01-01",
                                "2000-02-29", "2019-12-31", "2024-02-29",
                                "9999-12-31"};
  for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
    cr_assert_str_eq(S(D(dates[i])), dates[i]);
  cr_assert_str_eq(S(-1), "1969-12-31");
  cr_assert_str_eq(S(0), "1970-01-01");
}

Test(calendar, parse_rejects_every_malformed_or_impossible_date) {
  static const char *bad[] = {
      "2019-02-29", "1900-02-29", "2019-13-01", "2019-00-10", "2019-01-00",
      "2019-01-32", "2019-04-31", "2019-1-1",   "2019-01-1",  "2019-01-01x",
      "2019-01-01 ", " 2019-01-01", "2019/01/01", "2019-01/01", "0000-01-01",
      "",            "2019",       "20190101",   "+019-01-01", "2019-01-0a",
      "2019-0x-01",  "-001-01-01", "10000-01-01"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int32_t days = 12345;
    cr_assert_eq(brink_date_parse(bad[i], &days), BRINK_EINVAL, "'%s'",
                 bad[i]);
    cr_assert_eq(days, 12345, "'%s' wrote its output", bad[i]);
  }
  int32_t days;
  cr_assert_eq(brink_date_parse(NULL, &days), BRINK_EINVAL);
  cr_assert_eq(brink_date_parse("2019-01-01", NULL), BRINK_EINVAL);
}

Test(calendar, format_needs_eleven_bytes_and_a_four_digit_year) {
  char buf[16];
  cr_assert_eq(brink_date_format(0, buf, 10), BRINK_EINVAL);
  cr_assert_eq(brink_date_format(0, NULL, 11), BRINK_EINVAL);
  cr_assert_eq(brink_date_format(-719163, buf, sizeof buf), BRINK_ERANGE);
  cr_assert_eq(brink_date_format(2932897, buf, sizeof buf), BRINK_ERANGE);
  cr_assert_eq(brink_date_format(2932896, buf, 11), BRINK_OK);
  cr_assert_str_eq(buf, "9999-12-31");
}

Test(calendar, civil_splits_a_day_into_year_month_and_day) {
  int32_t y, m, d;
  cr_assert_eq(brink_date_civil(D("2019-12-31"), &y, &m, &d), BRINK_OK);
  cr_assert(y == 2019 && m == 12 && d == 31);
  cr_assert_eq(brink_date_civil(D("2020-02-29"), NULL, &m, NULL), BRINK_OK);
  cr_assert_eq(m, 2);
}

/* month arithmetic ------------------------------------------------------- */

Test(calendar, jan_31_plus_one_month_is_the_last_day_of_february) {
  cr_assert_str_eq(S(brink__add_months(D("2019-01-31"), 1)), "2019-02-28");
  cr_assert_str_eq(S(brink__add_months(D("2020-01-31"), 1)), "2020-02-29");
  cr_assert_str_eq(S(brink__add_months(D("2019-03-31"), 1)), "2019-04-30");
  cr_assert_str_eq(S(brink__add_months(D("2019-03-31"), -1)), "2019-02-28");
}

Test(calendar, adding_months_crosses_years_both_ways) {
  cr_assert_str_eq(S(brink__add_months(D("2019-12-15"), 1)), "2020-01-15");
  cr_assert_str_eq(S(brink__add_months(D("2019-01-15"), -1)), "2018-12-15");
  cr_assert_str_eq(S(brink__add_months(D("2019-01-15"), -13)), "2017-12-15");
  cr_assert_str_eq(S(brink__add_months(D("2019-05-01"), 1200)), "2119-05-01");
  cr_assert_str_eq(S(brink__add_months(D("2020-02-29"), 12)), "2021-02-28");
  cr_assert_str_eq(S(brink__add_months(D("2020-02-29"), 48)), "2024-02-29");
  cr_assert_str_eq(S(brink__add_months(D("2019-05-01"), 0)), "2019-05-01");
}

/* turns ------------------------------------------------------------------ */

Test(calendar, monthly_turns_from_jan_31_come_back_to_the_31st) {
  int32_t s = D("2019-01-31");
  cr_assert_str_eq(S(brink__turn_start(s, BRINK_MONTH, 1)), "2019-01-31");
  cr_assert_str_eq(S(brink__turn_start(s, BRINK_MONTH, 2)), "2019-02-28");
  cr_assert_str_eq(S(brink__turn_start(s, BRINK_MONTH, 3)), "2019-03-31");
  cr_assert_str_eq(S(brink__turn_start(s, BRINK_MONTH, 4)), "2019-04-30");
  cr_assert_str_eq(S(brink__turn_start(s, BRINK_MONTH, 13)), "2020-01-31");
  cr_assert_str_eq(S(brink__turn_start(s, BRINK_MONTH, 14)), "2020-02-29");
}

Test(calendar, weekly_turns_cross_a_year_end) {
  int32_t s = D("2019-12-28");
  cr_assert_str_eq(S(brink__turn_start(s, BRINK_WEEK, 2)), "2020-01-04");
  cr_assert_str_eq(S(brink__turn_start(s, BRINK_WEEK, 3)), "2020-01-11");
  cr_assert(brink__period_has_end(brink__turn_start(s, BRINK_WEEK, 1),
                                  brink__turn_start(s, BRINK_WEEK, 2),
                                  BRINK__YEAR_END));
  cr_assert_not(brink__period_has_end(brink__turn_start(s, BRINK_WEEK, 2),
                                      brink__turn_start(s, BRINK_WEEK, 3),
                                      BRINK__YEAR_END));
}

Test(calendar, daily_turns_are_consecutive_days) {
  int32_t s = D("2019-12-30");
  cr_assert_str_eq(S(brink__turn_start(s, BRINK_DAY, 1)), "2019-12-30");
  cr_assert_str_eq(S(brink__turn_start(s, BRINK_DAY, 3)), "2020-01-01");
  cr_assert_str_eq(S(brink__turn_start(s, BRINK_DAY, 62)), "2020-02-29");
}

Test(calendar, quarter_and_year_turns_clamp_from_the_original_start) {
  int32_t q = D("2019-11-30");
  cr_assert_str_eq(S(brink__turn_start(q, BRINK_QUARTER, 2)), "2020-02-29");
  cr_assert_str_eq(S(brink__turn_start(q, BRINK_QUARTER, 3)), "2020-05-30");
  cr_assert_str_eq(S(brink__turn_start(q, BRINK_QUARTER, 5)), "2020-11-30");
  int32_t y = D("2020-02-29");
  cr_assert_str_eq(S(brink__turn_start(y, BRINK_YEAR, 2)), "2021-02-28");
  cr_assert_str_eq(S(brink__turn_start(y, BRINK_YEAR, 5)), "2024-02-29");
}

Test(calendar, turn_starts_far_past_the_calendar_do_not_overflow) {
  int32_t s = D("2019-05-01");
  cr_assert_eq(brink__turn_start(s, BRINK_DAY, INT32_MAX), INT32_MAX);
  cr_assert_eq(brink__turn_start(s, BRINK_WEEK, INT32_MAX), INT32_MAX);
  cr_assert_eq(brink__turn_start(s, BRINK_YEAR, INT32_MAX), INT32_MAX);
  cr_assert_eq(brink__turn_start(s, BRINK_MONTH, INT32_MIN), INT32_MIN);
}

/* period ends ------------------------------------------------------------ */

Test(calendar, a_period_holds_a_month_end_only_if_it_reaches_the_last_day) {
  int k = BRINK__MONTH_END;
  cr_assert(brink__period_has_end(D("2019-01-31"), D("2019-02-01"), k));
  cr_assert_not(brink__period_has_end(D("2019-01-30"), D("2019-01-31"), k));
  cr_assert_not(brink__period_has_end(D("2019-02-01"), D("2019-02-28"), k));
  cr_assert(brink__period_has_end(D("2019-02-01"), D("2019-03-01"), k));
  cr_assert(brink__period_has_end(D("2020-02-29"), D("2020-03-01"), k));
  cr_assert_not(brink__period_has_end(D("2020-02-01"), D("2020-02-29"), k));
  cr_assert_not(brink__period_has_end(D("2019-01-31"), D("2019-01-31"), k));
}

Test(calendar, a_period_holds_a_quarter_end_on_mar_jun_sep_or_dec_end) {
  int k = BRINK__QUARTER_END;
  cr_assert(brink__period_has_end(D("2019-03-31"), D("2019-04-01"), k));
  cr_assert(brink__period_has_end(D("2019-06-01"), D("2019-07-01"), k));
  cr_assert(brink__period_has_end(D("2019-09-30"), D("2019-10-01"), k));
  cr_assert(brink__period_has_end(D("2019-12-01"), D("2020-01-01"), k));
  cr_assert_not(brink__period_has_end(D("2019-04-01"), D("2019-06-30"), k));
  cr_assert_not(brink__period_has_end(D("2019-01-31"), D("2019-03-01"), k));
  cr_assert(brink__period_has_end(D("2019-01-01"), D("2019-04-01"), k));
}

Test(calendar, a_period_holds_a_year_end_only_on_dec_31) {
  int k = BRINK__YEAR_END;
  cr_assert(brink__period_has_end(D("2019-12-31"), D("2020-01-01"), k));
  cr_assert_not(brink__period_has_end(D("2019-01-01"), D("2019-12-31"), k));
  cr_assert(brink__period_has_end(D("2019-01-01"), D("2020-01-01"), k));
  cr_assert(brink__period_has_end(D("2019-06-01"), D("2022-06-01"), k));
  cr_assert_not(brink__period_has_end(D("2019-01-01"), D("2020-01-01"), 0));
}

/* the engine's calendar -------------------------------------------------- */

TestSuite(engine_calendar, .init = open_engine, .fini = close_engine);

Test(engine_calendar, the_spec_example_has_20_monthly_turns) {
  cr_assert_eq(brink_calendar_set(e, D("2019-05-01"), D("2020-12-31"),
                                  BRINK_MONTH), BRINK_OK);
  cr_assert_eq(brink_turn_count(e), 20);
  cr_assert_str_eq(S(brink_turn_date(e, 1)), "2019-05-01");
  cr_assert_str_eq(S(brink_turn_date(e, 8)), "2019-12-01");
  cr_assert_str_eq(S(brink_turn_date(e, 20)), "2020-12-01");
  cr_assert_str_eq(S(brink_turn_date(e, 21)), "2021-01-01");
  int32_t at = D("2019-12-31");
  cr_assert(brink_turn_date(e, 8) <= at && at < brink_turn_date(e, 9));
}

Test(engine_calendar, december_holds_a_year_end_and_november_does_not) {
  brink_calendar_set(e, D("2019-05-01"), D("2020-12-31"), BRINK_MONTH);
  for (int t = 1; t <= brink_turn_count(e); t++) {
    int32_t from = brink_turn_date(e, t), to = brink_turn_date(e, t + 1);
    int32_t y, m;
    brink_date_civil(from, &y, &m, NULL);
    cr_assert(brink__period_has_end(from, to, BRINK__MONTH_END));
    cr_assert_eq(brink__period_has_end(from, to, BRINK__QUARTER_END),
                 m % 3 == 0, "turn %d", t);
    cr_assert_eq(brink__period_has_end(from, to, BRINK__YEAR_END), m == 12,
                 "turn %d", t);
  }
}

Test(engine_calendar, a_finish_on_the_start_is_one_turn) {
  int32_t s = D("2019-05-01");
  for (int unit = BRINK_DAY; unit <= BRINK_YEAR; unit++) {
    cr_assert_eq(brink_calendar_set(e, s, s, unit), BRINK_OK);
    cr_assert_eq(brink_turn_count(e), 1, "unit %d", unit);
  }
}

Test(engine_calendar, the_last_turn_is_the_one_whose_period_holds_finish) {
  int32_t s = D("2019-01-31");
  brink_calendar_set(e, s, D("2019-02-27"), BRINK_MONTH);
  cr_assert_eq(brink_turn_count(e), 1);
  brink_calendar_set(e, s, D("2019-02-28"), BRINK_MONTH);
  cr_assert_eq(brink_turn_count(e), 2);
  brink_calendar_set(e, s, D("2019-03-30"), BRINK_MONTH);
  cr_assert_eq(brink_turn_count(e), 2);
  brink_calendar_set(e, s, s + 6, BRINK_WEEK);
  cr_assert_eq(brink_turn_count(e), 1);
  brink_calendar_set(e, s, s + 7, BRINK_WEEK);
  cr_assert_eq(brink_turn_count(e), 2);
  brink_calendar_set(e, s, s + 364, BRINK_DAY);
  cr_assert_eq(brink_turn_count(e), 365);
  brink_calendar_set(e, D("0001-01-01"), D("9999-12-31"), BRINK_DAY);
  cr_assert_eq(brink_turn_count(e), 2932896 + 719162 + 1);
}

/* The arithmetic count agrees with walking the turns one by one. */
Test(engine_calendar, turn_counts_agree_with_a_walk_over_the_turns) {
  uint32_t x = 12345;
  for (int i = 0; i < 3000; i++) {
    x = x * 1103515245u + 12345u;
    int32_t s = D("1999-01-01") + (int32_t)(x >> 8) % 4000;
    x = x * 1103515245u + 12345u;
    int32_t f = s + (int32_t)(x >> 8) % 2000;
    int unit = i % 5;
    cr_assert_eq(brink_calendar_set(e, s, f, unit), BRINK_OK);
    int t = 1;
    while (brink__turn_start(s, unit, t + 1) <= f) t++;
    cr_assert_eq(brink_turn_count(e), t, "%s..%s unit %d", S(s), S(f), unit);
  }
}

Test(engine_calendar, a_turn_limit_caps_the_count_but_never_raises_it) {
  brink_calendar_set(e, D("2019-05-01"), D("2020-12-31"), BRINK_MONTH);
  cr_assert_eq(brink_turn_limit(e, 5), BRINK_OK);
  cr_assert_eq(brink_turn_count(e), 5);
  brink_turn_limit(e, 100);
  cr_assert_eq(brink_turn_count(e), 20);
  brink_turn_limit(e, 0);
  cr_assert_eq(brink_turn_count(e), 20);
}

Test(engine_calendar, before_the_first_turn_the_date_is_the_start) {
  brink_calendar_set(e, D("2019-05-01"), D("2020-12-31"), BRINK_MONTH);
  cr_assert_eq(brink_turn(e), 0);
  cr_assert_str_eq(S(brink_date(e)), "2019-05-01");
}

Test(engine_calendar, a_finish_before_the_start_is_refused_with_both_dates) {
  brink_calendar_set(e, D("2019-05-01"), D("2020-12-31"), BRINK_MONTH);
  cr_assert_eq(brink_calendar_set(e, D("2019-05-01"), D("2019-04-30"),
                                  BRINK_DAY), BRINK_EINVAL);
  cr_assert(strstr(brink_errmsg(e), "2019-04-30"));
  cr_assert(strstr(brink_errmsg(e), "2019-05-01"));
  cr_assert_eq(brink_turn_count(e), 20, "a refused set changed the calendar");
}

Test(engine_calendar, unknown_units_and_dates_beyond_year_9999_are_refused) {
  int32_t s = D("2019-05-01");
  cr_assert_eq(brink_calendar_set(e, s, s, -1), BRINK_EINVAL);
  cr_assert_eq(brink_calendar_set(e, s, s, 5), BRINK_EINVAL);
  cr_assert(strstr(brink_errmsg(e), "unit"));
  cr_assert_eq(brink_calendar_set(e, s, 2932897, BRINK_DAY), BRINK_EINVAL);
  cr_assert_eq(brink_calendar_set(e, -719163, s, BRINK_DAY), BRINK_EINVAL);
  cr_assert_eq(brink_calendar_set(e, INT32_MIN, INT32_MAX, BRINK_DAY),
               BRINK_EINVAL);
}

Test(engine_calendar, the_calendar_is_fixed_once_the_world_is_sealed) {
  int32_t s = D("2019-05-01");
  cr_assert_eq(brink_calendar_set(e, s, s + 30, BRINK_DAY), BRINK_OK);
  cr_assert_eq(brink_world_seal(e), BRINK_OK);
  cr_assert_eq(brink_calendar_set(e, s, s + 60, BRINK_DAY), BRINK_ESTATE);
  cr_assert(strstr(brink_errmsg(e), "sealed"));
  cr_assert_eq(brink_turn_count(e), 31);
}
