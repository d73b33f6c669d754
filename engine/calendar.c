/*
** calendar.c: dates as days since 1970-01-01 in the proleptic Gregorian
** calendar, and the turns a scenario's calendar cuts them into.
*/
#include <stdint.h>
#include <string.h>

#include "brinkint.h"

/* 0001-01-01 and 9999-12-31: the dates a scenario may name. */
#define FIRST_DAY (-719162)
#define LAST_DAY 2932896

/*
** The civil conversions count in 400-year eras of 146097 days that start
** on March 1st, so the leap day is the last day of its year and the month
** lengths from March on follow the (153 * m + 2) / 5 pattern.  Arithmetic
** is in 64 bits so no int32 input can overflow it.
*/
static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t days_from_civil64(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;                       /* [0, 399] */
  int64_t mp = m > 2 ? m - 3 : m + 9;                /* March is 0 */
  int64_t doy = (153 * mp + 2) / 5 + d - 1;          /* [0, 365] */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;                /* 719468: 0000-03-01 */
}

static int32_t saturate(int64_t v) {
  if (v < INT32_MIN) return INT32_MIN;
  if (v > INT32_MAX) return INT32_MAX;
  return (int32_t)v;
}

int32_t brink__days_from_civil(int32_t y, int32_t m, int32_t d) {
  return saturate(days_from_civil64(y, m, d));
}

void brink__civil_from_days(int32_t days, int32_t *y, int32_t *m,
                            int32_t *d) {
  int64_t z = (int64_t)days + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;                    /* [0, 146096] */
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t mm = mp < 10 ? mp + 3 : mp - 9;
  *y = (int32_t)(yoe + era * 400 + (mm <= 2));
  *m = (int32_t)mm;
  *d = (int32_t)(doy - (153 * mp + 2) / 5 + 1);
}

static bool is_leap(int64_t y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int32_t brink__days_in_month(int32_t y, int32_t m) {
  switch (m) {
  case 2: return is_leap(y) ? 29 : 28;
  case 4: case 6: case 9: case 11: return 30;
  default: return 31;
  }
}

static int32_t add_months64(int32_t days, int64_t months) {
  int32_t y, m, d;
  brink__civil_from_days(days, &y, &m, &d);
  int64_t index = (int64_t)y * 12 + (m - 1) + months;
  int64_t ny = floor_div(index, 12);
  int32_t nm = (int32_t)(index - ny * 12) + 1;
  if (ny < INT32_MIN || ny > INT32_MAX) return ny < 0 ? INT32_MIN : INT32_MAX;
  int32_t dim = brink__days_in_month((int32_t)ny, nm);
  return saturate(days_from_civil64(ny, nm, d < dim ? d : dim));
}

int32_t brink__add_months(int32_t days, int32_t months) {
  return add_months64(days, months);
}

/*
** Month-based turns are counted from the original start every time, not
** from the previous turn, so a clamp in a short month does not stick:
** Jan 31, Feb 28, Mar 31.
*/
int32_t brink__turn_start(int32_t start, int unit, int turn) {
  int64_t k = (int64_t)turn - 1;
  switch (unit) {
  case BRINK_DAY: return saturate(start + k);
  case BRINK_WEEK: return saturate(start + 7 * k);
  case BRINK_MONTH: return add_months64(start, k);
  case BRINK_QUARTER: return add_months64(start, 3 * k);
  case BRINK_YEAR: return add_months64(start, 12 * k);
  default: return start;
  }
}

bool brink__period_has_end(int32_t from, int32_t to, int kind) {
  if (to <= from) return false;
  int32_t y, m, d;
  brink__civil_from_days(from, &y, &m, &d);
  switch (kind) {
  case BRINK__MONTH_END: break;
  case BRINK__QUARTER_END: m = (m + 2) / 3 * 3; break;
  case BRINK__YEAR_END: m = 12; break;
  default: return false;
  }
  /* The first such end on or after 'from' is the only one to check. */
  int64_t end = days_from_civil64(y, m, brink__days_in_month(y, m));
  return end < to;
}

/* public ------------------------------------------------------------------ */

static int digits(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

BRINK_API int brink_date_parse(const char *text, int32_t *days) {
  if (text == NULL || days == NULL) return BRINK_EINVAL;
  /* Read at most 11 bytes: a longer string fails at its eleventh. */
  for (int i = 0; i < 10; i++)
    if (text[i] == '\0') return BRINK_EINVAL;
  if (text[10] != '\0' || text[4] != '-' || text[7] != '-')
    return BRINK_EINVAL;
  int y = digits(text, 4), m = digits(text + 5, 2), d = digits(text + 8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > brink__days_in_month(y, m))
    return BRINK_EINVAL;
  *days = brink__days_from_civil(y, m, d);
  return BRINK_OK;
}

static void put_digits(char *out, int v, int n) {
  for (int i = n - 1; i >= 0; i--) {
    out[i] = (char)('0' + v % 10);
    v /= 10;
  }
}

/* Years outside 0001..9999 have no four-digit form: BRINK_ERANGE. */
BRINK_API int brink_date_format(int32_t days, char *buf, size_t cap) {
  if (buf == NULL || cap < 11) return BRINK_EINVAL;
  if (days < FIRST_DAY || days > LAST_DAY) {
    buf[0] = '\0';
    return BRINK_ERANGE;
  }
  int32_t y, m, d;
  brink__civil_from_days(days, &y, &m, &d);
  put_digits(buf, y, 4);
  buf[4] = '-';
  put_digits(buf + 5, m, 2);
  buf[7] = '-';
  put_digits(buf + 8, d, 2);
  buf[10] = '\0';
  return BRINK_OK;
}

/* Any int32 day has a civil date; any of the outputs may be NULL. */
BRINK_API int brink_date_civil(int32_t days, int32_t *year, int32_t *month,
                               int32_t *day) {
  int32_t y, m, d;
  brink__civil_from_days(days, &y, &m, &d);
  if (year) *year = y;
  if (month) *month = m;
  if (day) *day = d;
  return BRINK_OK;
}

/* The turn whose period [turn_start(t), turn_start(t + 1)) holds 'finish'. */
static int count_turns(int32_t start, int32_t finish, int unit) {
  if (unit == BRINK_DAY) return finish - start + 1;
  if (unit == BRINK_WEEK) return (finish - start) / 7 + 1;
  int32_t step = unit == BRINK_MONTH ? 1 : unit == BRINK_QUARTER ? 3 : 12;
  int32_t ys, ms, ds, yf, mf, df;
  brink__civil_from_days(start, &ys, &ms, &ds);
  brink__civil_from_days(finish, &yf, &mf, &df);
  /*
  ** Whole months apart, in steps, is at most one step too many (when the
  ** finish day comes before the start's day of the month).
  */
  int k = ((yf * 12 + mf) - (ys * 12 + ms)) / step;
  while (k > 0 && add_months64(start, (int64_t)k * step) > finish) k--;
  return k + 1;
}

BRINK_API int brink_calendar_set(brink_engine *e, int32_t start,
                                 int32_t finish, int unit) {
  BRINK__WRITE(e);
  if (e->sealed)
    return brink__error(e, BRINK_ESTATE,
                        "the calendar is set before the world is sealed");
  if (unit < BRINK_DAY || unit > BRINK_YEAR)
    return brink__error(e, BRINK_EINVAL, "unknown turn unit %d", unit);
  if (start < FIRST_DAY || start > LAST_DAY || finish < FIRST_DAY ||
      finish > LAST_DAY)
    return brink__error(e, BRINK_EINVAL,
                        "calendar dates must lie in 0001-01-01..9999-12-31");
  if (finish < start) {
    char s[11], f[11];
    brink_date_format(start, s, sizeof s);
    brink_date_format(finish, f, sizeof f);
    return brink__error(e, BRINK_EINVAL,
                        "the finish %s comes before the start %s", f, s);
  }
  e->start = start;
  e->finish = finish;
  e->unit = unit;
  e->nturns = count_turns(start, finish, unit);
  memset(e->date_memo, 0, sizeof e->date_memo);
  e->year_memo.ok = false;
  return BRINK_OK;
}

BRINK_API int brink_turn_count(const brink_engine *e) {
  if (e->turn_limit > 0 && e->turn_limit < e->nturns) return e->turn_limit;
  return e->nturns;
}

BRINK_API int brink_turn(const brink_engine *e) { return e->run.turn; }

/* The memo is a cache of a pure function of the calendar, which is fixed
   once set: writing it from a reading call changes nothing observable. */
BRINK_API int32_t brink_turn_date(const brink_engine *e, int turn) {
  brink_engine *m = (brink_engine *)e;
  unsigned i = (unsigned)turn & 3u;
  if (e->cfg.flags & BRINK_FLAG_NO_CACHE)   /* the plain path */
    return brink__turn_start(e->start, e->unit, turn);
  if (m->date_memo[i].ok && m->date_memo[i].turn == turn)
    return m->date_memo[i].day;
  int32_t day = brink__turn_start(e->start, e->unit, turn);
  m->date_memo[i].turn = turn;
  m->date_memo[i].day = day;
  m->date_memo[i].ok = true;
  return day;
}

/* Before the first step the current turn is 0; its date is the start's. */
BRINK_API int32_t brink_date(const brink_engine *e) {
  return brink_turn_date(e, e->run.turn < 1 ? 1 : e->run.turn);
}
