/*
** sandbox_table.c: the table library, metered per element, with a
** stable merge sort so that the order of equal elements is the same on
** every machine.
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
/* tables                                                                  */
/* ---------------------------------------------------------------------- */

/* What a table function needs of a value that is not a table. */
enum { NEED_INDEX = 1, NEED_NEWINDEX = 2, NEED_LEN = 4 };

static int has_metamethod(lua_State *L, int mt, const char *event) {
  lua_pushstring(L, event);
  return lua_rawget(L, mt) != LUA_TNIL;
}

/* As Lua's table library: a table, or a value with the metamethods. */
static void check_table(lua_State *L, int arg, int need) {
  int top = lua_gettop(L), ok;
  if (lua_type(L, arg) == LUA_TTABLE)
    return;
  ok = lua_getmetatable(L, arg) &&
       (!(need & NEED_INDEX) || has_metamethod(L, top + 1, "__index")) &&
       (!(need & NEED_NEWINDEX) ||
        has_metamethod(L, top + 1, "__newindex")) &&
       (!(need & NEED_LEN) || has_metamethod(L, top + 1, "__len"));
  lua_settop(L, top);
  if (!ok)
    luaL_checktype(L, arg, LUA_TTABLE);
}

/* The length of the table argument 'arg', which must allow 'need'. */
static lua_Integer table_length(lua_State *L, int arg, int need) {
  check_table(L, arg, need | NEED_LEN);
  return luaL_len(L, arg);
}

/* The cost of 'n' table elements handled in C, saturating. */
static int64_t elements(int64_t n) {
  return n > INT64_MAX / ELEMENT_COST ? INT64_MAX : n * ELEMENT_COST;
}

/*
** Copies the 'n' elements from 'f' in the table at 'src' to those from
** 't' in the one at 'dst', charging each as it is done; 'down' copies the
** last first (when the ranges overlap and 't' is after 'f').
*/
static void copy_elements(lua_State *L, int src, lua_Integer f, int dst,
                          lua_Integer t, lua_Integer n, int down) {
  meter work;
  lua_Integer k;
  brink__meter_init(&work, L, 1);
  for (k = 0; k < n; k++) {
    lua_Integer at = down ? n - 1 - k : k;
    lua_geti(L, src, f + at);
    lua_seti(L, dst, t + at);
    METER(&work, ELEMENT_COST);
  }
  brink__meter_settle(&work);
}

/* table.concat, refusing results over the string limit as it goes. */
int brink__sb_concat(lua_State *L) {
  brink__box *box = brink__box_of(L);
  lua_Integer last = table_length(L, 1, NEED_INDEX);
  size_t lsep, total = 0, l;
  const char *sep = luaL_optlstring(L, 2, "", &lsep);
  lua_Integer i = luaL_optinteger(L, 3, 1);
  luaL_Buffer b;
  meter work;
  last = luaL_optinteger(L, 4, last);
  brink__meter_init(&work, L, 1);
  luaL_buffinit(L, &b);
  for (; i <= last; i++) {
    lua_geti(L, 1, i);
    METER(&work, ELEMENT_COST);
    if (!lua_isstring(L, -1))
      return luaL_error(L, "invalid value (%s) at index %I in table for "
                        "'concat'", luaL_typename(L, -1), (lua_Integer)i);
    lua_tolstring(L, -1, &l);
    if (l > box->max_string - total)
      return brink__box_too_large(L, box);
    total += l;
    luaL_addvalue(&b);
    if (i == last)
      break;
    if (lsep > box->max_string - total)
      return brink__box_too_large(L, box);
    total += lsep;
    luaL_addlstring(&b, sep, lsep);
  }
  luaL_pushresult(&b);
  brink__meter_settle(&work);
  brink__box_pay(L, box, (int64_t)(total / METER_BYTES));
  return 1;
}

/*
** Is the value at 'a' less than the one at 'b'?  With no order function,
** strings compare byte by byte (not by the locale's collation, which
** could differ between machines) and the rest as Lua's '<' does.
*/
static int sort_less(lua_State *L, int a, int b) {
  int r;
  if (!lua_isnil(L, 2)) {
    lua_pushvalue(L, 2);
    lua_pushvalue(L, a < 0 ? a - 1 : a);
    lua_pushvalue(L, b < 0 ? b - 2 : b);
    lua_call(L, 2, 1);
    r = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return r;
  }
  if (lua_type(L, a) == LUA_TSTRING && lua_type(L, b) == LUA_TSTRING) {
    size_t la, lb;
    const char *sa = lua_tolstring(L, a, &la), *sb = lua_tolstring(L, b, &lb);
    return brink__box_bytes_cmp(sa, la, sb, lb) < 0;
  }
  return lua_compare(L, a, b, LUA_OPLT);
}

/* Merges src[lo, mid) and src[mid, hi) into dst[lo, hi), stably. */
static void merge(lua_State *L, int src, int dst, lua_Integer lo,
                  lua_Integer mid, lua_Integer hi) {
  lua_Integer i = lo, j = mid, k = lo;
  while (i < mid && j < hi) {
    lua_rawgeti(L, src, j);
    lua_rawgeti(L, src, i);
    if (sort_less(L, -2, -1)) {   /* only a strictly smaller right wins */
      lua_pop(L, 1);
      j++;
    } else {
      lua_remove(L, -2);
      i++;
    }
    lua_rawseti(L, dst, k++);
  }
  for (; i < mid; i++, k++) {
    lua_rawgeti(L, src, i);
    lua_rawseti(L, dst, k);
  }
  for (; j < hi; j++, k++) {
    lua_rawgeti(L, src, j);
    lua_rawseti(L, dst, k);
  }
}

/*
** table.sort as a stable bottom-up merge sort.  Lua's own quicksort picks
** pivots from the clock for large arrays, which would make the order of
** equal elements (and the calls to the order function) vary per run.
*/
int brink__sb_sort(lua_State *L) {
  brink__box *box = brink__box_of(L);
  lua_Integer n, i, width, lo;
  int src = 3, dst = 4, t;
  n = table_length(L, 1, NEED_INDEX | NEED_NEWINDEX);
  if (n < 2)
    return 0;
  luaL_argcheck(L, n < INT_MAX, 1, "array too big");
  if (!lua_isnoneornil(L, 2))
    luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_settop(L, 2);
  lua_createtable(L, (int)n, 0);
  lua_createtable(L, (int)n, 0);
  brink__box_pay(L, box, elements(n));
  for (i = 1; i <= n; i++) {
    lua_geti(L, 1, i);
    lua_rawseti(L, src, i);
  }
  for (width = 1; width < n; width *= 2) {
    brink__box_pay(L, box, elements(n));
    for (lo = 1; lo <= n; lo += 2 * width) {
      lua_Integer mid = lo + width > n + 1 ? n + 1 : lo + width;
      lua_Integer hi = lo + 2 * width > n + 1 ? n + 1 : lo + 2 * width;
      merge(L, src, dst, lo, mid, hi);
    }
    t = src;
    src = dst;
    dst = t;
  }
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, src, i);
    lua_seti(L, 1, i);
  }
  return 0;
}

/* table.insert(t, [pos,] v), charging for the elements it shifts. */
int brink__sb_insert(lua_State *L) {
  lua_Integer end = table_length(L, 1, NEED_INDEX | NEED_NEWINDEX);
  lua_Integer pos;
  end = luaL_intop(+, end, 1);   /* where a new last element goes */
  switch (lua_gettop(L)) {
  case 2:
    pos = end;
    break;
  case 3:
    pos = luaL_checkinteger(L, 2);
    luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)end, 2,
                  "position out of bounds");
    copy_elements(L, 1, pos, 1, pos + 1, end - pos, 1);
    break;
  default:
    return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  lua_seti(L, 1, pos);
  return 0;
}

/* table.remove(t [, pos]), charging for the elements it shifts. */
int brink__sb_remove(lua_State *L) {
  lua_Integer size = table_length(L, 1, NEED_INDEX | NEED_NEWINDEX);
  lua_Integer pos = luaL_optinteger(L, 2, size);
  if (pos != size)   /* Lua 5.4.4 blames argument 1 for a bad 'pos' */
    luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 1,
                  "position out of bounds");
  lua_geti(L, 1, pos);
  if (pos < size) {
    copy_elements(L, 1, pos + 1, 1, pos, size - pos, 0);
    pos = size;
  }
  lua_pushnil(L);
  lua_seti(L, 1, pos);
  return 1;
}

/* table.move(a1, f, e, t [, a2]), charging for each element it copies. */
int brink__sb_move(lua_State *L) {
  lua_Integer f = luaL_checkinteger(L, 2);
  lua_Integer e = luaL_checkinteger(L, 3);
  lua_Integer t = luaL_checkinteger(L, 4);
  int dst = lua_isnoneornil(L, 5) ? 1 : 5;
  lua_Integer n;
  check_table(L, 1, NEED_INDEX);
  check_table(L, dst, NEED_NEWINDEX);
  if (e >= f) {
    luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3,
                  "too many elements to move");
    n = e - f + 1;
    luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4,
                  "destination wrap around");
    /* Last first only where copying first first would overwrite. */
    copy_elements(L, 1, f, dst, t, n, t > f && t <= e &&
                  (dst == 1 || lua_compare(L, 1, dst, LUA_OPEQ)));
  }
  lua_pushvalue(L, dst);
  return 1;
}

/* table.unpack(t [, i [, j]]), charging for the values it pushes. */
int brink__sb_unpack(lua_State *L) {
  lua_Integer i = luaL_optinteger(L, 2, 1);
  lua_Integer e = luaL_opt(L, luaL_checkinteger, 3, luaL_len(L, 1));
  lua_Unsigned more;   /* values after the first */
  meter work;
  if (i > e)
    return 0;
  more = (lua_Unsigned)e - (lua_Unsigned)i;
  if (more >= INT_MAX || !lua_checkstack(L, (int)more + 1))
    return luaL_error(L, "too many results to unpack");
  brink__meter_init(&work, L, METER_VALUES);
  for (;; i++) {
    lua_geti(L, 1, i);
    METER(&work, 1);
    if (i == e)
      break;
  }
  brink__meter_settle(&work);
  return (int)more + 1;
}

