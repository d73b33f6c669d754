/* Running the brink command as a user would, for the CLI tests.  BRINK
   names the binary and BRINK_BUILD the build folder (make test sets both);
   the tests run from the repository's root.  Without them a test fails:
   a suite that skips what it cannot find reports green for tests that
   never ran. */
#ifndef CLI_FIXTURE_H
#define CLI_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct result {
  char *out;           /* stdout */
  char *err;           /* stderr */
  int status;          /* exit status */
} result;

/* A whole file, NUL-terminated (caller frees), or NULL. */
static inline char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 4096, len = 0, n;
  char *buf = malloc(cap);
  while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (len + 1 == cap) buf = realloc(buf, cap *= 2);
  }
  buf[len] = '\0';
  fclose(f);
  return buf;
}

/* The value of the environment variable 'name', which the test needs. */
static inline const char *need_env(const char *name) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0')
    cr_assert_fail("%s is not set: run the tests through make test (or set it "
             "as the Makefile's test target does)", name);
  if (access("tests/cli_fixture.h", R_OK) != 0)
    cr_assert_fail("run the tests from the repository's root (tests/ is not "
             "here)");
  return v;
}

static inline const char *brink(void) { return need_env("BRINK"); }

/* Runs a shell command line; stdin is /dev/null unless it redirects its
   own, stdout and stderr are captured apart. */
static inline result shell(const char *cmdline) {
  char errpath[] = "/tmp/brink-test-err-XXXXXX";
  int fd = mkstemp(errpath);
  cr_assert(fd >= 0);
  close(fd);
  size_t n = strlen(cmdline) + 128;
  char *cmd = malloc(n);
  snprintf(cmd, n, "( %s ) 2>%s </dev/null", cmdline, errpath);
  FILE *p = popen(cmd, "r");
  cr_assert_not_null(p);
  size_t cap = 1 << 16, len = 0, got;
  char *out = malloc(cap);
  while ((got = fread(out + len, 1, cap - len - 1, p)) > 0) {
    len += got;
    if (len + 1 == cap) out = realloc(out, cap *= 2);
  }
  out[len] = '\0';
  int st = pclose(p);
  result r = {out, slurp(errpath), WIFEXITED(st) ? WEXITSTATUS(st) : -1};
  remove(errpath);
  free(cmd);
  return r;
}

static inline void done(result r) {
  free(r.out);
  free(r.err);
}

#endif
