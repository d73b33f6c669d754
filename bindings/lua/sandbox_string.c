/*
** sandbox_string.c: the string library, metered: functions whose work
** grows with their strings are charged for it, and the pattern matcher is
** our own (Lua's cannot be interrupted or metered).  It implements Lua
** 5.4's pattern language and its error messages, with ASCII's classes;
** the tests compare it with the real one.
*/
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "sandboxint.h"

/* ---------------------------------------------------------------------- */
/* strings                                                                 */
/* ---------------------------------------------------------------------- */

/*
** Upvalue 1: a standard function doing work proportional to its string
** arguments and results (upper, sub, byte...), charged before and after.
*/
int brink__sb_metered(lua_State *L) {
  brink__box *box = brink__box_of(L);
  int n = lua_gettop(L);
  brink__box_pay(L, box, brink__box_weigh(L, 1, n));
  n = brink__box_run_standard(L);
  brink__box_pay(L, box,
                 brink__box_weigh(L, lua_gettop(L) - n + 1, lua_gettop(L)));
  return n;
}

int brink__box_too_large(lua_State *L, brink__box *box) {
  char size[48];
  brink__box_fmt_bytes(size, sizeof size, box->max_string);
  return luaL_error(L, "resulting string too large (strings are limited to "
                    "%s)", size);
}

/* string.rep, refusing results over the string limit before any work. */
int brink__sb_rep(lua_State *L) {
  brink__box *box = brink__box_of(L);
  size_t l, lsep, total, i, cap = box->max_string;
  const char *s = luaL_checklstring(L, 1, &l);
  lua_Integer n = luaL_checkinteger(L, 2);
  const char *sep = luaL_optlstring(L, 3, "", &lsep);
  luaL_Buffer b;
  char *p;
  if (n <= 0 || (l == 0 && (lsep == 0 || n == 1))) {
    lua_pushliteral(L, "");
    return 1;
  }
  if ((lua_Unsigned)n > cap || (l > 0 && (size_t)n > cap / l))
    return brink__box_too_large(L, box);
  total = (size_t)n * l;
  if (lsep > 0 && ((size_t)n - 1 > (cap - total) / lsep))
    return brink__box_too_large(L, box);
  total += ((size_t)n - 1) * lsep;
  brink__box_pay(L, box, (int64_t)(total / METER_BYTES));
  p = luaL_buffinitsize(L, &b, total);
  for (i = 0; i < (size_t)n; i++) {
    memcpy(p, s, l);
    p += l;
    if (lsep > 0 && i + 1 < (size_t)n) {
      memcpy(p, sep, lsep);
      p += lsep;
    }
  }
  luaL_pushresultsize(&b, total);
  return 1;
}

/*
** Upvalue 1: the standard string.format.  '%s' goes through our tostring
** (no addresses), '%p' is refused (addresses differ from run to run).
*/
int brink__sb_format(lua_State *L) {
  brink__box *box = brink__box_of(L);
  size_t len;
  const char *f = luaL_checklstring(L, 1, &len), *end = f + len;
  int top = lua_gettop(L), arg = 1;
  while (f < end && (f = memchr(f, '%', (size_t)(end - f))) != NULL) {
    if (++f == end)
      break;
    if (*f == '%') {
      f++;
      continue;
    }
    arg++;
    while (f < end && *f && strchr("-+ #0123456789.", *f))
      f++;
    if (f == end)
      break;
    if (*f == 'p')
      return luaL_error(L, "string.format: '%%p' is not allowed (addresses "
                        "differ from run to run)");
    if (*f == 's' && arg <= top && lua_type(L, arg) != LUA_TSTRING &&
        lua_type(L, arg) != LUA_TNUMBER) {
      brink__box_tostring(L, arg, NULL);
      lua_replace(L, arg);
    }
    f++;
  }
  brink__box_run_standard(L);
  brink__box_pay(L, box, brink__box_weigh(L, -1, -1));
  return 1;
}

/* ---------------------------------------------------------------------- */
/* pattern matching, metered                                               */
/* ---------------------------------------------------------------------- */

#define CAP_OPEN (-1)       /* a capture still open */
#define CAP_POSITION (-2)   /* a position capture '()' */

typedef struct matcher {
  lua_State *L;
  meter work;                  /* steps, charged to the budget */
  const char *src, *src_end;   /* the subject */
  const char *pat_end;
  int depth;                   /* recursion levels left */
  int level;                   /* captures made */
  struct {
    const char *init;
    ptrdiff_t len;
  } cap[PATTERN_MAXCAPTURES];
} matcher;

static void matcher_init(matcher *m, lua_State *L, const char *s, size_t sl,
                         const char *p, size_t pl) {
  m->L = L;
  brink__meter_init(&m->work, L, STEPS_PER_INSTRUCTION);
  m->src = s;
  m->src_end = s + sl;
  m->pat_end = p + pl;
  m->depth = PATTERN_MAXDEPTH;
  m->level = 0;
}

#define TICK(m, n) METER(&(m)->work, (n))

/* Classes are ASCII's, whatever the locale, so matches are the same
   everywhere (they equal Lua's in the C locale). */
static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return is_lower(c) || is_upper(c); }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }

static int in_class(int c, int cl) {
  int r;
  switch (is_upper(cl) ? cl + ('a' - 'A') : cl) {
  case 'a': r = is_alpha(c); break;
  case 'c': r = c < 32 || c == 127; break;
  case 'd': r = is_digit(c); break;
  case 'g': r = c > 32 && c < 127; break;
  case 'l': r = is_lower(c); break;
  case 'p': r = c > 32 && c < 127 && !is_alnum(c); break;
  case 's': r = c == ' ' || (c >= '\t' && c <= '\r'); break;
  case 'u': r = is_upper(c); break;
  case 'w': r = is_alnum(c); break;
  case 'x':
    r = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    break;
  case 'z': r = c == 0; break;   /* deprecated, still in Lua 5.4 */
  default: return cl == c;       /* an escaped character */
  }
  return is_upper(cl) ? !r : r;
}

/* Is 'c' in the set '[...]' from 'p' (at '[') to 'last' (at ']')? */
static int in_set(int c, const char *p, const char *last) {
  int want = 1;
  if (*++p == '^') {
    want = 0;
    p++;
  }
  for (; p < last; p++) {
    if (*p == '%') {
      p++;
      if (in_class(c, (unsigned char)*p))
        return want;
    } else if (p[1] == '-' && p + 2 < last) {
      if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
        return want;
      p += 2;
    } else if ((unsigned char)*p == c) {
      return want;
    }
  }
  return !want;
}

/* The end of the single-character class at 'p'. */
static const char *class_end(matcher *m, const char *p) {
  char c = *p++;
  if (c == '%') {
    if (p >= m->pat_end)
      luaL_error(m->L, "malformed pattern (ends with '%%')");
    return p + 1;
  }
  if (c == '[') {
    if (p < m->pat_end && *p == '^')
      p++;
    for (;;) {   /* the first character is literal, even a ']' */
      if (p >= m->pat_end)
        luaL_error(m->L, "malformed pattern (missing ']')");
      c = *p++;
      if (c == '%' && p < m->pat_end)
        p++;
      if (p < m->pat_end && *p == ']')
        return p + 1;
    }
  }
  return p;
}

static int single(matcher *m, const char *s, const char *p, const char *ep) {
  int c;
  if (s >= m->src_end)
    return 0;
  c = (unsigned char)*s;
  switch (*p) {
  case '.': return 1;
  case '%': return in_class(c, (unsigned char)p[1]);
  case '[': return in_set(c, p, ep - 1);
  default: return (unsigned char)*p == c;
  }
}

static const char *do_match(matcher *m, const char *s, const char *p);

static const char *max_expand(matcher *m, const char *s, const char *p,
                              const char *ep) {
  ptrdiff_t i = 0;
  const char *r;
  while (single(m, s + i, p, ep))
    i++;
  TICK(m, i);
  for (; i >= 0; i--) {
    if ((r = do_match(m, s + i, ep + 1)) != NULL)
      return r;
  }
  return NULL;
}

static const char *min_expand(matcher *m, const char *s, const char *p,
                              const char *ep) {
  const char *r;
  for (;;) {
    if ((r = do_match(m, s, ep + 1)) != NULL)
      return r;
    TICK(m, 1);
    if (!single(m, s, p, ep))
      return NULL;
    s++;
  }
}

static const char *open_capture(matcher *m, const char *s, const char *p,
                                ptrdiff_t what) {
  const char *r;
  if (m->level >= PATTERN_MAXCAPTURES)
    luaL_error(m->L, "too many captures");
  m->cap[m->level].init = s;
  m->cap[m->level].len = what;
  m->level++;
  if ((r = do_match(m, s, p)) == NULL)
    m->level--;
  return r;
}

static const char *close_capture(matcher *m, const char *s, const char *p) {
  const char *r;
  int l;
  for (l = m->level - 1; l >= 0 && m->cap[l].len != CAP_OPEN; l--)
    ;
  if (l < 0)
    luaL_error(m->L, "invalid pattern capture");
  m->cap[l].len = s - m->cap[l].init;
  if ((r = do_match(m, s, p)) == NULL)
    m->cap[l].len = CAP_OPEN;
  return r;
}

/* '%bxy' with 'p' at 'x'. */
static const char *balance(matcher *m, const char *s, const char *p) {
  int depth = 1;
  const char *start = s;
  if (p + 1 >= m->pat_end)
    luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
  if (s >= m->src_end || *s != p[0])
    return NULL;
  while (++s < m->src_end) {
    if (*s == p[1]) {
      if (--depth == 0) {
        TICK(m, s - start);
        return s + 1;
      }
    } else if (*s == p[0]) {
      depth++;
    }
  }
  TICK(m, s - start);
  return NULL;
}

/* '%1'..'%9' with 'c' the digit. */
static const char *back_reference(matcher *m, const char *s, int c) {
  int l = c - '1';
  ptrdiff_t len;
  if (l < 0 || l >= m->level || m->cap[l].len == CAP_OPEN)
    luaL_error(m->L, "invalid capture index %%%d", l + 1);
  len = m->cap[l].len;
  if (len < 0)   /* a position capture never matches text */
    return NULL;
  TICK(m, len);
  if (m->src_end - s >= len && memcmp(m->cap[l].init, s, (size_t)len) == 0)
    return s + len;
  return NULL;
}

/*
** Matches the pattern from 'p' against the subject from 's'; returns the
** end of the match or NULL.  Tail positions loop instead of recursing.
*/
static const char *do_match(matcher *m, const char *s, const char *p) {
  const char *ep, *r;
  if (m->depth-- == 0)
    luaL_error(m->L, "pattern too complex");
  for (;;) {
    TICK(m, 1);
    if (p == m->pat_end)
      break;
    switch (*p) {
    case '(':
      if (p + 1 < m->pat_end && p[1] == ')')
        s = open_capture(m, s, p + 2, CAP_POSITION);
      else
        s = open_capture(m, s, p + 1, CAP_OPEN);
      goto done;
    case ')':
      s = close_capture(m, s, p + 1);
      goto done;
    case '$':
      if (p + 1 == m->pat_end) {
        s = s == m->src_end ? s : NULL;
        goto done;
      }
      break;
    case '%':
      if (p + 1 >= m->pat_end)
        break;
      if (p[1] == 'b') {
        if ((s = balance(m, s, p + 2)) == NULL)
          goto done;
        p += 4;
        continue;
      }
      if (p[1] == 'f') {
        int prev, cur;
        p += 2;
        if (p >= m->pat_end || *p != '[')
          luaL_error(m->L, "missing '[' after '%%f' in pattern");
        ep = class_end(m, p);
        prev = s == m->src ? 0 : (unsigned char)s[-1];
        cur = s < m->src_end ? (unsigned char)*s : 0;
        if (!in_set(prev, p, ep - 1) && in_set(cur, p, ep - 1)) {
          p = ep;
          continue;
        }
        s = NULL;
        goto done;
      }
      if (is_digit((unsigned char)p[1])) {
        if ((s = back_reference(m, s, (unsigned char)p[1])) == NULL)
          goto done;
        p += 2;
        continue;
      }
      break;
    default:
      break;
    }
    /* A single-character class, perhaps with a quantifier. */
    ep = class_end(m, p);
    {
      int ok = single(m, s, p, ep);
      char q = ep < m->pat_end ? *ep : '\0';
      if (!ok && (q == '*' || q == '-' || q == '?')) {
        /* Matched nothing: no recursion, so no depth, as in Lua. */
        p = ep + 1;
        continue;
      }
      if (q == '?') {
        if (ok && (r = do_match(m, s + 1, ep + 1)) != NULL) {
          s = r;
          goto done;
        }
        p = ep + 1;
        continue;
      }
      if (q == '+') {
        s = ok ? max_expand(m, s + 1, p, ep) : NULL;
        goto done;
      }
      if (q == '*') {
        s = max_expand(m, s, p, ep);
        goto done;
      }
      if (q == '-') {
        s = min_expand(m, s, p, ep);
        goto done;
      }
      if (!ok) {
        s = NULL;
        goto done;
      }
      s++;
      p = ep;
    }
  }
done:
  m->depth++;
  return s;
}

/*
** Capture 'i' of the match [s, e): pushes a position capture and returns
** CAP_POSITION, else stores its text in '*text' and returns its length.
** Without captures, capture 0 is the whole match.
*/
static ptrdiff_t get_capture(matcher *m, int i, const char *s, const char *e,
                             const char **text) {
  ptrdiff_t len;
  if (i >= m->level) {
    if (i != 0)
      luaL_error(m->L, "invalid capture index %%%d", i + 1);
    *text = s;
    return e - s;
  }
  len = m->cap[i].len;
  *text = m->cap[i].init;
  if (len == CAP_OPEN)
    luaL_error(m->L, "unfinished capture");
  if (len == CAP_POSITION)
    lua_pushinteger(m->L, m->cap[i].init - m->src + 1);
  return len;
}

static void push_capture(matcher *m, int i, const char *s, const char *e) {
  const char *text;
  ptrdiff_t len = get_capture(m, i, s, e, &text);
  if (len != CAP_POSITION)
    lua_pushlstring(m->L, text, (size_t)len);
}

/* All captures, or the whole match [s, e) when there are none and 's'. */
static int push_captures(matcher *m, const char *s, const char *e) {
  int i, n = (m->level == 0 && s) ? 1 : m->level;
  luaL_checkstack(m->L, n, "too many captures");
  for (i = 0; i < n; i++)
    push_capture(m, i, s, e);
  return n;
}

/* Lua's posrelatI minus one: an offset into a subject of 'len' bytes. */
static size_t start_offset(lua_Integer pos, size_t len) {
  if (pos > 0)
    return (size_t)pos - 1;
  if (pos == 0 || pos < -(lua_Integer)len)
    return 0;
  return len + (size_t)pos;
}

static int no_specials(const char *p, size_t len) {
  size_t i;
  for (i = 0; i < len; i++)
    if (p[i] && strchr("^$*+?.([%-", p[i]))
      return 0;
  return 1;
}

/* A plain search, metered: the worst case is (subject x pattern). */
static const char *plain_find(matcher *m, const char *s, size_t sl,
                              const char *p, size_t pl) {
  const char *last, *c;
  if (pl == 0)
    return s;
  if (pl > sl)
    return NULL;
  last = s + (sl - pl);
  while (s <= last) {
    c = memchr(s, *p, (size_t)(last - s) + 1);
    if (!c) {
      TICK(m, (last - s) / METER_BYTES);
      return NULL;
    }
    TICK(m, (c - s) / METER_BYTES + (ptrdiff_t)pl);
    if (memcmp(c + 1, p + 1, pl - 1) == 0)
      return c;
    s = c + 1;
  }
  return NULL;
}

static int find_aux(lua_State *L, int find) {
  size_t sl, pl;
  const char *s = luaL_checklstring(L, 1, &sl);
  const char *p = luaL_checklstring(L, 2, &pl);
  size_t init = start_offset(luaL_optinteger(L, 3, 1), sl);
  const char *s1, *r;
  int anchor, n;
  matcher m;
  if (init > sl) {
    luaL_pushfail(L);
    return 1;
  }
  matcher_init(&m, L, s, sl, p, pl);
  if (find && (lua_toboolean(L, 4) || no_specials(p, pl))) {
    r = plain_find(&m, s + init, sl - init, p, pl);
    brink__meter_settle(&m.work);
    if (!r) {
      luaL_pushfail(L);
      return 1;
    }
    lua_pushinteger(L, r - s + 1);
    lua_pushinteger(L, (lua_Integer)(r - s + pl));
    return 2;
  }
  anchor = pl > 0 && *p == '^';
  if (anchor) {
    p++;
    pl--;
    m.pat_end = p + pl;
  }
  s1 = s + init;
  do {
    m.level = 0;
    m.depth = PATTERN_MAXDEPTH;
    if ((r = do_match(&m, s1, p)) != NULL) {
      brink__meter_settle(&m.work);
      if (find) {
        lua_pushinteger(L, s1 - s + 1);
        lua_pushinteger(L, r - s);
        return push_captures(&m, NULL, NULL) + 2;
      }
      n = push_captures(&m, s1, r);
      return n;
    }
  } while (s1++ < m.src_end && !anchor);
  brink__meter_settle(&m.work);
  luaL_pushfail(L);
  return 1;
}

int brink__sb_find(lua_State *L) {
  return find_aux(L, 1);
}

int brink__sb_match(lua_State *L) {
  return find_aux(L, 0);
}

/* Where a gmatch iteration goes on from (offsets, so nothing dangles). */
typedef struct gmatch_state {
  size_t pos;          /* next start */
  size_t last;         /* end of the last match, or SIZE_MAX */
} gmatch_state;

/* Upvalues: subject, pattern, state.  '^' is no anchor here, as in Lua. */
static int gmatch_step(lua_State *L) {
  size_t sl, pl;
  const char *s = lua_tolstring(L, lua_upvalueindex(1), &sl);
  const char *p = lua_tolstring(L, lua_upvalueindex(2), &pl);
  gmatch_state *g = lua_touserdata(L, lua_upvalueindex(3));
  const char *src, *e;
  matcher m;
  matcher_init(&m, L, s, sl, p, pl);
  for (src = s + g->pos; src <= m.src_end; src++) {
    m.level = 0;
    m.depth = PATTERN_MAXDEPTH;
    e = do_match(&m, src, p);
    if (e && (g->last == SIZE_MAX || e != s + g->last)) {
      g->pos = g->last = (size_t)(e - s);
      brink__meter_settle(&m.work);
      return push_captures(&m, src, e);
    }
  }
  g->pos = sl + 1;
  brink__meter_settle(&m.work);
  return 0;
}

int brink__sb_gmatch(lua_State *L) {
  size_t sl;
  gmatch_state *g;
  size_t init;
  luaL_checklstring(L, 1, &sl);
  luaL_checkstring(L, 2);
  init = start_offset(luaL_optinteger(L, 3, 1), sl);
  lua_settop(L, 2);
  g = lua_newuserdatauv(L, sizeof *g, 0);
  g->pos = init > sl ? sl + 1 : init;
  g->last = SIZE_MAX;
  lua_pushcclosure(L, gmatch_step, 3);
  return 1;
}

/* The string replacement of gsub: '%0'..'%9' and '%%'. */
static void add_replacement(matcher *m, luaL_Buffer *b, const char *s,
                            const char *e) {
  lua_State *L = m->L;
  size_t l;
  const char *r = lua_tolstring(L, 3, &l), *end = r + l, *pct, *text;
  ptrdiff_t len;
  while ((pct = memchr(r, '%', (size_t)(end - r))) != NULL) {
    luaL_addlstring(b, r, (size_t)(pct - r));
    pct++;
    if (pct < end && *pct == '%') {
      luaL_addchar(b, '%');
    } else if (pct < end && *pct == '0') {
      luaL_addlstring(b, s, (size_t)(e - s));
    } else if (pct < end && is_digit((unsigned char)*pct)) {
      len = get_capture(m, *pct - '1', s, e, &text);
      if (len == CAP_POSITION)
        luaL_addvalue(b);
      else
        luaL_addlstring(b, text, (size_t)len);
    } else {
      luaL_error(L, "invalid use of '%%' in replacement string");
    }
    r = pct + 1;
  }
  luaL_addlstring(b, r, (size_t)(end - r));
}

/* Adds the replacement of [s, e); returns whether it changed anything. */
static int add_value(matcher *m, luaL_Buffer *b, const char *s,
                     const char *e, int tr) {
  lua_State *L = m->L;
  if (tr == LUA_TFUNCTION) {
    int n;
    lua_pushvalue(L, 3);
    n = push_captures(m, s, e);
    lua_call(L, n, 1);
  } else if (tr == LUA_TTABLE) {
    push_capture(m, 0, s, e);
    lua_gettable(L, 3);
  } else {
    add_replacement(m, b, s, e);
    return 1;
  }
  if (!lua_toboolean(L, -1)) {   /* nil or false: keep the original */
    lua_pop(L, 1);
    luaL_addlstring(b, s, (size_t)(e - s));
    return 0;
  }
  if (!lua_isstring(L, -1))
    return luaL_error(L, "invalid replacement value (a %s)",
                      luaL_typename(L, -1));
  luaL_addvalue(b);
  return 1;
}

int brink__sb_gsub(lua_State *L) {
  brink__box *box = brink__box_of(L);
  size_t sl, pl;
  const char *src = luaL_checklstring(L, 1, &sl);
  const char *p = luaL_checklstring(L, 2, &pl);
  const char *lastmatch = NULL, *e;
  int tr = lua_type(L, 3), anchor, changed = 0;
  lua_Integer max_s = luaL_optinteger(L, 4, (lua_Integer)sl + 1), n = 0;
  luaL_Buffer b;
  matcher m;
  luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING ||
                   tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
                   "string/function/table");
  luaL_buffinit(L, &b);
  anchor = pl > 0 && *p == '^';
  if (anchor) {
    p++;
    pl--;
  }
  matcher_init(&m, L, src, sl, p, pl);
  while (n < max_s) {
    m.level = 0;
    m.depth = PATTERN_MAXDEPTH;
    if ((e = do_match(&m, src, p)) != NULL && e != lastmatch) {
      n++;
      changed |= add_value(&m, &b, src, e, tr);
      src = lastmatch = e;
    } else if (src < m.src_end) {
      luaL_addchar(&b, *src++);
    } else {
      break;
    }
    if (luaL_bufflen(&b) > box->max_string)
      return brink__box_too_large(L, box);
    if (anchor)
      break;
  }
  brink__meter_settle(&m.work);
  if (!changed) {
    lua_pushvalue(L, 1);
  } else {
    if ((size_t)(m.src_end - src) > box->max_string - luaL_bufflen(&b))
      return brink__box_too_large(L, box);
    luaL_addlstring(&b, src, (size_t)(m.src_end - src));
    luaL_pushresult(&b);
    brink__box_pay(L, box, brink__box_weigh(L, -1, -1));
  }
  lua_pushinteger(L, n);
  return 2;
}

