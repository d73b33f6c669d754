/*
** scenario_cexpr.c: conditions, weights and effects run in C, without
** entering Lua (fast paths only).  A function is taken from its own
** bytecode (lua_dump of Lua 5.4's format, whose header is checked): when
** every instruction is one this file knows (registers, constants, reads
** and writes of w, m's fields, the date, upvalues and frozen tables,
** arithmetic, comparisons, jumps and loops, tables the run builds, ..,
** calls and returns) it is run by an interpreter of that set, which does
** what Lua's VM does instruction by instruction, so the values, the
** reasons, the order of the reads (the cache's read set), the writes, the
** draws and the news are Lua's.  A call runs here too when it is one of
** the script's functions (its own program, in a frame of its own), one
** of math's, a draw, date(), ipairs() or news(); an effect calls any
** other in Lua.  Anything it cannot do the same way (a metamethod, an
** error, a bad argument) gives up and the call goes to Lua, which runs
** it from the start: a condition draws nothing and writes nothing, and
** an effect's changes so far are undone first (a transaction, and the
** coverage counts put back).  What can never run here (closures,
** varargs, methods, // % ^ #, a global that is not a frozen table)
** leaves that function to Lua for good.
*/
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scenario.h"

/* Lua 5.4's opcodes (lopcodes.h). */
enum {
  X_MOVE, X_LOADI, X_LOADF, X_LOADK, X_LOADKX, X_LOADFALSE, X_LFALSESKIP,
  X_LOADTRUE, X_LOADNIL, X_GETUPVAL, X_SETUPVAL, X_GETTABUP, X_GETTABLE,
  X_GETI, X_GETFIELD, X_SETTABUP, X_SETTABLE, X_SETI, X_SETFIELD,
  X_NEWTABLE, X_SELF, X_ADDI, X_ADDK, X_SUBK, X_MULK, X_MODK, X_POWK,
  X_DIVK, X_IDIVK, X_BANDK, X_BORK, X_BXORK, X_SHRI, X_SHLI, X_ADD, X_SUB,
  X_MUL, X_MOD, X_POW, X_DIV, X_IDIV, X_BAND, X_BOR, X_BXOR, X_SHL, X_SHR,
  X_MMBIN, X_MMBINI, X_MMBINK, X_UNM, X_BNOT, X_NOT, X_LEN, X_CONCAT,
  X_CLOSE, X_TBC, X_JMP, X_EQ, X_LT, X_LE, X_EQK, X_EQI, X_LTI, X_LEI,
  X_GTI, X_GEI, X_TEST, X_TESTSET, X_CALL, X_TAILCALL, X_RETURN,
  X_RETURN0, X_RETURN1, X_FORLOOP, X_FORPREP, X_TFORPREP, X_TFORCALL,
  X_TFORLOOP, X_SETLIST, X_CLOSURE, X_VARARG, X_VARARGPREP, X_EXTRAARG
};

#define OP(i) ((int)((i) & 0x7f))
#define GA(i) ((int)(((i) >> 7) & 0xff))
#define GK(i) ((int)(((i) >> 15) & 1))
#define GB(i) ((int)(((i) >> 16) & 0xff))
#define GC(i) ((int)(((i) >> 24) & 0xff))
#define GSB(i) (GB(i) - 127)
#define GSC(i) (GC(i) - 127)
#define GBX(i) ((int)((i) >> 15))
#define GSBX(i) (GBX(i) - 65535)
#define GSJ(i) ((int)((i) >> 7) - 16777215)
#define GAX(i) ((int)((i) >> 7))

enum { V_NONE = -1, V_NIL, V_BOOL, V_INT, V_FLT, V_STR, V_W, V_ACTOR,
       V_REL, V_M, V_DATE, V_FN, V_TAB, V_LIST };

/* What a function value is: one of the script's, one this file runs,
   or another (a call of which is never run here). */
enum { F_LUA, F_MAX, F_MIN, F_ABS, F_FLOOR, F_CEIL, F_CHANCE, F_RANDOM,
       F_NORMAL, F_DATE, F_IPAIRS, F_NEWS, F_INEXT, F_OTHER };
#define NLIBFNS (F_IPAIRS - F_MAX + 1)

/* A value: 'a' is a boolean's value, an actor, an option, a date's days,
   a string's actor (-1: it names no actor, -2: not known) or a function's
   kind (F_*) or a table's length; 'b' a relation's declaration, the
   handle of a function or of a frozen table's contents, or where a table
   the run made is in its items (see X_NEWTABLE); 'k' what a string
   means as a name, or NULL (not known: it is no key but an actor's
   name). */
typedef struct cval {
  int t, a, b;
  union {
    int64_t i;
    double n;
    const char *s;
  } u;
  const struct ckey *k;
} cval;

/* A constant, and what it means as a name. */
typedef struct ckey {
  cval v;
  int world, field, mkey;   /* mkey: 1 by, 2 move, 3 target */
  int dkey;                 /* a date's: 1 year, 2 month, 3 day, 4 turn */
  bool date;
  size_t len;               /* a string's */
} ckey;

/* An upvalue's string's meaning, kept while it is the same text. */
typedef struct cup {
  ckey k;
  char text[32];   /* k's text, when it fits */
} cup;

struct brink__cprog {
  size_t bytes;
  int ncode, nk, nparams, nup, maxstack;
  const uint32_t *code;
  ckey *k;
  cup *up;    /* [nup] */
  cval *memo; /* [ncode]: what an upvalue read found, or t = V_NONE */
};

/* A function or a frozen table that programs use: its address, its
   handle. */
typedef struct sc_callee {
  const void *fn;
  int ref;
} sc_callee;

#define LIMIT53 ((int64_t)1 << 53)

/* reading the dump ------------------------------------------------------ */

typedef struct rd {
  const unsigned char *p, *end;
  bool bad;
} rd;

static int rbyte(rd *r) {
  if (r->p >= r->end) {
    r->bad = true;
    return 0;
  }
  return *r->p++;
}

static size_t rsize(rd *r) {
  size_t x = 0;
  for (int n = 0; n < 10; n++) {
    int b = rbyte(r);
    x = (x << 7) | (size_t)(b & 0x7f);
    if (b & 0x80) return x;
    if (r->bad) return 0;
  }
  r->bad = true;
  return 0;
}

static const unsigned char *rblock(rd *r, size_t n) {
  if ((size_t)(r->end - r->p) < n) {
    r->bad = true;
    return NULL;
  }
  const unsigned char *at = r->p;
  r->p += n;
  return at;
}

typedef struct dumpbuf {
  brink_engine *e;
  unsigned char *p;
  size_t len, cap;
} dumpbuf;

static int writer(lua_State *L, const void *p, size_t sz, void *ud) {
  dumpbuf *d = ud;
  (void)L;
  if (d->len + sz > d->cap) {
    size_t cap = d->cap ? d->cap : 512;
    while (cap < d->len + sz) cap *= 2;
    if (cap > (1u << 20)) return 1;
    unsigned char *q = brink__realloc(d->e, d->p, d->cap, cap);
    if (q == NULL) return 1;
    d->p = q;
    d->cap = cap;
  }
  memcpy(d->p + d->len, p, sz);
  d->len += sz;
  return 0;
}

/* Is every instruction of 'code' one this file runs, with its operands
   in range and its jumps forward? */
static bool accepted(const uint32_t *code, int n, const ckey *k, int nk,
                     int nup) {
  int last = OP(code[n - 1]);
  if (last != X_RETURN && last != X_RETURN0 && last != X_RETURN1)
    return false;   /* so no run falls off the end */
  for (int pc = 0; pc < n; pc++) {
    uint32_t i = code[pc];
    int op = OP(i);
    switch (op) {
    case X_MOVE: case X_LOADI: case X_LOADF: case X_LOADFALSE:
    case X_LOADTRUE: case X_GETTABLE: case X_UNM: case X_NOT:
    case X_MMBIN: case X_MMBINI: case X_MMBINK: case X_RETURN0:
    case X_RETURN1:
      break;
    case X_LOADNIL:
      if (GA(i) + GB(i) > 255) return false;
      break;
    case X_LOADK:
      if (GBX(i) >= nk) return false;
      break;
    case X_GETUPVAL:
      if (GB(i) >= nup) return false;
      break;
    case X_LFALSESKIP:
      if (pc + 2 >= n) return false;
      break;
    case X_GETFIELD:
      if (GC(i) >= nk || k[GC(i)].v.t != V_STR) return false;
      break;
    case X_ADDK: case X_SUBK: case X_MULK: case X_DIVK:
      if (GC(i) >= nk || (k[GC(i)].v.t != V_INT && k[GC(i)].v.t != V_FLT))
        return false;
      /* fall through */
    case X_ADDI: case X_ADD: case X_SUB: case X_MUL: case X_DIV:
      if (pc + 2 >= n) return false;   /* the MMBIN skipped */
      break;
    case X_EQK:
      if (GB(i) >= nk) return false;
      /* fall through */
    case X_EQ: case X_LT: case X_LE: case X_EQI: case X_LTI: case X_LEI:
    case X_GTI: case X_GEI: case X_TEST: case X_TESTSET:
      if (pc + 2 >= n || OP(code[pc + 1]) != X_JMP) return false;
      break;
    case X_JMP:
      if (pc + 1 + GSJ(i) < 0 || pc + 1 + GSJ(i) >= n) return false;
      break;
    case X_FORLOOP: case X_TFORLOOP:
      if (pc + 1 - GBX(i) < 0 || GA(i) > 250) return false;
      break;
    case X_FORPREP:
      if (pc + 2 + GBX(i) >= n || GA(i) > 250) return false;
      break;
    case X_TFORPREP:
      if (pc + 1 + GBX(i) + 1 >= n || GA(i) > 250 ||
          OP(code[pc + 1 + GBX(i)]) != X_TFORCALL)
        return false;
      break;
    case X_TFORCALL:
      if (pc + 1 >= n || OP(code[pc + 1]) != X_TFORLOOP ||
          GA(i) + 3 + GC(i) > 255)
        return false;
      break;
    case X_NEWTABLE:   /* a small table, then its EXTRAARG */
      if (GB(i) > 5 || GK(i) || pc + 1 >= n ||
          OP(code[pc + 1]) != X_EXTRAARG)
        return false;
      break;
    case X_SETLIST:
      if (GB(i) == 0 || GK(i) || GA(i) + GB(i) > 255) return false;
      break;
    case X_EXTRAARG: case X_CLOSE:   /* nothing here is closed */
      break;
    case X_RETURN:
      if (GA(i) + GB(i) - 2 > 255) return false;
      break;
    case X_GETTABUP:
      if (GB(i) >= nup || GC(i) >= nk || k[GC(i)].v.t != V_STR) return false;
      break;
    case X_SETFIELD:
      if (GB(i) >= nk || k[GB(i)].v.t != V_STR) return false;
      /* fall through */
    case X_SETTABLE:
      if (GK(i) && GC(i) >= nk) return false;
      break;
    case X_CALL: case X_TAILCALL:
      break;
    case X_CONCAT:
      if (GA(i) + GB(i) > 255) return false;
      break;
    default:
      return false;
    }
  }
  return true;
}

/* What the string k->v.u.s means as a name ('nr' its record or NULL). */
static void name_info(ckey *k, const name_rec *nr) {
  const char *s = k->v.u.s;
  k->v.k = k;
  k->v.a = nr ? nr->actor : -1;
  k->world = nr ? nr->world : -1;
  k->field = nr ? nr->field : -1;
  k->date = nr && nr->date;
  k->mkey = !strcmp(s, "by") ? 1 : !strcmp(s, "move") ? 2
            : !strcmp(s, "target") ? 3 : 0;
  k->dkey = !strcmp(s, "year") ? 1 : !strcmp(s, "month") ? 2
            : !strcmp(s, "day") ? 3 : !strcmp(s, "turn") ? 4 : 0;
}

typedef struct compiling {
  host *h;
  int fn;
  dumpbuf d;
  struct brink__cprog *out;
  bool refused;   /* a constant it cannot compare as Lua does */
} compiling;

/* What a call may be: math's functions (from a fresh copy of the
   library: the sandbox hands out the same C functions), the draws and
   the prelude's news() (from the scenario's environment). */
static void read_libs(lua_State *L, host *h) {
  static const char *const names[] = {"max", "min", "abs", "floor", "ceil",
                                      "chance", "random", "normal", "date",
                                      "ipairs"};
  lua_pushcfunction(L, luaopen_math);
  lua_call(L, 0, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->env);
  if (brink__box_sealed(L, -1) >= BRINK__FROZEN) lua_replace(L, -2);
  for (int i = 0; i < NLIBFNS; i++) {
    lua_getfield(L, i < 5 ? -2 : -1, names[i]);
    h->libfns[i] = lua_tocfunction(L, -1);
    lua_pop(L, 1);
  }
  lua_getfield(L, -1, "news");
  h->news = lua_type(L, -1) == LUA_TFUNCTION ? lua_topointer(L, -1) : NULL;
  lua_pop(L, 3);
  h->libs_read = true;
}

/* Protected: the function's dump read into a program, or none. */
static int compile(lua_State *L) {
  compiling *cc = lua_touserdata(L, 1);
  host *h = cc->h;
  brink_engine *e = h->e;
  if (!h->libs_read) read_libs(L, h);
  if (lua_rawgeti(L, LUA_REGISTRYINDEX, cc->fn) != LUA_TFUNCTION ||
      lua_iscfunction(L, -1))
    return 0;
  if (lua_dump(L, writer, &cc->d, 1) != 0) return 0;
  rd r = {cc->d.p, cc->d.p + cc->d.len, false};
  static const unsigned char head[] = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n\x04\x08\x08";
  const unsigned char *hd = rblock(&r, sizeof head - 1);
  if (!hd || memcmp(hd, head, sizeof head - 1) != 0) return 0;
  int64_t ci;
  double cn;
  const unsigned char *b = rblock(&r, 16);
  if (!b) return 0;
  memcpy(&ci, b, 8);
  memcpy(&cn, b + 8, 8);
  if (ci != 0x5678 || cn != 370.5) return 0;
  rbyte(&r);                                   /* upvalues */
  size_t srclen = rsize(&r);                   /* source (stripped: 0) */
  if (srclen) rblock(&r, srclen - 1);
  rsize(&r);
  rsize(&r);                                   /* lines */
  int nparams = rbyte(&r), vararg = rbyte(&r);
  int maxstack = rbyte(&r);
  size_t ncode = rsize(&r);
  if (r.bad || vararg || ncode == 0 || ncode > 4096) return 0;
  const unsigned char *code = rblock(&r, 4 * ncode);
  size_t nk = rsize(&r);
  if (r.bad || nk > 4096) return 0;
  /* The constants, twice: to size the program, then to fill it. */
  rd at = r;
  size_t text = 0;
  for (size_t j = 0; j < nk && !r.bad; j++) {
    int tag = rbyte(&r);
    if (tag == 0x13 || tag == 0x03) rblock(&r, 8);
    else if (tag == 0x04 || tag == 0x14) {
      size_t n = rsize(&r);
      if (n == 0) return 0;
      rblock(&r, n - 1);
      text += n;
    } else if (tag != 0x00 && tag != 0x01 && tag != 0x11) return 0;
  }
  size_t nup = rsize(&r);
  rblock(&r, 3 * nup);
  if (rsize(&r) != 0 || r.bad || nup > 255) return 0;   /* no closures */
  size_t bytes = sizeof(struct brink__cprog) + sizeof(ckey) * nk +
                 sizeof(cup) * nup + sizeof(cval) * ncode + 4 * ncode + text;
  struct brink__cprog *p = brink__alloc(e, bytes);
  if (p == NULL) return 0;
  memset(p, 0, bytes);
  p->bytes = bytes;
  p->ncode = (int)ncode;
  p->nk = (int)nk;
  p->nparams = nparams;
  p->nup = (int)nup;
  p->maxstack = maxstack;
  p->k = (ckey *)(p + 1);
  p->up = (cup *)(p->k + nk);
  p->memo = (cval *)(p->up + nup);
  for (size_t j = 0; j < ncode; j++) p->memo[j].t = V_NONE;
  uint32_t *c = (uint32_t *)(p->memo + ncode);
  memcpy(c, code, 4 * ncode);
  p->code = c;
  char *t = (char *)(c + ncode);
  cc->out = p;
  r = at;
  for (size_t j = 0; j < nk; j++) {
    ckey *k = &p->k[j];
    int tag = rbyte(&r);
    k->world = k->field = -1;
    k->v.a = -1;
    switch (tag) {
    case 0x13:
      k->v.t = V_FLT;
      memcpy(&k->v.u.n, rblock(&r, 8), 8);
      break;
    case 0x03:
      k->v.t = V_INT;
      memcpy(&k->v.u.i, rblock(&r, 8), 8);
      break;
    case 0x00: k->v.t = V_NIL; break;
    case 0x01: case 0x11:
      k->v.t = V_BOOL;
      k->v.a = tag == 0x11;
      break;
    default: {
      size_t n = rsize(&r) - 1;
      memcpy(t, rblock(&r, n), n);
      t[n] = '\0';
      k->v.t = V_STR;
      k->v.u.s = t;
      t += n + 1;
      if (strlen(k->v.u.s) != n) {   /* a NUL inside */
        cc->refused = true;
        break;
      }
      name_info(k, brink__sc_name(h, L, k->v.u.s));
      k->len = n;
    }
    }
  }
  return 0;
}

/* The functions of a script that programs call, as far as they are
   kept track of (a scenario has a few helpers). */
#define MAX_CALLEES 256
#define NREGS 512   /* the registers of every frame of a run */
#define CTEXT 4096  /* the text of a run's joined strings */
#define CLISTS 256  /* the items of a run's lists */
#define LOOPS 100000    /* the turns of loops a run may take */

/* What a function that is not compiled has in place of its program. */
static const char rejected = 'r';

/* The program of function 'fn', compiled on first use; NULL when it is
   not one this file runs.  Handles are registry references the host
   never releases, so a handle is one function for the host's life. */
static const struct brink__cprog *program(host *h, int fn) {
  if (fn < 0) return NULL;
  if (fn >= h->ncprogs) {
    int n = h->ncprogs ? h->ncprogs : 64;
    while (n <= fn) n *= 2;
    void **more = brink__realloc(h->e, h->cprogs,
                                 sizeof(void *) * (size_t)h->ncprogs,
                                 sizeof(void *) * (size_t)n);
    if (more == NULL) return NULL;
    memset(more + h->ncprogs, 0, sizeof(void *) * (size_t)(n - h->ncprogs));
    h->cprogs = more;
    h->ncprogs = n;
  }
  void *p = h->cprogs[fn];
  if (p == &rejected) return NULL;
  if (p) return p;
  lua_State *L = h->box.L;
  compiling cc = {h, fn, {h->e, NULL, 0, 0}, NULL, false};
  int top = lua_gettop(L);
  int rc = LUA_ERRMEM;
  if (lua_checkstack(L, 4)) {
    lua_pushcfunction(L, compile);
    lua_pushlightuserdata(L, &cc);
    rc = lua_pcall(L, 1, 0, 0);
  }
  lua_settop(L, top);
  if (cc.d.p) brink__free(h->e, cc.d.p, cc.d.cap);
  if (cc.out && (rc != LUA_OK || cc.refused || cc.out->maxstack > 250 ||
                 !accepted(cc.out->code, cc.out->ncode, cc.out->k,
                           cc.out->nk, cc.out->nup))) {
    brink__free(h->e, cc.out, cc.out->bytes);
    cc.out = NULL;
  }
  h->cprogs[fn] = cc.out ? (void *)cc.out : (void *)&rejected;
  return cc.out;
}

void brink__sc_cexpr_free(host *h) {
  for (int i = 0; i < h->ncprogs; i++) {
    struct brink__cprog *p = h->cprogs[i];
    if (p && (const void *)p != (const void *)&rejected)
      brink__free(h->e, p, p->bytes);
  }
  if (h->cprogs)
    brink__free(h->e, h->cprogs, sizeof(void *) * (size_t)h->ncprogs);
  if (h->callees)
    brink__free(h->e, h->callees, sizeof(sc_callee) * MAX_CALLEES);
  if (h->cregs) brink__free(h->e, h->cregs, sizeof(cval) * NREGS);
  if (h->ctext) brink__free(h->e, h->ctext, CTEXT);
  if (h->clists) brink__free(h->e, h->clists, sizeof(cval) * CLISTS);
  h->cregs = NULL;
  h->ctext = NULL;
  h->clists = NULL;
  h->cprogs = NULL;
  h->ncprogs = 0;
  h->callees = NULL;
  h->ncallees = 0;
}

/* A table the run made: t[i] of its list, or t.name of its fields. */
static bool list_get(const cval *items, const cval *t, const cval *key,
                     cval *out) {
  static const cval nil = {V_NIL, 0, 0, {0}, NULL};
  const cval *head = &items[t->b], *v = &nil;
  if (key->t == V_INT) {
    if (key->u.i >= 1 && key->u.i <= t->a) v = &items[t->b + key->u.i];
  } else if (key->t == V_STR && key->k != NULL) {
    const cval *named = head + 1 + head->a;
    for (int64_t j = 0; j < head->u.i; j++)
      if (strcmp(named[2 * j].u.s, key->u.s) == 0) v = &named[2 * j + 1];
  } else {
    return false;
  }
  *out = *v;   /* last: 'out' may be 't' or 'key' */
  return true;
}

static bool list_set(cval *items, const cval *t, const cval *key,
                     const cval *v) {
  cval *head = &items[t->b];
  if (key->t != V_STR || key->k == NULL || v->t == V_NIL) return false;
  cval *named = head + 1 + head->a;
  int64_t j = 0;
  while (j < head->u.i && strcmp(named[2 * j].u.s, key->u.s) != 0) j++;
  if (j == head->b) return false;   /* no room: Lua's table grows */
  named[2 * j] = *key;
  named[2 * j + 1] = *v;
  if (j == head->u.i) head->u.i++;
  return true;
}

/* running ----------------------------------------------------------------- */

static bool tonum(const cval *v, double *d) {
  if (v->t == V_INT) *d = (double)v->u.i;
  else if (v->t == V_FLT) *d = v->u.n;
  else return false;
  return true;
}

/* Lua's arithmetic on numbers (0: not numbers, the metamethod's). */
static inline bool arith(int op, const cval *x, const cval *y, cval *out) {
  if (op != X_DIV && x->t == V_INT && y->t == V_INT) {
    uint64_t a = (uint64_t)x->u.i, b = (uint64_t)y->u.i;
    uint64_t r = op == X_ADD ? a + b : op == X_SUB ? a - b : a * b;
    *out = (cval){V_INT, 0, 0, {.i = (int64_t)r}, NULL};
    return true;
  }
  double a, b;
  if (!tonum(x, &a) || !tonum(y, &b)) return false;
  *out = (cval){V_FLT, 0, 0,
                {.n = op == X_ADD ? a + b : op == X_SUB ? a - b
                      : op == X_MUL ? a * b : a / b}, NULL};
  return true;
}

/* x < y (lt) or x <= y; -1: not both numbers, or not exactly doable. */
static inline int order(const cval *x, const cval *y, bool le) {
  if (x->t == V_INT && y->t == V_INT)
    return le ? x->u.i <= y->u.i : x->u.i < y->u.i;
  double a, b;
  if (!tonum(x, &a) || !tonum(y, &b)) return -1;
  if ((x->t == V_INT && (x->u.i > LIMIT53 || x->u.i < -LIMIT53)) ||
      (y->t == V_INT && (y->u.i > LIMIT53 || y->u.i < -LIMIT53)))
    return -1;
  return le ? a <= b : a < b;
}

/* A date compared with a date or a "YYYY-MM-DD" string, as the date's
   metamethods do (noting the read); 'op' 0: ==, 1: <, 2: <=.  -1: not
   dates. */
static int dates(brink_engine *e, const cval *x, const cval *y, int op) {
  int32_t d[2];
  const cval *v[2] = {x, y};
  if (x->t != V_DATE && y->t != V_DATE) return -1;
  for (int j = 0; j < 2; j++) {
    if (v[j]->t == V_DATE) d[j] = v[j]->a;
    else if (op == 0 || v[j]->t != V_STR ||
             brink_date_parse(v[j]->u.s, &d[j]) != BRINK_OK)
      return op == 0 && v[j]->t != V_DATE ? 0 : -1;   /* ==: no metamethod */
  }
  brink__note_date_read(e);
  return op == 0 ? d[0] == d[1] : op == 1 ? d[0] < d[1] : d[0] <= d[1];
}

/* Lua's raw equality; -1 for tables (a metamethod could say). */
static int equal(const cval *x, const cval *y) {
  if (x->t >= V_W || y->t >= V_W) return -1;
  if ((x->t == V_INT || x->t == V_FLT) && (y->t == V_INT || y->t == V_FLT)) {
    if (x->t == V_INT && y->t == V_INT) return x->u.i == y->u.i;
    int r = order(x, y, true);
    if (r < 0) return -1;
    double a, b;
    tonum(x, &a);
    tonum(y, &b);
    return a == b;
  }
  if (x->t != y->t) return 0;
  switch (x->t) {
  case V_NIL: return 1;
  case V_BOOL: return x->a == y->a;
  default: return strcmp(x->u.s, y->u.s) == 0;
  }
}

static bool falsy(const cval *v) {
  return v->t == V_NIL || (v->t == V_BOOL && !v->a);
}

/* A string's length: a constant's or an upvalue's is known (strlen of a
   long text read cold costs more than its instructions say). */
static size_t slen(const cval *v) {
  return v->k && v->k->v.u.s == v->u.s ? v->k->len : strlen(v->u.s);
}

/* A variable's value as push_as gives it to Lua. */
static inline bool read_slot(host *h, int slot, cval *out) {
  /* Whole values are stored at once, here and below: a value written
     field by field and then copied whole stalls the copy. */
  double v;
  if (brink__read(h->e, slot, &v) != BRINK_OK) return false;
  switch (h->types[slot]) {
  case BRINK_FLAG:
    *out = (cval){V_BOOL, v != 0, 0, {0}, NULL};
    return true;
  case BRINK_ENUM: {
    const char *s = brink_var_enum_value(h->e, slot, (int)v);
    *out = (cval){V_STR, -2, 0, {.s = s}, NULL};
    return s != NULL;
  }
  default:
    if (fabs(v) < 9e15 && (double)(int64_t)v == v)
      *out = (cval){V_INT, -1, 0, {.i = (int64_t)v}, NULL};
    else
      *out = (cval){V_FLT, -1, 0, {.n = v}, NULL};
    return true;
  }
}

/* R[B][key]: 'k' the key's constant, or NULL for a string key found at
   run time (only an actor's name: its index in key->a). */
static bool index_value(host *h, const brink__call *c, const cval *o,
                        const cval *key, cval *out) {
  brink_engine *e = h->e;
  if (key->t != V_STR) return false;
  const ckey *k = key->k;
  switch (o->t) {
  case V_W:
    if (key->a >= 0) {
      *out = (cval){V_ACTOR, key->a, 0, {0}, NULL};
      return true;
    }
    if (k && k->world >= 0) return read_slot(h, k->world, out);
    if (k && k->date) {               /* as world_index does */
      brink__note_date_touch(e);
      *out = (cval){V_DATE, brink_date(e), 0, {0}, NULL};
      return true;
    }
    return false;                     /* an error */
  case V_DATE: {
    /* As the date's __index does: the year alone is noted as the year. */
    if (!k || k->dkey == 0) return false;
    if (k->dkey == 1) brink__note_date_year(e);
    else brink__note_date_read(e);
    if (k->dkey == 4) {   /* the turn of today's date: no search */
      int now = brink_turn(e);
      if (o->a != brink_date(e) || now < 1 || now > brink_turn_count(e))
        return false;
      *out = (cval){V_INT, -1, 0, {.i = now}, NULL};
      return true;
    }
    if (!h->civil_ok || h->civil_days != o->a) {
      brink_date_civil(o->a, &h->civil[0], &h->civil[1], &h->civil[2]);
      h->civil_days = o->a;
      h->civil_ok = true;
    }
    *out = (cval){V_INT, -1, 0, {.i = h->civil[k->dkey - 1]}, NULL};
    return true;
  }
  case V_ACTOR: {
    if (!k || k->field < 0) return false;
    const field *f = &h->fields[k->field];
    if (f->relation) {
      *out = (cval){V_REL, o->a, f->decl, {0}, NULL};
      return true;
    }
    if (f->slot[o->a] < 0) return false;
    return read_slot(h, f->slot[o->a], out);
  }
  case V_REL: {
    if (key->a < 0) return false;
    int s = brink__relation_slot(e, o->b, o->a, key->a);
    return s >= 0 && read_slot(h, s, out);
  }
  case V_M: {
    if (!k) return false;
    int move, actor, target;
    brink__option_info(e, c->option, &move, &actor, &target);
    if (k->mkey == 1)
      *out = (cval){V_STR, actor, 0, {.s = brink_actor_id(e, actor)}, NULL};
    else if (k->mkey == 2)
      *out = (cval){V_STR, -2, 0, {.s = brink_move_name(e, move)}, NULL};
    else if (k->mkey == 3 && target >= 0)
      *out = (cval){V_STR, target, 0, {.s = brink_actor_id(e, target)}, NULL};
    else
      *out = (cval){V_NIL, 0, 0, {0}, NULL};
    return true;
  }
  default:
    return false;
  }
}

/* calls, upvalues and tables ---------------------------------------------- */

static int make_ref(lua_State *L) {
  lua_settop(L, 1);
  lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
  return 1;
}

/* A handle of the function or table on top, made the first time it is
   met (they are the script's, kept for the host's life); pops it. */
static int handle(host *h, lua_State *L) {
  const void *x = lua_topointer(L, -1);
  for (int i = 0; i < h->ncallees; i++)
    if (h->callees[i].fn == x) {
      lua_pop(L, 1);
      return h->callees[i].ref;
    }
  int ref = -1;
  if (h->ncallees < MAX_CALLEES && lua_checkstack(L, 2) &&
      (h->callees || (h->callees = brink__alloc(
                          h->e, sizeof(sc_callee) * MAX_CALLEES)) != NULL)) {
    lua_pushcfunction(L, make_ref);
    lua_rotate(L, -2, 1);
    if (lua_pcall(L, 1, 1, 0) == LUA_OK) {
      ref = (int)lua_tointeger(L, -1);
      h->callees[h->ncallees++] = (sc_callee){x, ref};
    }
  }
  lua_pop(L, 1);
  return ref;
}

/* The Lua value on top as a value here, popped.  A table must be frozen
   (made while loading, so it cannot change): its contents stand for it.
   'up': an upvalue's string meaning, kept. */
static bool take(host *h, lua_State *L, cup *up, cval *out) {
  *out = (cval){V_NIL, 0, 0, {0}, NULL};
  switch (lua_type(L, -1)) {
  case LUA_TNIL: break;
  case LUA_TBOOLEAN:
    *out = (cval){V_BOOL, lua_toboolean(L, -1), 0, {0}, NULL};
    break;
  case LUA_TNUMBER:
    if (lua_isinteger(L, -1))
      *out = (cval){V_INT, 0, 0, {.i = lua_tointeger(L, -1)}, NULL};
    else
      *out = (cval){V_FLT, 0, 0, {.n = lua_tonumber(L, -1)}, NULL};
    break;
  case LUA_TSTRING: {
    /* Upvalues and frozen tables keep the string alive.  An upvalue's
       meaning as a name is found again only when its text changes; of a
       table's string only the actor it names is looked up. */
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (strlen(s) != len) {
      lua_pop(L, 1);
      return false;
    }
    if (up == NULL) {   /* an actor's name can index w */
      const name_rec *nr = brink__sc_name_at(h, L, -1);
      *out = (cval){V_STR, nr ? nr->actor : -1, 0, {.s = s}, NULL};
      break;
    }
    if (up->k.v.u.s != s || up->k.len != len || len >= sizeof up->text ||
        memcmp(up->text, s, len) != 0) {
      up->k.v.t = V_STR;
      up->k.v.u.s = s;
      name_info(&up->k, brink__sc_name_at(h, L, -1));
      up->k.len = len;
      if (len < sizeof up->text) memcpy(up->text, s, len);
    }
    *out = up->k.v;
    break;
  }
  case LUA_TFUNCTION: {
    out->t = V_FN;
    out->a = F_LUA;
    if (lua_iscfunction(L, -1)) {
      lua_CFunction f = lua_tocfunction(L, -1);
      int k = 0;
      while (k < NLIBFNS && h->libfns[k] != f) k++;
      out->a = k < NLIBFNS ? F_MAX + k : F_OTHER;
    } else if (lua_topointer(L, -1) == h->news) {
      out->a = F_NEWS;
    }
    return (out->b = handle(h, L)) >= 0;
  }
  case LUA_TTABLE:
    /* Its contents are all a read finds only if it had no metatable (an
       __index would answer what they lack). */
    if (!brink__box_frozen_bare(L, -1)) {
      lua_pop(L, 1);
      return false;
    }
    brink__box_sealed(L, -1);   /* pushes the contents */
    lua_replace(L, -2);
    out->t = V_TAB;
    return (out->b = handle(h, L)) >= 0;
  default:
    lua_pop(L, 1);
    return false;
  }
  lua_pop(L, 1);
  return true;
}

/* t[key] of a frozen table: a name or an integer key. */
static bool table_get(host *h, lua_State *L, const cval *t, const cval *key,
                      cval *out) {
  if (!lua_checkstack(L, 3)) return false;
  lua_rawgeti(L, LUA_REGISTRYINDEX, t->b);
  if (key->t == V_INT) {
    lua_rawgeti(L, -1, key->u.i);
  } else if (key->t == V_STR && (key->k || key->a >= 0) &&
             slen(key) <= 40) {
    lua_pushstring(L, key->u.s);     /* a name: Lua has it interned */
    lua_rawget(L, -2);
  } else {
    lua_pop(L, 1);
    return false;
  }
  lua_remove(L, -2);
  return take(h, L, NULL, out);
}

/* R[a] .. ... .. R[a + n - 1] of strings, kept in the host's text for
   the rest of the run (which is bounded, so the text never moves). */
static bool join(host *h, cval *r, int n) {
  size_t len = 0;
  for (int j = 0; j < n; j++) {
    if (r[j].t != V_STR) return false;   /* numbers: Lua's own text */
    len += slen(&r[j]);
  }
  if (h->ctext == NULL &&
      (h->ctext = brink__alloc(h->e, CTEXT)) == NULL)
    return false;
  if (len + 1 > CTEXT - h->ctext_len) return false;
  char *at = h->ctext + h->ctext_len, *t = at;
  for (int j = 0; j < n; j++) {
    size_t k = slen(&r[j]);
    memcpy(t, r[j].u.s, k);
    t += k;
  }
  *t = '\0';
  h->ctext_len += len + 1;
  r[0] = (cval){V_STR, -2, 0, {.s = at}, NULL};
  return true;
}

/* news(fmt, ...) with only %s of strings, %d of integers and %%, as
   string.format writes them; false: Lua must. */
static bool news_text(const cval *args, int n, char *buf, size_t cap,
                      size_t *len) {
  const char *f = args[0].u.s, *end = f + slen(&args[0]);
  size_t at = 0;
  int arg = 1;
  while (f < end) {
    const char *pct = memchr(f, '%', (size_t)(end - f));
    const char *piece = f;
    size_t k = (size_t)((pct ? pct : end) - f);
    char num[24];
    if (k == 0) {   /* at a '%' */
      if (f + 1 < end && f[1] == '%') {
        k = 1;
      } else if (f + 1 < end && f[1] == 's' && arg < n &&
                 args[arg].t == V_STR) {
        piece = args[arg].u.s;
        k = slen(&args[arg++]);
      } else if (f + 1 < end && f[1] == 'd' && arg < n &&
                 args[arg].t == V_INT) {
        k = (size_t)snprintf(num, sizeof num, "%lld",
                             (long long)args[arg++].u.i);
        piece = num;
      } else {
        return false;
      }
      f += 2;
    } else {
      f += k;
    }
    if (at + k >= cap) return false;
    memcpy(buf + at, piece, k);
    at += k;
  }
  buf[at] = '\0';
  *len = at;
  return true;
}

/* A function called in Lua, protected, with plain values for arguments
   and results ('want' of them; strings are copied into the run's text,
   where they outlive the call). */
typedef struct callout {
  host *h;
  const cval *args;
  int n, want;   /* want -1: all (at most 8) */
  cval *out;
  int got;
} callout;

/* [-0, +1, e] A plain value, or a table the run made, as Lua's. */
static void push_plain(lua_State *L, const cval *items, const cval *v,
                       int depth) {
  luaL_checkstack(L, 3, NULL);
  switch (v->t) {
  case V_NIL: lua_pushnil(L); break;
  case V_BOOL: lua_pushboolean(L, v->a); break;
  case V_INT: lua_pushinteger(L, v->u.i); break;
  case V_FLT: lua_pushnumber(L, v->u.n); break;
  case V_STR: lua_pushstring(L, v->u.s); break;
  case V_LIST: {
    const cval *head = &items[v->b], *named = head + 1 + head->a;
    if (depth > 8) luaL_error(L, "tables nested too deeply for C");
    lua_createtable(L, v->a, (int)head->u.i);
    for (int j = 1; j <= v->a; j++) {
      push_plain(L, items, &items[v->b + j], depth + 1);
      lua_rawseti(L, -2, j);
    }
    for (int64_t j = 0; j < head->u.i; j++) {
      push_plain(L, items, &named[2 * j + 1], depth + 1);
      lua_setfield(L, -2, named[2 * j].u.s);
    }
    break;
  }
  default: luaL_error(L, "a value C cannot hand to Lua");
  }
}

static int call_lua(lua_State *L) {
  callout *co = lua_touserdata(L, 1);
  host *h = co->h;
  luaL_checkstack(L, co->n + 1, NULL);
  for (int i = 0; i < co->n; i++)
    push_plain(L, h->clists, &co->args[i], 0);
  lua_call(L, co->n, co->want < 0 ? LUA_MULTRET : co->want);
  co->got = lua_gettop(L) - 1;
  if (co->got > 8) return luaL_error(L, "more results than C keeps");
  luaL_checkstack(L, 2, NULL);
  for (int i = 0; i < co->got; i++) {
    int at = 2 + i;
    cval *v = &co->out[i];
    lua_pushvalue(L, at);
    if (lua_type(L, -1) == LUA_TSTRING) {
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      if (strlen(s) != len || len + 1 > CTEXT - h->ctext_len)
        return luaL_error(L, "a string C cannot keep");
      char *t = h->ctext + h->ctext_len;
      memcpy(t, s, len + 1);
      h->ctext_len += len + 1;
      *v = (cval){V_STR, -1, 0, {.s = t}, NULL};
      lua_pop(L, 1);
    } else if (lua_type(L, -1) > LUA_TSTRING ||
               !take(h, L, NULL, v)) {
      return luaL_error(L, "a value C cannot keep");
    }
  }
  return 0;
}

static bool lists_in(const cval *args, int n) {
  for (int i = 0; i < n; i++)
    if (args[i].t == V_LIST) return true;
  return false;
}

/* Is function 'fn' the prelude's (news, schedule, believe...)? */
static bool prelude_fn(lua_State *L, int fn) {
  lua_Debug ar;
  if (!lua_checkstack(L, 2)) return false;
  lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
  return lua_getinfo(L, ">S", &ar) &&
         strcmp(ar.source, BRINK__BOX_PRELUDE) == 0;
}

/* Returns how many results it gave, or -1. */
static int call_in_lua(host *h, lua_State *L, int fn, const cval *args,
                       int n, int want, cval *out) {
  for (int i = 0; i < n; i++)
    if (args[i].t > V_STR && args[i].t != V_LIST) return -1;
  if (want != 0 && h->ctext == NULL &&
      (h->ctext = brink__alloc(h->e, CTEXT)) == NULL)
    return -1;
  if (!lua_checkstack(L, 4)) return -1;
  callout co = {h, args, n, want, out, 0};
  lua_pushcfunction(L, call_lua);
  lua_pushlightuserdata(L, &co);
  lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
  return brink__sc_call(h, 2, 0) == BRINK_OK ? co.got : -1;
}

static bool news(host *h, lua_State *L, int fn, const cval *args, int n) {
  for (int i = 0; i < n; i++)
    if (args[i].t > V_STR) return false;
  if (n >= 1 && args[0].t == V_STR && !h->loading &&
      brink__running(h->e)) {
    if (n == 1)   /* news(text): no format */
      return brink__news(h->e, args[0].u.s, slen(&args[0])) == BRINK_OK;
    char text[1024];
    size_t len;
    if (news_text(args, n, text, sizeof text, &len))
      return brink__news(h->e, text, len) == BRINK_OK;
  }
  return call_in_lua(h, L, fn, args, n, 0, NULL) >= 0;
}

/* math.max and the rest, as Lua computes them (a float that fits is
   floored to an integer). */
static bool mathfn(int kind, const cval *args, int n, cval *out) {
  if (n < 1) return false;
  for (int i = 0; i < n; i++)
    if (args[i].t != V_INT && args[i].t != V_FLT) return false;
  const cval *x = &args[0];
  switch (kind) {
  case F_MAX: case F_MIN: {
    const cval *best = x;
    for (int i = 1; i < n; i++) {
      int lt = kind == F_MAX ? order(best, &args[i], false)
                             : order(&args[i], best, false);
      if (lt < 0) return false;
      if (lt) best = &args[i];
    }
    *out = *best;
    return true;
  }
  case F_ABS:
    if (x->t == V_INT)
      *out = (cval){V_INT, 0, 0,
                    {.i = x->u.i < 0 ? (int64_t)(0u - (uint64_t)x->u.i)
                                     : x->u.i}, NULL};
    else
      *out = (cval){V_FLT, 0, 0, {.n = fabs(x->u.n)}, NULL};
    return true;
  default: {
    if (x->t == V_INT) {
      *out = *x;
      return true;
    }
    double d = kind == F_FLOOR ? floor(x->u.n) : ceil(x->u.n);
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
      *out = (cval){V_INT, 0, 0, {.i = (int64_t)d}, NULL};
    else
      *out = (cval){V_FLT, 0, 0, {.n = d}, NULL};
    return true;
  }
  }
}

/* chance(p), random(), random(n), random(lo, hi), normal(mu, sd) on the
   run's own stream, as scenario_lib.c draws them. */
static bool draw(host *h, int kind, const cval *args, int n, cval *out) {
  brink_engine *e = h->e;
  double x[2] = {0, 1};
  if (h->loading || !brink__running(e) || n > 2) return false;
  for (int i = 0; i < n; i++)
    if (!tonum(&args[i], &x[i])) return false;
  if (kind == F_CHANCE) {
    int hit;
    if (n != 1) return false;
    brink__odds_now(e, &x[0]);
    if (brink_chance_in(e, NULL, x[0], &hit) != BRINK_OK) return false;
    *out = (cval){V_BOOL, hit, 0, {0}, NULL};
    return true;
  }
  if (kind == F_NORMAL || n == 0) {
    double d;
    int rc = kind == F_NORMAL ? brink_normal_in(e, NULL, x[0], x[1], &d)
                              : brink_random_in(e, NULL, &d);
    if (rc != BRINK_OK) return false;
    *out = (cval){V_FLT, 0, 0, {.n = d}, NULL};
    return true;
  }
  for (int i = 0; i < n; i++)
    if (args[i].t != V_INT) return false;
  int64_t lo = n == 2 ? args[0].u.i : 1, hi = args[n - 1].u.i, r;
  if (hi == 0 && n == 1) return false;
  if (lo > hi || brink_random_int_in(e, NULL, lo, hi, &r) != BRINK_OK)
    return false;
  *out = (cval){V_INT, 0, 0, {.i = r}, NULL};
  return true;
}

/* What a run changed outside its registers, undone when it gives up:
   the Lua stack from 'top' (-1: untouched), and from the first write,
   draw or news on, a transaction and what the writes so far did to the
   coverage counts (Lua counts them again). */
typedef struct undo {
  int top;
  bool txn;
  int never;  /* the function never to run here again */
} undo;

/* Before an effect's first change: a transaction to roll it back in, and
   the engine's log of the coverage counts its writes make (Lua, running
   the effect again, counts them again). */
static bool changing(host *h, undo *u) {
  if (!u->txn && brink_txn_begin(h->e) == BRINK_OK) {
    u->txn = true;
    brink__cover_log(h->e, true);
  }
  return u->txn;
}

/* o[key] = v, through the engine's write. */
static bool assign(host *h, const cval *o, const cval *key, const cval *v,
                   undo *u) {
  brink_engine *e = h->e;
  const ckey *k = key->k;
  int slot = -1;
  if (key->t != V_STR) return false;
  if (o->t == V_W && k) {
    slot = k->world;
  } else if (o->t == V_ACTOR && k && k->field >= 0) {
    const field *f = &h->fields[k->field];
    if (!f->relation) slot = f->slot[o->a];
  } else if (o->t == V_REL && key->a >= 0) {
    slot = brink__relation_slot(e, o->b, o->a, key->a);
  }
  if (slot < 0) return false;
  double d;
  switch (h->types[slot]) {
  case BRINK_FLAG:
    if (v->t != V_BOOL) return false;
    d = v->a;
    break;
  case BRINK_ENUM: {
    const char *best;
    if (v->t != V_STR) return false;
    int i = brink__enum_index(e, slot, v->u.s, &best);
    if (i < 0) return false;
    d = i;
    break;
  }
  default:
    if (v->t == V_INT) {
      if (h->types[slot] == BRINK_INTEGER &&
          (v->u.i > LIMIT53 || v->u.i < -LIMIT53))
        return false;
      d = (double)v->u.i;
    } else if (v->t == V_FLT) {
      d = v->u.n;
    } else {
      return false;
    }
  }
  if (!changing(h, u)) return false;
  return brink__write(e, slot, d) == BRINK_OK;
}

/* running ----------------------------------------------------------------- */

#define NEVER (-2)   /* given up for a reason that stays: never again */
#define MAX_FRAMES 8

typedef struct frame {
  const struct brink__cprog *p;
  int base, pc;
  int fidx;        /* the function on the Lua stack, 0: not pushed */
  int fn;          /* its handle */
  int ret, want;   /* the caller's call: where results go, how many */
} frame;

/* Upvalue 'n', or with a key its field 'key' (a frozen table's).  Once
   the scenario runs neither can change (lint.c, freeze.c), so what the
   instruction found is kept in the program. */
static bool upvalue(host *h, lua_State *L, frame *f, int at, int n,
                    const cval *key, cval *out, undo *u) {
  cval *memo = &f->p->memo[at];
  if (memo->t != V_NONE) {
    *out = *memo;
    return true;
  }
  if (f->fidx == 0) {
    if (u->top < 0) u->top = lua_gettop(L);
    if (!lua_checkstack(L, 4)) return false;
    lua_rawgeti(L, LUA_REGISTRYINDEX, f->fn);
    f->fidx = lua_gettop(L);
  } else if (!lua_checkstack(L, 3)) {
    return false;
  }
  if (lua_getupvalue(L, f->fidx, n + 1) == NULL ||
      !take(h, L, &f->p->up[n], out))
    return false;
  if (key) {
    cval t = *out;
    if (t.t != V_TAB || !table_get(h, L, &t, key, out)) return false;
  }
  if (!h->loading && brink__running(h->e)) *memo = *out;
  return true;
}

/*
** A function C cannot run, called by an effect in Lua (a condition may
** not: it could draw or write), with what it can change undone if the run
** gives up later: its results into r[0..], r[1..nargs] its arguments.
** Returns how many results, or -1 / NEVER (the run's function, or for a
** table 'caller', never runs here).
*/
__attribute__((noinline))   /* cold: kept out of exec, whose hot reads
                               the compiler then inlines */
static int call_out(host *h, lua_State *L, int caller, int mode, cval *r,
                    int nargs, int want, undo *u) {
  if (mode != BRINK__CX_EFFECT || want > 8) return NEVER;   /* the run's */
  /* Lua gets a copy of a table the run made: only the prelude's functions
     are known to leave it as it was. */
  if (lists_in(&r[1], nargs) && !prelude_fn(L, r[0].b)) {
    u->never = caller;
    return NEVER;
  }
  cval res[8];
  int got;
  if (!changing(h, u) ||
      (got = call_in_lua(h, L, r[0].b, &r[1], nargs, want, res)) < 0)
    return -1;
  for (int j = 0; j < got; j++) r[j] = res[j];
  for (int j = got; j < want; j++) r[j] = (cval){V_NIL, 0, 0, {0}, NULL};
  return got;
}

/* Runs the program; -1: given up. */
static int exec(host *h, const struct brink__cprog *p, int fn,
                const brink__call *c, int mode, cval *S, int *first,
                int *nret, undo *u) {
  lua_State *L = h->box.L;
  frame F[MAX_FRAMES];
  int depth = 0, top = 0;
  F[0] = (frame){p, 0, 0, 0, fn, 0, 0};
  if (p->nparams > 0) S[0] = (cval){V_W, 0, 0, {0}, NULL};
  if (p->nparams > 1)
    S[1] = c->option >= 0 ? (cval){V_M, c->option, 0, {0}, NULL}
                          : (cval){V_NIL, 0, 0, {0}, NULL};
  for (int j = 2; j < p->nparams; j++) S[j] = (cval){V_NIL, 0, 0, {0}, NULL};
  frame *f = &F[0];
  cval *R = S;
  const uint32_t *code = p->code;
  const ckey *K = p->k;
  cval *items = h->clists;
  /* accepted() proved every jump lands inside the code, which ends in a
     return: only loops are counted, at their jumps back. */
  int loops = LOOPS, pc = 0;   /* the frame's, kept here while it runs */
  for (;;) {
    uint32_t i = code[pc++];
    int cond;
    switch (OP(i)) {
    case X_MOVE: R[GA(i)] = R[GB(i)]; break;
    case X_LOADI:
      R[GA(i)] = (cval){V_INT, 0, 0, {.i = GSBX(i)}, NULL};
      break;
    case X_LOADF:
      R[GA(i)] = (cval){V_FLT, 0, 0, {.n = (double)GSBX(i)}, NULL};
      break;
    case X_LOADK: R[GA(i)] = K[GBX(i)].v; break;
    case X_LOADFALSE: R[GA(i)] = (cval){V_BOOL, 0, 0, {0}, NULL}; break;
    case X_LFALSESKIP:
      R[GA(i)] = (cval){V_BOOL, 0, 0, {0}, NULL};
      pc++;
      break;
    case X_LOADTRUE: R[GA(i)] = (cval){V_BOOL, 1, 0, {0}, NULL}; break;
    case X_LOADNIL:
      for (int j = 0; j <= GB(i); j++)
        R[GA(i) + j] = (cval){V_NIL, 0, 0, {0}, NULL};
      break;
    case X_GETFIELD: case X_GETTABLE: {
      /* Straight into the register (each reader stores a whole value
         after its last read of 'o' and 'key', which it may be). */
      const cval *o = &R[GB(i)];
      const cval *key = OP(i) == X_GETFIELD ? &K[GC(i)].v : &R[GC(i)];
      if (o->t == V_LIST ? !list_get(items, o, key, &R[GA(i)])
          : o->t == V_TAB ? !table_get(h, L, o, key, &R[GA(i)])
                          : !index_value(h, c, o, key, &R[GA(i)]))
        return -1;
      break;
    }
    case X_GETUPVAL: case X_GETTABUP:
      /* Once the scenario runs, what it cannot read now it never will:
         this function is called in Lua from then on. */
      if (!upvalue(h, L, f, pc - 1, GB(i),
                   OP(i) == X_GETTABUP ? &K[GC(i)].v : NULL, &R[GA(i)], u)) {
        if (h->loading || !brink__running(h->e)) return -1;
        u->never = f->fn;
        return NEVER;
      }
      break;
    case X_SETFIELD: case X_SETTABLE: {
      const cval *key = OP(i) == X_SETFIELD ? &K[GB(i)].v : &R[GB(i)];
      const cval *v = GK(i) ? &K[GC(i)].v : &R[GC(i)];
      if (R[GA(i)].t == V_LIST) {   /* a field of a table the run made */
        if (!list_set(items, &R[GA(i)], key, v)) return -1;
        break;
      }
      if (mode != BRINK__CX_EFFECT) return NEVER;   /* Lua refuses it */
      if (!assign(h, &R[GA(i)], key, v, u)) return -1;
      break;
    }
    case X_ADDI: {
      cval y = {V_INT, 0, 0, {.i = GSC(i)}, NULL};
      if (!arith(X_ADD, &R[GB(i)], &y, &R[GA(i)])) return -1;
      pc++;
      break;
    }
    case X_ADDK: case X_SUBK: case X_MULK: case X_DIVK: {
      static const int ops[] = {X_ADD, X_SUB, X_MUL, 0, 0, X_DIV};
      if (!arith(ops[OP(i) - X_ADDK], &R[GB(i)], &K[GC(i)].v, &R[GA(i)]))
        return -1;
      pc++;
      break;
    }
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
      if (!arith(OP(i), &R[GB(i)], &R[GC(i)], &R[GA(i)])) return -1;
      pc++;
      break;
    case X_UNM: {
      const cval *x = &R[GB(i)];
      if (x->t == V_INT)
        R[GA(i)] = (cval){V_INT, 0, 0,
                          {.i = (int64_t)(0u - (uint64_t)x->u.i)}, NULL};
      else if (x->t == V_FLT)
        R[GA(i)] = (cval){V_FLT, 0, 0, {.n = -x->u.n}, NULL};
      else
        return -1;
      break;
    }
    case X_NOT:
      R[GA(i)] = (cval){V_BOOL, falsy(&R[GB(i)]), 0, {0}, NULL};
      break;
    case X_JMP:
      if (GSJ(i) < 0 && --loops == 0) return -1;
      pc += GSJ(i);
      break;
    case X_EQ:
      if ((cond = equal(&R[GA(i)], &R[GB(i)])) < 0 &&
          (cond = dates(h->e, &R[GA(i)], &R[GB(i)], 0)) < 0)
        return -1;
      goto condjump;
    case X_LT: case X_LE:
      if ((cond = order(&R[GA(i)], &R[GB(i)], OP(i) == X_LE)) < 0 &&
          (cond = dates(h->e, &R[GA(i)], &R[GB(i)], OP(i) == X_LE ? 2 : 1)) <
              0)
        return -1;
      goto condjump;
    case X_EQK:
      if ((cond = equal(&R[GA(i)], &K[GB(i)].v)) < 0 &&
          (cond = dates(h->e, &R[GA(i)], &K[GB(i)].v, 0)) < 0)
        return -1;
      goto condjump;
    case X_CONCAT:
      if (!join(h, &R[GA(i)], GB(i))) return -1;
      break;
    case X_NEWTABLE: {
      /* A table the size its constructor says, in the run's items: a
         header (the room of its list and of its fields, the fields
         set), the list, then each field's name and value. */
      int n = GC(i) + GAX(code[pc++]) * 256;
      int fields = GB(i) ? 1 << (GB(i) - 1) : 0;
      if (items == NULL &&
          (items = h->clists = brink__alloc(h->e, sizeof(cval) * CLISTS)) ==
              NULL)
        return -1;
      if (1 + n + 2 * fields > CLISTS - h->clists_len) return -1;
      items[h->clists_len] = (cval){V_NONE, n, fields, {.i = 0}, NULL};
      R[GA(i)] = (cval){V_LIST, 0, h->clists_len, {0}, NULL};
      h->clists_len += 1 + n + 2 * fields;
      break;
    }
    case X_SETLIST: {
      cval *t = &R[GA(i)];
      int at = GC(i), n = GB(i);
      if (t->t != V_LIST || at != t->a || at + n > items[t->b].a) return -1;
      for (int j = 0; j < n; j++) items[t->b + 1 + at + j] = R[GA(i) + 1 + j];
      t->a = at + n;
      break;
    }
    case X_FORPREP: {   /* integer loops, as Lua counts them */
      cval *r = &R[GA(i)];
      if (r[0].t != V_INT || r[1].t != V_INT || r[2].t != V_INT ||
          r[2].u.i == 0)
        return -1;
      int64_t init = r[0].u.i, limit = r[1].u.i, step = r[2].u.i;
      r[3] = r[0];
      if (step > 0 ? init > limit : init < limit) {
        pc += GBX(i) + 1;
        break;
      }
      uint64_t count = step > 0
          ? ((uint64_t)limit - (uint64_t)init) / (uint64_t)step
          : ((uint64_t)init - (uint64_t)limit) /
                ((uint64_t)(-(step + 1)) + 1u);
      r[1].u.i = (int64_t)count;
      break;
    }
    case X_FORLOOP: {
      cval *r = &R[GA(i)];
      if ((uint64_t)r[1].u.i > 0) {
        r[1].u.i = (int64_t)((uint64_t)r[1].u.i - 1);
        r[0].u.i = (int64_t)((uint64_t)r[0].u.i + (uint64_t)r[2].u.i);
        r[3] = r[0];
        if (--loops == 0) return -1;
        pc -= GBX(i);
      }
      break;
    }
    case X_TFORPREP:
      pc += GBX(i);
      break;
    case X_CLOSE:   /* the loop's closing value: ipairs gives none */
      break;
    case X_TFORCALL: {   /* ipairs' step over a list or a frozen table */
      cval *r = &R[GA(i)], v = {V_NIL, 0, 0, {0}, NULL};
      if (r[0].t != V_FN || r[0].a != F_INEXT || r[2].t != V_INT) return -1;
      int64_t at = r[2].u.i + 1;
      if (r[1].t == V_LIST) {
        if (at >= 1 && at <= r[1].a) v = items[r[1].b + at];
      } else {
        cval key = {V_INT, 0, 0, {.i = at}, NULL};
        if (r[1].t != V_TAB || !table_get(h, L, &r[1], &key, &v)) return -1;
      }
      for (int j = 0; j < GC(i); j++) r[4 + j] = (cval){V_NIL, 0, 0, {0}, NULL};
      if (v.t != V_NIL) {
        r[4] = (cval){V_INT, 0, 0, {.i = at}, NULL};
        if (GC(i) > 1) r[5] = v;
      }
      break;
    }
    case X_TFORLOOP:
      if (R[GA(i) + 4].t != V_NIL) {
        R[GA(i) + 2] = R[GA(i) + 4];
        if (--loops == 0) return -1;
        pc -= GBX(i);
      }
      break;
    case X_EQI: {
      const cval *x = &R[GA(i)];
      cond = x->t == V_INT ? x->u.i == GSB(i)
             : x->t == V_FLT ? x->u.n == (double)GSB(i) : 0;
      goto condjump;
    }
    case X_LTI: case X_LEI: case X_GTI: case X_GEI: {
      cval im = {V_INT, 0, 0, {.i = GSB(i)}, NULL};
      const cval *x = &R[GA(i)];
      if (x->t != V_INT && x->t != V_FLT) return -1;
      switch (OP(i)) {
      case X_LTI: cond = order(x, &im, false); break;
      case X_LEI: cond = order(x, &im, true); break;
      case X_GTI: cond = order(&im, x, false); break;
      default: cond = order(&im, x, true); break;
      }
      if (cond < 0) return -1;
      goto condjump;
    }
    case X_TEST:
      cond = !falsy(&R[GA(i)]);
      goto condjump;
    case X_TESTSET:
      if (falsy(&R[GB(i)]) == GK(i)) {
        pc++;
      } else {
        R[GA(i)] = R[GB(i)];
        pc += GSJ(code[pc]) + 1;
      }
      break;
    case X_CALL: case X_TAILCALL: {
      int a = GA(i);
      int nargs = GB(i) ? GB(i) - 1 : top - (a + 1);
      int want = OP(i) == X_CALL ? GC(i) - 1 : -1;   /* -1: all */
      const cval *fv = &R[a];
      /* Room for what any call here leaves: up to 8 results. */
      if (fv->t != V_FN || nargs < 0 || f->base + a + 8 > NREGS) return -1;
      if (fv->a == F_OTHER) {
        u->never = f->fn;
        return NEVER;
      }
      if (fv->a == F_INEXT) return -1;   /* called by hand */
      if (fv->a == F_LUA) {
        const struct brink__cprog *q = program(h, fv->b);
        int base = f->base + a + 1;
        if (q == NULL) {
          int got = call_out(h, L, f->fn, mode, &R[a], nargs, want, u);
          if (got < 0) return got;
          if (want < 0) top = a + got;
          break;
        }
        if (depth + 1 == MAX_FRAMES || base + q->maxstack > NREGS)
          return -1;
        for (int j = nargs; j < q->nparams; j++)
          S[base + j] = (cval){V_NIL, 0, 0, {0}, NULL};
        f->pc = pc;
        pc = 0;
        F[++depth] = (frame){q, base, 0, 0, fv->b, f->base + a, want};
        f = &F[depth];
        R = S + base;
        code = q->code;
        K = q->k;
        break;
      }
      int n = 0;
      if (fv->a == F_NEWS || (fv->a >= F_CHANCE && fv->a <= F_NORMAL)) {
        if (mode != BRINK__CX_EFFECT) return NEVER;   /* Lua refuses it */
        if (!changing(h, u)) return -1;
        if (fv->a == F_NEWS ? !news(h, L, fv->b, &R[a + 1], nargs)
                            : !draw(h, fv->a, &R[a + 1], nargs, &R[a]))
          return -1;
        n = fv->a != F_NEWS;
      } else if (fv->a == F_IPAIRS) {
        if (nargs < 1 || (R[a + 1].t != V_LIST && R[a + 1].t != V_TAB))
          return -1;
        R[a + 2] = (cval){V_INT, 0, 0, {.i = 0}, NULL};
        R[a] = (cval){V_FN, F_INEXT, 0, {0}, NULL};
        n = 3;
      } else if (fv->a == F_DATE) {
        const cval *x = &R[a + 1];
        int32_t days;
        if (nargs < 1) return -1;
        if (x->t == V_DATE) days = x->a;
        else if (x->t != V_STR || brink_date_parse(x->u.s, &days) != BRINK_OK)
          return -1;
        R[a] = (cval){V_DATE, days, 0, {0}, NULL};
        n = 1;
      } else {
        if (!mathfn(fv->a, &R[a + 1], nargs, &R[a])) return -1;
        n = 1;
      }
      if (want < 0) top = a + n;
      for (int j = n; j < want; j++) R[a + j] = (cval){V_NIL, 0, 0, {0}, NULL};
      break;
    }
    case X_RETURN: case X_RETURN0: case X_RETURN1: {
      int a = GA(i);
      int n = OP(i) == X_RETURN0 ? 0 : OP(i) == X_RETURN1 ? 1
              : GB(i) ? GB(i) - 1 : top - a;
      if (n < 0) return -1;
      if (depth == 0) {
        *first = a;
        *nret = n;
        return BRINK_OK;
      }
      /* Back in the caller, the results where its call was. */
      cval *to = S + f->ret;
      int want = f->want;
      for (int j = 0; j < n && (want < 0 || j < want); j++) to[j] = R[a + j];
      for (int j = n; j < want; j++) to[j] = (cval){V_NIL, 0, 0, {0}, NULL};
      f = &F[--depth];
      pc = f->pc;
      R = S + f->base;
      code = f->p->code;
      K = f->p->k;
      if (want < 0) top = (int)(to - R) + n;
      break;
    }
    default:                  /* MMBIN*: an arithmetic Lua would not do */
      return -1;
    }
    continue;
  condjump:
    if (cond != GK(i)) pc++;
    else pc += GSJ(code[pc]) + 1;
  }
}

int brink__sc_cexpr(host *h, int fn, const brink__call *c, int mode,
                    double *value) {
  const struct brink__cprog *p = program(h, fn);
  if (p == NULL) return -1;
  brink_engine *e = h->e;
  /* One set of registers: a run does not start another (news() and the
     draws run no condition, weight or effect). */
  if (h->cbusy) return -1;
  if (h->cregs == NULL &&
      (h->cregs = brink__alloc(e, sizeof(cval) * NREGS)) == NULL)
    return -1;
  cval *S = h->cregs;
  int first = 0, nret = 0;
  h->ctext_len = 0;
  h->clists_len = 0;
  undo u;
  u.top = -1;
  u.txn = false;
  u.never = fn;
  h->cbusy = true;
  int rc = exec(h, p, fn, c, mode, S, &first, &nret, &u);
  h->cbusy = false;
  if (u.top >= 0) lua_settop(h->box.L, u.top);
  if (rc == NEVER) {   /* a call, a read or a write it cannot make */
    struct brink__cprog *q = h->cprogs[u.never];
    brink__free(e, q, q->bytes);
    h->cprogs[u.never] = (void *)&rejected;
  }
  if (u.txn) {
    if (rc != BRINK_OK) brink__cover_undo(e);
    brink__cover_log(e, false);
    if (rc == BRINK_OK) return brink_txn_commit(e) == BRINK_OK ? rc : -1;
    brink_txn_rollback(e);
  }
  if (rc != BRINK_OK) return -1;
  if (mode == BRINK__CX_EFFECT) return BRINK_OK;
  cval none = {V_NIL, 0, 0, {0}, NULL};
  const cval *v = nret >= 1 ? &S[first] : &none;
  if (mode == BRINK__CX_WEIGHT) {
    double d;
    if (!tonum(v, &d)) return -1;   /* Lua reports it */
    *value = d;
    return BRINK_OK;
  }
  *value = !falsy(v);
  if (falsy(v) && nret >= 2 && S[first + 1].t == V_STR) {
    const char *text = S[first + 1].u.s;
    size_t len = slen(&S[first + 1]);
    if (len >= h->reason_cap) return -1;
    memcpy(h->reason, text, len + 1);
  }
  return BRINK_OK;
}
