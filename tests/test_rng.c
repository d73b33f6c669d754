/*
** test_rng.c: the seeded generator and the portable logarithm.
**
** Expected raw outputs come from an independent implementation of
** splitmix64 and xoshiro256** written from the published algorithms; the
** first xoshiro256** outputs from the state {1, 2, 3, 4} and the first
** splitmix64 output for seed 0 match the reference authors' test vectors.
*/
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "brinkint.h"

static brink_engine *e;

static void open_engine(void) {
  cr_assert_eq(brink_engine_open(&e, NULL), BRINK_OK);
}

static void close_engine(void) {
  brink_engine_close(e);
  e = NULL;
}

/* the raw generator ------------------------------------------------------ */

Test(rng, xoshiro256ss_from_state_1_2_3_4_gives_the_reference_outputs) {
  brink__rng r = {{1, 2, 3, 4}};
  static const uint64_t want[] = {11520u, 0u, 1509978240u,
                                  UINT64_C(1215971899390074240),
                                  UINT64_C(1216172134540287360),
                                  UINT64_C(607988272756665600)};
  for (int i = 0; i < 6; i++)
    cr_assert_eq(brink__rng_next(&r), want[i], "output %d", i);
}

Test(rng, seeding_fills_the_state_with_successive_splitmix64_outputs) {
  brink__rng r;
  brink__rng_seed(&r, 0);
  cr_assert_eq(r.s[0], UINT64_C(0xe220a8397b1dcdaf));
  cr_assert_eq(r.s[1], UINT64_C(0x6e789e6aa1b965f4));
  cr_assert_eq(r.s[2], UINT64_C(0x06c45d188009454f));
  cr_assert_eq(r.s[3], UINT64_C(0xf88bb8a8724c81ec));
  cr_assert_eq(brink__rng_next(&r), UINT64_C(0x99ec5f36cb75f2b4));
  cr_assert_eq(brink__rng_next(&r), UINT64_C(0xbf6e1f784956452a));
  cr_assert_eq(brink__rng_next(&r), UINT64_C(0x1a5f849d4933e6e0));
  cr_assert_eq(brink__rng_next(&r), UINT64_C(0x6aa594f1262d2d2c));
}

Test(rng, a_double_is_the_top_53_bits_scaled_into_zero_to_one) {
  brink__rng a, b;
  brink__rng_seed(&a, 7);
  b = a;
  for (int i = 0; i < 1000; i++) {
    uint64_t x = brink__rng_next(&a);
    double d = brink__rng_double(&b);
    cr_assert_eq(d, (double)(x >> 11) / 9007199254740992.0);
    cr_assert(d >= 0 && d < 1);
  }
  cr_assert_lt((double)(UINT64_MAX >> 11) * 0x1.0p-53, 1.0);
}

/* the engine's generator ------------------------------------------------- */

TestSuite(engine_rng, .init = open_engine, .fini = close_engine);

Test(engine_rng, the_first_draws_for_seed_2019_are_pinned) {
  cr_assert_eq(brink_seed(e, 2019), BRINK_OK);
  cr_assert_eq(brink_random(e), 0x1.0056d0b97e8c6p-1);
  cr_assert_eq(brink_random(e), 0x1.668cd334b94a2p-2);
  cr_assert_eq(brink_random(e), 0x1.d2b2f849ec4dfp-1);
  brink_seed(e, 2019);
  static const int64_t dice[] = {2, 5, 6, 4, 1, 5, 3, 1};
  for (int i = 0; i < 8; i++) {
    int64_t v;
    cr_assert_eq(brink_random_int(e, 1, 6, &v), BRINK_OK);
    cr_assert_eq(v, dice[i], "roll %d", i);
  }
}

/*
** Regression values: any change to the normal path changes every run.  An
** independent script using the same polar method gave the same bits.
*/
Test(engine_rng, the_first_normals_for_seed_2019_are_pinned) {
  brink_seed(e, 2019);
  cr_assert_eq(brink_normal(e, 0, 1), 0x1.3df6dc8222edap-7);
  cr_assert_eq(brink_normal(e, 0, 1), 0x1.87b9d3d16663bp-5);
  cr_assert_eq(brink_normal(e, 10, 2), 0x1.7b677ea10090ap+3);
}

Test(engine_rng, the_same_seed_gives_the_same_sequence) {
  brink_engine *f;
  cr_assert_eq(brink_engine_open(&f, NULL), BRINK_OK);
  brink_seed(e, 42);
  brink_seed(f, 42);
  for (int i = 0; i < 1000; i++) {
    int64_t a, b;
    cr_assert_eq(brink_random(e), brink_random(f));
    brink_random_int(e, -1000, 1000, &a);
    brink_random_int(f, -1000, 1000, &b);
    cr_assert_eq(a, b);
    cr_assert_eq(brink_normal(e, 3, 4), brink_normal(f, 3, 4));
    cr_assert_eq(brink_chance(e, 0.3), brink_chance(f, 0.3));
  }
  brink_engine_close(f);
}

Test(engine_rng, reseeding_restarts_the_sequence) {
  brink_seed(e, 99);
  double first[16];
  for (int i = 0; i < 16; i++) first[i] = brink_random(e);
  brink_seed(e, 99);
  for (int i = 0; i < 16; i++) cr_assert_eq(brink_random(e), first[i]);
  brink_seed(e, 100);
  cr_assert_neq(brink_random(e), first[0]);
}

Test(engine_rng, two_engines_used_interleaved_draw_as_if_each_ran_alone) {
  double alone_a[200], alone_b[200];
  brink_seed(e, 1);
  for (int i = 0; i < 200; i++) alone_a[i] = brink_random(e);
  brink_seed(e, 2);
  for (int i = 0; i < 200; i++) alone_b[i] = brink_random(e);

  brink_engine *f;
  cr_assert_eq(brink_engine_open(&f, NULL), BRINK_OK);
  brink_seed(e, 1);
  brink_seed(f, 2);
  for (int i = 0; i < 200; i++) {
    cr_assert_eq(brink_random(e), alone_a[i]);
    cr_assert_eq(brink_random(f), alone_b[i]);
  }
  brink_engine_close(f);
}

Test(engine_rng, chance_always_draws_exactly_one_number) {
  static const double ps[] = {-1, 0, 0.5, 1, 2};
  for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
    brink_seed(e, 5);
    brink_chance(e, ps[i]);
    brink_chance(e, NAN);
    double next = brink_random(e);
    brink_seed(e, 5);
    brink_random(e);
    brink_random(e);
    cr_assert_eq(brink_random(e), next, "p = %g", ps[i]);
  }
}

Test(engine_rng, chance_of_zero_never_and_of_one_always_happens) {
  brink_seed(e, 6);
  for (int i = 0; i < 10000; i++) {
    cr_assert_eq(brink_chance(e, 0), 0);
    cr_assert_eq(brink_chance(e, 1), 1);
    cr_assert_eq(brink_chance(e, -0.5), 0);
    cr_assert_eq(brink_chance(e, NAN), 0);
  }
  int hits = 0;
  for (int i = 0; i < 100000; i++) hits += brink_chance(e, 0.3);
  cr_assert(hits > 29000 && hits < 31000, "%d hits", hits);
}

Test(engine_rng, doubles_average_one_half) {
  brink_seed(e, 2019);
  double sum = 0;
  for (int i = 0; i < 100000; i++) {
    double d = brink_random(e);
    cr_assert(d >= 0 && d < 1);
    sum += d;
  }
  cr_assert(fabs(sum / 100000 - 0.5) < 0.01, "mean %f", sum / 100000);
}

Test(engine_rng, dice_rolls_are_uniform) {
  brink_seed(e, 3);
  int count[6] = {0};
  for (int i = 0; i < 60000; i++) {
    int64_t v;
    brink_random_int(e, 1, 6, &v);
    cr_assert(v >= 1 && v <= 6);
    count[v - 1]++;
  }
  for (int i = 0; i < 6; i++)
    cr_assert(count[i] > 9500 && count[i] < 10500, "%d: %d", i + 1, count[i]);
}

Test(engine_rng, normals_have_the_asked_mean_and_deviation) {
  brink_seed(e, 4);
  double sum = 0, sq = 0;
  int n = 100000;
  for (int i = 0; i < n; i++) {
    double x = brink_normal(e, 10, 2);
    sum += x;
    sq += x * x;
  }
  double mean = sum / n, sd = sqrt(sq / n - mean * mean);
  cr_assert(fabs(mean - 10) < 0.05, "mean %f", mean);
  cr_assert(fabs(sd - 2) < 0.05, "sd %f", sd);
}

/* ranges ----------------------------------------------------------------- */

Test(engine_rng, a_range_of_one_value_returns_it_and_still_draws_once) {
  brink_seed(e, 8);
  int64_t v;
  cr_assert_eq(brink_random_int(e, 17, 17, &v), BRINK_OK);
  cr_assert_eq(v, 17);
  cr_assert_eq(brink_random_int(e, INT64_MIN, INT64_MIN, &v), BRINK_OK);
  cr_assert_eq(v, INT64_MIN);
  double third = brink_random(e);
  brink_seed(e, 8);
  brink_random(e);
  brink_random(e);
  cr_assert_eq(brink_random(e), third);
}

Test(engine_rng, the_full_int64_range_uses_every_bit_of_a_draw) {
  static const int64_t want[] = {INT64_C(12218171553888185),
                                 INT64_C(-2764307690425250134),
                                 INT64_C(7591235145100098495)};
  brink_seed(e, 2019);
  for (int i = 0; i < 3; i++) {
    int64_t v;
    cr_assert_eq(brink_random_int(e, INT64_MIN, INT64_MAX, &v), BRINK_OK);
    cr_assert_eq(v, want[i], "draw %d", i);
  }
  int neg = 0;
  for (int i = 0; i < 1000; i++) {
    int64_t v;
    brink_random_int(e, INT64_MIN, INT64_MAX, &v);
    neg += v < 0;
  }
  cr_assert(neg > 400 && neg < 600, "%d negative", neg);
}

Test(engine_rng, ranges_at_the_ends_of_int64_stay_inside_them) {
  brink_seed(e, 9);
  bool seen[2][2] = {{false}};
  for (int i = 0; i < 1000; i++) {
    int64_t v;
    brink_random_int(e, INT64_MAX - 1, INT64_MAX, &v);
    cr_assert(v == INT64_MAX - 1 || v == INT64_MAX);
    seen[0][v == INT64_MAX] = true;
    brink_random_int(e, INT64_MIN, INT64_MIN + 1, &v);
    cr_assert(v == INT64_MIN || v == INT64_MIN + 1);
    seen[1][v == INT64_MIN + 1] = true;
    brink_random_int(e, INT64_MIN, INT64_MAX - 1, &v);
    cr_assert(v < INT64_MAX);
    brink_random_int(e, INT64_MIN + 1, INT64_MAX, &v);
    cr_assert(v > INT64_MIN);
  }
  cr_assert(seen[0][0] && seen[0][1] && seen[1][0] && seen[1][1]);
}

Test(engine_rng, negative_ranges_cover_every_value) {
  brink_seed(e, 10);
  int count[3] = {0};
  for (int i = 0; i < 3000; i++) {
    int64_t v;
    brink_random_int(e, -5, -3, &v);
    cr_assert(v >= -5 && v <= -3);
    count[v + 5]++;
  }
  for (int i = 0; i < 3; i++) cr_assert(count[i] > 900, "%d", count[i]);
}

/* 2^63 + 1 values: nearly half of all draws fall in the rejected zone. */
Test(rng, a_span_just_past_half_of_2_64_rejects_and_stays_unbiased) {
  brink__rng r;
  brink__rng_seed(&r, 11);
  int64_t lo = -(INT64_C(1) << 62), hi = INT64_C(1) << 62;
  int below = 0;
  for (int i = 0; i < 10000; i++) {
    int64_t v = brink__rng_range(&r, lo, hi);
    cr_assert(v >= lo && v <= hi);
    below += v < 0;
  }
  cr_assert(below > 4700 && below < 5300, "%d", below);
}

Test(engine_rng, a_reversed_range_is_refused_with_a_message) {
  int64_t v = 77;
  cr_assert_eq(brink_random_int(e, 2, 1, &v), BRINK_EINVAL);
  cr_assert_eq(v, 77);
  cr_assert(strstr(brink_errmsg(e), "lower bound 2"), "%s", brink_errmsg(e));
  cr_assert_eq(brink_random_int(e, 1, 2, NULL), BRINK_EINVAL);
}

/* the logarithm ---------------------------------------------------------- */

static void check_log(double x) {
  double want = log(x), got = brink__log(x);
  double err = want == 0 ? fabs(got) : fabs((got - want) / want);
  if (!(err < 1e-15)) cr_assert_fail("log(%a): %a, libm %a", x, got, want);
}

Test(rng, log_matches_libm_to_1e_15_from_1e_minus_300_to_1e300) {
  brink__rng r;
  brink__rng_seed(&r, 12);
  for (int i = 0; i <= 200000; i++) {
    double e10 = -300 + 600.0 * i / 200000;
    check_log(pow(10, e10));
    check_log(pow(10, e10) * (1 + brink__rng_double(&r)));
  }
}

Test(rng, log_is_exact_near_one_and_at_powers_of_two) {
  cr_assert_eq(brink__log(1), 0);
  for (int j = 1; j <= 2000; j++) {
    check_log(1 + j * 0x1.0p-52);
    check_log(1 - j * 0x1.0p-53);
    check_log(1 + j * 1e-6);
    check_log(1 - j * 1e-6);
  }
  for (int k = -1074; k <= 1023; k++) check_log(ldexp(1, k));
  check_log(sqrt(2));
  check_log(nextafter(sqrt(2), 2));
  check_log(nextafter(sqrt(2), 0));
  check_log(sqrt(0.5));
  check_log(DBL_MAX);
  check_log(DBL_MIN);
  check_log(0x1.fffffffffffffp-1023);   /* the largest subnormal */
}

Test(rng, log_of_zero_negative_infinity_and_nan_follows_ieee) {
  cr_assert(isinf(brink__log(0)) && brink__log(0) < 0);
  cr_assert(isinf(brink__log(-0.0)) && brink__log(-0.0) < 0);
  cr_assert(isnan(brink__log(-1)));
  cr_assert(isnan(brink__log(-INFINITY)));
  cr_assert(isnan(brink__log(NAN)));
  cr_assert(isinf(brink__log(INFINITY)) && brink__log(INFINITY) > 0);
}
