/*
** source.c: the texts a scenario is made of.  The engine keeps the
** scenario's text and that of every file it imported, wherever the import
** was found, so that a clone loads exactly what the original did (a file
** changed or deleted since makes no difference) and a digest can cover
** them all.  A host may also supply imports from memory before loading
** (brink_import_add): those outlive a failed load, so the host can try
** again; the rest belong to the scenario and go with it.
*/
#include <string.h>

#include "brinkint.h"

static void source_free(brink_engine *e, brink__source *s) {
  brink__strfree(e, s->name);
  brink__strfree(e, s->chunk);
  brink__free(e, s->text, s->len + 1);
  memset(s, 0, sizeof *s);
}

/* Fills 's' with copies, all or nothing. */
static int source_make(brink_engine *e, brink__source *s, const char *name,
                       const char *chunk, const char *text, size_t len,
                       bool supplied) {
  memset(s, 0, sizeof *s);
  s->name = name ? brink__strdup(e, name) : NULL;
  s->chunk = brink__strdup(e, chunk);
  s->text = len < (size_t)-1 ? brink__alloc(e, len + 1) : NULL;
  if ((name && !s->name) || !s->chunk || !s->text) {
    brink__strfree(e, s->name);
    brink__strfree(e, s->chunk);
    if (s->text) brink__free(e, s->text, len + 1);
    memset(s, 0, sizeof *s);
    return BRINK_ENOMEM;
  }
  memcpy(s->text, text, len);
  s->text[len] = '\0';
  s->len = len;
  s->supplied = supplied;
  return BRINK_OK;
}

int brink__import_find(const brink_engine *e, const char *name) {
  for (int i = 0; i < e->nsources; i++)
    if (strcmp(e->sources[i].name, name) == 0) return i;
  return -1;
}

/* Adds import 'name', or replaces its text; all or nothing. */
static int import_put(brink_engine *e, const char *name, const char *chunk,
                      const char *text, size_t len, bool supplied) {
  brink__source s;
  int i = brink__import_find(e, name);
  if (i < 0 && brink__grow(e, (void **)&e->sources, &e->cap_sources,
                           e->nsources + 1, sizeof *e->sources) != BRINK_OK)
    return BRINK_ENOMEM;
  if (source_make(e, &s, name, chunk, text, len, supplied) != BRINK_OK)
    return BRINK_ENOMEM;
  if (i < 0) i = e->nsources++;
  else source_free(e, &e->sources[i]);
  e->sources[i] = s;
  return BRINK_OK;
}

int brink__import_keep(brink_engine *e, const char *name, const char *chunk,
                       const char *text, size_t len) {
  return import_put(e, name, chunk, text, len, false);
}

const char *brink__import_chunk(const brink_engine *e, int i) {
  return e->sources[i].chunk;
}

int brink__imports_copy(const brink_engine *from, brink_engine *to) {
  for (int i = 0; i < from->nsources; i++) {
    const brink__source *s = &from->sources[i];
    if (import_put(to, s->name, s->chunk, s->text, s->len, true) != BRINK_OK)
      return brink__error(to, BRINK_ENOMEM, "out of memory");
  }
  return BRINK_OK;
}

int brink__scenario_keep(brink_engine *e, const char *path, const char *text,
                         size_t len) {
  brink__source s;
  if (source_make(e, &s, NULL, path, text, len, false) != BRINK_OK)
    return BRINK_ENOMEM;
  source_free(e, &e->scenario);
  e->scenario = s;
  return BRINK_OK;
}

int brink__texts_each(const brink_engine *e, brink__text_fn fn, void *ud) {
  int rc = 0;
  if (e->scenario.text)
    rc = fn(ud, NULL, e->scenario.chunk, e->scenario.text, e->scenario.len);
  for (int i = 0; rc == 0 && i < e->nsources; i++) {
    const brink__source *s = &e->sources[i];
    rc = fn(ud, s->name, s->chunk, s->text, s->len);
  }
  return rc;
}

void brink__sources_forget(brink_engine *e) {
  source_free(e, &e->scenario);
  int n = 0;
  for (int i = 0; i < e->nsources; i++)
    if (e->sources[i].supplied) e->sources[n++] = e->sources[i];
    else source_free(e, &e->sources[i]);
  e->nsources = n;
}

void brink__sources_free(brink_engine *e) {
  source_free(e, &e->scenario);
  for (int i = 0; i < e->nsources; i++) source_free(e, &e->sources[i]);
  brink__free(e, e->sources, sizeof *e->sources * (size_t)e->cap_sources);
  e->sources = NULL;
  e->nsources = e->cap_sources = 0;
}

/* As the prelude's import() checks its argument. */
static bool import_name_ok(const char *name) {
  if (!*name) return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
      return false;
  return true;
}

BRINK_API int brink_import_add(brink_engine *e, const char *name,
                               const char *text, size_t len) {
  if (name == NULL || text == NULL)
    return brink__error(e, BRINK_EINVAL, "name and text are needed");
  if (!import_name_ok(name))
    return brink__error(e, BRINK_EINVAL, "import name '%s' is not a plain "
                        "name (letters, digits, _ and -)", name);
  if (brink__load_allowed(e) != BRINK_OK)
    return brink__error(e, BRINK_ESTATE, "imports are added before the "
                        "scenario is loaded");
  size_t n = strlen(name) + sizeof ".lua";
  char *chunk = brink__alloc(e, n);
  if (chunk == NULL) return brink__error(e, BRINK_ENOMEM, "out of memory");
  memcpy(chunk, name, n - sizeof ".lua");
  memcpy(chunk + n - sizeof ".lua", ".lua", sizeof ".lua");
  int rc = import_put(e, name, chunk, text, len, true);
  brink__free(e, chunk, n);
  if (rc != BRINK_OK) return brink__error(e, rc, "out of memory");
  return BRINK_OK;
}

BRINK_API int brink_import_count(const brink_engine *e) {
  return e->nsources;
}

BRINK_API const char *brink_import_name(const brink_engine *e, int i) {
  return i >= 0 && i < e->nsources ? e->sources[i].name : NULL;
}

BRINK_API const char *brink_import_text(const brink_engine *e, int i,
                                        size_t *len) {
  bool ok = i >= 0 && i < e->nsources;
  if (len) *len = ok ? e->sources[i].len : 0;
  return ok ? e->sources[i].text : NULL;
}

BRINK_API const char *brink_scenario_path(const brink_engine *e) {
  return e->scenario.chunk ? e->scenario.chunk : "";
}

BRINK_API const char *brink_scenario_text(const brink_engine *e,
                                          size_t *len) {
  if (len) *len = e->scenario.len;
  return e->scenario.text ? e->scenario.text : "";
}
