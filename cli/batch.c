/*
** batch.c: brink batch, the command around the library's batch engine
** (session/batch.c): its options, the progress line on the terminal, and
** the summary, CSV, part and chart of each combination as it is played.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Checks the options that only make sense together; 0 or 2 (reported). */
static int check_combinations(const options *o) {
  if (o->shard_n && o->out == NULL)
    return usage_error("batch", "--shard needs --out FILE for the part");
  if (o->out && o->shard_n == 0)
    return usage_error("batch", "--out writes a part: give --shard K/N "
                       "(1/1 for all runs)");
  if (o->shard_n && (o->json || o->plot))
    return usage_error("batch", "--shard writes a part; brink merge prints "
                       "the summary (--json, --plot)");
  if (o->shard_n && o->nsweeps)
    return usage_error("batch", "--shard and --sweep do not mix: shard each "
                       "combination with --set");
  return 0;
}

int out_of_memory(const char *cmd) {
  fprintf(stderr, "brink %s: out of memory\n", cmd);
  return 1;
}

/* 'j' (taken) as one line of 'f'; 0, -1 on a write error, BRINK_ENOMEM. */
static int print_json_line(FILE *f, json_t *j) {
  char *s = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
  json_decref(j);
  if (s == NULL) return BRINK_ENOMEM;
  int rc = fprintf(f, "%s\n", s) < 0 ? -1 : 0;
  free(s);
  return rc;
}

int print_summary_json(FILE *f, const bmeta *m, const btable *t) {
  return print_json_line(f, summary_json(m, t));
}

/* One line on the terminal: runs done, a bar, runs/s and the time left. */
static void draw_progress(void *ud, const char *label, int64_t done,
                          int64_t n, double dt, bool last) {
  (void)ud;
  double rate = dt > 0 ? (double)done / dt : 0;
  char bar[26];
  int fill = n ? (int)(25 * done / n) : 25;
  for (int i = 0; i < 25; i++) bar[i] = i < fill ? '#' : '.';
  bar[25] = '\0';
  char eta[32] = "--:--";
  if (rate > 0) {
    long s = (long)ceil((double)(n - done) / rate);
    snprintf(eta, sizeof eta, "%ld:%02ld", s / 60, s % 60);
  }
  fprintf(stderr, "\r%s%s%lld/%lld runs [%s] %.0f runs/s, ETA %s\033[K",
          label ? label : "", label ? ": " : "", (long long)done,
          (long long)n, bar, rate, eta);
  if (last) fputs("\r\033[K", stderr);
  fflush(stderr);
}

/* What the library says went wrong, as the command says it; 1 or 2.
   'opening': from batch_open(), where BRINK_ESCRIPT is a failed load. */
static int failed(int rc, const char *err, bool opening) {
  if (rc == BRINK_ENOMEM) return out_of_memory("batch");
  if (rc == BRINK_ESCRIPT && opening) {
    /* The scenario did not load: its diagnostics, a line each. */
    for (const char *p = err; *p;) {
      size_t n = strcspn(p, "\n");
      term_printf(stderr, "%.*s\n", (int)n, p);
      p += n + (p[n] == '\n');
    }
    return 1;
  }
  term_printf(stderr, "brink batch: %s\n", err);
  return rc == BRINK_EINVAL ? 2 : 1;
}

/* The config of the library's batch from the command's options. */
static batch_config config_of(const options *o, const char *text, size_t len) {
  batch_config c = {
      .path = o->file, .text = text, .len = len, .cfg = o->cfg,
      .seed = o->seed, .has_seed = o->has_seed, .runs = o->runs,
      .jobs = o->jobs, .turns = o->turns, .policies = o->policies,
      .npolicies = o->npolicies, .sets = o->sets, .nsets = o->nsets,
      .vars = o->vars, .nvars = o->nvars, .sweeps = o->sweeps,
      .nsweeps = o->nsweeps, .shard_k = o->shard_k, .shard_n = o->shard_n};
  if (isatty(STDERR_FILENO)) c.progress = draw_progress;
  /* A hook for the tests alone: spoils the batch's digest of run K, as a
     run that read state left behind by the one before would. */
  const char *hook = getenv("BRINK_TEST_PERTURB_RUN");
  if (hook) c.perturb_run = strtoll(hook, NULL, 10) + 1;
  return c;
}

/*
** Plays and prints every combination; 0, or 1 or 2 when it had to stop
** (said).  Notes a run that ended in a script error and output that
** could not be written, which do not stop it.
*/
static int play(const options *o, batch *b, FILE *csv, bool *any_error,
                bool *io_error) {
  static char err[16384];   /* a record of the scenario's may be long */
  int rc = 0;
  for (int64_t c = 0; c < b->combos && rc == 0; c++) {
    const bmeta *m = &b->ms[c];
    const btable *t = &b->ts[c];
    if ((rc = batch_run(b, c, err, sizeof err)) != 0)
      return failed(rc, err, false);
    if (t->nerrors) *any_error = true;
    if (csv && ferror(csv)) *io_error = true;
    int out = 0;
    if (o->shard_n) {
      out = part_write(o->out, m, t, o->shard_k, o->shard_n, err, sizeof err);
      if (out == BRINK_EIO) {
        term_printf(stderr, "brink: cannot write %s: %s\n", o->out, err);
        return 1;
      }
    } else if (o->json) {
      out = print_summary_json(stdout, m, t);
    } else {
      if (c) putchar('\n');
      out = summary_text(stdout, m, t);
    }
    if (out == BRINK_ENOMEM) return out_of_memory("batch");
    if (out) *io_error = true;
  }
  if (o->nsweeps && !o->json) {
    putchar('\n');
    int out = sweep_table(stdout, b->ms, b->ts, (int)b->combos);
    if (out == 0 && b->combos > 1) {
      putchar('\n');
      out = sweep_paired_text(stdout, b->ms, b->ts, (int)b->combos);
    }
    if (out == BRINK_ENOMEM) return out_of_memory("batch");
    if (out) *io_error = true;
  }
  if (o->nsweeps && o->json && b->combos > 1) {
    int out = print_json_line(stdout,
                              sweep_paired_json(b->ms, b->ts, (int)b->combos));
    if (out == BRINK_ENOMEM) return out_of_memory("batch");
    if (out) *io_error = true;
  }
  if (o->plot && !o->nsweeps &&
      (rc = write_plot(o->plot, &b->ms[0], &b->ts[0])) != 0)
    return rc == BRINK_ENOMEM ? out_of_memory("batch") : 1;
  /* A sweep: one chart per point, FILE-1.svg, FILE-2.svg ... in the
     order of the tables, each titled with its point. */
  for (int64_t k = 0; o->plot && o->nsweeps && k < b->combos; k++) {
    char path[4200];
    const char *dot = strrchr(o->plot, '.');
    if (dot == NULL || strchr(dot, '/')) dot = o->plot + strlen(o->plot);
    snprintf(path, sizeof path, "%.*s-%lld%s", (int)(dot - o->plot), o->plot,
             (long long)k + 1, dot);
    if ((rc = write_plot(path, &b->ms[k], &b->ts[k])) != 0)
      return rc == BRINK_ENOMEM ? out_of_memory("batch") : 1;
    term_printf(stderr, "brink batch: the chart of point %lld is %s\n",
                (long long)k + 1, path);
  }
  return 0;
}

/* Plays the batch of 'c' and prints it as the options say; 0, 1 or 2. */
static int run_batch(const options *o, const batch_config *c) {
  batch *b;
  static char err[65536];   /* every diagnostic of a scenario that fails */
  int rc = batch_open(&b, c, err, sizeof err);
  if (rc != 0) return failed(rc, err, true);
  outfile csvf;
  FILE *csv = NULL;
  if (o->csv &&
      (csv = outfile_open(&csvf, o->csv, err, sizeof err)) == NULL) {
    term_printf(stderr, "brink batch: cannot write %s: %s\n", o->csv, err);
    rc = 1;
  }
  bool any_error = false, io_error = false;
  b->c.csv = csv;   /* rows go there as the runs are played */
  if (rc == 0) rc = play(o, b, csv, &any_error, &io_error);
  if (csv && rc == 0 && outfile_close(&csvf, err, sizeof err) != 0) {
    term_printf(stderr, "brink batch: cannot write %s: %s\n", o->csv, err);
    rc = 1;
  } else if (csv && rc) {
    outfile_abort(&csvf);   /* a failed batch leaves the old file as it was */
  }
  if (fflush(stdout) != 0) io_error = true;
  if (io_error && rc == 0) {
    term_printf(stderr, "brink batch: could not write the results\n");
    rc = 1;
  }
  if (rc == 0 && any_error) rc = 1;
  batch_close(b);
  return rc;
}

/*
** --from SAVE: the save loaded into an engine of its own, 'e', which the
** batch's 'c' then points into (keep it open); its seed unless --seed.
** 0, or 1 when the scenario or the save was refused (said).
*/
static int go_on_from(const options *o, batch_config *c, brink_engine **e,
                      origin *org) {
  char err[1200];
  uint64_t seed;
  if (open_scenario("batch", o, e)) return 1;
  int rc = origin_from_save(*e, o->from, org, &seed, err, sizeof err);
  if (rc == BRINK_ENOMEM) return out_of_memory("batch");
  if (rc) {
    term_printf(stderr, "brink batch: %s\n", err);
    return 1;
  }
  if (!c->has_seed) {
    c->seed = seed;
    c->has_seed = true;
  }
  origin_config(c, org);
  return 0;
}

int cmd_batch(int argc, char **argv) {
  options o;
  int rc = parse_options("batch", argc, argv, &o);
  if (rc < 0) return 0;
  if (rc || (rc = check_combinations(&o)) != 0) return rc;
  char *save_file = NULL, err[600];
  if (o.from && o.file == NULL) {   /* the scenario the save names */
    if ((save_file = save_scenario_file(o.from, err, sizeof err)) == NULL) {
      term_printf(stderr, "brink batch: %s: %s\n", o.from, err);
      return 1;
    }
    o.file = save_file;
  }
  size_t len;
  char *text = read_file(o.file, &len);
  if (text == NULL) {
    term_printf(stderr, "brink batch: cannot read %s\n", o.file);
    free(save_file);
    return 1;
  }
  batch_config c = config_of(&o, text, len);
  brink_engine *from = NULL;
  origin org = {0};
  if (o.from == NULL || (rc = go_on_from(&o, &c, &from, &org)) == 0)
    rc = run_batch(&o, &c);
  origin_free(&org);
  brink_engine_close(from);
  free(text);
  free(save_file);
  return rc;
}
