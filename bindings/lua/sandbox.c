/*
** sandbox.c: the Lua state of an engine and the budgets that stop its
** scripts (docs/scenario-language.md): the allocator, the count hook, the
** kill, the message handler and the calls of sandbox.h.
**
** The sandbox is five files: this one; sandbox_allow.c, the allow-list and
** the environments built from it; sandbox_base.c, sandbox_string.c and
** sandbox_table.c, the libraries a script sees.  sandboxint.h holds what
** they share.  Three rules shape them all.
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
** The pattern matcher is our own (Lua's cannot be interrupted or metered):
** see sandbox_string.c.
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

#include "bind.h"
#include "sandboxint.h"

const char brink__std_key = 0;
const char brink__poison_key = 0;

/* ---------------------------------------------------------------------- */
/* memory                                                                  */
/* ---------------------------------------------------------------------- */

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

brink__box *brink__box_of(lua_State *L) {
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
void brink__box_fmt_bytes(char *buf, size_t cap, size_t n) {
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
    if (box->part)
      snprintf(buf, cap, "instruction budget exceeded in '%s' (%" PRId64
               " instructions)", box->part, box->cap);
    else
      snprintf(buf, cap, "instruction budget exceeded (%" PRId64
               " instructions)", box->cap);
    break;
  case BRINK__KILL_TIME:
    snprintf(buf, cap, "time budget exceeded (%g s)", box->max_seconds);
    break;
  case BRINK__KILL_MEMORY:
    brink__box_fmt_bytes(size, sizeof size, box->mem_cap);
    snprintf(buf, cap, "memory budget exceeded (%s)", size);
    break;
  case BRINK__KILL_STRING:
    brink__box_fmt_bytes(size, sizeof size, box->max_string);
    snprintf(buf, cap, "memory budget exceeded (strings are limited to %s)",
             size);
    break;
  case BRINK__KILL_INTERRUPT:
    snprintf(buf, cap, "interrupted by the host");
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
int brink__box_stop(lua_State *L, brink__box *box, int why) {
  char text[128];
  if (!box->killed)
    box->killed = why;
  /* A kill the engine recorded (brink__box_hold) has no place yet. */
  if (!box->kill_where[0])
    where_at(L, 0, box->kill_where, sizeof box->kill_where);
  lua_sethook(L, brink__box_hook, LUA_MASKCOUNT, 1);
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
  if (n > box->cap - box->instructions) {
    box->instructions = box->cap + 1;
    return BRINK__KILL_INSTRUCTIONS;
  }
  box->instructions += n;
  if (box->instructions - box->clocked >= CLOCK_CHARGE) {
    box->clocked = box->instructions;
    if (brink__interrupted(box->interrupt))
      return BRINK__KILL_INTERRUPT;
    if (late(box))
      return BRINK__KILL_TIME;
  }
  return 0;
}

void brink__box_pay(lua_State *L, brink__box *box, int64_t n) {
  int why = spend(box, n);
  if (why)
    brink__box_stop(L, box, why);
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
void brink__box_hook(lua_State *L, lua_Debug *ar) {
  brink__box *box = brink__box_of(L);
  int count = lua_gethookcount(L);
  int step = L == box->L ? HOOK_STEP : CO_STEP;
  (void)ar;
  box->instructions += count;
  if (box->killed)
    brink__box_stop(L, box, box->killed);
  if (box->instructions > box->cap)
    brink__box_stop(L, box, BRINK__KILL_INSTRUCTIONS);
  if (brink__interrupted(box->interrupt))
    brink__box_stop(L, box, BRINK__KILL_INTERRUPT);
  if (box->instructions - box->clocked >= HOOK_STEP) {
    box->clocked = box->instructions;
    if (late(box))
      brink__box_stop(L, box, BRINK__KILL_TIME);
  }
  if (count != step)   /* back to normal after an earlier kill */
    lua_sethook(L, brink__box_hook, LUA_MASKCOUNT, step);
}

/*
** Lua recovers from a refused allocation by collecting garbage and trying
** again; only when that fails too does a memory error reach us.  It is a
** kill like the others: a script must not retry its way past the cap.
*/
void brink__box_note_status(lua_State *L, brink__box *box, int status) {
  if (status != LUA_ERRMEM || box->killed)
    return;
  box->killed = box->refused == REFUSED_SYSTEM ? BRINK__KILL_NOMEM
              : box->refused == REFUSED_STRING ? BRINK__KILL_STRING
              : BRINK__KILL_MEMORY;
  where_at(L, 0, box->kill_where, sizeof box->kill_where);
}

void brink__box_nomem(lua_State *L) {
  brink__box *box = brink__box_of(L);
  if (!box->killed) {
    box->killed = BRINK__KILL_NOMEM;
    where_at(L, 0, box->kill_where, sizeof box->kill_where);
  }
  brink__box_stop(L, box, box->killed);
}

int brink__box_check(lua_State *L, int status) {
  brink__box *box = brink__box_of(L);
  brink__box_note_status(L, box, status);
  if (box->killed)
    brink__box_stop(L, box, box->killed);
  return status;
}

void brink__box_charge(lua_State *L, int64_t n) {
  brink__box_pay(L, brink__box_of(L), n);
}

void brink__meter_init(meter *t, lua_State *L, int64_t per) {
  t->L = L;
  t->box = brink__box_of(L);
  t->per = per;
  t->done = t->charged = 0;
  t->next = CLOCK_CHARGE * per;
}

/* Charges the work done so far. */
void brink__meter_settle(meter *t) {
  int64_t due = (t->done - t->charged) / t->per;
  t->charged += due * t->per;
  t->next = t->done + CLOCK_CHARGE * t->per;
  brink__box_pay(t->L, t->box, due);
}

/* Bytes and values of stack slots [from, to], in instructions. */
int64_t brink__box_weigh(lua_State *L, int from, int to) {
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
** Is this frame the prelude's (scenario.c loads it as BRINK__BOX_PRELUDE)?
** Its wrappers (news() calling string.format, view()) are the language,
** not the author's code: an error in them is the line that called them.
*/
static int in_prelude(const lua_Debug *ar) {
  return strcmp(ar->source, BRINK__BOX_PRELUDE) == 0;
}

/* "file:line" of the innermost frame at or above 'level' that is not the
   prelude's, or "". */
static void outside_prelude(lua_State *L, int level, char *where, size_t cap) {
  lua_Debug ar;
  for (; level <= WHERE_LEVELS && lua_getstack(L, level, &ar); level++)
    if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && !in_prelude(&ar)) {
      snprintf(where, cap, "%s:%d", ar.short_src, ar.currentline);
      return;
    }
}

/*
** Finds where the message 'text' was raised: the innermost frame whose
** position prefixes it (error's 'level' may name a caller), else any
** such prefix, else the innermost Lua frame; a frame of the prelude's
** stands for its caller's.  Returns the prefix length.
*/
static size_t locate(lua_State *L, const char *text, size_t len, char *where,
                     size_t cap) {
  lua_Debug ar;
  char prefix[BRINK__BOX_WHERE + 8];
  int level, n;
  size_t off;
  where[0] = '\0';
  for (level = 1; level <= WHERE_LEVELS && lua_getstack(L, level, &ar);
       level++) {
    if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0)
      continue;
    n = snprintf(prefix, sizeof prefix, "%s:%d: ", ar.short_src,
                 ar.currentline);
    if (n > 2 && (size_t)n < sizeof prefix && len >= (size_t)n &&
        memcmp(text, prefix, (size_t)n) == 0) {
      if (in_prelude(&ar))
        outside_prelude(L, level, where, cap);
      else
        snprintf(where, cap, "%.*s", n - 2, prefix);
      return (size_t)n;
    }
  }
  off = split_prefix(text, len, where, cap);   /* keeps 'where' if none */
  if (off == 0)
    outside_prelude(L, 1, where, cap);
  if (!where[0])   /* the prelude alone: its own line */
    where_at(L, 1, where, cap);
  return off;
}

/*
** The message handler of top-level calls: turns the error into a string
** without its position, which goes to box->err_where.  After a kill it
** runs nothing: the kill is reported from the box.
*/
static int msgh(lua_State *L) {
  brink__box *box = brink__box_of(L);
  const char *text;
  size_t len, off;
  if (box->killed)
    return 1;
  if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER)
    text = lua_tolstring(L, 1, &len);
  else if (luaL_getmetafield(L, 1, "__tostring") != LUA_TNIL) {
    lua_pop(L, 1);
    text = brink__box_tostring(L, 1, &len);
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
int brink__box_run_standard(lua_State *L) {
  return lua_tocfunction(L, lua_upvalueindex(1))(L);
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
  box->alloc = alloc ? alloc : brink__default_alloc;
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
  box->cap = box->max_instructions;
  box->deadline = -1;
  L = lua_newstate(box_alloc, box);
  if (!L)
    return BRINK_ENOMEM;
  box->L = L;
  lua_pushcfunction(L, brink__box_init_state);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
    brink__box_close(box);
    return BRINK_ENOMEM;
  }
  lua_sethook(L, brink__box_hook, LUA_MASKCOUNT, HOOK_STEP);
  return BRINK_OK;
}

void brink__box_next(brink__box *box, int64_t instructions,
                     const char *part) {
  box->next_cap = instructions;
  box->next_part = part;
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
  lua_pushcfunction(L, brink__box_build_env);
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

void brink__box_push_handler(lua_State *L) { lua_pushcfunction(L, msgh); }

int brink__box_pcall(brink__box *box, int nargs, int nresults, char *where,
                     size_t wcap, char *msg, size_t mcap) {
  return brink__box_pcall_handled(box, nargs, nresults, where, wcap, msg,
                                  mcap, 0);
}

int brink__box_pcall_handled(brink__box *box, int nargs, int nresults,
                             char *where, size_t wcap, char *msg, size_t mcap,
                             int handled) {
  lua_State *L = box->L;
  int base = lua_gettop(L) - nargs - handled, status, code;
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
    box->cap = box->next_cap > 0 && box->next_cap < box->max_instructions
             ? box->next_cap : box->max_instructions;
    box->part = box->next_part;
    box->next_cap = 0;
    box->next_part = NULL;
    box->instructions = box->clocked = 0;
    box->killed = BRINK__KILL_NONE;
    box->refused = REFUSED_NONE;
    box->kill_where[0] = '\0';
    box->deadline = -1;   /* set by late() */
    brink__interrupt_enter(box->interrupt);
  }
  box->err_where[0] = '\0';
  if (!handled) {
    lua_pushcfunction(L, msgh);
    lua_insert(L, base);
  }
  box->depth++;
  status = lua_pcall(L, nargs, nresults, base);
  box->depth--;
  if (box->depth == 0)
    brink__interrupt_leave(box->interrupt);
  if (status == LUA_OK && !box->killed) {
    if (!handled) lua_remove(L, base);
    return BRINK_OK;
  }
  brink__box_note_status(L, box, status);
  if (box->killed) {
    code = box->killed == BRINK__KILL_NOMEM       ? BRINK_ENOMEM
         : box->killed == BRINK__KILL_INTERRUPT ? BRINK_ESCRIPT
                                                 : BRINK_EBUDGET;
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
