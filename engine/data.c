/*
** data.c: event data, checked.  The scenario language serializes an
** event's data as a Lua table constructor of literals; anything that
** reaches the engine from outside a script (brink_fire,
** brink_schedule_put, a saved state, the command's saves and logs) must
** pass this strict grammar, so it can never be code:
**
**   value := string | number | true | false | nil | table
**   table := '{' { '[' key ']' '=' value ',' } '}'
**   key   := string | number | true | false
**
** strings in double quotes with Lua's escapes (no raw control bytes),
** numbers finite and decimal, tables nested at most 40 deep.
*/
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"

typedef struct lexer {
  const char *p;
  int depth;
} lexer;

static bool lit_value(lexer *x, bool key);

static bool lit_string(lexer *x) {
  if (*x->p != '"') return false;
  x->p++;
  for (;;) {
    unsigned char c = (unsigned char)*x->p;
    if (c == '"') {
      x->p++;
      return true;
    }
    if (c < 0x20 || c == 0x7f) return false;   /* '%q' escapes these */
    x->p++;
    if (c != '\\') continue;
    c = (unsigned char)*x->p;
    if (c && strchr("\"\\abfnrtv\n", c)) {
      x->p++;
    } else if (c >= '0' && c <= '9') {
      int v = 0, k = 0;
      for (; k < 3 && *x->p >= '0' && *x->p <= '9'; k++)
        v = v * 10 + (*x->p++ - '0');
      if (v > 255) return false;
    } else {
      return false;
    }
  }
}

static bool digits(lexer *x) {
  const char *s = x->p;
  while (*x->p >= '0' && *x->p <= '9') x->p++;
  return x->p > s;
}

/*
** 1e999 is infinite to Lua: no number brink writes, refused here rather
** than when the event fires.  The digits are read as "DIGITSeEXP", with
** no decimal point, so the host's locale (a decimal comma) cannot cut the
** number short; the value is the same decimal, so the same double.
*/
static bool finite_number(const char *s, size_t n) {
  char num[96];
  size_t k = 0;
  long frac = 0, exp = 0;
  bool in_frac = false;
  const char *end = s + n;
  if (n >= 64) return false;
  for (; s < end && *s != 'e' && *s != 'E'; s++) {
    if (*s == '.') in_frac = true;
    else {
      num[k++] = *s;
      if (in_frac) frac++;
    }
  }
  if (s < end) {
    s++;
    bool neg = *s == '-';
    if (*s == '+' || *s == '-') s++;
    for (; s < end; s++)
      if (exp < 100000) exp = exp * 10 + (*s - '0');
    if (neg) exp = -exp;
  }
  snprintf(num + k, sizeof num - k, "e%ld", exp - frac);
  return isfinite(strtod(num, NULL));
}

static bool lit_number(lexer *x) {
  const char *s = x->p;
  if (*x->p == '-') x->p++;
  if (!digits(x)) return false;
  if (*x->p == '.') {
    x->p++;
    if (!digits(x)) return false;
  }
  if (*x->p == 'e' || *x->p == 'E') {
    x->p++;
    if (*x->p == '+' || *x->p == '-') x->p++;
    if (!digits(x)) return false;
  }
  /* "1.5x" or "12abc" would read on as a name. */
  if ((*x->p >= 'a' && *x->p <= 'z') || (*x->p >= 'A' && *x->p <= 'Z') ||
      *x->p == '_' || *x->p == '.')
    return false;
  return finite_number(s, (size_t)(x->p - s));
}

static bool word(lexer *x, const char *w) {
  size_t n = strlen(w);
  if (strncmp(x->p, w, n) != 0) return false;
  char c = x->p[n];
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
      (c >= '0' && c <= '9'))
    return false;
  x->p += n;
  return true;
}

static bool lit_table(lexer *x) {
  if (*x->p != '{' || ++x->depth > 40) return false;
  x->p++;
  while (*x->p == '[') {
    x->p++;
    if (!lit_value(x, true) || *x->p != ']' || x->p[1] != '=') return false;
    x->p += 2;
    if (!lit_value(x, false) || *x->p != ',') return false;
    x->p++;
  }
  if (*x->p != '}') return false;
  x->p++;
  x->depth--;
  return true;
}

static bool lit_value(lexer *x, bool key) {
  char c = *x->p;
  if (c == '"') return lit_string(x);
  if (c == '-' || (c >= '0' && c <= '9')) return lit_number(x);
  if (c == '{') return !key && lit_table(x);
  if (word(x, "true") || word(x, "false")) return true;
  return !key && word(x, "nil");
}

bool brink__data_valid(const char *text) {
  lexer x = {text, 0};
  return lit_value(&x, false) && *x.p == '\0';
}
