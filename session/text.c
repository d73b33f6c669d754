/*
** text.c: untrusted text into the outputs that give bytes a meaning.
**
** Titles, briefs, docs, news, names, error messages and log lines come
** from scenarios, saves and logs that may be hostile.  A terminal obeys
** escape sequences, Markdown makes links and passes HTML through, HTML
** runs scripts.  Each of the three has one function here, and every
** command that writes one of them sends such text through it; JSON is
** jansson's, which escapes already.
*/
#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

bool is_hex64(const char *s) {
  for (int i = 0; i < 64; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

static locale_t c_locale;

static void make_c_locale(void) {
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t c_locale_enter(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, make_c_locale);
  return c_locale ? uselocale(c_locale) : (locale_t)0;
}

void c_locale_leave(locale_t old) {
  if (old) uselocale(old);
}

/* The real at 'p' (n bytes) rewritten in place, shorter or the same. */
static void shorten_real(char *p, size_t n) {
  char tok[64], t[64];
  if (n >= sizeof tok) return;
  memcpy(tok, p, n);
  tok[n] = '\0';
  brink__shortest(strtod(tok, NULL), t, sizeof t);
  /* Still a real when read back, as jansson keeps it: 1.0, not 1. */
  if (strpbrk(t, ".e") == NULL) strcat(t, ".0");
  size_t m = strlen(t);
  if (m >= n) return;
  memcpy(p, t, m);
  memmove(p + m, p + n, strlen(p + n) + 1);
}

void json_shorten_reals(char *text) {
  locale_t old = c_locale_enter();
  for (char *p = text; *p;) {
    if (*p == '"') {   /* a string: nothing in it is a number */
      for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1]) p++;
      if (*p) p++;
    } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
      size_t n = strspn(p, "-+.eE0123456789");
      if (memchr(p, '.', n) || memchr(p, 'e', n) || memchr(p, 'E', n)) {
        shorten_real(p, n);
        n = strspn(p, "-+.eE0123456789");
      }
      p += n;
    } else {
      p++;
    }
  }
  c_locale_leave(old);
}

char *json_text(const json_t *j, size_t flags) {
  char *text = j ? json_dumps(j, flags) : NULL;
  if (text) json_shorten_reals(text);
  return text;
}

char *trim_space(char *t) {
  while (*t && isspace((unsigned char)*t)) t++;
  size_t n = strlen(t);
  while (n && isspace((unsigned char)t[n - 1])) t[--n] = '\0';
  return t;
}

char *vformat(const char *fmt, va_list ap) {
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (f == NULL) return NULL;
  vfprintf(f, fmt, ap);
  if (fclose(f) != 0) {
    free(out);
    return NULL;
  }
  return out;
}

void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->bad) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + n + 1) cap *= 2;
    char *t = realloc(b->s, cap);
    if (t == NULL) {
      b->bad = true;
      return;
    }
    b->s = t;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

const char *month_abbr(int month) {
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};
  return month >= 1 && month <= 12 ? months[month - 1] : "?";
}

static char *sb_done(sbuf *b) {
  if (b->bad) {
    free(b->s);
    return NULL;
  }
  if (b->s == NULL) return calloc(1, 1);
  return b->s;
}

/* The length of the UTF-8 sequence at 'p' and its code point, or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end,
                       unsigned *cp) {
  unsigned c = *p, min;
  size_t more;
  if (c >= 0xc2 && c <= 0xdf) more = 1, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef) more = 2, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4) more = 3, min = 0x10000;
  else return 0;
  unsigned v = c & (0x3fu >> more);
  for (size_t i = 1; i <= more; i++) {
    if (p + i >= end || (p[i] & 0xc0) != 0x80) return 0;
    v = v << 6 | (p[i] & 0x3f);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  *cp = v;
  return more + 1;
}

bool utf8_valid(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  unsigned cp;
  size_t n;
  while (p < end)
    if (*p < 0x80) p++;
    else if ((n = utf8_seq(p, end, &cp)) > 0) p += n;
    else return false;
  return true;
}

/* Code points a terminal acts on, or that reorder what it shows. */
static bool unsafe_cp(unsigned cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
         cp == 0x2028 || cp == 0x2029;
}

/* A control byte (C0, DEL, or C1 as UTF-8, which then takes two bytes):
   in a file it shows nothing, or acts when the file reaches a terminal. */
static bool control(const char *p) {
  unsigned char c = (unsigned char)p[0], d = (unsigned char)p[1];
  return c < 0x20 || c == 0x7f || (c == 0xc2 && d >= 0x80 && d <= 0x9f);
}

/* Skips the rest of the control character at 'p' (see control()). */
static const char *control_end(const char *p) {
  return (unsigned char)*p == 0xc2 ? p + 1 : p;
}

static void term_escape(sbuf *b, const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  char t[16];
  while (p < end) {
    unsigned c = *p, cp;
    if (c >= 0x20 && c < 0x7f) {
      const unsigned char *q = p;
      while (q < end && *q >= 0x20 && *q < 0x7f) q++;
      sb_put(b, (const char *)p, (size_t)(q - p));
      p = q;
    } else if (c < 0x80) {
      snprintf(t, sizeof t, "\\x%02x", c);
      sb_puts(b, t);
      p++;
    } else {
      size_t n = utf8_seq(p, end, &cp);
      if (n == 0) {
        snprintf(t, sizeof t, "\\x%02x", c);
        sb_puts(b, t);
        p++;
      } else if (unsafe_cp(cp)) {
        snprintf(t, sizeof t, "\\u%04x", cp);
        sb_puts(b, t);
        p += n;
      } else {
        sb_put(b, (const char *)p, n);
        p += n;
      }
    }
  }
}

char *term_text(const char *s) {
  sbuf b = {0};
  if (s) term_escape(&b, s, strlen(s));
  return sb_done(&b);
}

/* One conversion of a format, its '*' values first, appended to 'b'. */
#define SPEC_PRINTF(buf, cap, v)                                           \
  (nstar == 0   ? snprintf(buf, cap, spec, v)                              \
   : nstar == 1 ? snprintf(buf, cap, spec, star[0], v)                     \
                : snprintf(buf, cap, spec, star[0], star[1], v))
#define SPEC_PUT(v)                                                        \
  do {                                                                     \
    int n_ = SPEC_PRINTF(NULL, 0, v);                                      \
    char *t_ = n_ < 0 ? NULL : malloc((size_t)n_ + 1);                     \
    if (t_ == NULL) {                                                      \
      b.bad = true;                                                        \
    } else {                                                               \
      SPEC_PRINTF(t_, (size_t)n_ + 1, v);                                  \
      sb_put(&b, t_, (size_t)n_);                                          \
      free(t_);                                                            \
    }                                                                      \
  } while (0)
/* The next argument, read once though SPEC_PUT uses it twice. */
#define SPEC_ARG(type)                                                     \
  do {                                                                     \
    type v_ = va_arg(ap, type);                                            \
    SPEC_PUT(v_);                                                          \
  } while (0)

/*
** printf, with every string argument through term_text(): the format is
** the command's own, its newlines included, and a string argument can
** neither break a line nor send the terminal anything it obeys.  Numbers
** hold no control bytes and are formatted as they are.
*/
int term_vprintf(FILE *f, const char *fmt, va_list ap) {
  sbuf b = {0};
  const char *p = fmt;
  while (*p && !b.bad) {
    if (*p != '%' || p[1] == '%') {
      const char *q = *p == '%' ? p + 1 : strchr(p, '%');
      size_t n = q ? (size_t)(q - p) : strlen(p);
      sb_put(&b, p, n);
      p += n + (*p == '%');
      continue;
    }
    const char *start = p++;
    int star[2], nstar = 0;
    p += strspn(p, "-+ #0");
    if (*p == '*') star[nstar++] = va_arg(ap, int), p++;
    else p += strspn(p, "0123456789");
    if (*p == '.') {
      p++;
      if (*p == '*') star[nstar++] = va_arg(ap, int), p++;
      else p += strspn(p, "0123456789");
    }
    size_t nlen = strspn(p, "hlzjtL");
    char len[3] = "", spec[32], conv = p[nlen];
    if (nlen > 2 || (size_t)(p + nlen + 1 - start) >= sizeof spec) break;
    memcpy(len, p, nlen);
    p += nlen + 1;
    memcpy(spec, start, (size_t)(p - start));
    spec[p - start] = '\0';
    bool l = strcmp(len, "l") == 0, ll = strcmp(len, "ll") == 0,
         z = strcmp(len, "z") == 0;
    switch (conv) {
    case 'd': case 'i':
      if (ll) SPEC_ARG(long long);
      else if (l) SPEC_ARG(long);
      else if (z) SPEC_ARG(ptrdiff_t);
      else SPEC_ARG(int);
      break;
    case 'u': case 'x': case 'X': case 'o':
      if (ll) SPEC_ARG(unsigned long long);
      else if (l) SPEC_ARG(unsigned long);
      else if (z) SPEC_ARG(size_t);
      else SPEC_ARG(unsigned);
      break;
    case 'f': case 'F': case 'g': case 'G': case 'e': case 'E': case 'a':
      SPEC_ARG(double);
      break;
    case 'c': {
      char c[2] = {(char)va_arg(ap, int), '\0'};
      char *t = term_text(c);
      spec[strlen(spec) - 1] = 's';
      if (t == NULL) b.bad = true;
      else SPEC_PUT(t);
      free(t);
      break;
    }
    case 's': {
      const char *v = va_arg(ap, const char *);
      char *t = term_text(v ? v : "(null)");
      if (t == NULL) b.bad = true;
      else SPEC_PUT(t);
      free(t);
      break;
    }
    default:
      b.bad = true;   /* no other conversion is used with it */
    }
  }
  int rc = -1;
  if (!b.bad && *p == '\0')
    rc = b.n && fwrite(b.s, 1, b.n, f) != b.n ? -1 : (int)b.n;
  free(b.s);
  return rc;
}

int term_printf(FILE *f, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = term_vprintf(f, fmt, ap);
  va_end(ap);
  return rc;
}

/*
** Markdown: every character that can start markup is backslash-escaped
** (links, images, emphasis, code, tables), '<' and '>' too so no HTML
** passes, and what would begin a heading, list or quote at the start.
** Control bytes become spaces: a line of text stays one line, so it
** cannot start a block of its own.
*/
char *md_text(const char *s) {
  sbuf b = {0};
  if (s == NULL) return sb_done(&b);
  const char *p = s;
  while (*p == ' ') p++;
  sb_put(&b, s, (size_t)(p - s));
  if (*p && strchr("#+-=", *p)) {
    sb_puts(&b, "\\");
  } else if (*p >= '0' && *p <= '9') {
    const char *q = p;
    while (*q >= '0' && *q <= '9') q++;
    if (*q == '.' || *q == ')') {
      sb_put(&b, p, (size_t)(q - p));
      sb_puts(&b, "\\");
      p = q;
    }
  }
  for (; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (control(p)) {
      sb_put(&b, " ", 1);
      p = control_end(p);
      continue;
    }
    if (strchr("\\`*_[]<>|&~!", c)) sb_put(&b, "\\", 1);
    sb_put(&b, p, 1);
  }
  return sb_done(&b);
}

/*
** A Markdown code span: nothing is escaped inside, so its fence is longer
** than any run of backticks in the text; a table's '|' and control bytes
** become spaces.
*/
char *md_code(const char *s) {
  sbuf b = {0};
  int run = 0, longest = 0;
  if (s == NULL) s = "";
  for (const char *p = s; *p; p++) {
    run = *p == '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  /* The spaces keep a backtick at either end apart from the fence. */
  const char *pad = longest ? " " : "";
  for (int i = 0; i <= longest; i++) sb_put(&b, "`", 1);
  sb_puts(&b, pad);
  for (const char *p = s; *p; p++) {
    bool blank = control(p) || *p == '|';
    sb_put(&b, blank ? " " : p, 1);
    if (blank) p = control_end(p);
  }
  sb_puts(&b, pad);
  for (int i = 0; i <= longest; i++) sb_put(&b, "`", 1);
  return sb_done(&b);
}

/* HTML, SVG and XML, in text and in quoted attributes alike. */
char *html_text(const char *s) {
  sbuf b = {0};
  for (const char *p = s ? s : ""; *p; p++) {
    switch (*p) {
    case '&': sb_puts(&b, "&amp;"); break;
    case '<': sb_puts(&b, "&lt;"); break;
    case '>': sb_puts(&b, "&gt;"); break;
    case '"': sb_puts(&b, "&quot;"); break;
    case '\'': sb_puts(&b, "&#39;"); break;
    default:
      if (!control(p)) {
        sb_put(&b, p, 1);
      } else {
        sb_put(&b, " ", 1);
        p = control_end(p);
      }
    }
  }
  return sb_done(&b);
}

static int put_with(FILE *f, char *(*escape)(const char *), const char *s) {
  char *t = escape(s);
  if (t == NULL) return -1;
  int rc = fputs(t, f) < 0 ? -1 : 0;
  free(t);
  return rc;
}

int term_put(FILE *f, const char *s) { return put_with(f, term_text, s); }
int md_put(FILE *f, const char *s) { return put_with(f, md_text, s); }
int md_code_put(FILE *f, const char *s) { return put_with(f, md_code, s); }
int html_put(FILE *f, const char *s) { return put_with(f, html_text, s); }

/*
** Text in paragraphs at its blank lines, its other line breaks spaces
** (a scenario's line breaks are not the output's), each paragraph
** escaped and 'sep' between them.
*/
static int paragraphs(FILE *f, const char *s, char *(*escape)(const char *),
                      const char *sep) {
  int rc = 0;
  bool first = true;
  while (s && *s && rc == 0) {
    while (*s == '\n') s++;
    const char *end = strstr(s, "\n\n");
    size_t n = end ? (size_t)(end - s) : strlen(s);
    if (n == 0) break;
    char *para = malloc(n + 1);
    if (para == NULL) return -1;
    for (size_t i = 0; i < n; i++) para[i] = s[i] == '\n' ? ' ' : s[i];
    para[n] = '\0';
    if (!first && fputs(sep, f) < 0) rc = -1;
    if (rc == 0) rc = put_with(f, escape, para);
    free(para);
    first = false;
    s += n;
  }
  return rc;
}

int md_paragraphs(FILE *f, const char *s) {
  return paragraphs(f, s, md_text, "\n\n");
}

int html_paragraphs(FILE *f, const char *s) {
  return paragraphs(f, s, html_text, "</p>\n<p>");
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t len) {
  const unsigned char *p = data;
  char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
  if (out == NULL) return NULL;
  for (size_t i = 0; i < len; i += 3) {
    unsigned v = (unsigned)p[i] << 16;
    if (i + 1 < len) v |= (unsigned)p[i + 1] << 8;
    if (i + 2 < len) v |= p[i + 2];
    *o++ = b64[v >> 18 & 63];
    *o++ = b64[v >> 12 & 63];
    *o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
    *o++ = i + 2 < len ? b64[v & 63] : '=';
  }
  *o = '\0';
  return out;
}

void *base64_decode(const char *text, size_t *len) {
  size_t n = strlen(text);
  if (n % 4) return NULL;
  unsigned char *out = malloc(n / 4 * 3 + 1), *o = out;
  if (out == NULL) return NULL;
  for (size_t i = 0; i < n; i += 4) {
    unsigned v = 0;
    int pad = 0;
    for (int k = 0; k < 4; k++) {
      const char *c = text[i + k] ? strchr(b64, text[i + k]) : NULL;
      /* '=' only at the end, at most two. */
      if (text[i + k] == '=' && i + 4 == n && k >= 2 &&
          (k == 3 || text[i + 3] == '=')) {
        pad++;
        v <<= 6;
        continue;
      }
      if (c == NULL || pad) {
        free(out);
        return NULL;
      }
      v = v << 6 | (unsigned)(c - b64);
    }
    *o++ = (unsigned char)(v >> 16);
    if (pad < 2) *o++ = (unsigned char)(v >> 8);
    if (pad < 1) *o++ = (unsigned char)v;
  }
  *len = (size_t)(o - out);
  return out;
}
