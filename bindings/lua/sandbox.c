/*
** sandbox.c: the Lua state of an engine, the environment scenario scripts
** run in, and the budgets that stop them (SPEC section 3).
**
** Three rules shape this file.
**
**  - Scripts see what the allow-list below names and nothing else.  The
**    standard libraries are loaded into a private table; each environment
**    is built from the list, never by deleting from a full one.
**
**  - Every way of running long is metered: Lua code by a count hook (in
**    every coroutine), work done inside C library functions by explicit
**    charges to the same instruction budget, memory by the allocator, and
**    what the engine does and keeps for a script (news, the journal, the
**    schedule) through brink__box_hold().  Once a budget is
**    exceeded the kill is sticky: the hook fires at every instruction of
**    the thread and raises again, and every function that catches errors
**    (pcall, xpcall, coroutine.resume, coroutine.wrap, load) raises it
**    again instead of returning it, until the next top-level call.
**
**  - What a script can observe does not depend on addresses, hash seeds,
**    the clock or the locale: pairs and next visit keys in a fixed order,
**    tostring shows no address, table.sort is a stable merge sort, and the
**    pattern matcher's classes are ASCII's.
**
** The pattern matcher is our own (Lua's cannot be interrupted or metered);
** it implements Lua 5.4's pattern language and its error messages, and the
** tests compare it with the real one.
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

#include "sandbox.h"

/* Instructions between two runs of the hook while nothing is wrong. */
#define HOOK_STEP 1000
/*
** The same in a coroutine.  Each resume starts the countdown afresh and is
** charged this much in advance: what a coroutine runs between its last
** hook and a yield is never counted, and this covers it, so short
** coroutines cannot run unmetered and the count stays the same on every
** machine.
*/
#define CO_STEP 100
/*
** What C work costs, in instructions.  An instruction takes about 3-5 ns
** on the machines we measured; these make C work cost about as much time
** per instruction, so the budget bounds both.
*/
#define METER_BYTES 16          /* bytes copied, scanned or converted: 1 */
#define METER_VALUES 8          /* values pushed or passed: 1 */
#define ELEMENT_COST 4          /* a table element read or written in C */
#define STEPS_PER_INSTRUCTION 2 /* pattern-matcher steps: 1 */
/* Charges adding up to this much read the clock (the hook does too). */
#define CLOCK_CHARGE 4096
/* As Lua's LUA_MAXCAPTURES and its matcher's recursion limit. */
#define PATTERN_MAXCAPTURES 32
#define PATTERN_MAXDEPTH 200
/* Frames the message handler looks at to find where an error was raised. */
#define WHERE_LEVELS 32
/* A string object's header, so 'max_string' counts the text alone. */
#define STRING_HEADER 64

#define KIB ((size_t)1024)
#define MIB (KIB * 1024)

/* Why the allocator last refused (brink__box.refused). */
enum { REFUSED_NONE, REFUSED_CAP, REFUSED_STRING, REFUSED_SYSTEM };

/* Registry keys: the addresses of these variables. */
static const char std_key = 0;     /* the standard libraries */
static const char poison_key = 0;  /* coroutines stopped by a kill */

static void hook(lua_State *L, lua_Debug *ar);
static int open_table(lua_State *L, int idx, const char *fn);
static const char *push_tostring(lua_State *L, int idx, size_t *len);

/* ---------------------------------------------------------------------- */
/* memory                                                                  */
/* ---------------------------------------------------------------------- */

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, nsize);
}

/*
** Every block of the state passes here.  A new block's 'osize' is its
** object type (lua_Alloc's contract), which is how strings are told apart
** and held to 'max_string'.  Refusals are remembered so that the memory
** error Lua then raises can be reported as the right budget.
*/
static void *box_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  brink__box *box = ud;
  size_t old = ptr ? osize : 0;
  void *p;
  if (nsize == 0) {
    if (ptr) {
      box->alloc(box->alloc_ud, ptr, osize, 0);
      box->mem_used -= osize;
    }
    return NULL;
  }
  if (nsize > old) {
    size_t held = box->mem_used + box->c_used;
    if (!ptr && osize == LUA_TSTRING &&
        nsize > box->max_string + STRING_HEADER) {
      box->refused = REFUSED_STRING;
      return NULL;
    }
    if (held > box->mem_cap || nsize - old > box->mem_cap - held) {
      box->refused = REFUSED_CAP;
      return NULL;
    }
  }
  p = box->alloc(box->alloc_ud, ptr, osize, nsize);
  if (!p) {
    box->refused = REFUSED_SYSTEM;
    return NULL;
  }
  box->mem_used = box->mem_used - old + nsize;
  return p;
}

/* ---------------------------------------------------------------------- */
/* budgets                                                                 */
/* ---------------------------------------------------------------------- */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static brink__box *box_of(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return ud;
}

/*
** "file:line" of the innermost Lua frame at or above 'level' loaded from a
** file, else of the innermost Lua frame, or "".  A kill inside the
** prelude's news() is the script's line that called it.
*/
static void where_at(lua_State *L, int level, char *buf, size_t cap) {
  lua_Debug ar;
  int i;
  if (cap == 0)
    return;
  buf[0] = '\0';
  for (i = level; i < level + WHERE_LEVELS && lua_getstack(L, i, &ar); i++) {
    if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0 ||
        (buf[0] && ar.source[0] != '@'))
      continue;
    snprintf(buf, cap, "%s:%d", ar.short_src, ar.currentline);
    if (ar.source[0] == '@')
      return;
  }
}

/* "256 MiB", "512 KiB" or "1000 bytes". */
static void format_bytes(char *buf, size_t cap, size_t n) {
  if (n >= MIB && n % MIB == 0)
    snprintf(buf, cap, "%zu MiB", n / MIB);
  else if (n >= KIB && n % KIB == 0)
    snprintf(buf, cap, "%zu KiB", n / KIB);
  else
    snprintf(buf, cap, "%zu bytes", n);
}

static void kill_text(const brink__box *box, char *buf, size_t cap) {
  char size[48];
  switch (box->killed) {
  case BRINK__KILL_INSTRUCTIONS:
    snprintf(buf, cap, "instruction budget exceeded (%" PRId64
             " instructions)", box->max_instructions);
    break;
  case BRINK__KILL_TIME:
    snprintf(buf, cap, "time budget exceeded (%g s)", box->max_seconds);
    break;
  case BRINK__KILL_MEMORY:
    format_bytes(size, sizeof size, box->mem_cap);
    snprintf(buf, cap, "memory budget exceeded (%s)", size);
    break;
  case BRINK__KILL_STRING:
    format_bytes(size, sizeof size, box->max_string);
    snprintf(buf, cap, "memory budget exceeded (strings are limited to %s)",
             size);
    break;
  default:
    snprintf(buf, cap, "not enough memory");
    break;
  }
}

/*
** Records the first kill of this call and raises it.  The hook is re-armed
** to run at every instruction of this thread, so whatever catches the
** error is stopped again at its next instruction.
*/
static int stop(lua_State *L, brink__box *box, int why) {
  char text[128];
  if (!box->killed)
    box->killed = why;
  /* A kill the engine recorded (brink__box_hold) has no place yet. */
  if (!box->kill_where[0])
    where_at(L, 0, box->kill_where, sizeof box->kill_where);
  lua_sethook(L, hook, LUA_MASKCOUNT, 1);
  kill_text(box, text, sizeof text);
  if (box->kill_where[0])
    lua_pushfstring(L, "%s: %s", box->kill_where, text);
  else
    lua_pushstring(L, text);
  return lua_error(L);
}

/*
** Has the call run out of time?  The deadline is set at the first look,
** not when the call starts: most calls end before the hook ever runs, and
** reading the clock would be a good part of their cost.  What runs before
** (at most HOOK_STEP instructions and charges under CLOCK_CHARGE) is
** microseconds.
*/
static int late(brink__box *box) {
  double t = now();
  if (box->deadline < 0) {
    box->deadline = t + box->max_seconds;
    return 0;
  }
  return t > box->deadline;
}

/*
** Adds 'n' instructions to the call's count; returns the kill it earns
** (enum brink__kill), 0 if none.  The clock is read once per CLOCK_CHARGE
** instructions charged, so many small charges meet the deadline too.
*/
static int spend(brink__box *box, int64_t n) {
  if (box->killed)
    return box->killed;
  if (n <= 0)
    return 0;
  if (n > box->max_instructions - box->instructions) {
    box->instructions = box->max_instructions + 1;
    return BRINK__KILL_INSTRUCTIONS;
  }
  box->instructions += n;
  if (box->instructions - box->clocked >= CLOCK_CHARGE) {
    box->clocked = box->instructions;
    if (late(box))
      return BRINK__KILL_TIME;
  }
  return 0;
}

static void charge(lua_State *L, brink__box *box, int64_t n) {
  int why = spend(box, n);
  if (why)
    stop(L, box, why);
}

int brink__box_hold(brink__box *box, int64_t bytes, int64_t work) {
  size_t held;
  if (bytes < 0) {
    /* Never below zero: a release cannot leave the cap unreachable. */
    box->c_used -= (size_t)-bytes < box->c_used ? (size_t)-bytes
                                                 : box->c_used;
    bytes = 0;
  }
  if (box->depth == 0) {
    box->c_used += (size_t)bytes;
    return BRINK_OK;
  }
  held = box->mem_used + box->c_used;
  if (!box->killed && (held > box->mem_cap ||
                       (uint64_t)bytes > box->mem_cap - held))
    box->killed = BRINK__KILL_MEMORY;
  if (!box->killed)
    box->killed = spend(box, work);
  if (box->killed)
    return BRINK_EBUDGET;
  box->c_used += (size_t)bytes;
  return BRINK_OK;
}

/*
** The count hook.  Hooks belong to threads: coroutines inherit this one
** when created, and a kill re-arms it on whichever thread it runs in, so
** a coroutine made before the kill is stopped as soon as it runs.
*/
static void hook(lua_State *L, lua_Debug *ar) {
  brink__box *box = box_of(L);
  int count = lua_gethookcount(L);
  int step = L == box->L ? HOOK_STEP : CO_STEP;
  (void)ar;
  box->instructions += count;
  if (box->killed)
    stop(L, box, box->killed);
  if (box->instructions > box->max_instructions)
    stop(L, box, BRINK__KILL_INSTRUCTIONS);
  if (box->instructions - box->clocked >= HOOK_STEP) {
    box->clocked = box->instructions;
    if (late(box))
      stop(L, box, BRINK__KILL_TIME);
  }
  if (count != step)   /* back to normal after an earlier kill */
    lua_sethook(L, hook, LUA_MASKCOUNT, step);
}

/*
** Lua recovers from a refused allocation by collecting garbage and trying
** again; only when that fails too does a memory error reach us.  It is a
** kill like the others: a script must not retry its way past the cap.
*/
static void note_status(lua_State *L, brink__box *box, int status) {
  if (status != LUA_ERRMEM || box->killed)
    return;
  box->killed = box->refused == REFUSED_SYSTEM ? BRINK__KILL_NOMEM
              : box->refused == REFUSED_STRING ? BRINK__KILL_STRING
              : BRINK__KILL_MEMORY;
  where_at(L, 0, box->kill_where, sizeof box->kill_where);
}

void brink__box_nomem(lua_State *L) {
  brink__box *box = box_of(L);
  if (!box->killed) {
    box->killed = BRINK__KILL_NOMEM;
    where_at(L, 0, box->kill_where, sizeof box->kill_where);
  }
  stop(L, box, box->killed);
}

int brink__box_check(lua_State *L, int status) {
  brink__box *box = box_of(L);
  note_status(L, box, status);
  if (box->killed)
    stop(L, box, box->killed);
  return status;
}

void brink__box_charge(lua_State *L, int64_t n) {
  charge(L, box_of(L), n);
}

/*
** C work done a little at a time (pattern steps, table elements) is
** counted as it is done and charged a block at a time: cheap per step,
** and every charge is large enough to read the clock, so a long loop in
** C meets the time budget as well as the instruction budget.
*/
typedef struct meter {
  lua_State *L;
  brink__box *box;
  int64_t per;        /* units of work per instruction */
  int64_t done;       /* units done */
  int64_t charged;    /* units charged */
  int64_t next;       /* charge again when 'done' reaches this */
} meter;

static void meter_init(meter *t, lua_State *L, int64_t per) {
  t->L = L;
  t->box = box_of(L);
  t->per = per;
  t->done = t->charged = 0;
  t->next = CLOCK_CHARGE * per;
}

/* Charges the work done so far. */
static void meter_settle(meter *t) {
  int64_t due = (t->done - t->charged) / t->per;
  t->charged += due * t->per;
  t->next = t->done + CLOCK_CHARGE * t->per;
  charge(t->L, t->box, due);
}

#define METER(t, n)                                                        \
  do {                                                                     \
    (t)->done += (n);                                                      \
    if ((t)->done >= (t)->next)                                            \
      meter_settle(t);                                                     \
  } while (0)

/* Bytes and values of stack slots [from, to], in instructions. */
static int64_t weigh(lua_State *L, int from, int to) {
  int64_t bytes = 0;
  int i;
  for (i = from; i <= to; i++)
    if (lua_type(L, i) == LUA_TSTRING)
      bytes += (int64_t)lua_rawlen(L, i);
  return bytes / METER_BYTES + (to - from + 1) / METER_VALUES;
}

/* ---------------------------------------------------------------------- */
/* error positions                                                         */
/* ---------------------------------------------------------------------- */

/*
** Length of a "file:line: " prefix on the first line of 'text' (0 if
** none); where[] gets "file:line".
*/
static size_t split_prefix(const char *text, size_t len, char *where,
                           size_t cap) {
  const char *end = memchr(text, '\n', len);
  const char *c, *d;
  if (!end)
    end = text + len;
  for (c = text + 1; c < end; c++) {
    if (*c != ':')
      continue;
    for (d = c + 1; d < end && *d >= '0' && *d <= '9'; d++)
      ;
    if (d > c + 1 && d + 1 < end && d[0] == ':' && d[1] == ' ') {
      if (cap)
        snprintf(where, cap, "%.*s", (int)(d - text), text);
      return (size_t)(d + 2 - text);
    }
  }
  return 0;
}

void brink__box_split(const char *text, char *where, size_t wcap, char *msg,
                      size_t mcap) {
  size_t off;
  if (wcap)
    where[0] = '\0';
  off = split_prefix(text, strlen(text), where, wcap);
  if (mcap)
    snprintf(msg, mcap, "%s", text + off);
}

/*
** Finds where the message 'text' was raised: the innermost frame whose
** position prefixes it (error's 'level' may name a caller), else any
** such prefix, else the innermost Lua frame.  Returns the prefix length.
*/
static size_t locate(lua_State *L, const char *text, size_t len, char *where,
                     size_t cap) {
  lua_Debug ar;
  char prefix[BRINK__BOX_WHERE + 8];
  int level, n;
  where[0] = '\0';
  for (level = 1; level <= WHERE_LEVELS && lua_getstack(L, level, &ar);
       level++) {
    if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0)
      continue;
    n = snprintf(prefix, sizeof prefix, "%s:%d: ", ar.short_src,
                 ar.currentline);
    if (!where[0])
      snprintf(where, cap, "%s:%d", ar.short_src, ar.currentline);
    if (n > 2 && (size_t)n < sizeof prefix && len >= (size_t)n &&
        memcmp(text, prefix, (size_t)n) == 0) {
      snprintf(where, cap, "%.*s", n - 2, prefix);
      return (size_t)n;
    }
  }
  return split_prefix(text, len, where, cap);   /* keeps 'where' if none */
}

/*
** The message handler of top-level calls: turns the error into a string
** without its position, which goes to box->err_where.  After a kill it
** runs nothing: the kill is reported from the box.
*/
static int msgh(lua_State *L) {
  brink__box *box = box_of(L);
  const char *text;
  size_t len, off;
  if (box->killed)
    return 1;
  if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER)
    text = lua_tolstring(L, 1, &len);
  else if (luaL_getmetafield(L, 1, "__tostring") != LUA_TNIL) {
    lua_pop(L, 1);
    text = push_tostring(L, 1, &len);
  } else {
    text = lua_pushfstring(L, "(error object is a %s value)",
                           luaL_typename(L, 1));
    len = strlen(text);
  }
  off = locate(L, text, len, box->err_where, sizeof box->err_where);
  lua_pushlstring(L, text + off, len - off);
  return 1;
}

/*
** Runs the standard function that is upvalue 1 of the running C closure
** in the closure's own call, not as a call of its own: its errors then
** name the function as the script called it ('upper', not '?') and carry
** the script's position, as they do in Lua.  Standard library functions
** use no upvalues, so ours do not confuse them.  Returns its result count.
*/
static int run_standard(lua_State *L) {
  return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

/* ---------------------------------------------------------------------- */
/* base library                                                            */
/* ---------------------------------------------------------------------- */

/*
** [-0, +1, e] tostring without addresses: __tostring, else __name, else
** "table", "thread", "userdata", "function: builtin" for C functions and
** "function: file.lua:12" for Lua ones (where they are defined).
*/
static const char *push_tostring(lua_State *L, int idx, size_t *len) {
  lua_Debug ar;
  idx = lua_absindex(L, idx);
  if (luaL_callmeta(L, idx, "__tostring")) {
    if (!lua_isstring(L, -1))
      luaL_error(L, "'__tostring' must return a string");
    return lua_tolstring(L, -1, len);
  }
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
  case LUA_TSTRING:
    lua_pushvalue(L, idx);
    break;
  case LUA_TBOOLEAN:
    lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
    break;
  case LUA_TNIL:
    lua_pushliteral(L, "nil");
    break;
  default: {
    int t = luaL_getmetafield(L, idx, "__name");
    if (t == LUA_TSTRING)
      break;
    if (t != LUA_TNIL)
      lua_pop(L, 1);   /* a __name that is not a string */
    if (lua_type(L, idx) != LUA_TFUNCTION) {
      lua_pushstring(L, luaL_typename(L, idx));
      break;
    }
    lua_pushvalue(L, idx);
    lua_getinfo(L, ">S", &ar);
    if (ar.what[0] == 'C')
      lua_pushliteral(L, "function: builtin");
    else if (ar.linedefined > 0)
      lua_pushfstring(L, "function: %s:%d", ar.short_src, ar.linedefined);
    else
      lua_pushfstring(L, "function: %s", ar.short_src);
    break;
  }
  }
  return lua_tolstring(L, -1, len);
}

static int sb_tostring(lua_State *L) {
  luaL_checkany(L, 1);
  push_tostring(L, 1, NULL);
  return 1;
}

/*
** Finalizers would run at whatever moment the collector chooses, outside
** any budget; weak tables would make results depend on that moment.
*/
static int sb_setmetatable(lua_State *L) {
  int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  lua_settop(L, 2);
  switch (open_table(L, 1, "setmetatable")) {
  case BRINK__FROZEN:
    return luaL_error(L, "setmetatable: tables made while the scenario "
                      "loaded are read-only during a run; keep state in a "
                      "var");
  case BRINK__GUARDED:
    return luaL_error(L, "setmetatable: this table is the metatable of "
                      "another; give it its own metatable before that");
  default:
    break;
  }
  if (t == LUA_TTABLE) {
    brink__box_metatable(L, 2);   /* what Lua will read raw */
    lua_replace(L, 2);
    lua_pushliteral(L, "__gc");
    lua_pushliteral(L, "__mode");
    for (int key = 3; key <= 4; key++) {
      lua_pushvalue(L, key);
      if (lua_rawget(L, 2) != LUA_TNIL)
        brink__box_refuse_metakey(L, key, "setmetatable");
      lua_pop(L, 1);
    }
  }
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
    return luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

/*
** [-0, +0, e] What 'fn' may do with the table at 'idx': a proxy of the
** world is refused; a frozen table is replaced at 'idx' by its contents,
** which is what a raw operation reads.  Returns what it found.
*/
static int open_table(lua_State *L, int idx, const char *fn) {
  switch (brink__box_sealed(L, idx)) {
  case BRINK__PROXY:
    return luaL_error(L, "%s: w, its actors and relations and a move's 'm' "
                      "are views of the world, not tables; use their "
                      "fields", fn);
  case BRINK__FROZEN:
    lua_replace(L, idx);
    return BRINK__FROZEN;
  case BRINK__GUARDED:
    lua_replace(L, idx);
    return BRINK__GUARDED;
  default:
    return BRINK__OPEN;
  }
}

static int sb_getmetatable(lua_State *L) {
  luaL_checkany(L, 1);
  if (!brink__box_getmetatable(L, 1))
    lua_pushnil(L);
  return 1;
}

static int sb_rawget(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  open_table(L, 1, "rawget");
  lua_rawget(L, 1);
  return 1;
}

static int sb_rawlen(lua_State *L) {
  int t = lua_type(L, 1);
  luaL_argexpected(L, t == LUA_TTABLE || t == LUA_TSTRING, 1,
                   "table or string");
  if (t == LUA_TTABLE)
    open_table(L, 1, "rawlen");
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
  return 1;
}

static int sb_rawset(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  lua_settop(L, 3);
  lua_pushvalue(L, 1);   /* 4: the result, whatever 1 becomes */
  switch (open_table(L, 1, "rawset")) {
  case BRINK__FROZEN:
    return luaL_error(L, "rawset: tables made while the scenario loaded are "
                      "read-only during a run; keep state in a var");
  case BRINK__GUARDED:
    brink__box_refuse_metakey(L, 2, "rawset");
    break;
  default:
    break;
  }
  lua_pushvalue(L, 2);
  lua_pushvalue(L, 3);
  lua_rawset(L, 1);
  return 1;
}

/*
** load(chunk [, chunkname [, mode [, env]]]): text only, whatever 'mode'
** says, and without 'env' the chunk sees the environment this 'load'
** belongs to (its upvalue), never the state's globals.  A reader function
** is not accepted: chunks are strings.
*/
static int sb_load(lua_State *L) {
  brink__box *box = box_of(L);
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  const char *name = luaL_optstring(L, 2, text);
  int env = lua_isnone(L, 4) ? lua_upvalueindex(1) : 4;
  int status;
  if (len > 0 && text[0] == LUA_SIGNATURE[0]) {
    luaL_pushfail(L);
    lua_pushliteral(L, "cannot load a binary chunk (scripts load text only)");
    return 2;
  }
  charge(L, box, (int64_t)(len / METER_BYTES));
  status = luaL_loadbufferx(L, text, len, name, "t");
  if (status != LUA_OK) {
    note_status(L, box, status);
    if (box->killed)
      return stop(L, box, box->killed);
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushvalue(L, env);
  if (!lua_setupvalue(L, -2, 1))
    lua_pop(L, 1);
  return 1;
}

static int finish_pcall(lua_State *L, int status, lua_KContext extra) {
  brink__box *box = box_of(L);
  if (status != LUA_OK && status != LUA_YIELD) {
    note_status(L, box, status);
    if (box->killed)
      return stop(L, box, box->killed);
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
  }
  if (box->killed)
    return stop(L, box, box->killed);
  return lua_gettop(L) - (int)extra;
}

static int sb_pcall(lua_State *L) {
  brink__box *box = box_of(L);
  int status;
  luaL_checkany(L, 1);
  if (box->killed)
    return stop(L, box, box->killed);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
  return finish_pcall(L, status, 0);
}

/*
** xpcall's message handler goes through this guard.  An error raised by
** the hook leaves hooks off until the protected call unwinds, so running
** the script's handler then would run it unmetered: after a kill the
** guard passes the error on untouched.
*/
static int guard_handler(lua_State *L) {
  if (box_of(L)->killed)
    return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static int sb_xpcall(lua_State *L) {
  brink__box *box = box_of(L);
  int n = lua_gettop(L), status;
  luaL_checktype(L, 2, LUA_TFUNCTION);
  if (box->killed)
    return stop(L, box, box->killed);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, guard_handler, 1);
  lua_replace(L, 2);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);   /* f, handler, true, f, args... */
  status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
  return finish_pcall(L, status, 2);
}

/* ---------------------------------------------------------------------- */
/* deterministic pairs and next                                            */
/* ---------------------------------------------------------------------- */

/* The order of SPEC section 3: integers, floats, strings, false, true. */
enum { K_INT, K_FLOAT, K_STRING, K_FALSE, K_TRUE };

typedef struct key {
  int kind;
  lua_Integer i;
  lua_Number n;
  const char *s;
  size_t len;
  lua_Integer slot;   /* where the key itself is kept */
} key;

static int key_kind(lua_State *L, int idx) {
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
    return lua_isinteger(L, idx) ? K_INT : K_FLOAT;
  case LUA_TSTRING:
    return K_STRING;
  case LUA_TBOOLEAN:
    return lua_toboolean(L, idx) ? K_TRUE : K_FALSE;
  default:
    return luaL_error(L, "a table key of type %s has no fixed order (pairs "
                      "and next visit only number, string and boolean keys)",
                      luaL_typename(L, idx));
  }
}

static void key_read(lua_State *L, int idx, key *k) {
  k->kind = key_kind(L, idx);
  if (k->kind == K_INT)
    k->i = lua_tointeger(L, idx);
  else if (k->kind == K_FLOAT)
    k->n = lua_tonumber(L, idx);
  else if (k->kind == K_STRING)
    k->s = lua_tolstring(L, idx, &k->len);
}

static int bytes_cmp(const char *a, size_t la, const char *b, size_t lb) {
  int c = memcmp(a, b, la < lb ? la : lb);
  if (c)
    return c < 0 ? -1 : 1;
  return (la > lb) - (la < lb);
}

static int key_cmp(const void *va, const void *vb) {
  const key *a = va, *b = vb;
  if (a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1;
  switch (a->kind) {
  case K_INT:
    return (a->i > b->i) - (a->i < b->i);
  case K_FLOAT:
    return (a->n > b->n) - (a->n < b->n);
  case K_STRING:
    return bytes_cmp(a->s, a->len, b->s, b->len);
  default:
    return 0;
  }
}

/*
** next(t [, k]): the least key after 'k' in the fixed order.  Stateless,
** so each call scans the whole table; pairs is the fast way.  A 'k' that
** is no longer in the table is fine: its successor is still defined.
*/
static int sb_next(lua_State *L) {
  key prev, best, cur;
  int have_best = 0;
  lua_Integer n = 0;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  open_table(L, 1, "next");
  if (!lua_isnil(L, 2))
    key_read(L, 2, &prev);
  lua_pushnil(L);                /* 3: the best key so far */
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    lua_pop(L, 1);
    n++;
    key_read(L, -1, &cur);
    if ((lua_isnil(L, 2) || key_cmp(&cur, &prev) > 0) &&
        (!have_best || key_cmp(&cur, &best) < 0)) {
      lua_pushvalue(L, -1);
      lua_replace(L, 3);
      key_read(L, 3, &best);     /* strings stay put: 't' anchors them */
      have_best = 1;
    }
  }
  charge(L, box_of(L), n);
  if (!have_best) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushvalue(L, 3);
  lua_pushvalue(L, 3);
  lua_rawget(L, 1);
  return 2;
}

/* Tables up to this many keys are sorted without allocating. */
#define PAIRS_SMALL 32

/*
** Upvalues: the table; a list whose slots 1..n hold the keys sorted, n+1
** nothing (the end) and n+2..2n+1 the same keys as found (which anchors
** the strings the sort reads); the next position.
*/
static int pairs_step(lua_State *L) {
  lua_Integer pos = lua_tointeger(L, lua_upvalueindex(3));
  for (;; pos++) {
    if (lua_rawgeti(L, lua_upvalueindex(2), pos) == LUA_TNIL)
      return 1;   /* the end: nil */
    lua_pushvalue(L, -1);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)   /* still set */
      break;
    lua_pop(L, 2);
  }
  lua_pushinteger(L, pos + 1);
  lua_replace(L, lua_upvalueindex(3));
  return 2;
}

/* Small tables sort faster without qsort's machinery. */
static void sort_keys(key *keys, lua_Integer n) {
  lua_Integer i, j;
  key k;
  if (n > PAIRS_SMALL) {
    qsort(keys, (size_t)n, sizeof *keys, key_cmp);
    return;
  }
  for (i = 1; i < n; i++) {
    k = keys[i];
    for (j = i; j > 0 && key_cmp(&keys[j - 1], &k) > 0; j--)
      keys[j] = keys[j - 1];
    keys[j] = k;
  }
}

static int pairs_meta(lua_State *L, int status, lua_KContext extra) {
  (void)L;
  (void)status;
  (void)extra;
  return 3;
}

/*
** pairs(t): honours __pairs; otherwise sorts the keys once and returns a
** closure that walks them.  Keys removed during the walk are skipped, keys
** added are not visited.
*/
static int sb_pairs(lua_State *L) {
  key small[PAIRS_SMALL], *keys = small;
  lua_Integer n = 0, i, logn = 1;
  int sorted = 1;
  luaL_checkany(L, 1);
  if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
    lua_pushvalue(L, 1);
    lua_callk(L, 1, 3, 0, pairs_meta);
    return 3;
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_pushvalue(L, 1);   /* 2: what is walked; 1 is what pairs returns */
  open_table(L, 2, "pairs");
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    lua_pop(L, 1);
    n++;
  }
  while (((lua_Integer)1 << logn) < n && logn < 62)
    logn++;
  charge(L, box_of(L), n * (ELEMENT_COST + logn));
  if (n > PAIRS_SMALL)   /* GC-owned, so an error cannot leak it */
    keys = lua_newuserdatauv(L, (size_t)n * sizeof *keys, 0);
  lua_pushvalue(L, 2);                /* upvalue 1: the table */
  lua_createtable(L, (int)(2 * n + 1), 0);   /* upvalue 2: the keys */
  i = 0;
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, n + 1 + ++i);
    key_read(L, -1, &keys[i - 1]);
    keys[i - 1].slot = n + 1 + i;
    if (i > 1 && sorted && key_cmp(&keys[i - 2], &keys[i - 1]) > 0)
      sorted = 0;
  }
  /* Keys are distinct, so even an unstable sort gives one order. */
  if (!sorted)
    sort_keys(keys, n);
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, -1, keys[i].slot);
    lua_rawseti(L, -2, i + 1);
  }
  lua_pushinteger(L, 1);
  lua_pushcclosure(L, pairs_step, 3);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

/* ---------------------------------------------------------------------- */
/* coroutines                                                              */
/* ---------------------------------------------------------------------- */

/*
** A coroutine that died of a kill may still hold to-be-closed variables,
** and its hooks stay off (the error came out of the hook).  Closing it
** later would run their __close handlers unmetered, so it is marked and
** never closed.
*/
static void poison(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &poison_key);
  lua_pushvalue(L, idx);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

static int poisoned(lua_State *L, int idx) {
  int p;
  idx = lua_absindex(L, idx);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &poison_key);
  lua_pushvalue(L, idx);
  p = lua_rawget(L, -2) != LUA_TNIL;
  lua_pop(L, 2);
  return p;
}

/*
** Resumes 'co' (at 'coidx' in L) with the 'narg' values on top of L.
** Returns how many results it moved to L, or -1 with the error on top.
** A kill inside the coroutine is raised again here.
*/
static int resume(lua_State *L, lua_State *co, int coidx, int narg) {
  brink__box *box = box_of(L);
  int status, nres;
  if (box->killed)
    stop(L, box, box->killed);
  if (!lua_checkstack(co, narg)) {
    lua_pushliteral(L, "too many arguments to resume");
    return -1;
  }
  charge(L, box, CO_STEP);
  /* Not the main thread (it cannot be resumed, and a reset would drop
     up to HOOK_STEP of its count, more than was just charged). */
  if (co != box->L)
    lua_sethook(co, hook, LUA_MASKCOUNT, CO_STEP);
  lua_xmove(L, co, narg);
  status = lua_resume(co, L, narg, &nres);
  if (status == LUA_OK || status == LUA_YIELD) {
    if (box->killed) {
      lua_pop(co, nres);
      stop(L, box, box->killed);
    }
    if (!lua_checkstack(L, nres + 1)) {
      lua_pop(co, nres);
      lua_pushliteral(L, "too many results to resume");
      return -1;
    }
    lua_xmove(co, L, nres);
    return nres;
  }
  lua_xmove(co, L, 1);
  note_status(L, box, status);
  if (box->killed) {
    poison(L, coidx);
    stop(L, box, box->killed);
  }
  return -1;
}

static int sb_coresume(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  int r;
  luaL_argexpected(L, co, 1, "thread");
  r = resume(L, co, 1, lua_gettop(L) - 1);
  if (r < 0) {
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_insert(L, -(r + 1));
  return r + 1;
}

static int wrap_step(lua_State *L) {
  brink__box *box = box_of(L);
  lua_State *co = lua_tothread(L, lua_upvalueindex(1));
  int r = resume(L, co, lua_upvalueindex(1), lua_gettop(L));
  int status;
  if (r >= 0)
    return r;
  status = lua_status(co);
  if (status != LUA_OK && status != LUA_YIELD) {
    /* Died of an ordinary error: close its variables, as Lua's wrap does
       (the hook is on in it, a kill was raised above).  What closing
       leaves is the error to raise: the same one, or one raised while
       closing. */
    status = lua_resetthread(co);
    note_status(L, box, status);
    if (box->killed) {
      poison(L, lua_upvalueindex(1));
      stop(L, box, box->killed);
    }
    lua_xmove(co, L, 1);
  }
  if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

static int sb_cowrap(lua_State *L) {
  lua_State *co;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  co = lua_newthread(L);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  lua_pushcclosure(L, wrap_step, 1);
  return 1;
}

/* Upvalue 1: the standard coroutine.close. */
static int sb_coclose(lua_State *L) {
  brink__box *box = box_of(L);
  int n;
  luaL_argexpected(L, lua_tothread(L, 1), 1, "thread");
  if (box->killed)
    return stop(L, box, box->killed);
  lua_settop(L, 1);
  if (poisoned(L, 1)) {
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "cannot close a coroutine stopped by a script budget");
    return 2;
  }
  n = run_standard(L);
  if (box->killed) {
    poison(L, 1);
    return stop(L, box, box->killed);
  }
  return n;
}

/* ---------------------------------------------------------------------- */
/* strings                                                                 */
/* ---------------------------------------------------------------------- */

/*
** Upvalue 1: a standard function doing work proportional to its string
** arguments and results (upper, sub, byte...), charged before and after.
*/
static int sb_metered(lua_State *L) {
  brink__box *box = box_of(L);
  int n = lua_gettop(L);
  charge(L, box, weigh(L, 1, n));
  n = run_standard(L);
  charge(L, box, weigh(L, lua_gettop(L) - n + 1, lua_gettop(L)));
  return n;
}

static int too_large(lua_State *L, brink__box *box) {
  char size[48];
  format_bytes(size, sizeof size, box->max_string);
  return luaL_error(L, "resulting string too large (strings are limited to "
                    "%s)", size);
}

/* string.rep, refusing results over the string limit before any work. */
static int sb_rep(lua_State *L) {
  brink__box *box = box_of(L);
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
    return too_large(L, box);
  total = (size_t)n * l;
  if (lsep > 0 && ((size_t)n - 1 > (cap - total) / lsep))
    return too_large(L, box);
  total += ((size_t)n - 1) * lsep;
  charge(L, box, (int64_t)(total / METER_BYTES));
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
static int sb_format(lua_State *L) {
  brink__box *box = box_of(L);
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
      push_tostring(L, arg, NULL);
      lua_replace(L, arg);
    }
    f++;
  }
  run_standard(L);
  charge(L, box, weigh(L, -1, -1));
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
  meter_init(&m->work, L, STEPS_PER_INSTRUCTION);
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
    meter_settle(&m.work);
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
      meter_settle(&m.work);
      if (find) {
        lua_pushinteger(L, s1 - s + 1);
        lua_pushinteger(L, r - s);
        return push_captures(&m, NULL, NULL) + 2;
      }
      n = push_captures(&m, s1, r);
      return n;
    }
  } while (s1++ < m.src_end && !anchor);
  meter_settle(&m.work);
  luaL_pushfail(L);
  return 1;
}

static int sb_find(lua_State *L) {
  return find_aux(L, 1);
}

static int sb_match(lua_State *L) {
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
      meter_settle(&m.work);
      return push_captures(&m, src, e);
    }
  }
  g->pos = sl + 1;
  meter_settle(&m.work);
  return 0;
}

static int sb_gmatch(lua_State *L) {
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

static int sb_gsub(lua_State *L) {
  brink__box *box = box_of(L);
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
      return too_large(L, box);
    if (anchor)
      break;
  }
  meter_settle(&m.work);
  if (!changed) {
    lua_pushvalue(L, 1);
  } else {
    if ((size_t)(m.src_end - src) > box->max_string - luaL_bufflen(&b))
      return too_large(L, box);
    luaL_addlstring(&b, src, (size_t)(m.src_end - src));
    luaL_pushresult(&b);
    charge(L, box, weigh(L, -1, -1));
  }
  lua_pushinteger(L, n);
  return 2;
}

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
  meter_init(&work, L, 1);
  for (k = 0; k < n; k++) {
    lua_Integer at = down ? n - 1 - k : k;
    lua_geti(L, src, f + at);
    lua_seti(L, dst, t + at);
    METER(&work, ELEMENT_COST);
  }
  meter_settle(&work);
}

/* table.concat, refusing results over the string limit as it goes. */
static int sb_concat(lua_State *L) {
  brink__box *box = box_of(L);
  lua_Integer last = table_length(L, 1, NEED_INDEX);
  size_t lsep, total = 0, l;
  const char *sep = luaL_optlstring(L, 2, "", &lsep);
  lua_Integer i = luaL_optinteger(L, 3, 1);
  luaL_Buffer b;
  meter work;
  last = luaL_optinteger(L, 4, last);
  meter_init(&work, L, 1);
  luaL_buffinit(L, &b);
  for (; i <= last; i++) {
    lua_geti(L, 1, i);
    METER(&work, ELEMENT_COST);
    if (!lua_isstring(L, -1))
      return luaL_error(L, "invalid value (%s) at index %I in table for "
                        "'concat'", luaL_typename(L, -1), (lua_Integer)i);
    lua_tolstring(L, -1, &l);
    if (l > box->max_string - total)
      return too_large(L, box);
    total += l;
    luaL_addvalue(&b);
    if (i == last)
      break;
    if (lsep > box->max_string - total)
      return too_large(L, box);
    total += lsep;
    luaL_addlstring(&b, sep, lsep);
  }
  luaL_pushresult(&b);
  meter_settle(&work);
  charge(L, box, (int64_t)(total / METER_BYTES));
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
    return bytes_cmp(sa, la, sb, lb) < 0;
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
static int sb_sort(lua_State *L) {
  brink__box *box = box_of(L);
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
  charge(L, box, elements(n));
  for (i = 1; i <= n; i++) {
    lua_geti(L, 1, i);
    lua_rawseti(L, src, i);
  }
  for (width = 1; width < n; width *= 2) {
    charge(L, box, elements(n));
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
static int sb_insert(lua_State *L) {
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
static int sb_remove(lua_State *L) {
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
static int sb_move(lua_State *L) {
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
static int sb_unpack(lua_State *L) {
  lua_Integer i = luaL_optinteger(L, 2, 1);
  lua_Integer e = luaL_opt(L, luaL_checkinteger, 3, luaL_len(L, 1));
  lua_Unsigned more;   /* values after the first */
  meter work;
  if (i > e)
    return 0;
  more = (lua_Unsigned)e - (lua_Unsigned)i;
  if (more >= INT_MAX || !lua_checkstack(L, (int)more + 1))
    return luaL_error(L, "too many results to unpack");
  meter_init(&work, L, METER_VALUES);
  for (;; i++) {
    lua_geti(L, 1, i);
    METER(&work, 1);
    if (i == e)
      break;
  }
  meter_settle(&work);
  return (int)more + 1;
}

/* ---------------------------------------------------------------------- */
/* the allow-list                                                          */
/* ---------------------------------------------------------------------- */

enum {
  STD,    /* the standard value as it is */
  OWN,    /* our function */
  WRAP,   /* our function, with the standard one as upvalue 1 */
  ENV,    /* our function, with the environment as upvalue 1 */
  SELF    /* the environment itself */
};

typedef struct allowed {
  const char *lib;    /* NULL: a global */
  const char *name;
  int how;
  lua_CFunction fn;
} allowed;

/*
** Everything a script can reach.  Not here, so not there: io, os, debug,
** package, require, dofile, loadfile, collectgarbage, print, warn,
** string.dump, math.random and math.randomseed (the bindings add random
** functions drawing from the engine's seeded generator).
*/
static const allowed allow_list[] = {
  {NULL, "_G", SELF, NULL},
  {NULL, "_VERSION", STD, NULL},
  {NULL, "assert", STD, NULL},
  {NULL, "error", STD, NULL},
  {NULL, "getmetatable", OWN, sb_getmetatable},
  {NULL, "ipairs", STD, NULL},
  {NULL, "load", ENV, sb_load},
  {NULL, "next", OWN, sb_next},
  {NULL, "pairs", OWN, sb_pairs},
  {NULL, "pcall", OWN, sb_pcall},
  {NULL, "rawequal", STD, NULL},
  {NULL, "rawget", OWN, sb_rawget},
  {NULL, "rawlen", OWN, sb_rawlen},
  {NULL, "rawset", OWN, sb_rawset},
  {NULL, "select", STD, NULL},
  {NULL, "setmetatable", OWN, sb_setmetatable},
  {NULL, "tonumber", STD, NULL},
  {NULL, "tostring", OWN, sb_tostring},
  {NULL, "type", STD, NULL},
  {NULL, "xpcall", OWN, sb_xpcall},

  {"coroutine", "close", WRAP, sb_coclose},
  {"coroutine", "create", STD, NULL},
  {"coroutine", "isyieldable", STD, NULL},
  {"coroutine", "resume", OWN, sb_coresume},
  {"coroutine", "running", STD, NULL},
  {"coroutine", "status", STD, NULL},
  {"coroutine", "wrap", OWN, sb_cowrap},
  {"coroutine", "yield", STD, NULL},

  {"math", "abs", STD, NULL},
  {"math", "acos", STD, NULL},
  {"math", "asin", STD, NULL},
  {"math", "atan", STD, NULL},
  {"math", "ceil", STD, NULL},
  {"math", "cos", STD, NULL},
  {"math", "deg", STD, NULL},
  {"math", "exp", STD, NULL},
  {"math", "floor", STD, NULL},
  {"math", "fmod", STD, NULL},
  {"math", "huge", STD, NULL},
  {"math", "log", STD, NULL},
  {"math", "max", STD, NULL},
  {"math", "maxinteger", STD, NULL},
  {"math", "min", STD, NULL},
  {"math", "mininteger", STD, NULL},
  {"math", "modf", STD, NULL},
  {"math", "pi", STD, NULL},
  {"math", "rad", STD, NULL},
  {"math", "sin", STD, NULL},
  {"math", "sqrt", STD, NULL},
  {"math", "tan", STD, NULL},
  {"math", "tointeger", STD, NULL},
  {"math", "type", STD, NULL},
  {"math", "ult", STD, NULL},

  {"string", "byte", WRAP, sb_metered},
  {"string", "char", WRAP, sb_metered},
  {"string", "find", OWN, sb_find},
  {"string", "format", WRAP, sb_format},
  {"string", "gmatch", OWN, sb_gmatch},
  {"string", "gsub", OWN, sb_gsub},
  {"string", "len", STD, NULL},
  {"string", "lower", WRAP, sb_metered},
  {"string", "match", OWN, sb_match},
  {"string", "pack", WRAP, sb_metered},
  {"string", "packsize", STD, NULL},
  {"string", "rep", OWN, sb_rep},
  {"string", "reverse", WRAP, sb_metered},
  {"string", "sub", WRAP, sb_metered},
  {"string", "unpack", WRAP, sb_metered},
  {"string", "upper", WRAP, sb_metered},

  {"table", "concat", OWN, sb_concat},
  {"table", "insert", OWN, sb_insert},
  {"table", "move", OWN, sb_move},
  {"table", "pack", STD, NULL},
  {"table", "remove", OWN, sb_remove},
  {"table", "sort", OWN, sb_sort},
  {"table", "unpack", OWN, sb_unpack},

  {"utf8", "char", WRAP, sb_metered},
  {"utf8", "charpattern", STD, NULL},
  {"utf8", "codepoint", WRAP, sb_metered},
  {"utf8", "codes", STD, NULL},
  {"utf8", "len", WRAP, sb_metered},
  {"utf8", "offset", WRAP, sb_metered},

  {NULL, NULL, 0, NULL}
};

/*
** [-0, +1, e] The value an entry stands for, made from the standard
** libraries in the table at 'std', or for SELF and ENV entries, for the
** environment at 'env'.
*/
static void make_allowed(lua_State *L, const allowed *a, int env, int std) {
  switch (a->how) {
  case SELF:
    lua_pushvalue(L, env);
    return;
  case OWN:
    lua_pushcfunction(L, a->fn);
    return;
  case ENV:
    lua_pushvalue(L, env);
    lua_pushcclosure(L, a->fn, 1);
    return;
  default:
    lua_getfield(L, std, a->lib ? a->lib : LUA_GNAME);
    lua_getfield(L, -1, a->name);
    lua_remove(L, -2);
    if (a->how == WRAP)
      lua_pushcclosure(L, a->fn, 1);
    return;
  }
}

/* [-0, +1, e] The table of library 'lib' (LUA_GNAME: the globals) in the
   table at 'libs', made if missing. */
static void library(lua_State *L, int libs, const char *lib) {
  if (lua_getfield(L, libs, lib) != LUA_TNIL)
    return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, libs, lib);
}

/*
** [-0, +1, e] The value of entry 'a' for the environment at 'env'.  All
** environments share one of each function, kept by library in the
** registry's table of loaded modules: that is where Lua looks for the
** name of a function called from C ("bad argument #1 to 'string.rep'").
** A function made for this environment is put there too, so that the
** last environment's names are found.
*/
static void push_allowed(lua_State *L, const allowed *a, int env) {
  const char *lib = a->lib ? a->lib : LUA_GNAME;
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  library(L, lua_gettop(L), lib);
  if (a->how == SELF || a->how == ENV) {
    make_allowed(L, a, env, 0);
    if (a->how == ENV) {
      lua_pushvalue(L, -1);
      lua_setfield(L, -3, a->name);
    }
  } else {
    lua_getfield(L, -1, a->name);
  }
  lua_replace(L, -3);
  lua_pop(L, 1);
}

/*
** Protected: [-0, +1] a new environment.  Its 'string' table becomes the
** methods of strings, so what a script adds to it is a method too, as in
** Lua; a state holds one scenario's environment, and the last one made
** wins.  The metatable itself stays locked.
*/
static int build_env(lua_State *L) {
  const allowed *a;
  int env;
  lua_createtable(L, 0, 32);
  env = lua_gettop(L);
  for (a = allow_list; a->name; a++) {
    if (a->lib)
      library(L, env, a->lib);
    else
      lua_pushvalue(L, env);
    push_allowed(L, a, env);
    lua_setfield(L, -2, a->name);
    lua_pop(L, 1);
  }
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_getfield(L, env, LUA_STRLIBNAME);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 2);
  return 1;
}

/*
** Protected: loads the libraries into a private table, makes the values
** of the allow-list from them, empties the state's globals (so a chunk
** loaded any other way sees nothing), and locks the string metatable
** onto the sandbox's string functions (until an environment is made).
*/
static int init_state(lua_State *L) {
  static const luaL_Reg libs[] = {
    {LUA_GNAME, luaopen_base},
    {LUA_COLIBNAME, luaopen_coroutine},
    {LUA_TABLIBNAME, luaopen_table},
    {LUA_STRLIBNAME, luaopen_string},
    {LUA_MATHLIBNAME, luaopen_math},
    {LUA_UTF8LIBNAME, luaopen_utf8},
    {NULL, NULL}
  };
  const luaL_Reg *lib;
  const allowed *a;
  int std, shared;
  lua_newtable(L);
  std = lua_gettop(L);
  for (lib = libs; lib->func; lib++) {
    luaL_requiref(L, lib->name, lib->func, 0);
    lua_setfield(L, std, lib->name);
  }
  lua_pushvalue(L, std);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &std_key);

  lua_newtable(L);
  shared = lua_gettop(L);
  for (a = allow_list; a->name; a++) {
    if (a->how == SELF || a->how == ENV)
      continue;
    library(L, shared, a->lib ? a->lib : LUA_GNAME);
    make_allowed(L, a, 0, std);
    lua_setfield(L, -2, a->name);
    lua_pop(L, 1);
  }
  lua_pushvalue(L, shared);
  lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);

  lua_newtable(L);              /* dead coroutines; only our code reads it */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &poison_key);

  lua_newtable(L);
  lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);

  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_getfield(L, shared, LUA_STRLIBNAME);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_settop(L, 0);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* the interface                                                           */
/* ---------------------------------------------------------------------- */

static int memory_status(const brink__box *box) {
  return box->refused == REFUSED_SYSTEM ? BRINK_ENOMEM : BRINK_EBUDGET;
}

int brink__box_open(brink__box *box, brink_alloc alloc, void *ud,
                    int64_t max_instructions, int64_t max_memory,
                    double max_seconds) {
  lua_State *L;
  memset(box, 0, sizeof *box);
  box->alloc = alloc ? alloc : default_alloc;
  box->alloc_ud = alloc ? ud : NULL;
  if (max_memory <= 0)
    max_memory = BRINK__BOX_MEMORY;
#if SIZE_MAX < INT64_MAX
  if (max_memory > (int64_t)SIZE_MAX)
    max_memory = (int64_t)SIZE_MAX;
#endif
  box->mem_cap = (size_t)max_memory;
  box->max_string = BRINK__BOX_MAX_STRING < box->mem_cap
                  ? BRINK__BOX_MAX_STRING : box->mem_cap;
  box->max_instructions = max_instructions > 0 ? max_instructions
                        : BRINK__BOX_INSTRUCTIONS;
  box->max_seconds = max_seconds > 0 ? max_seconds : BRINK__BOX_SECONDS;
  box->deadline = -1;
  L = lua_newstate(box_alloc, box);
  if (!L)
    return BRINK_ENOMEM;
  box->L = L;
  lua_pushcfunction(L, init_state);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
    brink__box_close(box);
    return BRINK_ENOMEM;
  }
  lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_STEP);
  return BRINK_OK;
}

void brink__box_close(brink__box *box) {
  if (box->L)
    lua_close(box->L);
  box->L = NULL;
}

int brink__box_env(brink__box *box) {
  lua_State *L = box->L;
  int status;
  if (!lua_checkstack(L, 2))
    return BRINK_ENOMEM;
  lua_pushcfunction(L, build_env);
  status = lua_pcall(L, 0, 1, 0);
  if (status == LUA_OK)
    return BRINK_OK;
  return status == LUA_ERRMEM ? memory_status(box) : BRINK_ESCRIPT;
}

/* Protected: [-0, +1] the refusal of a binary chunk, as a value. */
static int refuse_binary(lua_State *L) {
  lua_pushliteral(L, "cannot load a binary chunk (scripts load text only)");
  return 1;
}

int brink__box_load(brink__box *box, const char *text, size_t len,
                    const char *chunkname, int env_index) {
  lua_State *L = box->L;
  int status;
  env_index = lua_absindex(L, env_index);
  if (!lua_checkstack(L, 2))
    return BRINK_ENOMEM;
  if (len > 0 && text[0] == LUA_SIGNATURE[0]) {
    lua_pushcfunction(L, refuse_binary);
    status = lua_pcall(L, 0, 1, 0);
    return status == LUA_OK ? BRINK_ESCRIPT : memory_status(box);
  }
  status = luaL_loadbufferx(L, text, len, chunkname, "t");
  if (status == LUA_OK) {
    lua_pushvalue(L, env_index);
    if (!lua_setupvalue(L, -2, 1))
      lua_pop(L, 1);
    return BRINK_OK;
  }
  return status == LUA_ERRMEM ? memory_status(box) : BRINK_ESCRIPT;
}

int brink__box_pcall(brink__box *box, int nargs, int nresults, char *where,
                     size_t wcap, char *msg, size_t mcap) {
  lua_State *L = box->L;
  int base = lua_gettop(L) - nargs, status, code;
  const char *text;
  if (wcap)
    where[0] = '\0';
  if (mcap)
    msg[0] = '\0';
  if (!lua_checkstack(L, 2)) {
    lua_settop(L, base - 1);
    if (mcap)
      snprintf(msg, mcap, "not enough memory");
    return BRINK_ENOMEM;
  }
  if (box->depth == 0) {
    box->instructions = box->clocked = 0;
    box->killed = BRINK__KILL_NONE;
    box->refused = REFUSED_NONE;
    box->kill_where[0] = '\0';
    box->deadline = -1;   /* set by late() */
  }
  box->err_where[0] = '\0';
  lua_pushcfunction(L, msgh);
  lua_insert(L, base);
  box->depth++;
  status = lua_pcall(L, nargs, nresults, base);
  box->depth--;
  if (status == LUA_OK && !box->killed) {
    lua_remove(L, base);
    return BRINK_OK;
  }
  note_status(L, box, status);
  if (box->killed) {
    code = box->killed == BRINK__KILL_NOMEM ? BRINK_ENOMEM : BRINK_EBUDGET;
    if (wcap)
      snprintf(where, wcap, "%s", box->kill_where);
    if (mcap)
      kill_text(box, msg, mcap);
  } else {
    code = BRINK_ESCRIPT;
    text = lua_tostring(L, -1);
    if (wcap)
      snprintf(where, wcap, "%s", box->err_where);
    if (mcap)
      snprintf(msg, mcap, "%s", text ? text : "(error object is not a string)");
  }
  lua_settop(L, base - 1);
  return code;
}
