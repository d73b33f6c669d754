/*
** scenario.c: the scenario language.  Loads a scenario into a sandboxed
** Lua state: builds its environment, runs the prelude and the scenario,
** hands its declarations to the engine (scenario_decl.c), freezes what
** loading made and checks it, then builds the world a script sees
** (scenario_world.c) and attaches the engine's script host
** (scenario_host.c).  scenario.h lists the files of the language.
*/
#include <lauxlib.h>
#include <lua.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "lint.h"
#include "scenario.h"

/* loading ----------------------------------------------------------------- */

static int load_embedded(host *h, const brink__embedded *f, int env,
                         const char *chunkname) {
  return brink__box_load(&h->box, f->text, f->len, chunkname, env);
}

typedef struct dump_buf {
  brink_engine *e;
  char *p;
  size_t len, cap;
  bool failed;
} dump_buf;

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud) {
  dump_buf *b = ud;
  (void)L;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    char *bigger = brink__realloc(b->e, b->p, b->cap, cap);
    if (bigger == NULL) {
      b->failed = true;
      return 1;
    }
    b->p = bigger;
    b->cap = cap;
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
  return 0;
}

typedef struct lint_ctx {
  host *h;
  int found;
  bool nomem;
  char src[LUA_IDSIZE];   /* the function being read */
  brink__map seen;        /* diagnostics so far, by text */
  int nseen;              /* how many of them are in 'seen' */
} lint_ctx;

/* A finding, once: closures of one function report the same lines.  The
   diagnostics are looked up by text, not scanned, per finding. */
static void add_finding(lint_ctx *c, const char *where, const char *message) {
  brink_engine *e = c->h->e;
  for (; c->nseen < brink_diag_count(e); c->nseen++)
    if (brink__map_put(e, &c->seen, brink_diag_get(e, c->nseen), 0) !=
        BRINK_OK) {
      c->nomem = true;
      return;
    }
  size_t n = strlen(where) + strlen(message) + 3;
  char *line = brink__alloc(e, n);
  if (line == NULL) {
    c->nomem = true;
    return;
  }
  snprintf(line, n, "%s: %s", where, message);
  bool known = brink__map_get(&c->seen, line) >= 0;
  brink__free(e, line, n);
  if (known) return;
  if (brink__diag(e, where, message) == BRINK_OK) c->found++;
  else c->nomem = true;
}

static void add_lint(void *ud, int line, const char *fmt, int alen,
                     const char *a, int blen, const char *b) {
  lint_ctx *c = ud;
  brink_engine *e = c->h->e;
  int n = snprintf(NULL, 0, fmt, alen, a, blen, b);
  char *message = n >= 0 ? brink__alloc(e, (size_t)n + 1) : NULL;
  if (message == NULL) {
    c->nomem = true;
    return;
  }
  snprintf(message, (size_t)n + 1, fmt, alen, a, blen, b);
  char where[LUA_IDSIZE + 16];
  snprintf(where, sizeof where, "%s:%d", c->src, line);
  add_finding(c, where, message);
  brink__free(e, message, (size_t)n + 1);
}

/* "file:line" for a value refused by the freeze: the function holding it,
   else where its coroutine stands or starts. */
static void refused_where(lua_State *L, host *h, int obj, int via,
                          char *buf, size_t cap) {
  lua_Debug ar;
  lua_State *co = NULL;
  if (via) {
    lua_pushvalue(L, via);
    lua_getinfo(L, ">S", &ar);
    snprintf(buf, cap, "%s:%d", ar.short_src, ar.linedefined);
    return;
  }
  if (lua_type(L, obj) == LUA_TTHREAD) {
    co = lua_tothread(L, obj);
  } else if (lua_getupvalue(L, obj, 1)) {
    co = lua_tothread(L, -1);
    lua_pop(L, 1);
  }
  if (co && lua_getstack(co, 0, &ar) && lua_getinfo(co, "Sl", &ar)) {
    snprintf(buf, cap, "%s:%d", ar.short_src, ar.currentline);
    return;
  }
  if (co && lua_status(co) == LUA_OK && lua_gettop(co) > 0 &&
      lua_isfunction(co, 1) && lua_checkstack(co, 1)) {
    lua_pushvalue(co, 1);
    lua_getinfo(co, ">S", &ar);
    snprintf(buf, cap, "%s:%d", ar.short_src, ar.linedefined);
    return;
  }
  snprintf(buf, cap, "%s:1", h->path);
}

static void visit(void *ud, lua_State *L, int fn, int via,
                  const char *problem) {
  lint_ctx *c = ud;
  if (problem) {
    char where[1100];
    refused_where(L, c->h, fn, via, where, sizeof where);
    add_finding(c, where, problem);
    return;
  }
  lua_Debug ar;
  lua_pushvalue(L, fn);
  lua_getinfo(L, ">S", &ar);
  snprintf(c->src, sizeof c->src, "%s", ar.short_src);
  dump_buf b = {c->h->e, NULL, 0, 0, false};
  lua_pushvalue(L, fn);
  if (lua_dump(L, dump_writer, &b, 0) != 0 || b.failed)
    c->nomem = true;
  else if (brink__lint(b.p, b.len, add_lint, c) != 0)
    add_lint(c, ar.linedefined, "cannot read this function's compiled code "
             "to check what it assigns", 0, "", 0, "");
  lua_pop(L, 1);
  brink__free(c->h->e, b.p, b.cap);
}

/*
** Freezes what loading made, the environment, the declarations and the
** imports (args: host, the prelude's private table), and reads each
** function it finds for assignments a run could not make: [-2, +1] the
** number of findings.
*/
static int seal(lua_State *L) {
  host *h = lua_touserdata(L, 1);
  lint_ctx c = {h, 0, false, "", {0}, 0};
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->env);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->decls_ref);
  lua_getfield(L, 2, "imports");
  int status = brink__box_freeze(L, 3, visit, &c);
  brink__map_free(h->e, &c.seen);
  if (status != LUA_OK) {
    brink__box_check(L, status);
    return lua_error(L);
  }
  if (c.nomem) brink__box_nomem(L);
  lua_pushinteger(L, c.found);
  return 1;
}

/*
** Builds the scenario's environment and the prelude's private table P,
** inside a protected call: [-1, +2] host -> env, P.
*/
static int setup(lua_State *L) {
  host *h = lua_touserdata(L, 1);
  lua_settop(L, 0);
  lua_newtable(L);
  h->anchors = luaL_ref(L, LUA_REGISTRYINDEX);
  if (brink__box_env(&h->box) != BRINK_OK) return lua_error(L);
  int env = lua_gettop(L);
  lua_pushvalue(L, env);
  h->env = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_newtable(L);
  int P = lua_gettop(L);
  brink__sc_library(L, h, env, P);
  lua_pushboolean(L, 1);
  lua_setfield(L, P, "loading");
  lua_newtable(L);
  static const char *const lists[] = {"actors", "vars", "moves", "triggers",
                                      "events", "outcomes", "policies",
                                      "hooks", "expects", NULL};
  for (int i = 0; lists[i]; i++) {
    lua_newtable(L);
    lua_setfield(L, -2, lists[i]);
  }
  lua_pushvalue(L, -1);
  h->decls_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_setfield(L, P, "decls");
  return 2;
}

/* The proxies and option tables, once the world is sealed: [-1, +0]. */
static int build(lua_State *L) {
  host *h = lua_touserdata(L, 1);
  if (brink__sc_build_names(h, L) != BRINK_OK) {
    if (!brink__over_budget(h->e)) return luaL_error(L, "not enough memory");
    brink__error(h->e, BRINK_ENOMEM, "out of memory");   /* the budget's */
    return luaL_error(L, "%s", brink_errmsg(h->e));
  }
  brink__sc_build_options(h, L);
  return 0;
}

/* Builds the environment, runs the prelude and the scenario, then commits
   the declarations.  Every problem becomes a diagnostic. */
static int load(host *h, const char *text, size_t len) {
  brink_engine *e = h->e;
  lua_State *L = h->box.L;
  lua_pushcfunction(L, setup);
  lua_pushlightuserdata(L, h);
  if (brink__sc_call(h, 1, 2) != BRINK_OK) {
    brink__diag(e, h->where, h->msg);
    return BRINK_ENOMEM;
  }
  int env = lua_gettop(L) - 1, P = lua_gettop(L);
  h->loading = true;
  int rc = load_embedded(h, &brink__prelude[0], env, BRINK__BOX_PRELUDE);
  if (rc == BRINK_OK) {
    lua_pushvalue(L, env);
    lua_pushvalue(L, P);
    rc = brink__sc_call(h, 2, 0);
  }
  if (rc == BRINK_OK && brink__box_trust(L, env) != LUA_OK) {
    rc = BRINK_ENOMEM;
    brink__diag(e, "", "not enough memory");
    lua_pop(L, 1);
  }
  if (rc == BRINK_OK) {
    lua_getfield(L, P, "decode");
    h->decode = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_getfield(L, P, "json");
    h->json = luaL_ref(L, LUA_REGISTRYINDEX);
    /* Lua shows a path's end: a cut chunk name would name another file. */
    size_t n = strlen(h->path) + 2;
    char *chunkname = brink__alloc(e, n);
    if (chunkname) {
      snprintf(chunkname, n, "@%s", h->path);
      rc = brink__box_load(&h->box, text, len, chunkname, env);
      brink__free(e, chunkname, n);
    }
    if (chunkname == NULL) {
      rc = BRINK_ENOMEM;
      brink__diag(e, "", "not enough memory");
    } else if (rc != BRINK_OK) {
      /* A syntax error: "file:line: message" on the stack. */
      brink__diag(e, "", lua_tostring(L, -1));
      brink__error(e, BRINK_ESCRIPT, "%s", lua_tostring(L, -1));
      lua_pop(L, 1);
    } else if ((rc = brink__sc_call(h, 0, 0)) != BRINK_OK) {
      brink__diag(e, h->where, h->msg);
    }
  }
  lua_pushboolean(L, 0);
  lua_setfield(L, P, "loading");
  h->loading = false;
  if (rc == BRINK_OK) {
    lua_pushcfunction(L, brink__sc_commit);
    lua_pushlightuserdata(L, h);
    /* The world the declarations make shares the script's budget. */
    brink__metering(e, true);
    rc = brink__sc_call(h, 1, 1);
    brink__metering(e, false);
    if (rc == BRINK_OK) {
      int errors = (int)lua_tointeger(L, -1);
      lua_pop(L, 1);
      lua_pushcfunction(L, seal);
      lua_pushlightuserdata(L, h);
      lua_pushvalue(L, P);
      rc = brink__sc_call(h, 2, 1);
      if (rc == BRINK_OK) {
        errors += (int)lua_tointeger(L, -1);
        lua_pop(L, 1);
      } else {
        brink__diag(e, h->where, h->msg);
      }
      if (errors && rc == BRINK_OK) {
        rc = BRINK_ESCRIPT;
        brink__error(e, rc, "%s", brink_diag_count(e) ? brink_diag_get(e, 0)
                                                      : "invalid scenario");
      }
    } else {
      brink__diag(e, h->where, h->msg);
    }
  }
  brink__diag_sort(e);
  if (rc == BRINK_OK) {
    lua_pushcfunction(L, build);
    lua_pushlightuserdata(L, h);
    brink__metering(e, true);
    rc = brink__sc_call(h, 1, 0);
    brink__metering(e, false);
    if (rc != BRINK_OK) brink__diag(e, h->path, h->msg);
  }
  lua_settop(L, 0);
  return rc;
}

static int load_text(brink_engine *e, const char *path, const char *text,
                     size_t len) {
  if (brink__load_allowed(e) != BRINK_OK) return BRINK_ESTATE;
  brink__diag_clear(e);
  host *h = brink__alloc(e, sizeof *h);
  if (h == NULL) return brink__error(e, BRINK_ENOMEM, "out of memory");
  memset(h, 0, sizeof *h);
  h->e = e;
  brink_alloc alloc;
  void *alloc_ud;
  brink__allocator(e, &alloc, &alloc_ud);
  const brink_config *cfg = brink__config(e);
  int rc = brink__box_open(&h->box, alloc, alloc_ud, cfg->max_instructions,
                           cfg->max_memory, cfg->max_seconds);
  if (rc != BRINK_OK) {
    brink__free(e, h, sizeof *h);
    return brink__error(e, rc, "cannot open a Lua state: out of memory");
  }
  h->box.interrupt = brink__interrupt_flag(e);
  h->condition_budget = cfg->max_condition_instructions;
  if (brink__scenario_keep(e, path, text, len) != BRINK_OK) {
    brink__sc_free(h);
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  }
  h->path = brink_scenario_path(e);
  brink__script_mem_set(e, &h->box.mem_used);
  unsigned failures = brink__alloc_failures(e);
  locale_t old = brink__locale_enter(e);
  rc = load(h, text, len);
  brink__locale_leave(old);
  /* Some paths report a refused allocation as a problem with the
     scenario, or not at all; a load that saw one is a memory failure. */
  if (brink__alloc_failures(e) != failures && rc != BRINK_ENOMEM) {
    brink__diag_clear(e);
    rc = brink__error(e, BRINK_ENOMEM, "out of memory while loading %s",
                      path);
  }
  if (rc != BRINK_OK) {
    /* The engine is empty again; the diagnostics and message stay. */
    brink__sc_free(h);
    brink__engine_reset(e);
    return rc;
  }
  brink__sc_attach(h);
  return BRINK_OK;
}

BRINK_API int brink_load_string(brink_engine *e, const char *name,
                                const char *text, size_t len) {
  if (name == NULL || text == NULL)
    return brink__error(e, BRINK_EINVAL, "name and text are needed");
  return load_text(e, name, text, len);
}

BRINK_API int brink_load_file(brink_engine *e, const char *path) {
  if (path == NULL) return brink__error(e, BRINK_EINVAL, "path is NULL");
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return brink__error(e, BRINK_EIO, "cannot open %s: %s", path,
                        strerror(errno));
  size_t cap = 4096, len = 0;
  char *buf = brink__alloc(e, cap);
  for (size_t n; buf && (n = fread(buf + len, 1, cap - len, f)) > 0;) {
    len += n;
    if (len == cap) {
      char *bigger = cap < ((size_t)64 << 20)
                         ? brink__realloc(e, buf, cap, cap * 2) : NULL;
      if (bigger == NULL) {
        brink__free(e, buf, cap);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (buf == NULL)
    return brink__error(e, BRINK_ENOMEM, "%s is too large to load", path);
  if (bad) {
    brink__free(e, buf, cap);
    return brink__error(e, BRINK_EIO, "cannot read %s", path);
  }
  int rc = load_text(e, path, buf, len);
  brink__free(e, buf, cap);
  return rc;
}
