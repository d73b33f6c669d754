/*
** serve_api.c: the JSON API under /api/, what the pages use and programs
** may drive.  What each caller may see is the session's view for its
** role (brink_session_view); what each may do is decided here, before the
** session is asked: a seat moves for its own actor only, the facilitator
** alone gives commands.  Every accepted action is the session's, so it
** lands in the log as at the terminal.
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "serve.h"

/* The view 'actor' (or BRINK_VIEW_*) has, as JSON; NULL on failure. */
static json_t *view_of(server *srv, int actor) {
  char *text;
  if (brink_session_view(srv->x.s, actor, &text, NULL) != BRINK_OK)
    return NULL;
  json_t *v = json_loads(text, 0, NULL);
  brink_buffer_free(text);
  return v;
}

static int view_actor(const holder *h) {
  return h->role == ROLE_SEAT ? h->actor
         : h->role == ROLE_FACILITATOR ? BRINK_VIEW_ALL : BRINK_VIEW_PUBLIC;
}

static enum MHD_Result state(server *srv, struct MHD_Connection *c,
                             const holder *h) {
  const char *as = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
                                               "as");
  int actor = view_actor(h);
  if (as) {
    brink_engine *e = brink_session_engine(srv->x.s);
    int a;
    if (brink_actor_find(e, as, &a) != BRINK_OK)
      return serve_error(c, 404, "%s", brink_errmsg(e));
    if (h->role != ROLE_FACILITATOR && a != h->actor)
      return serve_error(c, 403, "a seat sees its own actor's view only");
    actor = a;
  }
  json_t *v = view_of(srv, actor);
  return v ? serve_json(c, 200, v)
           : serve_error(c, 500, "%s", brink_session_errmsg(srv->x.s));
}

/* The body as a JSON object, or NULL with the reply queued. */
static json_t *body_object(struct MHD_Connection *c, const request *r,
                           enum MHD_Result *ok) {
  json_error_t err;
  json_t *j = r->body.n ? json_loadb(r->body.s, r->body.n,
                                     JSON_REJECT_DUPLICATES, &err)
                        : NULL;
  if (j == NULL) {
    *ok = r->body.n ? serve_error(c, 400, "the body is not JSON: %s",
                                  err.text)
                    : serve_error(c, 400, "the body is empty: send a JSON "
                                  "object");
    return NULL;
  }
  if (!json_is_object(j)) {
    json_decref(j);
    *ok = serve_error(c, 400, "the body is not a JSON object");
    return NULL;
  }
  return j;
}

/* A string member of 'o', or NULL; *ok false when it is another type. */
static const char *member(json_t *o, const char *key, bool *ok) {
  json_t *v = json_object_get(o, key);
  if (v == NULL || json_is_null(v)) return NULL;
  if (!json_is_string(v)) *ok = false;
  return json_string_value(v);
}

/* What the session said, and the caller's view after it. */
static enum MHD_Result answer(server *srv, struct MHD_Connection *c,
                              const holder *h, unsigned status,
                              const char *error) {
  json_t *o = json_object();
  bool bad = false;
  if (error) jput(o, "error", jstr(error), &bad);
  else jput(o, "ok", json_true(), &bad);
  /* What the session says is the white cell's view of events (triggers
     fired, errors); a team reads its own view instead. */
  if (h->role == ROLE_FACILITATOR)
    jput(o, "said", jstr(srv->said.s && !srv->said.bad ? srv->said.s : ""),
         &bad);
  json_t *v = view_of(srv, view_actor(h));
  if (v) jput(o, "state", v, &bad);
  if (bad) {
    json_decref(o);
    return serve_error(c, 500, "out of memory");
  }
  return serve_json(c, status, o);
}

static void said_clear(server *srv) {
  free(srv->said.s);
  memset(&srv->said, 0, sizeof srv->said);
}

static enum MHD_Result move(server *srv, struct MHD_Connection *c,
                            const holder *h, const request *r) {
  enum MHD_Result ok;
  json_t *o = body_object(c, r, &ok);
  if (o == NULL) return ok;
  bool typed = true;
  const char *name = member(o, "move", &typed);
  const char *target = member(o, "target", &typed);
  const char *actor = member(o, "actor", &typed);
  brink_engine *e = brink_session_engine(srv->x.s);
  int a = h->actor;
  if (!typed || name == NULL || !*name) {
    ok = serve_error(c, 400, "send {\"move\": NAME, \"target\": ACTOR}, "
                     "each a string");
  } else if (h->role == ROLE_PROJECTOR) {
    ok = serve_error(c, 403, "the projector does not move");
  } else if (actor && brink_actor_find(e, actor, &a) != BRINK_OK) {
    ok = serve_error(c, 422, "%s", brink_errmsg(e));
  } else if (h->role == ROLE_SEAT && a != h->actor) {
    ok = serve_error(c, 403, "%s's seat moves for %s only", h->label,
                     h->label);
  } else {
    serve_settle(srv);
    int awaiting = brink_awaiting(e);
    if (h->role == ROLE_FACILITATOR && actor == NULL) a = awaiting;
    if (brink_outcome(e))
      ok = serve_error(c, 409, "the scenario has ended");
    else if (brink_held(e))
      ok = serve_error(c, 409, "the turn is held by the facilitator");
    else if (awaiting < 0 || awaiting != a)
      ok = serve_error(c, 409, awaiting < 0 ? "no seat is to move"
                                            : "waiting for %s",
                       awaiting < 0 ? "" : brink_actor_id(e, awaiting));
    else {
      sbuf line = {0};
      sb_puts(&line, name);
      if (target) {
        sb_puts(&line, " ");
        sb_puts(&line, target);
      }
      said_clear(srv);
      int rc = line.bad ? BRINK_ENOMEM : brink_session_answer(srv->x.s, line.s);
      free(line.s);
      char why[600];
      snprintf(why, sizeof why, "%s", brink_session_errmsg(srv->x.s));
      serve_settle(srv);
      ok = rc >= 0 ? answer(srv, c, h, 200, NULL)
                   : answer(srv, c, h, rc == BRINK_EINVAL ? 422 : 409, why);
    }
  }
  json_decref(o);
  return ok;
}

/* {"command": "/set X 5"}, or {"command": "set", "args": ["X", "5"]}. */
static char *command_text(json_t *o, const char **why) {
  bool typed = true;
  const char *cmd = member(o, "command", &typed);
  json_t *args = json_object_get(o, "args");
  *why = "send {\"command\": \"/set VAR VALUE\"} or {\"command\": \"set\", "
         "\"args\": [\"VAR\", \"VALUE\"]}";
  if (!typed || cmd == NULL || !*cmd || (args && !json_is_array(args)))
    return NULL;
  sbuf t = {0};
  if (cmd[0] != '/') sb_puts(&t, "/");
  sb_puts(&t, cmd);
  size_t i;
  json_t *a;
  json_array_foreach(args, i, a) {
    if (!json_is_string(a)) {
      free(t.s);
      return NULL;
    }
    sb_puts(&t, " ");
    sb_puts(&t, json_string_value(a));
  }
  if (t.bad) {
    free(t.s);
    *why = "out of memory";
    return NULL;
  }
  return t.s;
}

static enum MHD_Result run_command(server *srv, struct MHD_Connection *c,
                               const holder *h, const request *r) {
  if (h->role != ROLE_FACILITATOR)
    return serve_error(c, 403, "only the facilitator gives commands");
  enum MHD_Result ok;
  json_t *o = body_object(c, r, &ok);
  if (o == NULL) return ok;
  const char *why;
  char *text = command_text(o, &why);
  json_decref(o);
  if (text == NULL) return serve_error(c, 400, "%s", why);
  /* The session reads the command's first word as trim_space leaves it. */
  const char *word = text + strspn(text, " \t\n\v\f\r");
  if (strncmp(word, "/quit", 5) == 0 &&
      (word[5] == '\0' || isspace((unsigned char)word[5]))) {
    free(text);
    return serve_error(c, 422, "the exercise ends at the server: Ctrl-C "
                       "there (with --save it saves first)");
  }
  said_clear(srv);
  int rc = brink_session_command(srv->x.s, text);
  free(text);
  /* The reason, before playing on to the next prompt makes new ones. */
  char reason[600];
  snprintf(reason, sizeof reason, "%s", brink_session_errmsg(srv->x.s));
  serve_settle(srv);
  return rc == BRINK_OK
             ? answer(srv, c, h, 200, NULL)
             : answer(srv, c, h, rc == BRINK_EINVAL ? 422 : 409, reason);
}

/* The model of the session's log, as reports read it. */
static void model_of(server *srv, model *m) {
  model_init(m);
  for (size_t i = 0; i < brink_session_log_count(srv->x.s); i++) {
    const char *line = brink_session_log_line(srv->x.s, i);
    model_feed(m, line, strlen(line));
  }
  model_finish(m);
}

/* What the session's views say the caller may see. */
static bool may_see(brink_engine *e, const holder *h, const char *var) {
  int v;
  return brink_var_find(e, var, &v) == BRINK_OK &&
         var_seen_by(e, v, view_actor(h));
}

/* The report's charts of the values that moved most, those the caller
   may see. */
static enum MHD_Result charts(server *srv, struct MHD_Connection *c,
                              const holder *h) {
  brink_engine *e = brink_session_engine(srv->x.s);
  model m;
  model_of(srv, &m);
  report_facts f;
  if (report_facts_build(&f, &m, e) != 0) {
    model_free(&m);
    return serve_error(c, 500, "out of memory");
  }
  json_t *list = json_array();
  bool bad = false;
  for (int i = 0, shown = 0; i < f.nchanged && shown < 6; i++) {
    const var_series *s = f.changed[i].s;
    if (!s->numeric || !may_see(e, h, s->name)) continue;
    char *svg = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&svg, &len);
    if (mem == NULL) {
      bad = true;
      break;
    }
    report_chart(mem, &f, s);
    fclose(mem);
    json_t *o = json_object();
    jput(o, "var", jstr(s->name), &bad);
    jput(o, "svg", json_stringn(svg, len), &bad);
    free(svg);
    jappend(list, o, &bad);
    shown++;
  }
  report_facts_free(&f);
  model_free(&m);
  json_t *o = json_object();
  jput(o, "charts", list, &bad);
  if (bad) {
    json_decref(o);
    return serve_error(c, 500, "out of memory");
  }
  return serve_json(c, 200, o);
}

static enum MHD_Result download(struct MHD_Connection *c, const char *type,
                                const char *file, const char *body,
                                size_t len) {
  struct MHD_Response *r = MHD_create_response_from_buffer(
      len, (void *)body, MHD_RESPMEM_MUST_COPY);
  if (r == NULL) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Content-Security-Policy",
                          "default-src 'none'; style-src 'unsafe-inline'");
  if (file) {
    char disp[128];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", file);
    MHD_add_response_header(r, "Content-Disposition", disp);
  }
  enum MHD_Result ok = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return ok;
}

/* GET /api/save, /api/log, /api/report: the facilitator's to hand out. */
static enum MHD_Result handout(server *srv, struct MHD_Connection *c,
                               const char *what) {
  brink_session *s = srv->x.s;
  if (strcmp(what, "save") == 0) {
    void *save;
    size_t len;
    if (brink_session_save(s, &save, &len) != BRINK_OK)
      return serve_error(c, 500, "%s", brink_session_errmsg(s));
    enum MHD_Result ok = download(c, "application/json", "brink-save.json",
                                  save, len);
    brink_buffer_free(save);
    return ok;
  }
  sbuf b = {0};
  if (strcmp(what, "links") == 0) {
    char *sheet = serve_join_sheet(srv);
    enum MHD_Result ok =
        sheet ? download(c, "text/html; charset=utf-8", NULL, sheet,
                         strlen(sheet))
              : serve_error(c, 500, "out of memory");
    free(sheet);
    return ok;
  }
  if (strcmp(what, "log") == 0) {
    for (size_t i = 0; i < brink_session_log_count(s); i++) {
      sb_puts(&b, brink_session_log_line(s, i));
      sb_puts(&b, "\n");
    }
  } else {
    model m;
    model_of(srv, &m);
    report_facts f;
    FILE *mem = open_memstream(&b.s, &b.n);
    if (mem == NULL || report_facts_build(&f, &m, brink_session_engine(s))) {
      if (mem) fclose(mem);
      model_free(&m);
      free(b.s);
      return serve_error(c, 500, "out of memory");
    }
    report_html(mem, &f);
    fclose(mem);
    report_facts_free(&f);
    model_free(&m);
  }
  enum MHD_Result ok =
      b.bad ? serve_error(c, 500, "out of memory")
      : what[0] == 'l'
          ? download(c, "application/x-ndjson", "brink-log.jsonl",
                     b.s ? b.s : "", b.n)
          : download(c, "text/html; charset=utf-8", NULL, b.s ? b.s : "",
                     b.n);
  free(b.s);
  return ok;
}

enum MHD_Result serve_api(server *srv, struct MHD_Connection *c,
                          const holder *h, const char *path,
                          const char *method, request *r) {
  bool post = strcmp(method, "POST") == 0;
  static const char *const gets[] = {"state", "events", "charts", "save",
                                     "log", "report", "links", NULL};
  static const char *const posts[] = {"move", "command", NULL};
  bool is_get = false, is_post = false;
  for (int i = 0; gets[i]; i++) is_get |= strcmp(path, gets[i]) == 0;
  for (int i = 0; posts[i]; i++) is_post |= strcmp(path, posts[i]) == 0;
  if (!is_get && !is_post)
    return serve_error(c, 404, "no such call: /api/%.40s", path);
  if (is_get == post)
    return serve_error(c, 405, "/api/%s takes %s", path,
                       is_get ? "GET" : "POST");
  if (strcmp(path, "state") == 0) return state(srv, c, h);
  if (strcmp(path, "events") == 0) return serve_events(srv, c);
  if (strcmp(path, "charts") == 0) return charts(srv, c, h);
  if (strcmp(path, "move") == 0) return move(srv, c, h, r);
  if (strcmp(path, "command") == 0) return run_command(srv, c, h, r);
  if (h->role != ROLE_FACILITATOR)
    return serve_error(c, 403, "/api/%s is the facilitator's", path);
  return handout(srv, c, path);
}
