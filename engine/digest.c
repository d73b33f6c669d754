/*
** digest.c: the scenario's digest, "sha256:<64 hex>", which snapshots and
** saved states carry so that a state is never restored into another
** scenario.  A loaded scenario is named by its text: with no imports the
** digest is the sha256 of the text, the same the command's saves and logs
** show; each import the engine keeps (source.c) adds its name and text's
** digest.  A world declared through the C API has no text, so its
** declarations are hashed instead.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "brinkint.h"
#include "sha256.h"

#define PREFIX "sha256:"

typedef struct text {
  brink_engine *e;
  char *p;
  size_t len, cap;
  bool failed;
} text;

static void add(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Only integers and plain strings are formatted here, so the host's
   locale cannot change the bytes. */
static void add(text *t, const char *fmt, ...) {
  if (t->failed) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0,
                    fmt, ap);
  va_end(ap);
  if (n < 0) {
    t->failed = true;
    return;
  }
  if (t->len + (size_t)n + 1 > t->cap) {
    size_t cap = (t->len + (size_t)n + 1) * 2;
    char *q = brink__realloc(t->e, t->p, t->cap, cap);
    if (q == NULL) {
      t->failed = true;
      return;
    }
    t->p = q;
    t->cap = cap;
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
  }
  t->len += (size_t)n;
}

static unsigned long long bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return (unsigned long long)u;
}

/* Everything a state's bytes are laid out by, in order. */
static void declarations(const brink_engine *e, text *t) {
  for (int i = 0; i < e->nactors; i++) add(t, "actor %s\n", e->actors[i].id);
  for (int i = 0; i < e->nvars; i++) {
    const brink__decl *d = &e->decls[e->vars[i].decl];
    add(t, "var %s %d %llx %llx", e->vars[i].name, d->type, bits(d->min),
        bits(d->max));
    for (int k = 0; k < d->nvalues; k++) add(t, " %s", d->values[k]);
    add(t, "\n");
  }
  for (int i = 0; i < e->nmoves; i++) add(t, "move %s\n", e->moves[i].name);
  for (int i = 0; i < e->ntriggers; i++)
    add(t, "trigger %s\n", e->triggers[i].name);
  for (int i = 0; i < e->nevents; i++) add(t, "event %s\n", e->events[i].name);
  for (int i = 0; i < e->noutcomes; i++)
    add(t, "outcome %s\n", e->outcomes[i].name);
  add(t, "calendar %ld %ld %d\n", (long)e->start, (long)e->finish, e->unit);
}

/* Each kept text by name and digest: the scenario's, then the imports'. */
static int named_text(void *ud, const char *name, const char *chunk,
                      const char *src, size_t len) {
  (void)chunk;
  char hex[65];
  brink__sha256_hex(src, len, hex);
  if (name) add(ud, "import %s %s\n", name, hex);
  else add(ud, "scenario %s\n", hex);
  return 0;
}

static int compute(brink_engine *e) {
  size_t len;
  const char *src = brink_scenario_text(e, &len);
  char hex[65];
  if (e->host.ud && brink_import_count(e) == 0) {
    brink__sha256(src, len, e->digest_raw);
  } else {
    text t = {e, NULL, 0, 0, false};
    if (e->host.ud) {
      brink__texts_each(e, named_text, &t);
    } else {
      declarations(e, &t);
    }
    if (!t.failed) brink__sha256(t.p ? t.p : "", t.len, e->digest_raw);
    brink__free(e, t.p, t.cap);
    if (t.failed) return brink__error(e, BRINK_ENOMEM, "out of memory");
  }
  brink__hex(e->digest_raw, sizeof e->digest_raw, hex);
  snprintf(e->digest, sizeof e->digest, PREFIX "%s", hex);
  return BRINK_OK;
}

int brink__digest(brink_engine *e, unsigned char out[32]) {
  if (e->digest[0] == '\0') {
    int rc = compute(e);
    if (rc != BRINK_OK) return rc;
  }
  memcpy(out, e->digest_raw, 32);
  return BRINK_OK;
}

BRINK_API const char *brink_scenario_digest(const brink_engine *e) {
  if (e == NULL) return NULL;
  if (!e->sealed) {
    brink__error(e, BRINK_ESTATE, "no scenario is loaded: nothing to name");
    return NULL;
  }
  /* Computed once and kept: the engine is logically unchanged. */
  brink_engine *m = (brink_engine *)e;
  unsigned char raw[32];
  return brink__digest(m, raw) == BRINK_OK ? e->digest : NULL;
}

void brink__digest_free(brink_engine *e) { e->digest[0] = '\0'; }
