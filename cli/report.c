/*
** report.c: brink report, the after-action report of a log or a save.
**
** The model of the log (session/model.c) is followed by the facts of the
** report (session/report.c), rendered by the file's extension: Markdown
** (report_md.c) or HTML (report_html.c).  A log is untrusted: parsed
** with jansson, every field checked, every string escaped on the way out;
** the scenario, when it can be found unchanged, only lends display names.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "report.h"

const char *rewind_way(const entry *e) {
  return e->b && e->turn > atoi(e->b) ? "forward" : "back";
}

/* Whether 'path' ends in 'ext', in any case. */
static bool ends_in(const char *path, const char *ext) {
  size_t n = strlen(path), k = strlen(ext);
  return n > k && strcasecmp(path + n - k, ext) == 0;
}

/* 1 Markdown, 0 HTML, -1 neither: a report.pdf that held HTML would
   mislead whoever opened it. */
static int report_kind(const char *path) {
  if (ends_in(path, ".md") || ends_in(path, ".markdown")) return 1;
  if (ends_in(path, ".html") || ends_in(path, ".htm")) return 0;
  return -1;
}

int report_write(const char *path, model *m, brink_engine *e, char *err,
                 size_t cap) {
  int md = report_kind(path);
  if (md < 0) {
    snprintf(err, cap, "cannot write %s: a report is HTML (.html) or "
             "Markdown (.md); print the HTML to PDF from a browser", path);
    return -1;
  }
  outfile of;
  char why[512];
  FILE *f = outfile_open(&of, path, why, sizeof why);
  if (f == NULL) {
    snprintf(err, cap, "cannot write %s: %s", path, why);
    return -1;
  }
  report_facts r;
  if (report_facts_build(&r, m, e) != 0) {
    outfile_abort(&of);
    snprintf(err, cap, "cannot write %s: out of memory", path);
    return -1;
  }
  (md ? report_md : report_html)(f, &r);
  report_facts_free(&r);
  if (outfile_close(&of, why, sizeof why) != 0) {
    snprintf(err, cap, "cannot write %s: %s", path, why);
    return -1;
  }
  return 0;
}

/* brink report ----------------------------------------------------------- */

/* The lines of a log, or of the log inside a save. */
static int input_lines(const char *path, strlist *lines, char *err,
                       size_t cap) {
  size_t len;
  char *text = read_file(path, &len);
  if (text == NULL) {
    snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  json_error_t je;
  json_t *root = text[0] == '{' && strchr(text, '\n') &&
                 strncmp(text, "{\"t\":", 5) != 0
                     ? json_loadb(text, len, 0, &je) : NULL;
  if (root) {
    json_t *fmt = json_object_get(root, "format");
    json_t *log = json_object_get(root, "log");
    int rc = 0;
    if (!json_is_string(fmt) ||
        strcmp(json_string_value(fmt), SAVE_FORMAT) != 0 ||
        !json_is_array(log)) {
      snprintf(err, cap, "%s: neither a save nor a log", path);
      rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(log); i++) {
      json_t *x = json_array_get(log, i);
      /* A line kept as hex is not UTF-8: the model cannot read it anyway. */
      const char *s = json_is_string(x) ? json_string_value(x) : "{}";
      if (strlist_push(lines, s)) rc = -1;
    }
    json_decref(root);
    free(text);
    return rc;
  }
  int rc = strlist_split(lines, text, len);
  free(text);
  if (rc) snprintf(err, cap, "out of memory");
  return rc;
}

int cmd_report(int argc, char **argv) {
  options o;
  int rc = parse_options("report", argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  const char *in = o.file, *outp = o.out;
  const char *scenario = o.nscenarios ? o.scenarios[o.nscenarios - 1] : NULL;
  if (outp == NULL) return usage_error("report", "where to? (-o aar.html "
                                       "or -o aar.md)");
  if (report_kind(outp) < 0)
    return usage_error("report", "-o %s: a report is HTML (.html) or "
                       "Markdown (.md)", outp);
  char err[512];
  strlist lines = {0};
  if (input_lines(in, &lines, err, sizeof err)) {
    term_printf(stderr, "brink report: %s\n", err);
    strlist_free(&lines);
    return 1;
  }
  model m;
  model_init(&m);
  for (size_t i = 0; i < lines.n; i++)
    model_feed(&m, lines.v[i], strlen(lines.v[i]));
  model_finish(&m);
  strlist_free(&lines);
  if (m.scenario == NULL) {
    term_printf(stderr, "brink report: %s: not a brink log (no start record)\n",
                in);
    model_free(&m);
    return 1;
  }
  /* The scenario only lends names: used when its text is the logged one. */
  brink_engine *e = NULL;
  const char *file = scenario ? scenario : m.has_setup ? m.setup.file : NULL;
  if (file && brink_engine_open(&e, NULL) == BRINK_OK) {
    size_t len;
    const char *t;
    char sha[65] = "";
    if (brink_load_file(e, file) == BRINK_OK &&
        (t = brink_scenario_text(e, &len)) != NULL)
      brink__sha256_hex(t, len, sha);
    if (!m.has_setup || strcmp(sha, m.setup.sha256) != 0) {
      if (scenario)
        term_printf(stderr, "brink report: %s is not the scenario text of the "
                    "log; names are left out\n", scenario);
      brink_engine_close(e);
      e = NULL;
    }
  }
  rc = report_write(outp, &m, e, err, sizeof err);
  if (rc) term_printf(stderr, "brink report: %s\n", err);
  brink_engine_close(e);
  model_free(&m);
  return rc ? 1 : 0;
}
