/*
** files.c: reading and writing files whole, and lists of strings.
**
** Every file the library or the command writes goes through
** write_atomic(): a reader, a crash or a symlink never sees half a file.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session.h"

int strlist_pushn(strlist *l, const char *s, size_t len) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    char **v = realloc(l->v, cap * sizeof *v);
    if (v == NULL) return -1;
    l->v = v;
    l->cap = cap;
  }
  char *copy = malloc(len + 1);
  if (copy == NULL) return -1;
  memcpy(copy, s, len);
  copy[len] = '\0';
  l->v[l->n++] = copy;
  return 0;
}

int strlist_push(strlist *l, const char *s) {
  return strlist_pushn(l, s, strlen(s));
}

int strlist_split(strlist *l, const char *text, size_t len) {
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (strlist_pushn(l, p, n)) return -1;
    p += n + 1;
  }
  return 0;
}

void strlist_free(strlist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  memset(l, 0, sizeof *l);
}

int refuse_with(char *err, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, cap, fmt, ap);
  va_end(ap);
  return -1;
}

char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 1 << 14, n = 0, got;
  char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (n + 1 == cap) {
      char *bigger = cap > ((size_t)1 << 30) ? NULL : realloc(buf, cap * 2);
      if (bigger == NULL) {
        free(buf);
        buf = NULL;
        errno = EFBIG;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  if (buf && ferror(f)) {
    free(buf);
    buf = NULL;
    errno = EIO;
  }
  fclose(f);
  if (buf == NULL) return NULL;
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

int record_line(brink_engine *e, const brink_record *r, char **buf,
                size_t *cap) {
  int n = brink_record_json(e, r, *buf, *cap);
  if (n >= 0 && (size_t)n >= *cap) {
    size_t ncap = (size_t)n + 64;
    char *bigger = realloc(*buf, ncap);
    if (bigger == NULL) return -1;
    *buf = bigger;
    *cap = ncap;
    n = brink_record_json(e, r, *buf, *cap);
  }
  return n < 0 ? -1 : n;
}

/* The directory of 'path' and its last part, for a temporary neighbour. */
static void split_path(const char *path, char *dir, size_t cap,
                       const char **base) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL) {
    snprintf(dir, cap, ".");
    *base = path;
  } else {
    snprintf(dir, cap, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    *base = slash + 1;
  }
}

/* A temporary file next to 'path', named into 'tmp', readable as a new
   file would be; NULL with 'err'. */
static FILE *temp_open(const char *path, char *tmp, size_t tcap, char *err,
                       size_t cap) {
  char dir[4096];
  const char *base;
  split_path(path, dir, sizeof dir, &base);
  if (*base == '\0') {
    refuse_with(err, cap, "not a file name");
    return NULL;
  }
  snprintf(tmp, tcap, "%s/.%s.XXXXXX", dir, base);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    refuse_with(err, cap, "cannot create a file in %s: %s", dir,
                strerror(errno));
    return NULL;
  }
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  FILE *f = fdopen(fd, "wb");
  if (f == NULL) {
    int saved = errno;
    close(fd);
    unlink(tmp);
    refuse_with(err, cap, "%s", strerror(saved));
  }
  return f;
}

/* Closes 'f', written to 'tmp', and renames it to 'path' durably; on
   failure 'tmp' is gone and 'path' as it was.  0, or -1 with 'err'. */
static int temp_commit(FILE *f, const char *tmp, const char *path,
                       bool ok, char *err, size_t cap) {
  ok = ok && !ferror(f) && fflush(f) == 0 && fsync(fileno(f)) == 0;
  int saved = errno;
  if (fclose(f) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (ok && rename(tmp, path) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    unlink(tmp);
    return refuse_with(err, cap, "%s", strerror(saved));
  }
  /* The rename itself is durable once the folder is synced. */
  char dir[4096];
  const char *base;
  split_path(path, dir, sizeof dir, &base);
  int dfd = open(dir, O_RDONLY);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return 0;
}

int write_atomic(const char *path, const char *text, size_t len, char *err,
                 size_t cap) {
  char tmp[4200];
  FILE *f = temp_open(path, tmp, sizeof tmp, err, cap);
  if (f == NULL) return -1;
  return temp_commit(f, tmp, path, fwrite(text, 1, len, f) == len, err, cap);
}

/*
** Straight into a temporary file next to 'path', so that what is written
** as it goes (a batch's CSV, a log) is not held in memory.
*/
FILE *outfile_open(outfile *o, const char *path, char *err, size_t cap) {
  memset(o, 0, sizeof *o);
  o->path = path;
  o->f = temp_open(path, o->tmp, sizeof o->tmp, err, cap);
  return o->f;
}

int outfile_close(outfile *o, char *err, size_t cap) {
  if (o->f == NULL) return 0;
  FILE *f = o->f;
  o->f = NULL;
  return temp_commit(f, o->tmp, o->path, true, err, cap);
}

void outfile_abort(outfile *o) {
  if (o->f) {
    fclose(o->f);
    unlink(o->tmp);
  }
  o->f = NULL;
}

FILE *growing_open(const char *path, char *err, size_t cap) {
  /* O_NONBLOCK: a FIFO without a reader fails here instead of hanging. */
  int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
                          O_CLOEXEC, 0666);
  if (fd < 0) {
    refuse_with(err, cap, errno == ELOOP ? "it is a symbolic link (a log that "
         "grows is written only to a file of its own)" : "%s",
         strerror(errno));
    return NULL;
  }
  struct stat st;
  const char *why = NULL;
  if (fstat(fd, &st) != 0) why = strerror(errno);
  else if (!S_ISREG(st.st_mode)) why = "it is not a regular file";
  else if (st.st_nlink > 1) why = "it has other hard links";
  else if (ftruncate(fd, 0) != 0) why = strerror(errno);
  FILE *f = why ? NULL : fdopen(fd, "w");
  if (f == NULL) {
    refuse_with(err, cap, "%s", why ? why : strerror(errno));
    close(fd);
  }
  return f;
}

/* The first of 'files' whose text has the given SHA-256. */
const char *file_with_sha(const char *const *files, int n,
                          const char *sha) {
  for (int i = 0; i < n; i++) {
    size_t len;
    char *text = read_file(files[i], &len), h[65];
    if (text == NULL) continue;
    brink__sha256_hex(text, len, h);
    free(text);
    if (strcmp(h, sha) == 0) return files[i];
  }
  return NULL;
}
