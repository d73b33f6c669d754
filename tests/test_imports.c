/*
** test_imports.c: import from files, from the host's memory and from the
** script library; the texts the engine keeps, and clones that load them
** rather than the files as they are by then.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bind.h"
#include "brink.h"
#include "lang_fixture.h"
#include "oom_fixture.h"

#define ACTORS "actor 'A' { name = 'Alpha' }\n"

/* The scenario: w.x becomes what the import 'rules' says, each turn. */
#define MAIN                                                                \
  HEADER ACTORS                                                             \
  "local rules = import 'rules'\n"                                          \
  "var 'x' { init = 0 }\n"                                                  \
  "trigger 't' { every = 1, effect = function(w) w.x = rules.value end }\n"

/* A fresh directory holding main.lua (MAIN) and rules.lua ('rules'). */
typedef struct tree {
  char dir[64];
  char main[96], rules[96];
} tree;

static void put(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f, "cannot write %s", path);
  fputs(text, f);
  fclose(f);
}

static void tree_make(tree *t, const char *rules) {
  snprintf(t->dir, sizeof t->dir, "/tmp/brink-imports-XXXXXX");
  cr_assert_not_null(mkdtemp(t->dir));
  snprintf(t->main, sizeof t->main, "%s/main.lua", t->dir);
  snprintf(t->rules, sizeof t->rules, "%s/rules.lua", t->dir);
  put(t->main, MAIN);
  if (rules) put(t->rules, rules);
}

static void tree_remove(tree *t) {
  unlink(t->main);
  unlink(t->rules);
  rmdir(t->dir);
}

static double run_x(brink_engine *e, uint64_t seed) {
  cr_assert_eq(brink_start(e, seed), BRINK_OK, "%s", brink_errmsg(e));
  int rc = brink_run(e);
  cr_assert_eq(rc, BRINK_DONE, "%s", brink_errmsg(e));
  int x;
  double v;
  cr_assert_eq(brink_var_find(e, "x", &x), BRINK_OK);
  cr_assert_eq(brink_var_get(e, x, &v), BRINK_OK);
  return v;
}

static brink_engine *open_engine(void) {
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
  return e;
}

static void clone_ignores_the_file_after_load(bool delete) {
  tree t;
  tree_make(&t, "return { value = 7 }\n");
  brink_engine *e = open_engine();
  cr_assert_eq(brink_load_file(e, t.main), BRINK_OK, "%s", brink_errmsg(e));
  if (delete) unlink(t.rules);
  else put(t.rules, "return { value = 99 }\n");
  brink_engine *c;
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(run_x(c, 5), 7);
  cr_assert_eq(run_x(e, 5), 7);
  cr_assert_eq(brink_import_count(c), 1);
  cr_assert_str_eq(brink_import_name(c, 0), "rules");
  brink_engine_close(c);
  brink_engine_close(e);
  tree_remove(&t);
}

Test(imports, a_clone_loads_the_import_as_it_was_after_the_file_changed) {
  clone_ignores_the_file_after_load(false);
}

Test(imports, a_clone_loads_the_import_as_it_was_after_the_file_went) {
  clone_ignores_the_file_after_load(true);
}

Test(imports, a_clone_reports_errors_in_an_import_at_the_original_path) {
  tree t;
  tree_make(&t, "return { value = 1 }\n");
  put(t.rules, "return setmetatable({}, { __index = function(_, k)\n"
               "  error('no rule ' .. k) end })\n");
  brink_engine *e = open_engine();
  cr_assert_eq(brink_load_file(e, t.main), BRINK_OK, "%s", brink_errmsg(e));
  unlink(t.rules);
  brink_engine *c;
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_start(c, 1), BRINK_OK);
  cr_assert_eq(brink_run(c), BRINK_ESCRIPT);
  char want[128];
  snprintf(want, sizeof want, "%s:2", t.rules);
  cr_assert_str_eq(brink_errwhere(c), want);
  cr_assert_str_eq(brink_errmsg(c), "no rule value");
  brink_engine_close(c);
  brink_engine_close(e);
  tree_remove(&t);
}

Test(imports, load_string_uses_imports_the_host_supplied) {
  brink_engine *e = open_engine();
  const char *rules = "return { value = 42 }  -- not NUL-terminated here";
  cr_assert_eq(brink_import_add(e, "rules", rules, 21), BRINK_OK);
  cr_assert_eq(brink_load_string(e, "main.lua", MAIN, strlen(MAIN)),
               BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_import_count(e), 1);
  size_t len;
  cr_assert_str_eq(brink_import_text(e, 0, &len), "return { value = 42 }");
  cr_assert_eq(len, 21);
  brink_engine *c;
  cr_assert_eq(brink_engine_clone(e, &c), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(run_x(c, 3), 42);
  cr_assert_eq(run_x(e, 3), 42);
  brink_engine_close(c);
  brink_engine_close(e);
}

Test(imports, a_supplied_import_comes_before_the_file_beside_the_scenario) {
  tree t;
  tree_make(&t, "return { value = 7 }\n");
  brink_engine *e = open_engine();
  const char *rules = "return { value = 8 }\n";
  cr_assert_eq(brink_import_add(e, "rules", "return {}", 9), BRINK_OK);
  cr_assert_eq(brink_import_add(e, "rules", rules, strlen(rules)),
               BRINK_OK);   /* replaces */
  cr_assert_eq(brink_load_file(e, t.main), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(run_x(e, 1), 8);
  brink_engine_close(e);
  tree_remove(&t);
}

Test(imports, a_supplied_import_names_itself_in_messages) {
  brink_engine *e = open_engine();
  const char *rules = "local t = {}\nreturn t.missing.value\n";
  cr_assert_eq(brink_import_add(e, "rules", rules, strlen(rules)), BRINK_OK);
  cr_assert_neq(brink_load_string(e, "main.lua", MAIN, strlen(MAIN)),
                BRINK_OK);
  assert_has(brink_diag_get(e, 0), "rules.lua:2:");
  /* A failed load keeps what the host supplied, for another try. */
  cr_assert_eq(brink_import_count(e), 1);
  const char *fixed = "return { value = 5 }\n";
  cr_assert_eq(brink_import_add(e, "rules", fixed, strlen(fixed)), BRINK_OK);
  cr_assert_eq(brink_load_string(e, "main.lua", MAIN, strlen(MAIN)),
               BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(run_x(e, 1), 5);
  brink_engine_close(e);
}

Test(imports, an_unknown_import_names_the_file_and_line) {
  const char *msg = load_error(HEADER ACTORS "\n"
                               "local r = import 'nowhere'\n");
  cr_assert_str_eq(msg, "test.lua:4: import: no 'nowhere.lua' supplied by "
                   "the host, beside the scenario or in the script library");
}

Test(imports, the_script_library_is_kept_like_any_import) {
  brink_engine *e = load_ok(HEADER ACTORS "local util = import 'util'\n");
  cr_assert_eq(brink_import_count(e), 1);
  cr_assert_str_eq(brink_import_name(e, 0), "util");
  size_t len;
  cr_assert_gt(strlen(brink_import_text(e, 0, &len)), 0);
  cr_assert_null(brink_import_name(e, 1));
  cr_assert_null(brink_import_text(e, -1, &len));
  cr_assert_eq(len, 0);
  brink_engine_close(e);
}

Test(imports, add_refuses_a_name_import_would_refuse_and_a_loaded_engine) {
  brink_engine *e = open_engine();
  cr_assert_eq(brink_import_add(e, "../etc/passwd", "x", 1), BRINK_EINVAL);
  cr_assert_eq(brink_import_add(e, "", "x", 1), BRINK_EINVAL);
  cr_assert_eq(brink_import_add(e, "a", NULL, 0), BRINK_EINVAL);
  const char *src = HEADER ACTORS;
  cr_assert_eq(brink_load_string(e, "main.lua", src, strlen(src)), BRINK_OK);
  cr_assert_eq(brink_import_add(e, "rules", "x", 1), BRINK_ESTATE);
  cr_assert_eq(brink_import_count(e), 0);
  brink_engine_close(e);
}

/* Supplies 'rules', loads MAIN and clones: BRINK_OK or the status of the
   first call that failed. */
static int supply_load_clone(brink_engine *e, brink_engine **twin) {
  const char *rules = "return { value = 6 }\n";
  int rc = brink_import_add(e, "rules", rules, strlen(rules));
  if (rc == BRINK_OK) rc = brink_load_string(e, "main.lua", MAIN,
                                             strlen(MAIN));
  if (rc == BRINK_OK) rc = brink_engine_clone(e, twin);
  return rc;
}

/*
** Every allocation of brink_import_add() and of the start of the clone
** (where the imports are copied) is refused in turn; of the load itself,
** which test_oom.c sweeps, a sample.
*/
Test(imports, one_refused_allocation_in_supplying_loading_or_cloning_is_clean,
     .timeout = 300) {
  long loaded;   /* allocations until the clone starts */
  {
    one_shot o = {0, 0};
    brink_engine *e;
    cr_assert_eq(open_failing(&e, &o), BRINK_OK);
    const char *rules = "return { value = 6 }\n";
    cr_assert_eq(brink_import_add(e, "rules", rules, strlen(rules)), BRINK_OK);
    cr_assert_eq(brink_load_string(e, "main.lua", MAIN, strlen(MAIN)),
                 BRINK_OK);
    loaded = o.count;
    brink_engine_close(e);
  }
#if defined(__SANITIZE_ADDRESS__)
  long stride = 23;
#else
  long stride = 7;
#endif
  long total = 100000;   /* until a pass refuses nothing */
  for (long k = 1; k <= total;
       k += k < 30 || (k >= loaded && k < loaded + 200) ? 1 : stride) {
    one_shot o = {k, 0};
    brink_engine *e, *twin = NULL;
    if (open_failing(&e, &o) != BRINK_OK) continue;
    int rc = supply_load_clone(e, &twin);
    if (o.count < k) total = 0;   /* every allocation has had its turn */
    cr_assert(rc == BRINK_OK || rc == BRINK_ENOMEM, "allocation %ld: %s: %s",
              k, brink_status_name(rc), brink_errmsg(e));
    o.fail_at = 0;   /* the clone is checked with all the memory it wants */
    if (twin) {
      cr_assert_eq(run_x(twin, 2), 6, "allocation %ld", k);
      brink_engine_close(twin);
    }
    brink_engine_close(e);
  }
}

static int list_text(void *ud, const char *name, const char *chunk,
                     const char *text, size_t len) {
  char *out = ud;
  size_t n = strlen(out);
  snprintf(out + n, 256 - n, "%s=%s:%zu;", name ? name : "-", chunk,
           strlen(text) == len ? len : 0);
  return 0;
}

static int stop_at_once(void *ud, const char *name, const char *chunk,
                        const char *text, size_t len) {
  (void)ud, (void)name, (void)chunk, (void)text, (void)len;
  return 7;
}

Test(imports, every_kept_text_is_visited_for_a_digest_scenario_first) {
  brink_engine *e = open_engine();
  cr_assert_eq(brink_import_add(e, "rules", "return { value = 1 }", 20),
               BRINK_OK);
  cr_assert_eq(brink_load_string(e, "main.lua", MAIN, strlen(MAIN)),
               BRINK_OK, "%s", brink_errmsg(e));
  char out[256] = "";
  cr_assert_eq(brink__texts_each(e, list_text, out), 0);
  char want[256];
  snprintf(want, sizeof want, "-=main.lua:%zu;rules=rules.lua:20;",
           strlen(MAIN));
  cr_assert_str_eq(out, want);
  cr_assert_eq(brink__texts_each(e, stop_at_once, NULL), 7);
  brink_engine_close(e);
}
