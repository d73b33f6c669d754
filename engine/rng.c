/*
** rng.c: the engine's generator, xoshiro256** seeded through splitmix64.
**
** Every draw must be the same bits on every machine, so the floating-point
** paths use only + - * / and sqrt, which IEEE 754 rounds exactly; the build
** turns off fused multiply-add (-ffp-contract=off) for the same reason.
** The C library's log, exp and cos differ between libms, hence brink__log.
*/
#include <inttypes.h>
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "brinkint.h"

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Four distinct splitmix64 outputs are never all zero, the one bad state. */
void brink__rng_seed(brink__rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t brink__rng_next(brink__rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

/* The top 53 bits: every double in [0, 1) on the 2^-53 grid, equally. */
double brink__rng_double(brink__rng *r) {
  return (double)(brink__rng_next(r) >> 11) * 0x1.0p-53;
}

/* Two's complement without the implementation-defined conversion. */
static int64_t to_signed(uint64_t u) {
  return u <= INT64_MAX ? (int64_t)u : -(int64_t)(UINT64_MAX - u) - 1;
}

/*
** Uniform in [lo, hi], lo <= hi.  The span is taken in unsigned arithmetic,
** where it cannot overflow.  Draws below 2^64 mod n are rejected so that
** the rest divide evenly into n residues; at most half of all draws are
** rejected, so the expected number of draws is below two.
*/
int64_t brink__rng_range(brink__rng *r, int64_t lo, int64_t hi) {
  uint64_t span = (uint64_t)hi - (uint64_t)lo;
  uint64_t x = brink__rng_next(r);
  if (span == UINT64_MAX) return to_signed((uint64_t)lo + x);
  uint64_t n = span + 1;
  uint64_t reject = (0 - n) % n;
  while (x < reject) x = brink__rng_next(r);
  return to_signed((uint64_t)lo + x % n);
}

/*
** Marsaglia's polar method.  It makes two normals per accepted pair; the
** second is dropped because the generator's state must stay the four words
** a snapshot saves.
*/
double brink__rng_normal(brink__rng *r, double mu, double sd) {
  double u, v, s;
  do {
    u = 2 * brink__rng_double(r) - 1;
    v = 2 * brink__rng_double(r) - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  return mu + sd * (u * sqrt(-2 * brink__log(s) / s));
}

/* ln 2 split so that k * LN2_HI is exact for every binary exponent k. */
#define LN2_HI 0x1.62e42fefa2000p-1   /* 40 significant bits */
#define LN2_LO 0x1.9ef35793c7673p-41
#define SQRT2 1.4142135623730951

/*
** x = m * 2^k with m in [sqrt(1/2), sqrt(2)), then
** ln m = 2 atanh(z) = 2 (z + z^3/3 + z^5/5 + ...), z = (m - 1) / (m + 1).
** |z| < 0.172, so z^2 < 0.0295 and ten terms past z reach 2^-54.
*/
double brink__log(double x) {
  if (x != x || x == INFINITY) return x;
  if (x < 0) return NAN;
  if (x == 0) return -INFINITY;
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int k = 0;
  if (bits >> 52 == 0) {        /* subnormal: make it normal first */
    x *= 0x1.0p54;
    memcpy(&bits, &x, sizeof bits);
    k = -54;
  }
  k += (int)(bits >> 52) - 1023;
  bits = (bits & UINT64_C(0x000fffffffffffff)) | UINT64_C(0x3ff0000000000000);
  double m;
  memcpy(&m, &bits, sizeof m);
  if (m > SQRT2) {
    m *= 0.5;
    k++;
  }
  double f = m - 1;             /* exact: m is within a factor 2 of 1 */
  double z = f / (2 + f);
  double z2 = z * z;
  double p = 1.0 / 23;
  p = 1.0 / 21 + z2 * p;
  p = 1.0 / 19 + z2 * p;
  p = 1.0 / 17 + z2 * p;
  p = 1.0 / 15 + z2 * p;
  p = 1.0 / 13 + z2 * p;
  p = 1.0 / 11 + z2 * p;
  p = 1.0 / 9 + z2 * p;
  p = 1.0 / 7 + z2 * p;
  p = 1.0 / 5 + z2 * p;
  p = 1.0 / 3 + z2 * p;
  double twoz = 2 * z;
  double lnm = twoz + twoz * z2 * p;
  return k * LN2_HI + (lnm + k * LN2_LO);
}

/* public ------------------------------------------------------------------ */

/* named streams ---------------------------------------------------------- */

uint64_t brink__name_hash(const char *prefix, const char *name) {
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (const unsigned char *p = (const unsigned char *)prefix; *p; p++)
    h = (h ^ *p) * UINT64_C(0x100000001b3);
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    h = (h ^ *p) * UINT64_C(0x100000001b3);
  return h;
}

/*
** The built-in AI draws from a stream of its own per actor, one number a
** decision, so that what scripts draw, and what other actors' AIs draw,
** never shifts its choices.  Decision k of actor A in a run of seed S
** (k = (turn - 1) * moves_per_turn + moves made this turn) takes the
** (k+1)-th output of SplitMix64 started at S xor FNV-1a("ai:" A): counted,
** not kept, so it needs no state of its own in snapshots or saves.
*/
double brink__ai_draw(const brink_engine *e, int actor) {
  uint64_t k = (uint64_t)(e->run.turn - 1) * (uint64_t)e->moves_per_turn +
               (uint64_t)e->run.moves_made;
  uint64_t x = (e->run.seed ^ e->actors[actor].ai_key) +
               k * UINT64_C(0x9e3779b97f4a7c15);
  return (double)(splitmix64(&x) >> 11) * 0x1.0p-53;
}

/*
** Stream N of a run with seed S starts as the run's own generator would
** with the seed S xor FNV-1a(N): so it depends on the seed and the name
** alone, never on what else was drawn, and in what order streams began.
*/
static void stream_start(brink__stream *st, uint64_t seed) {
  brink__rng_seed(&st->rng, seed ^ brink__name_hash("", st->name));
}

static bool stream_name_ok(const char *name) {
  size_t n = strlen(name);
  if (n == 0 || n >= BRINK__STREAM_NAME) return false;
  for (const char *p = name; *p; p++)
    if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.'))
      return false;
  return true;
}

static brink__stream *stream_find(brink_engine *e, const char *name) {
  for (int i = 0; i < e->run.nstreams; i++)
    if (strcmp(e->run.streams[i].name, name) == 0) return &e->run.streams[i];
  return NULL;
}

int brink__stream_of(brink_engine *e, const char *name, brink__rng **out) {
  *out = &e->run.rng;
  if (name == NULL) return BRINK_OK;
  brink__stream *st = stream_find(e, name);
  if (st == NULL) {
    if (!stream_name_ok(name))
      return brink__error(e, BRINK_EINVAL, "'%.40s' is not a stream name: "
                          "1 to %d letters, digits, '_', '-' or '.'", name,
                          BRINK__STREAM_NAME - 1);
    if (e->run.nstreams == BRINK__MAX_STREAMS)
      return brink__error(e, BRINK_ERANGE, "too many random streams: a run "
                          "may use %d ('%s' would be one more)",
                          BRINK__MAX_STREAMS, name);
    st = &e->run.streams[e->run.nstreams++];
    memset(st, 0, sizeof *st);
    strcpy(st->name, name);
    stream_start(st, e->run.seed);
  }
  *out = &st->rng;
  return BRINK_OK;
}

BRINK_API int brink_stream_count(const brink_engine *e) {
  return e->run.nstreams;
}

BRINK_API const char *brink_stream_name(const brink_engine *e, int i) {
  if (i < 0 || i >= e->run.nstreams) {
    brink__error(e, BRINK_EINVAL, "no stream has number %d", i);
    return NULL;
  }
  return e->run.streams[i].name;
}

BRINK_API int brink_stream_get(const brink_engine *e, const char *name,
                               uint64_t state[4]) {
  if (name == NULL || state == NULL)
    return brink__error(e, BRINK_EINVAL, "name or state is NULL");
  for (int i = 0; i < e->run.nstreams; i++)
    if (strcmp(e->run.streams[i].name, name) == 0) {
      memcpy(state, e->run.streams[i].rng.s, sizeof e->run.streams[i].rng.s);
      return BRINK_OK;
    }
  return brink__error(e, BRINK_ENOTFOUND, "the run has drawn nothing from "
                      "stream '%.40s'", name);
}

BRINK_API int brink_stream_set(brink_engine *e, const char *name,
                               const uint64_t state[4]) {
  BRINK__WRITE(e);
  if (state == NULL) return brink__error(e, BRINK_EINVAL, "state is NULL");
  if ((state[0] | state[1] | state[2] | state[3]) == 0)
    return brink__error(e, BRINK_ERANGE, "a generator's state is never all "
                        "zero");
  brink__rng *r;
  int rc = brink__stream_of(e, name, &r);
  if (rc != BRINK_OK) return rc;
  memcpy(r->s, state, sizeof r->s);
  return BRINK_OK;
}

BRINK_API int brink_seed(brink_engine *e, uint64_t seed) {
  BRINK__WRITE(e);
  brink__rng_seed(&e->run.rng, seed);
  e->run.seed = seed;
  /* Every stream starts again from the new seed. */
  e->run.nstreams = 0;
  return BRINK_OK;
}

/* What every draw from a named stream checks first; the stream in 'r'. */
static int stream_draw(brink_engine *e, const char *fn, const char *stream,
                       const void *out, brink__rng **r) {
  if (out == NULL) return brink__error(e, BRINK_EINVAL, "'out' is NULL");
  int rc = brink__writable(e, fn);
  return rc != BRINK_OK ? rc : brink__stream_of(e, stream, r);
}

BRINK_API int brink_random_in(brink_engine *e, const char *stream,
                              double *out) {
  brink__rng *r;
  int rc = stream_draw(e, __func__, stream, out, &r);
  if (rc == BRINK_OK) *out = brink__rng_double(r);
  return rc;
}

BRINK_API int brink_random_int_in(brink_engine *e, const char *stream,
                                  int64_t lo, int64_t hi, int64_t *out) {
  if (lo > hi)
    return brink__error(e, BRINK_EINVAL,
                        "random integer: lower bound %" PRId64
                        " is above upper bound %" PRId64, lo, hi);
  brink__rng *r;
  int rc = stream_draw(e, __func__, stream, out, &r);
  if (rc == BRINK_OK) *out = brink__rng_range(r, lo, hi);
  return rc;
}

BRINK_API int brink_normal_in(brink_engine *e, const char *stream, double mu,
                              double sd, double *out) {
  brink__rng *r;
  int rc = stream_draw(e, __func__, stream, out, &r);
  if (rc == BRINK_OK) *out = brink__rng_normal(r, mu, sd);
  return rc;
}

BRINK_API int brink_chance_in(brink_engine *e, const char *stream, double p,
                              int *out) {
  brink__rng *r;
  int rc = stream_draw(e, __func__, stream, out, &r);
  if (rc == BRINK_OK) *out = brink__rng_double(r) < p;
  return rc;
}

/* A draw changes the run: refused (NaN) inside the record callback. */
BRINK_API double brink_random(brink_engine *e) {
  if (brink__writable(e, __func__) != BRINK_OK) return NAN;
  return brink__rng_double(&e->run.rng);
}

BRINK_API int brink_random_int(brink_engine *e, int64_t lo, int64_t hi,
                               int64_t *out) {
  if (out == NULL) return brink__error(e, BRINK_EINVAL, "'out' is NULL");
  BRINK__WRITE(e);
  if (lo > hi)
    return brink__error(e, BRINK_EINVAL,
                        "random integer: lower bound %" PRId64
                        " is above upper bound %" PRId64, lo, hi);
  *out = brink__rng_range(&e->run.rng, lo, hi);
  return BRINK_OK;
}

BRINK_API double brink_normal(brink_engine *e, double mu, double sd) {
  if (brink__writable(e, __func__) != BRINK_OK) return NAN;
  return brink__rng_normal(&e->run.rng, mu, sd);
}

/*
** Always one draw, whatever 'p' is (0, 1, NaN): the stream's position then
** depends only on how many calls were made, so changing a probability in a
** scenario does not reshuffle every later draw.
*/
BRINK_API int brink_chance(brink_engine *e, double p) {
  BRINK__WRITE(e);
  return brink__rng_double(&e->run.rng) < p;
}
