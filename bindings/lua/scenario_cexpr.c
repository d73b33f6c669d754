/*
** scenario_cexpr.c: conditions and weights run in C, without entering
** Lua (fast paths only).  A 'when' or 'weight' is taken from its own
** bytecode (lua_dump of Lua 5.4's format, whose header is checked):
** when every instruction is one of a small set (registers, constants,
** w.X.y reads, m.by/m.move/m.target, + - * /, unary minus, not,
** comparisons, and/or, forward jumps, return) it is run here by an
** interpreter of that set, which does what Lua's VM does instruction by
** instruction, so the values, the reasons and the order of the reads
** (the cache's read set) are Lua's.  Anything it cannot do the same way
** (a metamethod, an error, an integer past 2^53 compared with a float,
** w.date) gives up and the call goes to Lua, which runs it from the
** start: a condition draws nothing and writes nothing.  Anything outside
** the set (calls, globals, upvalues, loops, closures, // % ^ ..) is
** never compiled.
*/
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "scenario.h"

/* Lua 5.4's opcodes (lopcodes.h), as far as RETURN1. */
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
  X_RETURN0, X_RETURN1
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

enum { V_NIL, V_BOOL, V_INT, V_FLT, V_STR, V_W, V_ACTOR, V_REL, V_M,
       V_DATE };

/* A value: 'a' is a boolean's value, an actor, an option, a date's days,
   or a string's actor (-1: it names no actor, -2: not known); 'b' a
   relation's declaration; 'k' what a string means as a name, or NULL
   (not known: it is no key but an actor's name). */
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
  int dkey;                 /* a date's: 1 year, 2 month, 3 day */
  bool date;
} ckey;

struct brink__cprog {
  size_t bytes;
  int ncode, nk, nparams, nup;
  const uint32_t *code;
  ckey *k;
  ckey *up;   /* [nup]: an upvalue's string's meaning, made by each read */
};

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
      if (GSJ(i) < 0 || pc + 1 + GSJ(i) >= n) return false;
      break;
    case X_RETURN:
      if (GB(i) == 0 || GA(i) + GB(i) - 2 > 255) return false;
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
            : !strcmp(s, "day") ? 3 : 0;
}

typedef struct compiling {
  host *h;
  int fn;
  dumpbuf d;
  struct brink__cprog *out;
  bool refused;   /* a constant it cannot compare as Lua does */
} compiling;

/* Protected: the function's dump read into a program, or none. */
static int compile(lua_State *L) {
  compiling *cc = lua_touserdata(L, 1);
  host *h = cc->h;
  brink_engine *e = h->e;
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
  rbyte(&r);                                   /* maxstacksize */
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
  size_t bytes = sizeof(struct brink__cprog) + sizeof(ckey) * (nk + nup) +
                 4 * ncode + text;
  struct brink__cprog *p = brink__alloc(e, bytes);
  if (p == NULL) return 0;
  memset(p, 0, bytes);
  p->bytes = bytes;
  p->ncode = (int)ncode;
  p->nk = (int)nk;
  p->nparams = nparams;
  p->nup = (int)nup;
  p->k = (ckey *)(p + 1);
  p->up = p->k + nk;
  uint32_t *c = (uint32_t *)(p->up + nup);
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
    }
    }
  }
  return 0;
}

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
  if (cc.out && (rc != LUA_OK || cc.refused ||
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
  h->cprogs = NULL;
  h->ncprogs = 0;
}

/* running ----------------------------------------------------------------- */

static bool tonum(const cval *v, double *d) {
  if (v->t == V_INT) *d = (double)v->u.i;
  else if (v->t == V_FLT) *d = v->u.n;
  else return false;
  return true;
}

/* Lua's arithmetic on numbers (0: not numbers, the metamethod's). */
static bool arith(int op, const cval *x, const cval *y, cval *out) {
  if (op != X_DIV && x->t == V_INT && y->t == V_INT) {
    uint64_t a = (uint64_t)x->u.i, b = (uint64_t)y->u.i;
    uint64_t r = op == X_ADD ? a + b : op == X_SUB ? a - b : a * b;
    out->t = V_INT;
    out->u.i = (int64_t)r;
    return true;
  }
  double a, b;
  if (!tonum(x, &a) || !tonum(y, &b)) return false;
  out->t = V_FLT;
  out->u.n = op == X_ADD ? a + b : op == X_SUB ? a - b
             : op == X_MUL ? a * b : a / b;
  return true;
}

/* x < y (lt) or x <= y; -1: not both numbers, or not exactly doable. */
static int order(const cval *x, const cval *y, bool le) {
  if (x->t == V_INT && y->t == V_INT)
    return le ? x->u.i <= y->u.i : x->u.i < y->u.i;
  double a, b;
  if (!tonum(x, &a) || !tonum(y, &b)) return -1;
  if ((x->t == V_INT && (x->u.i > LIMIT53 || x->u.i < -LIMIT53)) ||
      (y->t == V_INT && (y->u.i > LIMIT53 || y->u.i < -LIMIT53)))
    return -1;
  return le ? a <= b : a < b;
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

/* A variable's value as push_as gives it to Lua. */
static bool read_slot(host *h, int slot, cval *out) {
  double v;
  if (brink__read(h->e, slot, &v) != BRINK_OK) return false;
  out->a = -1;
  switch (h->types[slot]) {
  case BRINK_FLAG:
    out->t = V_BOOL;
    out->a = v != 0;
    break;
  case BRINK_ENUM:
    out->t = V_STR;
    out->u.s = brink_var_enum_value(h->e, slot, (int)v);
    out->a = -2;
    out->k = NULL;
    if (out->u.s == NULL) return false;
    break;
  default:
    if (v == floor(v) && fabs(v) < 9e15) {
      out->t = V_INT;
      out->u.i = (int64_t)v;
    } else {
      out->t = V_FLT;
      out->u.n = v;
    }
  }
  return true;
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
      out->t = V_ACTOR;
      out->a = key->a;
      return true;
    }
    if (k && k->world >= 0) return read_slot(h, k->world, out);
    if (k && k->date) {               /* as world_index does */
      brink__note_date_touch(e);
      out->t = V_DATE;
      out->a = brink_date(e);
      return true;
    }
    return false;                     /* an error */
  case V_DATE: {
    /* As the date's __index does: the year alone is noted as the year. */
    if (!k || k->dkey == 0) return false;
    if (k->dkey == 1) brink__note_date_year(e);
    else brink__note_date_read(e);
    if (!h->civil_ok || h->civil_days != o->a) {
      brink_date_civil(o->a, &h->civil[0], &h->civil[1], &h->civil[2]);
      h->civil_days = o->a;
      h->civil_ok = true;
    }
    out->t = V_INT;
    out->u.i = h->civil[k->dkey - 1];
    return true;
  }
  case V_ACTOR: {
    if (!k || k->field < 0) return false;
    const field *f = &h->fields[k->field];
    if (f->relation) {
      out->t = V_REL;
      out->a = o->a;
      out->b = f->decl;
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
    out->t = V_STR;
    out->a = -2;
    out->k = NULL;
    if (k->mkey == 1) {
      out->u.s = brink_actor_id(e, actor);
      out->a = actor;
    } else if (k->mkey == 2) {
      out->u.s = brink_move_name(e, move);
    } else if (k->mkey == 3 && target >= 0) {
      out->u.s = brink_actor_id(e, target);
      out->a = target;
    } else {
      out->t = V_NIL;
    }
    return true;
  }
  default:
    return false;
  }
}

/* Upvalue 'n' of function 'fn' now (an effect may assign it): a number,
   a boolean, nil or a string, whose meaning as a name is found again. */
static bool upvalue(host *h, const struct brink__cprog *p, int fn, int n,
                    cval *out) {
  lua_State *L = h->box.L;
  if (!lua_checkstack(L, 2)) return false;
  int top = lua_gettop(L);
  bool ok = true;
  lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
  if (lua_getupvalue(L, -1, n + 1) == NULL) {
    lua_settop(L, top);
    return false;
  }
  *out = (cval){V_NIL, 0, 0, {0}, NULL};
  switch (lua_type(L, -1)) {
  case LUA_TNIL: break;
  case LUA_TBOOLEAN:
    out->t = V_BOOL;
    out->a = lua_toboolean(L, -1);
    break;
  case LUA_TNUMBER:
    if (lua_isinteger(L, -1)) {
      out->t = V_INT;
      out->u.i = lua_tointeger(L, -1);
    } else {
      out->t = V_FLT;
      out->u.n = lua_tonumber(L, -1);
    }
    break;
  case LUA_TSTRING: {
    /* The upvalue keeps the string alive while this call runs. */
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (strlen(s) != len) {
      ok = false;
      break;
    }
    ckey *k = &p->up[n];
    k->v.t = V_STR;
    k->v.u.s = s;
    name_info(k, brink__sc_name_at(h, L, -1));
    *out = k->v;
    break;
  }
  default:
    ok = false;
  }
  lua_settop(L, top);
  return ok;
}

int brink__sc_cexpr(host *h, int fn, const brink__call *c, bool weight,
                    double *value) {
  const struct brink__cprog *p = program(h, fn);
  if (p == NULL) return -1;
  cval R[256];
  const uint32_t *code = p->code;
  const ckey *K = p->k;
  int n = p->ncode;
  if (p->nparams > 0) R[0] = (cval){V_W, 0, 0, {0}, NULL};
  if (p->nparams > 1)
    R[1] = c->option >= 0 ? (cval){V_M, c->option, 0, {0}, NULL}
                          : (cval){V_NIL, 0, 0, {0}, NULL};
  for (int j = 2; j < p->nparams && j < 256; j++)
    R[j] = (cval){V_NIL, 0, 0, {0}, NULL};
  int pc = 0, first = 0, nret = 0;
  for (;;) {
    if (pc >= n) return -1;
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
      for (int j = 0; j <= GB(i); j++) R[GA(i) + j] = (cval){V_NIL, 0, 0, {0}, NULL};
      break;
    case X_GETFIELD: {
      cval out;
      if (!index_value(h, c, &R[GB(i)], &K[GC(i)].v, &out)) return -1;
      R[GA(i)] = out;
      break;
    }
    case X_GETUPVAL:
      if (!upvalue(h, p, fn, GB(i), &R[GA(i)])) return -1;
      break;
    case X_GETTABLE: {
      cval out;
      if (!index_value(h, c, &R[GB(i)], &R[GC(i)], &out)) return -1;
      R[GA(i)] = out;
      break;
    }
    case X_ADDI: {
      cval y = {V_INT, 0, 0, {.i = GSC(i)}, NULL}, out;
      if (!arith(X_ADD, &R[GB(i)], &y, &out)) return -1;
      R[GA(i)] = out;
      pc++;
      break;
    }
    case X_ADDK: case X_SUBK: case X_MULK: case X_DIVK: {
      static const int ops[] = {X_ADD, X_SUB, X_MUL, 0, 0, X_DIV};
      cval out;
      if (!arith(ops[OP(i) - X_ADDK], &R[GB(i)], &K[GC(i)].v, &out))
        return -1;
      R[GA(i)] = out;
      pc++;
      break;
    }
    case X_ADD: case X_SUB: case X_MUL: case X_DIV: {
      cval out;
      if (!arith(OP(i), &R[GB(i)], &R[GC(i)], &out)) return -1;
      R[GA(i)] = out;
      pc++;
      break;
    }
    case X_UNM: {
      const cval *x = &R[GB(i)];
      if (x->t == V_INT)
        R[GA(i)] = (cval){V_INT, 0, 0, {.i = (int64_t)(0u - (uint64_t)x->u.i)}, NULL};
      else if (x->t == V_FLT)
        R[GA(i)] = (cval){V_FLT, 0, 0, {.n = -x->u.n}, NULL};
      else
        return -1;
      break;
    }
    case X_NOT:
      R[GA(i)] = (cval){V_BOOL, falsy(&R[GB(i)]), 0, {0}, NULL};
      break;
    case X_JMP: pc += GSJ(i); break;
    case X_EQ:
      if ((cond = equal(&R[GA(i)], &R[GB(i)])) < 0) return -1;
      goto condjump;
    case X_LT: case X_LE:
      if ((cond = order(&R[GA(i)], &R[GB(i)], OP(i) == X_LE)) < 0) return -1;
      goto condjump;
    case X_EQK:
      if ((cond = equal(&R[GA(i)], &K[GB(i)].v)) < 0) return -1;
      goto condjump;
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
    case X_RETURN:
      first = GA(i);
      nret = GB(i) - 1;
      goto done;
    case X_RETURN0:
      nret = 0;
      goto done;
    case X_RETURN1:
      first = GA(i);
      nret = 1;
      goto done;
    default:                  /* MMBIN*: an arithmetic Lua would not do */
      return -1;
    }
    continue;
  condjump:
    if (cond != GK(i)) pc++;
    else pc += GSJ(code[pc]) + 1;
  }
done:;
  cval none = {V_NIL, 0, 0, {0}, NULL};
  const cval *v = nret >= 1 ? &R[first] : &none;
  if (weight) {
    double d;
    if (!tonum(v, &d)) return -1;   /* Lua reports it */
    *value = d;
    return BRINK_OK;
  }
  *value = !falsy(v);
  if (falsy(v) && nret >= 2 && R[first + 1].t == V_STR) {
    const char *text = R[first + 1].u.s;
    size_t len = strlen(text);
    if (len >= h->reason_cap) return -1;
    memcpy(h->reason, text, len + 1);
  }
  return BRINK_OK;
}
