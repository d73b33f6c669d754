/*
** sandboxint.h: what the files of the sandbox share (sandbox.c, the box
** and its budgets; sandbox_base.c, sandbox_string.c, sandbox_table.c, the
** libraries scripts see; sandbox_allow.c, the allow-list).  Not for the
** rest of the bindings: they use sandbox.h.
*/
#ifndef BRINK_SANDBOXINT_H
#define BRINK_SANDBOXINT_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

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


brink__box *brink__box_of(lua_State *L);
/* "16 MiB", "1000 bytes". */
void brink__box_fmt_bytes(char *buf, size_t cap, size_t n);
/* [-0, +0, e] Records kill 'why' (sticky) and raises its message. */
int brink__box_stop(lua_State *L, brink__box *box, int why);
/* [-0, +0, e] Charges 'n' instructions to the running call; raises the
   kill when a budget is exceeded. */
void brink__box_pay(lua_State *L, brink__box *box, int64_t n);
/* The count hook, set in every coroutine too. */
void brink__box_hook(lua_State *L, lua_Debug *ar);
/* [-0, +0, e] After a protected call or resume of script code: a memory
   error becomes the sticky kill, and a kill is raised again. */
void brink__box_note_status(lua_State *L, brink__box *box, int status);
/* Bytes and values of stack slots [from, to], in instructions. */
int64_t brink__box_weigh(lua_State *L, int from, int to);
/* Calls the standard C function in upvalue 1 with this call's stack. */
int brink__box_run_standard(lua_State *L);

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

void brink__meter_init(meter *t, lua_State *L, int64_t per);
/* Charges the work done so far. */
void brink__meter_settle(meter *t);

#define METER(t, n)                                                        \
  do {                                                                     \
    (t)->done += (n);                                                      \
    if ((t)->done >= (t)->next)                                            \
      brink__meter_settle(t);                                             \
  } while (0)

/* sandbox_allow.c: protected, [-0, +1] a new environment; and the state's
   libraries and globals, made once at open. */
int brink__box_build_env(lua_State *L);
int brink__box_init_state(lua_State *L);

/* sandbox_base.c: [-0, +1, e] tostring without addresses. */
const char *brink__box_tostring(lua_State *L, int idx, size_t *len);
/* memcmp order, the shorter first on a tie. */
int brink__box_bytes_cmp(const char *a, size_t la, const char *b,
                         size_t lb);

/* sandbox_string.c: [-0, +0, e] the kill for a string past max_string. */
int brink__box_too_large(lua_State *L, brink__box *box);

/* Registry keys: the addresses of these variables. */
extern const char brink__std_key;     /* the standard libraries */
extern const char brink__poison_key;  /* coroutines stopped by a kill */

/* The functions of the allow-list, by file. */
/* sandbox_base.c */
int brink__sb_coclose(lua_State *L);
int brink__sb_coresume(lua_State *L);
int brink__sb_cowrap(lua_State *L);
int brink__sb_getmetatable(lua_State *L);
int brink__sb_load(lua_State *L);
int brink__sb_next(lua_State *L);
int brink__sb_pairs(lua_State *L);
int brink__sb_pcall(lua_State *L);
int brink__sb_rawget(lua_State *L);
int brink__sb_rawlen(lua_State *L);
int brink__sb_rawset(lua_State *L);
int brink__sb_setmetatable(lua_State *L);
int brink__sb_tostring(lua_State *L);
int brink__sb_xpcall(lua_State *L);
/* sandbox_string.c */
int brink__sb_find(lua_State *L);
int brink__sb_format(lua_State *L);
int brink__sb_gmatch(lua_State *L);
int brink__sb_gsub(lua_State *L);
int brink__sb_match(lua_State *L);
int brink__sb_metered(lua_State *L);
int brink__sb_rep(lua_State *L);
/* sandbox_table.c */
int brink__sb_concat(lua_State *L);
int brink__sb_insert(lua_State *L);
int brink__sb_move(lua_State *L);
int brink__sb_remove(lua_State *L);
int brink__sb_sort(lua_State *L);
int brink__sb_unpack(lua_State *L);

#endif
