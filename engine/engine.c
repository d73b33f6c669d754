/*
** engine.c: an engine's life, its memory, its messages and its names.
*/
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brinkint.h"

BRINK_API const char *brink_version(void) { return BRINK_VERSION; }

BRINK_API int brink_version_number(void) {
  return BRINK_VERSION_MAJOR * 10000 + BRINK_VERSION_MINOR * 100 +
         BRINK_VERSION_PATCH;
}

BRINK_API const char *brink_status_name(int status) {
  switch (status) {
#define BRINK__NAME(name, value, text) \
  case value:                          \
    return "BRINK_" #name;
    BRINK_STATUS_TABLE(BRINK__NAME)
#undef BRINK__NAME
  }
  return "BRINK_UNKNOWN";
}

BRINK_API const char *brink_strerror(int status) {
  switch (status) {
#define BRINK__TEXT(name, value, text) \
  case value:                          \
    return text;
    BRINK_STATUS_TABLE(BRINK__TEXT)
#undef BRINK__TEXT
  }
  return "unknown status";
}

/* memory ----------------------------------------------------------------- */

void *brink__default_alloc(void *ud, void *p, size_t old, size_t n) {
  (void)ud;
  (void)old;
  if (n == 0) {
    free(p);
    return NULL;
  }
  return realloc(p, n);
}

size_t brink__mem_cap(const brink_engine *e) {
#if SIZE_MAX < INT64_MAX
  if (e->cfg.max_memory > (int64_t)SIZE_MAX) return SIZE_MAX;
#endif
  return (size_t)e->cfg.max_memory;
}

size_t brink__mem_used(const brink_engine *e) {
  size_t script = e->script_mem ? *e->script_mem : 0;
  return e->mem_used > SIZE_MAX - script ? SIZE_MAX : e->mem_used + script;
}

/* While declarations are metered, would 'more' bytes exceed the budget? */
static bool over_budget(brink_engine *e, size_t more) {
  if (!e->metering) return false;
  size_t used = brink__mem_used(e), cap = brink__mem_cap(e);
  if (used <= cap && more <= cap - used) return false;
  e->over_budget = true;
  return true;
}

void *brink__alloc(brink_engine *e, size_t n) {
  if (n == 0 || over_budget(e, n)) return NULL;
  void *p = e->alloc(e->alloc_ud, NULL, 0, n);
  if (p) e->mem_used += n;
  else e->alloc_failures++;
  return p;
}

void *brink__realloc(brink_engine *e, void *p, size_t old, size_t n) {
  if (p == NULL) return brink__alloc(e, n);
  if (n > old && over_budget(e, n - old)) return NULL;
  void *q = e->alloc(e->alloc_ud, p, old, n);
  if (q) e->mem_used = e->mem_used - old + n;
  else if (n) e->alloc_failures++;
  return q;
}

void brink__free(brink_engine *e, void *p, size_t n) {
  if (p) {
    e->alloc(e->alloc_ud, p, n, 0);
    e->mem_used -= n;
  }
}

char *brink__strdup(brink_engine *e, const char *s) {
  size_t n = strlen(s) + 1;
  char *d = brink__alloc(e, n);
  if (d) memcpy(d, s, n);
  return d;
}

void brink__strfree(brink_engine *e, char *s) {
  if (s) brink__free(e, s, strlen(s) + 1);
}

int brink__grow_to(brink_engine *e, void **p, int *cap, int need,
                   size_t size) {
  if (need < 0) return BRINK_ENOMEM;   /* a count past INT_MAX wrapped */
  int ncap = *cap ? *cap : 8;
  while (ncap < need) ncap = ncap > INT_MAX / 2 ? INT_MAX : ncap * 2;
  if ((size_t)ncap > SIZE_MAX / size) return BRINK_ENOMEM;
  void *np = brink__realloc(e, *p, (size_t)*cap * size, (size_t)ncap * size);
  if (np == NULL) return BRINK_ENOMEM;
  *p = np;
  *cap = ncap;
  return BRINK_OK;
}

int brink__hold(brink_engine *e, int64_t bytes, int64_t work) {
  if (e->host.charge == NULL ||
      e->host.charge(e->host.ud, bytes, work) == BRINK_OK)
    return BRINK_OK;
  return brink__error(e, BRINK_EBUDGET, "a script budget is exceeded");
}

/* locale ----------------------------------------------------------------- */

locale_t brink__locale_enter(const brink_engine *e) {
  return e->host_locale ? (locale_t)0 : uselocale(e->c_locale);
}

void brink__locale_leave(locale_t old) {
  if (old) uselocale(old);
}

locale_t brink__host_locale(brink_engine *e) {
  locale_t host = e->host_locale;
  if (host) uselocale(host);
  e->host_locale = 0;
  return host;
}

/* The callback may have set a locale of its own: it is the host's now. */
void brink__step_locale(brink_engine *e, locale_t host) {
  if (host) e->host_locale = uselocale(e->c_locale);
}

int brink__host_eval(brink_engine *e, int fn, const brink__call *c,
                     double *value, const char **reason) {
  locale_t old = brink__locale_enter(e);
  int rc = e->host.eval(e->host.ud, fn, c, value, reason);
  brink__locale_leave(old);
  return rc;
}

int brink__host_run(brink_engine *e, int fn, const brink__call *c) {
  locale_t old = brink__locale_enter(e);
  int rc = e->host.run(e->host.ud, fn, c);
  brink__locale_leave(old);
  return rc;
}

int brink__host_choose(brink_engine *e, int fn, const brink__call *c,
                       const int *options, int n, int *chosen) {
  locale_t old = brink__locale_enter(e);
  int rc = e->host.choose(e->host.ud, fn, c, options, n, chosen);
  brink__locale_leave(old);
  return rc;
}

int brink__host_clone(brink_engine *e, brink_engine *to) {
  locale_t old = brink__locale_enter(e);
  int rc = e->host.clone(e->host.ud, e, to);
  brink__locale_leave(old);
  return rc;
}

/* messages --------------------------------------------------------------- */

/* A block for messages and findings: they are not declarations, so the
   budget does not meter them. */
static void *unmetered(brink_engine *e, void *p, size_t old, size_t n) {
  bool metering = e->metering;
  e->metering = false;
  void *q = brink__realloc(e, p, old, n);
  e->metering = metering;
  return q;
}

/*
** The message buffer grows as needed; when it cannot, the message is cut
** to what fits, because an error path must not fail for want of memory.
*/
static void set_message(brink_engine *e, const char *fmt, va_list ap) {
  locale_t old = brink__locale_enter(e);
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(e->errmsg, e->errcap, fmt, copy);
  va_end(copy);
  if (n >= 0 && (size_t)n >= e->errcap) {
    char *bigger = unmetered(e, e->errmsg, e->errcap, (size_t)n + 1);
    if (bigger) {
      e->errmsg = bigger;
      e->errcap = (size_t)n + 1;
      vsnprintf(e->errmsg, e->errcap, fmt, ap);
    }
  }
  brink__locale_leave(old);
}

/* n / unit to one decimal, rounded, in integers: no locale's comma. */
static void tenths(size_t n, size_t unit, const char *name, char *buf,
                   size_t cap) {
  unsigned long long t = (unsigned long long)((double)n * 10 / (double)unit
                                              + 0.5);
  snprintf(buf, cap, "%llu.%llu %s", t / 10, t % 10, name);
}

/* "16 MiB", "4.9 GiB", "1000 bytes". */
void brink__fmt_bytes(size_t n, char *buf, size_t cap) {
  const size_t kib = 1024, mib = kib * 1024, gib = mib * 1024;
  if (n >= gib && n % gib) tenths(n, gib, "GiB", buf, cap);
  else if (n >= gib) snprintf(buf, cap, "%zu GiB", n / gib);
  else if (n >= mib && n % mib) tenths(n, mib, "MiB", buf, cap);
  else if (n >= mib) snprintf(buf, cap, "%zu MiB", n / mib);
  else if (n >= kib && n % kib == 0) snprintf(buf, cap, "%zu KiB", n / kib);
  else snprintf(buf, cap, "%zu bytes", n);
}

static void set_text(brink_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_text(brink_engine *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_message(e, fmt, ap);
  va_end(ap);
}

int brink__error(const brink_engine *ce, int status, const char *fmt, ...) {
  /* The message is not the engine's state: a getter that takes a const
     engine reports its failure too.  Engines are never const objects. */
  brink_engine *e = (brink_engine *)ce;
  va_list ap;
  va_start(ap, fmt);
  set_message(e, fmt, ap);
  va_end(ap);
  /* Whichever allocation the budget refused, the reason is the budget. */
  if (status == BRINK_ENOMEM && e->over_budget) {
    char cap[32];
    brink__fmt_bytes(brink__mem_cap(e), cap, sizeof cap);
    set_text(e, "memory budget exceeded (%s): the declared world does not "
             "fit", cap);
  }
  e->errwhere[0] = '\0';
  if (e->errin) e->errin[0] = '\0';
  e->errstatus = status;
  return status;
}

/* Room for 'n' bytes in errin: the name of what ran, however long. */
static bool errin_room(brink_engine *e, size_t n) {
  if (n <= e->errincap) return true;
  char *bigger = unmetered(e, e->errin, e->errincap, n);
  if (bigger == NULL) return false;
  e->errin = bigger;
  e->errincap = n;
  return true;
}

void brink__errin_set(brink_engine *e, const char *text) {
  size_t n = strlen(text) + 1;
  if (errin_room(e, n)) memcpy(e->errin, text, n);
}

int brink__script_error(brink_engine *e, int status, const char *where,
                        const char *msg) {
  brink__error(e, status, "%s", msg);
  snprintf(e->errwhere, sizeof e->errwhere, "%s", where ? where : "");
  int n = brink__call_name(e, &e->current, NULL, 0);
  if (n >= 0 && errin_room(e, (size_t)n + 1))
    brink__call_name(e, &e->current, e->errin, e->errincap);
  return status;
}

BRINK_API const char *brink_errmsg(const brink_engine *e) {
  return e ? e->errmsg : "out of memory";
}

BRINK_API const char *brink_errwhere(const brink_engine *e) {
  return e ? e->errwhere : "";
}

BRINK_API const char *brink_errin(const brink_engine *e) {
  return e && e->errin ? e->errin : "";
}

/*
** Levenshtein distance if it is at most 'k' (<= BRINK__NEAR_MAX), else
** k + 1: only the band |i - j| <= k can matter, so names of any length
** cost O(length * k) and none is too long to be suggested.
*/
#define BRINK__NEAR_MAX 3
static int distance(const char *a, const char *b, int k) {
  size_t la = strlen(a), lb = strlen(b);
  int far = k + 1, w = 2 * k + 1;
  if ((la > lb ? la - lb : lb - la) > (size_t)k) return far;
  int prev[2 * BRINK__NEAR_MAX + 1], cur[2 * BRINK__NEAR_MAX + 1];
  /* Row i holds columns j = i - k .. i + k at index j - i + k. */
  for (int x = 0; x < w; x++) {
    int j = x - k;
    prev[x] = j >= 0 && (size_t)j <= lb ? j : far;
  }
  for (size_t i = 1; i <= la; i++) {
    for (int x = 0; x < w; x++) {
      long j = (long)i + x - k;
      if (j < 0 || (size_t)j > lb) {
        cur[x] = far;
        continue;
      }
      int best = j == 0 ? (int)(i < (size_t)far ? i : (size_t)far)
                        : prev[x] + (a[i - 1] != b[j - 1]);
      if (x + 1 < w && prev[x + 1] + 1 < best) best = prev[x + 1] + 1;
      if (x > 0 && j > 0 && cur[x - 1] + 1 < best) best = cur[x - 1] + 1;
      cur[x] = best < far ? best : far;
    }
    memcpy(prev, cur, sizeof prev);
  }
  return prev[(long)lb - (long)la + k];
}

void brink__nearest_init(brink__nearest *s, const char *name) {
  size_t len = strlen(name);
  s->name = name;
  s->best = NULL;
  s->allowed = len <= 3 ? 1 : len <= 8 ? 2 : BRINK__NEAR_MAX;
  s->bestd = s->allowed + 1;
}

void brink__nearest_add(brink__nearest *s, const char *candidate) {
  int d = distance(s->name, candidate, s->allowed);
  /* Ties go to the least name in byte order, not the first listed: some
     lists come in hash or pointer order, and the message must be the
     same in every process. */
  if (d < s->bestd || (d == s->bestd && s->best &&
                       strcmp(candidate, s->best) < 0)) {
    s->bestd = d;
    s->best = candidate;
  }
}

const char *brink__nearest_best(const brink__nearest *s) {
  return s->best && s->bestd <= s->allowed ? s->best : NULL;
}

const char *brink__nearest_text(brink_engine *e, const brink__nearest *s) {
  const char *best = brink__nearest_best(s);
  size_t n = strlen(s->name) + (best ? strlen(best) + 20 : 0) + 3;
  if (n > e->saycap) {
    char *bigger = unmetered(e, e->say, e->saycap, n);
    if (bigger == NULL) return "(a name)";
    e->say = bigger;
    e->saycap = n;
  }
  if (best)
    snprintf(e->say, n, "'%s' (did you mean '%s'?)", s->name, best);
  else
    snprintf(e->say, n, "'%s'", s->name);
  return e->say;
}

const char *brink__suggest(brink_engine *e, const char *name,
                           const char *const *names, int n) {
  brink__nearest s;
  brink__nearest_init(&s, name);
  for (int i = 0; i < n; i++) brink__nearest_add(&s, names[i]);
  return brink__nearest_text(e, &s);
}

/* name maps -------------------------------------------------------------- */

static uint32_t hash(const char *s) {
  uint32_t h = 2166136261u;   /* FNV-1a */
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

static int map_slot(const brink__map *m, const char *key) {
  uint32_t i = hash(key) & (uint32_t)(m->cap - 1);
  while (m->keys[i] && strcmp(m->keys[i], key) != 0)
    i = (i + 1) & (uint32_t)(m->cap - 1);
  return (int)i;
}

int brink__map_put(brink_engine *e, brink__map *m, const char *key, int val) {
  if ((m->count + 1) * 2 > m->cap) {
    if (m->cap > INT_MAX / 2) return BRINK_ENOMEM;   /* a cap doubling wraps */
    int ncap = m->cap ? m->cap * 2 : 16;
    brink__map bigger = {NULL, NULL, ncap, 0};
    bigger.keys = brink__alloc(e, sizeof(char *) * (size_t)ncap);
    bigger.vals = brink__alloc(e, sizeof(int) * (size_t)ncap);
    if (!bigger.keys || !bigger.vals) {
      brink__free(e, bigger.keys, sizeof(char *) * (size_t)ncap);
      brink__free(e, bigger.vals, sizeof(int) * (size_t)ncap);
      return BRINK_ENOMEM;
    }
    memset(bigger.keys, 0, sizeof(char *) * (size_t)ncap);
    for (int i = 0; i < m->cap; i++)
      if (m->keys[i]) {
        int s = map_slot(&bigger, m->keys[i]);
        bigger.keys[s] = m->keys[i];
        bigger.vals[s] = m->vals[i];
        bigger.count++;
      }
    brink__map_free(e, m);
    *m = bigger;
  }
  int s = map_slot(m, key);
  if (!m->keys[s]) m->count++;
  m->keys[s] = key;
  m->vals[s] = val;
  return BRINK_OK;
}

int brink__map_get(const brink__map *m, const char *key) {
  if (m->cap == 0) return -1;
  int s = map_slot(m, key);
  return m->keys[s] ? m->vals[s] : -1;
}

void brink__map_free(brink_engine *e, brink__map *m) {
  brink__free(e, m->keys, sizeof(char *) * (size_t)m->cap);
  brink__free(e, m->vals, sizeof(int) * (size_t)m->cap);
  memset(m, 0, sizeof *m);
}

/* life ------------------------------------------------------------------- */

BRINK_API void brink_config_init(brink_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->size = sizeof *cfg;
}

static void apply_defaults(brink_config *c) {
  if (c->max_instructions <= 0) c->max_instructions = 100000000;
  if (c->max_memory <= 0) c->max_memory = (int64_t)256 << 20;
  if (!(c->max_seconds > 0)) c->max_seconds = 10;
  if (c->max_condition_instructions <= 0)
    c->max_condition_instructions = 1000000;
  if (c->max_condition_instructions > c->max_instructions)
    c->max_condition_instructions = c->max_instructions;
}

/* The empty world of a freshly opened engine. */
static int init_world(brink_engine *e) {
  e->moves_per_turn = 1;
  e->pass_weight = 1;
  e->unit = BRINK_MONTH;
  e->run.awaiting = -1;
  e->run.outcome = -1;
  e->run.pending_outcome = -1;
  e->listed_actor = -1;
  e->current.in = BRINK__IN_NONE;
  e->cause = "host";
  e->odds_move = -1;
  return brink__turn_init(e);
}

static void free_world(brink_engine *e) {
  if (e->host.close) e->host.close(e->host.ud);
  brink__sources_forget(e);
  /* What is freed below was held for a host that is gone. */
  e->host.charge = NULL;
  brink__turn_free(e);
  brink__digest_free(e);
  brink__journal_free(e);
  brink__keep_free(e);
  brink__payoff_free(e);
  brink__world_free(e);
  for (int i = 0; i < e->nfields; i++) {
    brink__strfree(e, e->fields[i][0]);
    brink__strfree(e, e->fields[i][1]);
  }
  brink__strfree(e, e->default_outcome);
}

/*
** Back to an empty world after a failed load, keeping what belongs to the
** engine rather than to a scenario: allocator, settings, message,
** diagnostics, causes and the timeline callback.
*/
int brink__engine_reset(brink_engine *e) {
  free_world(e);
  brink_engine keep = *e;
  memset(e, 0, sizeof *e);
  e->alloc = keep.alloc;
  e->alloc_ud = keep.alloc_ud;
  e->cfg = keep.cfg;
  e->c_locale = keep.c_locale;
  e->mem_used = keep.mem_used;   /* the message, findings and causes */
  e->errmsg = keep.errmsg;
  e->errcap = keep.errcap;
  e->say = keep.say;
  e->saycap = keep.saycap;
  memcpy(e->errwhere, keep.errwhere, sizeof e->errwhere);
  e->errin = keep.errin;
  e->errincap = keep.errincap;
  e->diags = keep.diags;
  e->ndiags = keep.ndiags;
  e->cap_diags = keep.cap_diags;
  e->causes = keep.causes;
  e->ncauses = keep.ncauses;
  e->cap_causes = keep.cap_causes;
  e->on_record = keep.on_record;
  e->on_record_ud = keep.on_record_ud;
  e->sources = keep.sources;   /* the host's imports, for another try */
  e->nsources = keep.nsources;
  e->cap_sources = keep.cap_sources;
  return init_world(e);
}

BRINK_API int brink_engine_open(brink_engine **out, const brink_config *cfg) {
  if (out == NULL) return BRINK_EINVAL;
  *out = NULL;
  brink_config c;
  brink_config_init(&c);
  if (cfg && brink__struct_in(NULL, &c, sizeof c, cfg, "config"))
    return BRINK_EINVAL;
  apply_defaults(&c);
  brink_alloc alloc = c.alloc ? c.alloc : brink__default_alloc;
  brink_engine *e = alloc(c.alloc_ud, NULL, 0, sizeof *e);
  if (e == NULL) return BRINK_ENOMEM;
  memset(e, 0, sizeof *e);
  e->alloc = alloc;
  e->alloc_ud = c.alloc_ud;
  e->cfg = c;
  e->errcap = 128;
  e->errmsg = brink__alloc(e, e->errcap);
  if (e->errmsg == NULL) {
    alloc(c.alloc_ud, e, sizeof *e, 0);
    return BRINK_ENOMEM;
  }
  e->errmsg[0] = '\0';
  e->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
  if (e->c_locale == (locale_t)0) {
    brink_engine_close(e);
    return BRINK_ENOMEM;
  }
  int rc = init_world(e);
  if (rc != BRINK_OK) {
    brink_engine_close(e);
    return rc;
  }
  *out = e;
  return BRINK_OK;
}

BRINK_API void brink_engine_close(brink_engine *e) {
  if (e == NULL) return;
  free_world(e);
  for (int i = 0; i < e->ndiags; i++) brink__strfree(e, e->diags[i]);
  brink__free(e, e->diags, sizeof(char *) * (size_t)e->cap_diags);
  for (int i = 0; i < e->ncauses; i++) brink__strfree(e, e->causes[i]);
  brink__free(e, e->causes, sizeof(char *) * (size_t)e->cap_causes);
  brink__free(e, e->errmsg, e->errcap);
  brink__free(e, e->say, e->saycap);
  brink__free(e, e->errin, e->errincap);
  brink__sources_free(e);
  if (e->c_locale) freelocale(e->c_locale);
  e->alloc(e->alloc_ud, e, sizeof *e, 0);
}

int brink__whole(brink_engine *e, const char *fn) {
  if (e->in_record)
    return brink__error(e, BRINK_ESTATE, "%s is not allowed inside the "
                        "record callback: the run being reported is half "
                        "done (only calls that read are allowed)", fn);
  return BRINK_OK;
}

int brink__writable(brink_engine *e, const char *fn) {
  if (e->in_record)
    return brink__error(e, BRINK_ESTATE, "%s is not allowed inside the "
                        "record callback: it would change the run being "
                        "reported (only calls that read are)", fn);
  e->listed_actor = -1;
  return BRINK_OK;
}

/* The caller's 'size' field, checked against what the library knows. */
static int struct_size(const brink_engine *e, const void *p, size_t full,
                       const char *what, uint32_t *size) {
  if (p == NULL)
    return e ? brink__error(e, BRINK_EINVAL, "%s is NULL", what)
             : BRINK_EINVAL;
  memcpy(size, p, sizeof *size);
  if (*size >= sizeof *size && *size <= full) return BRINK_OK;
  if (e == NULL) return BRINK_EINVAL;
  return brink__error(e, BRINK_EINVAL, "%s: size %u is not between %zu and "
                      "%zu (set it to sizeof the struct)", what,
                      (unsigned)*size, sizeof *size, full);
}

int brink__struct_in(const brink_engine *e, void *dst, size_t full,
                     const void *src, const char *what) {
  uint32_t size = 0;
  int rc = struct_size(e, src, full, what, &size);
  if (rc != BRINK_OK) return rc;
  memcpy(dst, src, size);
  /* The copy is the library's version of the struct now. */
  uint32_t mine = (uint32_t)full;
  memcpy(dst, &mine, sizeof mine);
  return BRINK_OK;
}

int brink__struct_out(const brink_engine *e, void *dst, const void *src,
                      size_t full, const char *what) {
  uint32_t size = 0;
  int rc = struct_size(e, dst, full, what, &size);
  if (rc != BRINK_OK) return rc;
  memcpy(dst, src, size);
  memcpy(dst, &size, sizeof size);   /* says how much was written */
  return BRINK_OK;
}

int brink__bad_id(const brink_engine *e, const char *what, int id) {
  return brink__error(e, BRINK_EINVAL, "no %s has id %d", what, id);
}

const char *brink__bad_name(const brink_engine *e, const char *what, int id) {
  brink__bad_id(e, what, id);
  return NULL;
}

int brink__diag(brink_engine *e, const char *where, const char *msg) {
  bool metering = e->metering;   /* a finding is not a declaration */
  e->metering = false;
  int rc = brink__grow(e, (void **)&e->diags, &e->cap_diags, e->ndiags + 1,
                       sizeof(char *));
  size_t n = strlen(where) + strlen(msg) + 3;
  char *line = rc ? NULL : brink__alloc(e, n);
  e->metering = metering;
  if (line == NULL) return BRINK_ENOMEM;
  snprintf(line, n, "%s%s%s", where, *where ? ": " : "", msg);
  e->diags[e->ndiags++] = line;
  return BRINK_OK;
}

void brink__diag_clear(brink_engine *e) {
  for (int i = 0; i < e->ndiags; i++) brink__strfree(e, e->diags[i]);
  e->ndiags = 0;
}

BRINK_API int brink_on_record(brink_engine *e, brink_record_fn fn,
                              void *ud) {
  BRINK__WRITE(e);
  e->on_record = fn;
  e->on_record_ud = ud;
  return BRINK_OK;
}

BRINK_API int brink_diag_count(const brink_engine *e) { return e->ndiags; }

BRINK_API const char *brink_diag_get(const brink_engine *e, int i) {
  return i >= 0 && i < e->ndiags ? e->diags[i]
                                 : brink__bad_name(e, "diagnostic", i);
}

const char *brink__cause_intern(brink_engine *e, const char *cause) {
  for (int i = 0; i < e->ncauses; i++)
    if (strcmp(e->causes[i], cause) == 0) return e->causes[i];
  if (brink__grow(e, (void **)&e->causes, &e->cap_causes, e->ncauses + 1,
                  sizeof(char *)))
    return NULL;
  char *copy = brink__strdup(e, cause);
  if (copy != NULL) e->causes[e->ncauses++] = copy;
  return copy;
}

BRINK_API int brink_cause_set(brink_engine *e, const char *cause) {
  BRINK__WRITE(e);
  if (cause == NULL) return brink__error(e, BRINK_EINVAL, "cause is NULL");
  const char *kept = brink__cause_intern(e, cause);
  if (kept == NULL) return brink__error(e, BRINK_ENOMEM, "out of memory");
  e->cause = kept;
  return BRINK_OK;
}

/* scenario fields -------------------------------------------------------- */

int brink__field_get(const brink_engine *e, const char *field,
                     const char **out) {
  for (int i = 0; i < e->nfields; i++)
    if (strcmp(e->fields[i][0], field) == 0) {
      *out = e->fields[i][1];
      return BRINK_OK;
    }
  *out = "";
  return BRINK_ENOTFOUND;
}

int brink__field_set(brink_engine *e, const char *field, const char *value) {
  for (int i = 0; i < e->nfields; i++)
    if (strcmp(e->fields[i][0], field) == 0) {
      char *copy = brink__strdup(e, value);
      if (copy == NULL) return BRINK_ENOMEM;
      brink__strfree(e, e->fields[i][1]);
      e->fields[i][1] = copy;
      return BRINK_OK;
    }
  if (e->nfields == (int)(sizeof e->fields / sizeof e->fields[0]))
    return brink__error(e, BRINK_EINVAL, "too many scenario fields");
  char *k = brink__strdup(e, field), *v = brink__strdup(e, value);
  if (!k || !v) {
    brink__strfree(e, k);
    brink__strfree(e, v);
    return BRINK_ENOMEM;
  }
  e->fields[e->nfields][0] = k;
  e->fields[e->nfields][1] = v;
  e->nfields++;
  return BRINK_OK;
}

BRINK_API const char *brink_scenario_field(const brink_engine *e,
                                           const char *field) {
  if (field == NULL) {
    brink__error(e, BRINK_EINVAL, "field is NULL");
    return NULL;
  }
  const char *v;
  brink__field_get(e, field, &v);
  return v;
}

BRINK_API uint64_t brink_scenario_seed(const brink_engine *e) {
  return e->scenario_seed;
}

/* actors ----------------------------------------------------------------- */

BRINK_API int brink_actor_add(brink_engine *e, const char *id,
                              const char *name, int *out) {
  BRINK__WRITE(e);
  return brink__actor_declare(e, id, name, NULL, out);
}

int brink__actor_declare(brink_engine *e, const char *id, const char *name,
                         const char *brief, int *out) {
  if (out) *out = -1;
  if (id == NULL || *id == '\0')
    return brink__error(e, BRINK_EINVAL, "an actor needs an id");
  if (e->sealed)
    return brink__error(e, BRINK_ESTATE,
                        "actor '%s' declared after the world was sealed", id);
  if (strchr(id, '.') || strcmp(id, "*") == 0)
    return brink__error(e, BRINK_EINVAL,
                        "actor id '%s' may not contain '.' or be '*'", id);
  if (brink__map_get(&e->actor_map, id) >= 0)
    return brink__error(e, BRINK_EEXIST, "actor '%s' is declared twice", id);
  if (brink__grow(e, (void **)&e->actors, &e->cap_actors, e->nactors + 1,
                  sizeof(brink__actor)))
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  brink__actor *a = &e->actors[e->nactors];
  memset(a, 0, sizeof *a);
  a->id = brink__strdup(e, id);
  a->name = brink__strdup(e, name ? name : id);
  a->brief = brief ? brink__strdup(e, brief) : NULL;
  a->policy = -1;
  a->ai_key = brink__name_hash("ai:", id);
  if (!a->id || !a->name || (brief && !a->brief) ||
      brink__map_put(e, &e->actor_map, a->id, e->nactors) != BRINK_OK) {
    brink__strfree(e, a->id);
    brink__strfree(e, a->name);
    brink__strfree(e, a->brief);
    return brink__error(e, BRINK_ENOMEM, "out of memory");
  }
  if (out) *out = e->nactors;
  e->nactors++;
  return BRINK_OK;
}

BRINK_API int brink_actor_count(const brink_engine *e) { return e->nactors; }

int brink__actor_lookup(brink_engine *e, const char *id, int *out) {
  int a = brink__map_get(&e->actor_map, id);
  if (out) *out = a;
  if (a >= 0) return BRINK_OK;
  brink__nearest s;
  brink__nearest_init(&s, id);
  for (int i = 0; i < e->nactors; i++) brink__nearest_add(&s, e->actors[i].id);
  return brink__error(e, BRINK_ENOTFOUND, "unknown actor %s",
                      brink__nearest_text(e, &s));
}

BRINK_API int brink_actor_find(brink_engine *e, const char *id, int *out) {
  if (id == NULL) return brink__error(e, BRINK_EINVAL, "actor id is NULL");
  return brink__actor_lookup(e, id, out);
}

BRINK_API const char *brink_actor_id(const brink_engine *e, int actor) {
  return actor >= 0 && actor < e->nactors ? e->actors[actor].id
                                         : brink__bad_name(e, "actor", actor);
}

BRINK_API const char *brink_actor_name(const brink_engine *e, int actor) {
  return actor >= 0 && actor < e->nactors ? e->actors[actor].name
                                         : brink__bad_name(e, "actor", actor);
}

BRINK_API const char *brink_actor_brief(const brink_engine *e, int actor) {
  if (actor < 0 || actor >= e->nactors)
    return brink__bad_name(e, "actor", actor);
  return e->actors[actor].brief ? e->actors[actor].brief : "";
}
