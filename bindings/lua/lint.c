/*
** lint.c: functions that would change what a scenario made while loading.
**
** Tables made while loading are frozen (freeze.c), but a variable
** captured by a function (an upvalue) cannot be: Lua assigns it with one
** instruction that consults nothing.  So every function that is still
** reachable once loading ends is read as lua_dump writes it (Lua 5.4's
** format): its own upvalues were all made while loading, and so are those
** its nested functions take over from it.  Each assignment of one
** (SETUPVAL), and each field assignment into one (SETTABUP: a global, or
** a field of a top-level table), is reported; assignments of variables
** that a run's own calls create are not.
*/
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lint.h"

enum { OP_SETUPVAL = 10, OP_SETTABUP = 15 };
enum { VNIL = 0, VFALSE = 1, VNUMINT = 3, VSHRSTR = 4, VTRUE = 17,
       VNUMFLT = 19, VLNGSTR = 20 };
#define ABSLINEINFO (-0x80)
#define MAXUP 256

typedef struct reader {
  const unsigned char *p, *end;
  bool bad;
  brink__lint_fn warn;
  void *ud;
} reader;

static unsigned char byte(reader *r) {
  if (r->p >= r->end) {
    r->bad = true;
    return 0;
  }
  return *r->p++;
}

/* Sizes are written most significant group first; the last byte has its
   high bit set. */
static size_t size(reader *r) {
  size_t x = 0;
  for (int i = 0; i < 10 && !r->bad; i++) {
    unsigned char b = byte(r);
    x = (x << 7) | (b & 0x7f);
    if (b & 0x80) return x;
  }
  r->bad = true;
  return 0;
}

static const unsigned char *skip(reader *r, size_t n) {
  if ((size_t)(r->end - r->p) < n) {
    r->bad = true;
    r->p = r->end;
    return NULL;
  }
  const unsigned char *at = r->p;
  r->p += n;
  return at;
}

/* A string as a pointer into the dump and its length (NULL for none). */
static const char *string(reader *r, size_t *len) {
  size_t n = size(r);
  *len = n ? n - 1 : 0;
  if (n == 0) return NULL;
  return (const char *)skip(r, n - 1);
}

/* What each upvalue of a function is: made during a run, kept from
   loading, or the environment kept from loading. */
enum { FRESH, KEPT, KEPT_ENV };
typedef struct upinfo {
  int kind;
} upinfo;

/*
** The line of instruction 'pc': the last absolute entry at or before it,
** then the deltas after that.  The 'nabs' entries are read again from
** 'abs' in the dump, so a function of any length keeps its lines.
*/
static int line_of(const signed char *lineinfo, size_t nline,
                   const unsigned char *abs, const unsigned char *end,
                   size_t nabs, int linedefined, size_t pc) {
  if (lineinfo == NULL || pc >= nline) return linedefined;
  long line = linedefined;
  long base = -1;
  reader r = {abs, end, false, NULL, NULL};
  for (size_t i = 0; i < nabs && !r.bad; i++) {
    size_t at = size(&r), absline = size(&r);
    if (at <= pc) {
      base = (long)at;
      line = (long)absline;
    }
  }
  for (long k = base + 1; k <= (long)pc; k++) line += lineinfo[k];
  return (int)line;
}

static void function(reader *r, const upinfo *parent_up, int nparent_up,
                     int depth);

/*
** Reads one function.  'parent_up' says what the parent's upvalues are;
** at depth 0 (the function that was dumped) every upvalue is kept from
** loading, and a nested function's own captures of its parent's locals
** are made by a call during the run.
*/
static void function(reader *r, const upinfo *parent_up, int nparent_up,
                     int depth) {
  size_t len;
  string(r, &len);   /* source */
  int linedefined = (int)size(r);
  size(r);           /* lastlinedefined */
  skip(r, 3);        /* numparams, is_vararg, maxstacksize */
  size_t ncode = size(r);
  const unsigned char *code = skip(r, ncode * 4);
  size_t nk = size(r);
  const char *konst[MAXUP];   /* string constants name the globals */
  size_t konstlen[MAXUP];
  for (size_t i = 0; i < nk && !r->bad; i++) {
    const char *str = NULL;
    len = 0;
    switch (byte(r)) {
    case VNUMINT: case VNUMFLT: skip(r, 8); break;
    case VSHRSTR: case VLNGSTR: str = string(r, &len); break;
    case VNIL: case VFALSE: case VTRUE: break;
    default: r->bad = true;
    }
    if (i < MAXUP) {
      konst[i] = str;
      konstlen[i] = len;
    }
  }
  size_t nup = size(r);
  if (nup > MAXUP) r->bad = true;
  upinfo up[MAXUP];
  for (size_t i = 0; i < nup && !r->bad; i++) {
    unsigned char instack = byte(r), idx = byte(r);
    byte(r);   /* kind */
    if (depth == 0) up[i].kind = KEPT;
    else if (instack) up[i].kind = FRESH;
    else up[i].kind = idx < nparent_up ? parent_up[idx].kind : FRESH;
  }
  size_t nprotos = size(r);
  for (size_t i = 0; i < nprotos && !r->bad; i++)
    function(r, up, (int)nup, depth + 1);
  size_t nline = size(r);
  const signed char *lineinfo = (const signed char *)skip(r, nline);
  size_t nabs = size(r);
  const unsigned char *abs = r->p;
  for (size_t i = 0; i < nabs && !r->bad; i++) {
    size(r);   /* pc */
    size(r);   /* line */
  }
  size_t nloc = size(r);
  for (size_t i = 0; i < nloc && !r->bad; i++) {
    string(r, &len);
    size(r);
    size(r);
  }
  size_t nupnames = size(r);
  const char *names[MAXUP];
  size_t namelens[MAXUP];
  for (size_t i = 0; i < nupnames && !r->bad; i++) {
    const char *n = string(r, &len);
    if (i < MAXUP) {
      names[i] = n;
      namelens[i] = len;
      if (up[i].kind == KEPT && n && len == 4 && memcmp(n, "_ENV", 4) == 0)
        up[i].kind = KEPT_ENV;
    }
  }
  if (r->bad || code == NULL) return;
  for (size_t pc = 0; pc < ncode; pc++) {
    uint32_t ins;
    memcpy(&ins, code + pc * 4, 4);
    int op = (int)(ins & 0x7f), a = (int)((ins >> 7) & 0xff),
        b = (int)((ins >> 16) & 0xff);
    int upidx = op == OP_SETUPVAL ? b : op == OP_SETTABUP ? a : -1;
    if (upidx < 0 || upidx >= (int)nup) continue;
    int kind = up[upidx].kind;
    const char *name = (size_t)upidx < nupnames && names[upidx]
                       ? names[upidx] : "?";
    int namelen = name[0] == '?' ? 1 : (int)namelens[upidx];
    const char *field = op == OP_SETTABUP && (size_t)b < nk && b < MAXUP
                        ? konst[b] : NULL;
    int fieldlen = field ? (int)konstlen[(size_t)b] : 0;
    if (kind == FRESH)
      continue;
    int line = line_of(lineinfo, nline, abs, r->end, nabs, linedefined, pc);
    if (op == OP_SETUPVAL)
      r->warn(r->ud, line, "assigns '%.*s', a local kept from loading: a "
              "run may not change it; keep state in a var", namelen, name,
              0, "");
    else if (kind == KEPT_ENV && field)
      r->warn(r->ud, line, "assigns the global '%.*s': globals are fixed "
              "once the scenario has loaded; keep state in a var", fieldlen,
              field, 0, "");
    else if (field)
      r->warn(r->ud, line, "assigns '%.*s.%.*s': tables made while loading "
              "are read-only during a run; keep state in a var", namelen,
              name, fieldlen, field);
  }
}

int brink__lint(const void *dump, size_t len, brink__lint_fn warn, void *ud) {
  static const unsigned char header[] = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n";
  reader r = {dump, (const unsigned char *)dump + len, false, warn, ud};
  if (len < 31 || memcmp(dump, header, 12) != 0) return -1;
  skip(&r, 12 + 3 + 16);   /* header, sizes, LUAC_INT, LUAC_NUM */
  byte(&r);                /* the main function's number of upvalues */
  function(&r, NULL, 0, 0);
  return r.bad ? -1 : 0;
}
