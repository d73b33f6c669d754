/*
** batch_fixture.h: brink batch and brink merge run as a user would, for
** the tests of batches (BRINK names the binary).
*/
#ifndef BATCH_FIXTURE_H
#define BATCH_FIXTURE_H

#include "cli_fixture.h"
#include <stdarg.h>

static result run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "brink " + the formatted arguments. */
static result run(const char *fmt, ...) {
  char args[4096], line[4600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  snprintf(line, sizeof line, "%s %s", brink(), args);
  return shell(line);
}

static char *tmpdir(void) {
  char *d = strdup("/tmp/brink-batch-XXXXXX");
  cr_assert_not_null(mkdtemp(d));
  return d;
}

static void rmdir_all(char *d) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
  cr_assert_eq(system(cmd), 0);
  free(d);
}

#endif
