/*
** forecast.c: /forecast and /preview, the white cell's look ahead.
**
** Both play continuations of the session's state with the batch engine
** (session/batch.c), on every core: engines of their own, loaded with the
** scenario and its imports as the session's engine read them, put in the
** session's state (brink_state_save's bytes), every seat played by the
** built-in AI and every policy as set.  Continuation i is seeded with
** continuation_seed(S, i), S the session's seed, so the same state gives
** the same numbers whatever the number of threads.  Nothing of the
** session changes: its engine is only read, and the log keeps the
** command's intervention line alone (a replay does not play them again).
**
** /preview pairs the runs: continuation i of the move asked about and
** continuation i of the actor's own controller's choice start from the
** same state with the same seed, so they share every draw until the
** moves make them differ, and the difference of the two shares is
** measured on pairs, not on two independent samples.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* z for a two-sided 95% interval. */
#define DEFAULT_RUNS 500
#define MAX_RUNS 1000000

void origin_free(origin *o) {
  brink_buffer_free(o->state);
  free(o->names);
  free(o->texts);
  free(o->lens);
  memset(o, 0, sizeof *o);
}

int origin_take(brink_engine *e, origin *o, char *err, size_t cap) {
  memset(o, 0, sizeof *o);
  int n = brink_import_count(e);
  o->names = calloc((size_t)n + 1, sizeof *o->names);
  o->texts = calloc((size_t)n + 1, sizeof *o->texts);
  o->lens = calloc((size_t)n + 1, sizeof *o->lens);
  if (o->names == NULL || o->texts == NULL || o->lens == NULL) {
    origin_free(o);
    snprintf(err, cap, "out of memory");
    return BRINK_ENOMEM;
  }
  for (o->n = 0; o->n < n; o->n++) {
    o->names[o->n] = brink_import_name(e, o->n);
    o->texts[o->n] = brink_import_text(e, o->n, &o->lens[o->n]);
  }
  int rc = brink_state_save(e, &o->state, &o->len);
  if (rc != BRINK_OK) {
    snprintf(err, cap, "the state cannot be read: %s", brink_errmsg(e));
    origin_free(o);
  }
  return rc;
}

int origin_from_save(brink_engine *e, const char *path, origin *o,
                     uint64_t *seed, char *err, size_t cap) {
  loaded l;
  char why[600];
  memset(o, 0, sizeof *o);
  if (save_load(path, e, false, &l, why, sizeof why)) {
    snprintf(err, cap, "%s: %s", path, why);
    return BRINK_EFORMAT;
  }
  /* Who plays whom as the session had it, so the state is the one its
     /forecast would go on from. */
  int rc = brink_turn_limit(e, l.setup.turns);
  for (size_t i = 0; rc == BRINK_OK && i < l.setup.seats.n; i++) {
    int a;
    rc = brink_actor_find(e, l.setup.seats.v[i], &a);
    if (rc == BRINK_OK) rc = brink_seat(e, a, 1);
  }
  for (size_t i = 0; rc == BRINK_OK && i < l.setup.policies.n; i++)
    rc = policy_apply(e, l.setup.policies.v[i]);
  if (rc != BRINK_OK) {
    snprintf(err, cap, "%s: its setup: %s", path, brink_errmsg(e));
  } else if ((rc = brink_start(e, l.setup.seed)) != BRINK_OK ||
             (rc = loaded_restore(e, &l, false, NULL, why, sizeof why))) {
    snprintf(err, cap, "%s: %s", path, rc == BRINK_OK ? brink_errmsg(e)
                                                      : why);
    rc = rc == BRINK_ENOMEM ? rc : BRINK_EFORMAT;
  } else {
    *seed = l.setup.seed;
    rc = origin_take(e, o, err, cap);
  }
  loaded_free(&l);
  return rc;
}

void origin_config(batch_config *c, const origin *o) {
  c->from = o->state;
  c->from_len = o->len;
  c->import_names = o->names;
  c->import_texts = o->texts;
  c->import_lens = o->lens;
  c->nimports = o->n;
}

/* The batch of 'runs' continuations of the session's state. */
static batch_config config_of(session *s, const origin *o, int64_t runs) {
  size_t len;
  const char *text = brink_scenario_text(s->e, &len);
  batch_config c = {.path = brink_scenario_path(s->e), .text = text,
                    .len = len, .cfg = s->cfg, .seed = s->setup.seed,
                    .has_seed = true, .runs = runs, .jobs = s->jobs};
  origin_config(&c, o);
  return c;
}

/* The session's origin; 0, or -1 with the refusal said. */
static int session_origin(session *s, origin *o) {
  char err[600];
  if (origin_take(s->e, o, err, sizeof err) == 0) return 0;
  session_refuse(s, "%s", err);
  return -1;
}

/* Opens and plays a batch of continuations; NULL with the refusal said. */
static batch *play(session *s, const batch_config *c) {
  enum { CAP = 16384 };   /* every diagnostic, should the load fail */
  char *err = malloc(CAP);
  batch *b = NULL;
  int rc = err ? batch_open(&b, c, err, CAP) : BRINK_ENOMEM;
  if (rc == 0 && (rc = batch_run(b, 0, err, CAP)) != 0) {
    batch_close(b);
    b = NULL;
  }
  if (rc == BRINK_ENOMEM) session_refuse(s, "out of memory");
  else if (rc) session_refuse(s, "the continuations failed: %s", err);
  free(err);
  return rc ? NULL : b;
}

/* "[N]": the number of runs, DEFAULT_RUNS when absent; -1 when refused. */
static int64_t runs_arg(session *s, const char *arg, const char *usage) {
  if (arg == NULL || !*arg) return DEFAULT_RUNS;
  char *end;
  long long n = strtoll(arg, &end, 10);
  if (*end || end == arg || n < 1 || n > MAX_RUNS) {
    session_refuse(s, "%s (N from 1 to %d runs, default %d)", usage,
                   MAX_RUNS, DEFAULT_RUNS);
    return -1;
  }
  return n;
}

/* Says what a memory stream holds; false when it could not be made. */
static bool say_stream(session *s, FILE *f, char **buf) {
  bool ok = fclose(f) == 0;   /* sets *buf */
  if (ok && s->say) s->say(s->say_ud, *buf);
  free(*buf);
  return ok;
}

/* Refuses to look ahead where there is nothing to see; true when refused. */
static bool cannot_look_ahead(session *s, const char *what) {
  if (brink_outcome(s->e)) {
    session_refuse(s, "the run has ended (%s): there is nothing to %s",
                   brink_outcome(s->e), what);
    return true;
  }
  return false;
}

void session_forecast(session *s, char *args) {
  char *n_arg = strtok(args, " \t");
  if (strtok(NULL, " \t")) {
    session_refuse(s, "usage: /forecast [N]");
    return;
  }
  int64_t runs = runs_arg(s, n_arg, "usage: /forecast [N]");
  if (runs < 0 || s->replaying || cannot_look_ahead(s, "forecast")) return;
  origin o;
  if (session_origin(s, &o)) return;
  batch_config c = config_of(s, &o, runs);
  batch *b = play(s, &c);
  char *buf = NULL;
  size_t len;
  FILE *f = b ? open_memstream(&buf, &len) : NULL;
  if (b && f == NULL) session_refuse(s, "out of memory");
  if (f) {
    int rc = forecast_text(f, &b->ms[0], &b->ts[0]);
    fputs("\nEvery seat was played by the built-in AI, every policy as set; "
          "the session\nis as it was.\n", f);
    if (!say_stream(s, f, &buf) || rc) session_refuse(s, "out of memory");
  }
  batch_close(b);
  origin_free(&o);
}

/* preview --------------------------------------------------------------- */

/* "summit DPRK", "pass": an action as a seat would type it. */
static void action_name(brink_engine *e, int action, char *buf, size_t cap) {
  int move, target;
  if (brink_action_info(e, action, &move, &target) != BRINK_OK) {
    snprintf(buf, cap, "(none)");
    return;
  }
  snprintf(buf, cap, "%s%s%s", brink_move_name(e, move), target >= 0 ? " " : "",
           target >= 0 ? brink_actor_id(e, target) : "");
}

/*
** The move asked about, found among the awaiting actor's options and
** legal now: 0 with *move and *target, or -1 with the refusal said.
*/
static int legal_choice(session *s, int actor, const char *name,
                        const char *target_id, int *move, int *target) {
  brink_engine *e = s->e;
  *target = -1;
  if (brink_move_find(e, name, move) != BRINK_OK) {
    session_refuse(s, "%s", brink_errmsg(e));
    return -1;
  }
  if (target_id && brink_actor_find(e, target_id, target) != BRINK_OK) {
    session_refuse(s, "%s", brink_errmsg(e));
    return -1;
  }
  int count, found = -1, legal = 0, targets = 0, only = -1, only_ok = 0;
  const char *reason = "", *only_why = "";
  if (brink_options(e, actor, &count) != BRINK_OK) {
    session_refuse(s, "%s", brink_errmsg(e));
    return -1;
  }
  for (int i = 0; i < count; i++) {
    int m, t, ok;
    const char *why;
    brink_option_get(e, i, &m, &t, &ok, &why);
    if (m != *move) continue;
    if (t >= 0 && targets++ == 0) {
      only = t;
      only_ok = ok;
      only_why = why;
    }
    if (t == *target) {
      found = i;
      legal = ok;
      reason = why;
    }
  }
  /* As at the prompt, a move with one possible target needs no target. */
  if (found < 0 && targets == 1 && target_id == NULL) {
    found = 0;
    *target = only;
    legal = only_ok;
    reason = only_why;
  }
  if (found < 0 && targets && target_id == NULL) {
    session_refuse(s, "%s takes a target: /preview %s TARGET [N]", name,
                   name);
    return -1;
  }
  if (found < 0) {
    session_refuse(s, "%s cannot play %s%s%s", brink_actor_id(e, actor),
                   name, target_id ? " on " : "", target_id ? target_id : "");
    return -1;
  }
  if (!legal) {
    session_refuse(s, "%s is not allowed now%s%s", name, *reason ? ": " : "",
                   reason);
    return -1;
  }
  return 0;
}

/* An outcome's name, and its index in each table (-1: never reached). */
typedef struct paired {
  const char *name;
  int in_a, in_b;
} paired;

static int cmp_paired(const void *x, const void *y) {
  return strcmp(((const paired *)x)->name, ((const paired *)y)->name);
}

/* Every outcome either table reached, in byte order; NULL: memory. */
static paired *outcomes_of(const btable *a, const btable *b, int *n) {
  paired *p = calloc((size_t)(a->noutcomes + b->noutcomes) + 1, sizeof *p);
  *n = 0;
  if (p == NULL) return NULL;
  for (int i = 0; i < a->noutcomes; i++)
    p[(*n)++] = (paired){a->outcomes[i], i, -1};
  for (int i = 0; i < b->noutcomes; i++) {
    int k = 0;
    while (k < *n && strcmp(p[k].name, b->outcomes[i]) != 0) k++;
    if (k == *n) p[(*n)++] = (paired){b->outcomes[i], -1, i};
    else p[k].in_b = i;
  }
  qsort(p, (size_t)*n, sizeof *p, cmp_paired);
  return p;
}

/*
** The paired difference of outcome 'o' between the tables: the mean of
** d_i = [A_i = o] - [B_i = o] and the half-width of its 95% interval,
** 1.96 sd(d) / sqrt(N); and the half-width two independent samples of
** the same shares would give, for comparison.
*/
static void difference(const btable *a, const btable *b, const paired *o,
                       double *pa, double *pb, double *mean, double *half,
                       double *unpaired) {
  int64_t n = a->count, ka = 0, kb = 0;
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < n; i++) {
    int x = a->outcome[i] == o->in_a, y = b->outcome[i] == o->in_b;
    ka += x;
    kb += y;
    sum += x - y;
    sq += (double)((x - y) * (x - y));
  }
  double nn = (double)n;
  *pa = (double)ka / nn;
  *pb = (double)kb / nn;
  *mean = sum / nn;
  double var = n > 1 ? (sq - nn * *mean * *mean) / (nn - 1) : 0;
  *half = Z95 * sqrt(var > 0 ? var : 0) / sqrt(nn);
  *unpaired = Z95 * sqrt((*pa * (1 - *pa) + *pb * (1 - *pb)) / nn);
}

#define CHOICES_SHOWN 5

/* Writes "ITEM, " wrapped before 78 columns; '*col' is the column. */
static void put_item(FILE *f, const char *item, bool last, int *col) {
  int n = (int)strlen(item) + (last ? 0 : 1);
  if (*col + 1 + n > 78) {
    fputs("\n ", f);
    *col = 1;
  }
  term_printf(f, " %s%s", item, last ? "" : ",");
  *col += 1 + n;
}

/*
** What the actor's own controller chose in the twins, most often first
** (ties in action order): the CHOICES_SHOWN most frequent, then the rest.
*/
static void choices_text(FILE *f, brink_engine *e, const btable *b) {
  int na = brink_action_count(e);
  int64_t *count = calloc((size_t)na + 1, sizeof *count), rest = 0;
  if (count == NULL) return;
  for (int64_t i = 0; i < b->count; i++) {
    int a = b->first_action[i];
    count[a >= 0 && a < na ? a : na]++;   /* na: no move, a script error */
  }
  int kinds = 0;
  for (int a = 0; a <= na; a++) kinds += count[a] > 0;
  fputs("The AI would choose:", f);
  int col = 20;
  for (int shown = 0; shown < kinds; shown++) {
    int best = -1;
    for (int a = 0; a <= na; a++)
      if (count[a] > 0 && (best < 0 || count[a] > count[best])) best = a;
    char item[360], name[300];
    if (best == na) snprintf(name, sizeof name, "no move (a script error)");
    else action_name(e, best, name, sizeof name);
    int64_t c = count[best];
    count[best] = 0;
    if (shown >= CHOICES_SHOWN && kinds > CHOICES_SHOWN + 1) {
      rest += c;
      continue;
    }
    snprintf(item, sizeof item, "%s %.1f%%", name,
             100.0 * (double)c / (double)b->count);
    put_item(f, item, shown == kinds - 1, &col);
  }
  if (rest) {
    char item[64];
    snprintf(item, sizeof item, "%d others %.1f%%", kinds - CHOICES_SHOWN,
             100.0 * (double)rest / (double)b->count);
    put_item(f, item, true, &col);
  }
  fputc('\n', f);
  free(count);
}

static int preview_text(FILE *f, session *s, int actor, const char *choice,
                        const batch *ba, const batch *bb) {
  const btable *a = &ba->ts[0], *b = &bb->ts[0];
  int n;
  paired *p = outcomes_of(a, b, &n);
  if (p == NULL) return BRINK_ENOMEM;
  char when[32];
  session_when(s->e, brink_turn(s->e), when, sizeof when);
  term_printf(f, "Preview for %s, turn %d (%s): %s now, or the AI's "
              "choice.\n%lld pairs of continuations, seed %llu, each pair on "
              "the same dice\n",
              brink_actor_id(s->e, actor), brink_turn(s->e), when, choice,
              (long long)a->count, (unsigned long long)ba->ms[0].seed);
  choices_text(f, s->e, b);
  int w = 16, wc = (int)strlen(choice) > 11 ? (int)strlen(choice) : 11;
  for (int i = 0; i < n; i++)
    if ((int)strlen(p[i].name) > w) w = (int)strlen(p[i].name);
  if (w > 40) w = 40;
  term_printf(f, "\n  %-*s  %*s  %11s  %6s  %-15s %s\n", w, "outcome", wc,
              choice, "AI's choice", "diff", "95% (paired)", "independent");
  for (int i = 0; i < n; i++) {
    double pa, pb, d, half, unpaired;
    difference(a, b, &p[i], &pa, &pb, &d, &half, &unpaired);
    char ci[48];
    snprintf(ci, sizeof ci, "[%+.1f, %+.1f]", 100 * (d - half),
             100 * (d + half));
    term_printf(f, "  %-*s  %*.1f%%  %10.1f%%  %+6.1f  %-15s +/-%.1f\n", w,
                p[i].name, wc - 1, 100 * pa, 100 * pb, 100 * d, ci,
                100 * unpaired);
  }
  fputs("\nShares in percent; the difference in points with its 95% "
        "interval from the\npairs, and the half-width two independent "
        "samples would give instead.\n", f);
  free(p);
  return ferror(f) ? -1 : 0;
}

void session_preview(session *s, char *args) {
  static const char usage[] = "usage: /preview MOVE [TARGET] [N]";
  char *words[4] = {0};
  int nw = 0;
  for (char *w = strtok(args, " \t"); w; w = strtok(NULL, " \t"))
    if (nw < 4) words[nw++] = w;
    else nw++;
  if (nw == 0 || nw > 3) {
    session_refuse(s, "%s", usage);
    return;
  }
  /* The last word is N when it is a number. */
  const char *n_arg = NULL;
  if (nw > 1 && strspn(words[nw - 1], "0123456789") == strlen(words[nw - 1]))
    n_arg = words[--nw];
  if (nw > 2) {
    session_refuse(s, "%s", usage);
    return;
  }
  int64_t runs = runs_arg(s, n_arg, usage);
  if (runs < 0 || s->replaying || cannot_look_ahead(s, "preview")) return;
  int actor = brink_awaiting(s->e);
  if (actor < 0) {
    session_refuse(s, "no seat is to move now: /preview weighs a move of the "
                   "seat whose turn it is");
    return;
  }
  int move, target;
  if (legal_choice(s, actor, words[0], nw > 1 ? words[1] : NULL, &move,
                   &target))
    return;
  origin o;
  if (session_origin(s, &o)) return;
  batch_config cb = config_of(s, &o, runs), ca = cb;
  ca.has_first = true;
  ca.first_move = move;
  ca.first_target = target;
  batch *ba = play(s, &ca), *bb = ba ? play(s, &cb) : NULL;
  char *buf = NULL, choice[300];
  size_t len;
  snprintf(choice, sizeof choice, "%s%s%s", brink_move_name(s->e, move),
           target >= 0 ? " " : "", target >= 0 ? brink_actor_id(s->e, target)
                                               : "");
  FILE *f = bb ? open_memstream(&buf, &len) : NULL;
  if (bb && f == NULL) session_refuse(s, "out of memory");
  if (f) {
    int rc = preview_text(f, s, actor, choice, ba, bb);
    if (!say_stream(s, f, &buf) || rc) session_refuse(s, "out of memory");
  }
  batch_close(ba);
  batch_close(bb);
  origin_free(&o);
}
