/*
** merge.c: brink merge, the parts of a sharded batch put back together
** by the library (session/batch_part.c) and printed as brink batch prints
** a whole batch.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The summary, the CSV and the chart of a merged table; 0 or 1 (said). */
static int print_merged(const options *o, const bmeta *m, const btable *t) {
  int rc = 0;
  bool io_error = false;
  int out = o->json ? print_summary_json(stdout, m, t)
                    : summary_text(stdout, m, t);
  if (out == BRINK_ENOMEM) return out_of_memory("merge");
  if (out != 0) io_error = true;
  if (o->plot && (out = write_plot(o->plot, m, t)) != 0)
    return out == BRINK_ENOMEM ? out_of_memory("merge") : 1;
  if (fflush(stdout) != 0) io_error = true;
  if (io_error && rc == 0) {
    term_printf(stderr, "brink merge: could not write the results\n");
    rc = 1;
  }
  if (rc == 0 && t->nerrors) rc = 1;
  return rc;
}

int cmd_merge(int argc, char **argv) {
  options o;
  int rc = parse_options("merge", argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  if (o.csv)
    return usage_error("merge", "--csv: parts hold no rows; give each "
                       "shard's brink batch --csv FILE (its runs' rows, in "
                       "run order) and join the files in shard order");
  bpart *parts = calloc((size_t)o.nfiles, sizeof *parts);
  if (parts == NULL) return out_of_memory("merge");
  bmeta m = {0};
  btable t = {0};
  /* Room for two option values side by side, as JSON. */
  static char err[16384];
  for (int n = 0; rc == 0 && n < o.nfiles; n++)
    rc = part_read(o.files[n], &parts[n], err, sizeof err);
  if (rc == 0) rc = parts_merge(parts, o.nfiles, &m, &t, err, sizeof err);
  if (rc == BRINK_ENOMEM) {
    rc = out_of_memory("merge");
  } else if (rc) {
    term_printf(stderr, "brink merge: %s\n", err);
    rc = 1;
  } else {
    rc = print_merged(&o, &m, &t);
  }
  table_free(&t);
  meta_free(&m);
  for (int i = 0; i < o.nfiles; i++) part_free(&parts[i]);
  free(parts);
  return rc;
}
