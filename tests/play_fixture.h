/*
** play_fixture.h: what the tests of brink play, replay, report and saves
** share: a scratch folder, running the binary with typed input, reading
** what it wrote.
*/
#ifndef PLAY_FIXTURE_H
#define PLAY_FIXTURE_H

#define _DEFAULT_SOURCE   /* mkdtemp */
#include "cli_fixture.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void spit(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "cannot write %s", path);
  fputs(text, f);
  fclose(f);
}

/* A fresh folder for one test's files. */
static inline char *folder(void) {
  char *d = strdup("/tmp/brink-play-XXXXXX");
  cr_assert_not_null(mkdtemp(d));
  return d;
}

static inline void rmtree(char *dir) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
  free(dir);
}

/* Runs "brink ARGS" with stdin from 'in' (a file, or NULL for nothing). */
static inline result run_in(const char *args, const char *in) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "%s %s <%s", brink(), args, in ? in : "/dev/null");
  return shell(cmd);
}

/* The same with 'script' typed at it. */
static inline result run_script(const char *dir, const char *args,
                         const char *script) {
  char in[512];
  snprintf(in, sizeof in, "%s/stdin.txt", dir);
  spit(in, script);
  return run_in(args, in);
}

static inline result run(const char *args) { return run_in(args, NULL); }

static inline int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

/* Line i (from 1) of 'text', copied. */
static inline char *line_of(const char *text, int i) {
  for (int k = 1; k < i && text; k++) {
    text = strchr(text, '\n');
    if (text) text++;
  }
  cr_assert_not_null(text);
  size_t n = strcspn(text, "\n");
  char *l = malloc(n + 1);
  memcpy(l, text, n);
  l[n] = '\0';
  return l;
}

static inline json_t *load_json(const char *path) {
  json_error_t je;
  json_t *j = json_load_file(path, 0, &je);
  cr_assert_not_null(j, "%s: %s", path, je.text);
  return j;
}

/* transcripts ------------------------------------------------------------ */

static inline void replace(char *text, const char *from, const char *to) {
  char *p = strstr(text, from);
  cr_assert_not_null(p, "no '%s'", from);
  size_t a = strlen(from), b = strlen(to);
  memmove(p + b, p + a, strlen(p + a) + 1);
  memcpy(p, to, b);
}

#endif
