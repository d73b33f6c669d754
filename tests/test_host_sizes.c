/*
** One rule for every struct with a 'size' field: the caller's size says
** how much of the struct it knows.  Smaller (an older header) is read as
** far as it goes, the rest taking defaults, and written only as far as it
** goes; smaller than the size field or larger than the library's struct is
** BRINK_EINVAL.
*/
#include <stddef.h>

#include "host_fixture.h"

Test(host_sizes, an_older_config_is_read_as_far_as_it_goes) {
  brink_config cfg;
  brink_config_init(&cfg);
  cfg.max_seconds = -5;   /* past the older size: ignored */
  cfg.size = offsetof(brink_config, max_seconds);
  brink_engine *e;
  cr_assert_eq(brink_engine_open(&e, &cfg), BRINK_OK);
  brink_engine_close(e);
  cfg.size = 2;
  cr_assert_eq(brink_engine_open(&e, &cfg), BRINK_EINVAL);
  cr_assert_null(e);
  cfg.size = sizeof cfg + 8;
  cr_assert_eq(brink_engine_open(&e, &cfg), BRINK_EINVAL);
}

Test(host_sizes, an_older_var_spec_declares_with_defaults) {
  brink_engine *e;
  brink_engine_open(&e, NULL);
  brink_var_spec s;
  brink_var_spec_init(&s);
  s.name = "x";
  s.init = 3;
  s.doc = (const char *)1;   /* past the older size: never read */
  s.size = offsetof(brink_var_spec, doc);
  cr_assert_eq(brink_var_declare(e, &s, NULL), BRINK_OK, "%s",
               brink_errmsg(e));
  s.name = "y";
  s.size = 3;
  cr_assert_eq(brink_var_declare(e, &s, NULL), BRINK_EINVAL);
  cr_assert(strstr(brink_errmsg(e), "brink_var_spec: size 3"), "%s",
            brink_errmsg(e));
  s.size = sizeof s + 1;
  cr_assert_eq(brink_var_declare(e, &s, NULL), BRINK_EINVAL);
  cr_assert_eq(brink_world_seal(e), BRINK_OK);
  cr_assert_eq(get(e, "x"), 3);
  cr_assert_str_eq(brink_var_doc(e, 0), "");
  brink_engine_close(e);
}

Test(host_sizes, an_older_position_is_written_and_read_only_as_far_as_it_goes) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  brink_start(e, 4);
  brink_step(e);
  brink_position full = {.size = sizeof full};
  cr_assert_eq(brink_position_get(e, &full), BRINK_OK);
  size_t older = offsetof(brink_position, seed);
  brink_position p;
  memset(&p, 0xAB, sizeof p);
  p.size = (uint32_t)older;
  cr_assert_eq(brink_position_get(e, &p), BRINK_OK);
  cr_assert_eq(p.size, older);
  cr_assert_eq(p.turn, full.turn);
  const unsigned char *tail = (const unsigned char *)&p + older;
  for (size_t i = 0; i < sizeof p - older; i++)
    cr_assert_eq(tail[i], 0xAB, "byte %zu past the caller's size", i);
  /* Set: the fields it does not know keep their values (the generator). */
  double r = brink_random(e);
  p.seed = 0;
  memset(p.rng, 0, sizeof p.rng);
  brink_position_set(e, &full);
  cr_assert_eq(brink_position_set(e, &p), BRINK_OK, "%s", brink_errmsg(e));
  cr_assert_eq(brink_random(e), r);
  p.size = 0;
  cr_assert_eq(brink_position_get(e, &p), BRINK_EINVAL);
  cr_assert_eq(brink_position_set(e, &p), BRINK_EINVAL);
  p.size = sizeof p + 4;
  cr_assert_eq(brink_position_get(e, &p), BRINK_EINVAL);
  brink_engine_close(e);
}

Test(host_sizes, an_older_record_prints_with_defaults) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  brink_record r;
  memset(&r, 0, sizeof r);
  r.kind = BRINK_REC_NEWS;
  r.text = "hello";
  r.size = offsetof(brink_record, cause);
  char buf[256];
  cr_assert_gt(brink_record_json(e, &r, buf, sizeof buf), 0, "%s",
               brink_errmsg(e));
  cr_assert(strstr(buf, "\"text\":\"hello\""), "%s", buf);
  r.size = 1;
  cr_assert_eq(brink_record_json(e, &r, buf, sizeof buf), BRINK_EINVAL);
  r.size = sizeof r + 8;
  cr_assert_eq(brink_record_json(e, &r, buf, sizeof buf), BRINK_EINVAL);
  brink_engine_close(e);
}

/* Records the engine hands out say their whole size. */
static void check_size(void *ud, const brink_record *r) {
  (void)ud;
  cr_assert_eq(r->size, sizeof *r);
}

Test(host_sizes, records_from_the_engine_have_the_librarys_size) {
  brink_engine *e = load_ok(HOST_SCENARIO);
  brink_on_record(e, check_size, NULL);
  brink_start(e, 1);
  brink_step(e);
  brink_engine_close(e);
}
