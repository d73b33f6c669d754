/*
** serve.c: brink serve, the room.  One thread owns the session and runs
** the HTTP server's loop (libmicrohttpd without threads of its own), so
** requests reach the session one at a time.  Every request passes the
** same gates in the same order: the Host header (DNS rebinding), the body
** limit, then the token, from the cookie a link set or from a Bearer
** header, and for a cookie's state-changing requests the X-Brink header a
** cross-site form cannot send.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "embedded.h"
#include "serve.h"

extern const brink__embedded brink__web[];   /* cli/web/, generated */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

size_t serve_version(server *srv) {
  return brink_session_log_count(srv->x.s);
}

void serve_settle(server *srv) {
  if (!brink_session_over(srv->x.s)) brink_session_prompt(srv->x.s);
}

/* replies ---------------------------------------------------------------- */

static void common_headers(struct MHD_Response *r, const char *type) {
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(r, "Content-Security-Policy",
                          "default-src 'self'; img-src 'self' data:; "
                          "style-src 'self'; frame-ancestors 'none'; "
                          "form-action 'self'; base-uri 'none'");
}

enum MHD_Result serve_reply(struct MHD_Connection *c, unsigned status,
                            const char *type, const char *body, size_t len) {
  struct MHD_Response *r = MHD_create_response_from_buffer(
      len, (void *)body, MHD_RESPMEM_MUST_COPY);
  if (r == NULL) return MHD_NO;
  common_headers(r, type);
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

enum MHD_Result serve_json(struct MHD_Connection *c, unsigned status,
                           json_t *o) {
  char *text = json_text(o, JSON_COMPACT | JSON_ENSURE_ASCII);
  json_decref(o);
  if (text == NULL)
    return serve_reply(c, 500, "application/json",
                       "{\"error\":\"out of memory\"}", 25);
  enum MHD_Result ok = serve_reply(c, status, "application/json", text,
                                   strlen(text));
  free(text);
  return ok;
}

enum MHD_Result serve_error(struct MHD_Connection *c, unsigned status,
                            const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = vformat(fmt, ap);
  va_end(ap);
  json_t *o = json_object();
  bool bad = msg == NULL;
  jput(o, "error", jstr(msg ? msg : "out of memory"), &bad);
  free(msg);
  return serve_json(c, status, o);
}

/* A page of the server's own words (never text from a request). */
static enum MHD_Result page(struct MHD_Connection *c, unsigned status,
                            const char *title, const char *text) {
  char body[1024];
  int n = snprintf(body, sizeof body,
                   "<!doctype html><meta charset=utf-8><title>%s</title>"
                   "<h1>%s</h1><p>%s</p>\n", title, title, text);
  return serve_reply(c, status, "text/html; charset=utf-8", body,
                     (size_t)n);
}

static const char *type_of(const char *name) {
  const char *dot = strrchr(name, '.');
  if (dot == NULL) return "application/octet-stream";
  if (strcmp(dot, ".html") == 0) return "text/html; charset=utf-8";
  if (strcmp(dot, ".css") == 0) return "text/css; charset=utf-8";
  if (strcmp(dot, ".js") == 0) return "text/javascript; charset=utf-8";
  if (strcmp(dot, ".svg") == 0) return "image/svg+xml";
  return "application/octet-stream";
}

static const brink__embedded *web_file(const char *name) {
  for (const brink__embedded *f = brink__web; f->name; f++)
    if (strcmp(f->name, name) == 0) return f;
  return NULL;
}

static enum MHD_Result file_reply(struct MHD_Connection *c,
                                  const brink__embedded *f) {
  return serve_reply(c, 200, type_of(f->name), f->text, f->len);
}

/* the gates -------------------------------------------------------------- */

/* Whether 'host' (a Host header) names this server. */
static bool host_allowed(const server *srv, const char *host) {
  if (host == NULL) return false;
  for (int i = 0; i < srv->nhosts; i++)
    if (strcmp(host, srv->hosts[i]) == 0) return true;
  return false;
}

/* The holder of 'token', comparing every token in full so the time taken
   says nothing of how much of one matched. */
static const holder *holder_of(const server *srv, const char *token) {
  const holder *found = NULL;
  if (token == NULL || strlen(token) != 32) return NULL;
  for (int i = 0; i < srv->nholders; i++) {
    unsigned diff = 0;
    for (int k = 0; k < 32; k++)
      diff |= (unsigned)(token[k] ^ srv->holders[i].token[k]);
    if (diff == 0) found = &srv->holders[i];
  }
  return found;
}

/* The token of a request: "Authorization: Bearer T", else the cookie. */
static const char *token_of(struct MHD_Connection *c, bool *by_cookie) {
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 "Authorization");
  *by_cookie = false;
  if (auth) return strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : auth;
  const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
                                                   "brink");
  *by_cookie = cookie != NULL;
  return cookie;
}

static const char *const role_pages[] = {
    [ROLE_SEAT] = "seat.html", [ROLE_FACILITATOR] = "facilitator.html",
    [ROLE_PROJECTOR] = "projector.html"};

static enum MHD_Result redirect(struct MHD_Connection *c, const char *to,
                                const char *cookie) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  if (r == NULL) return MHD_NO;
  common_headers(r, "text/plain");
  if (cookie) MHD_add_response_header(r, "Set-Cookie", cookie);
  MHD_add_response_header(r, "Location", to);
  enum MHD_Result ok = MHD_queue_response(c, 303, r);
  MHD_destroy_response(r);
  return ok;
}

/*
** GET /join/TOKEN: the token becomes a cookie and leaves the address.  The
** cookie belongs to the link's own pages (its Path), so one browser can
** hold the console and the projector, or two seats, in two tabs.
*/
static enum MHD_Result join(server *srv, struct MHD_Connection *c,
                            const char *token) {
  const holder *h = holder_of(srv, token);
  if (h == NULL)
    return page(c, 403, "Not a link of this exercise",
                "Ask the facilitator for your link.");
  char cookie[192];
  snprintf(cookie, sizeof cookie,
           "brink=%s; Path=%s; HttpOnly; SameSite=Strict", h->token,
           h->scope);
  return redirect(c, h->scope, cookie);
}

/* The holder whose pages 'url' is under, with *rest the path inside. */
static const holder *scope_of(const server *srv, const char *url,
                              const char **rest) {
  for (int i = 0; i < srv->nholders; i++) {
    const holder *h = &srv->holders[i];
    size_t n = strlen(h->scope);
    if (strncmp(url, h->scope, n - 1) == 0 &&
        (url[n - 1] == '/' || url[n - 1] == '\0')) {
      *rest = url + n - 1;
      return h;
    }
  }
  *rest = url;
  return NULL;
}

static enum MHD_Result route(server *srv, struct MHD_Connection *c,
                             const char *url, const char *method,
                             request *r) {
  bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
  bool post = strcmp(method, "POST") == 0;
  if (!get && !post) return serve_error(c, 405, "%s is not served", method);
  if (strncmp(url, "/join/", 6) == 0)
    return get ? join(srv, c, url + 6)
               : serve_error(c, 405, "a link is opened, not posted to");
  const holder *scope = scope_of(srv, url, &url);
  if (scope && *url == '\0') return redirect(c, scope->scope, NULL);
  bool api = strncmp(url, "/api/", 5) == 0;
  bool root = scope == NULL && strcmp(url, "/") == 0;
  if (!api && !root && (scope == NULL || strcmp(url, "/") != 0)) {
    const brink__embedded *f = url[0] == '/' ? web_file(url + 1) : NULL;
    if (f == NULL) return page(c, 404, "Not found", "No such page here.");
    return get ? file_reply(c, f) : serve_error(c, 405, "files are read");
  }
  bool by_cookie;
  const char *token = token_of(c, &by_cookie);
  const holder *h = holder_of(srv, token);
  if (token == NULL) {
    if (api) return serve_error(c, 401, "no token: open the link you were "
                                "given, or send Authorization: Bearer TOKEN");
    return page(c, 401, "Who are you?", "Open the link you were given.");
  }
  if (h == NULL) {
    if (api) return serve_error(c, 403, "not a token of this exercise");
    return page(c, 403, "Not a link of this exercise",
                "Ask the facilitator for your link.");
  }
  if (scope && scope != h) {
    if (api) return serve_error(c, 403, "these pages belong to another link");
    return page(c, 403, "Not your page",
                "These pages belong to another link: open your own.");
  }
  if (root) return redirect(c, h->scope, NULL);   /* a program's Bearer */
  if (!api) {
    const brink__embedded *f = web_file(role_pages[h->role]);
    if (f == NULL) return page(c, 404, "Not found", "No page for you here.");
    return get ? file_reply(c, f) : serve_error(c, 405, "pages are read");
  }
  if (post && by_cookie) {
    const char *x = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                "X-Brink");
    if (x == NULL || strcmp(x, "1") != 0)
      return serve_error(c, 403, "a request made with the cookie must send "
                         "the header X-Brink: 1");
  }
  if (r->too_big)
    return serve_error(c, 413, "the request's body is over %d bytes",
                       SERVE_MAX_BODY);
  return serve_api(srv, c, h, url + 5, method, r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
  server *srv = cls;
  (void)version;
  request *r = *con_cls;
  if (r == NULL) {
    if ((r = calloc(1, sizeof *r)) == NULL) return MHD_NO;
    *con_cls = r;
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   "Host");
    if (!host_allowed(srv, host))
      return serve_error(c, 421, "this server does not answer to that host "
                         "name");
    const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                  "Content-Length");
    if (len && strtoull(len, NULL, 10) > SERVE_MAX_BODY)
      return serve_error(c, 413, "the request's body is over %d bytes",
                         SERVE_MAX_BODY);
    return MHD_YES;
  }
  if (*upload_size) {
    if (r->body.n + *upload_size > SERVE_MAX_BODY) r->too_big = true;
    else sb_put(&r->body, upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  if (r->body.bad) return serve_error(c, 500, "out of memory");
  return route(srv, c, url, method, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why) {
  (void)cls, (void)c, (void)why;
  request *r = *con_cls;
  if (r) free(r->body.s);
  free(r);
  *con_cls = NULL;
}

/* events ----------------------------------------------------------------- */

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
  stream *st = cls;
  server *srv = st->srv;
  (void)pos;
  if (st->gone) return MHD_CONTENT_READER_END_WITH_ERROR;
  if (srv->stopping) return MHD_CONTENT_READER_END_OF_STREAM;
  size_t v = serve_version(srv);
  int n = 0;
  if (v != st->sent) {
    n = snprintf(buf, max, "event: state\ndata: {\"version\":%zu}\n\n", v);
    st->sent = v;
  } else if (time(NULL) - st->ping >= 15) {
    n = snprintf(buf, max, ": ping\n\n");
  }
  if (n > 0 && (size_t)n < max) {
    st->ping = time(NULL);
    return n;
  }
  /* Nothing to say: wait, out of the loop, until the loop wakes it. */
  MHD_suspend_connection(st->conn);
  st->suspended = true;
  return 0;
}

static void stream_free(void *cls) {
  stream *st = cls;
  st->closed = true;   /* the loop unlinks it */
}

enum MHD_Result serve_events(server *srv, struct MHD_Connection *c) {
  if (srv->nstreams >= SERVE_MAX_STREAMS)
    return serve_error(c, 503, "too many open event streams");
  stream *st = calloc(1, sizeof *st);
  if (st == NULL) return serve_error(c, 500, "out of memory");
  struct MHD_Response *r = MHD_create_response_from_callback(
      MHD_SIZE_UNKNOWN, 1024, stream_read, st, stream_free);
  if (r == NULL) {
    free(st);
    return serve_error(c, 500, "out of memory");
  }
  st->srv = srv;
  st->conn = c;
  st->sent = (size_t)-1;   /* the first event says where things stand */
  st->ping = time(NULL);
  st->next = srv->streams;
  srv->streams = st;
  srv->nstreams++;
  common_headers(r, "text/event-stream");
  enum MHD_Result ok = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return ok;
}

/*
** Whether the reader of a waiting stream has left.  A waiting connection is
** out of the server's loop, so nobody would notice until the next write;
** a look at its socket (nothing is read) frees its place at once.
*/
static bool reader_gone(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (ci == NULL) return false;
  char b;
  ssize_t n = recv(ci->connect_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 ||
         (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Wakes the streams with news (or a ping due) and forgets closed ones. */
static void streams_tick(server *srv, bool all) {
  size_t v = serve_version(srv);
  time_t now = time(NULL);
  for (stream **p = &srv->streams; *p;) {
    stream *st = *p;
    if (st->closed) {
      *p = st->next;
      srv->nstreams--;
      free(st);
      continue;
    }
    if (st->suspended && !st->gone) st->gone = reader_gone(st->conn);
    if (st->suspended &&
        (all || st->gone || st->sent != v || now - st->ping >= 15)) {
      st->suspended = false;
      MHD_resume_connection(st->conn);
    }
    p = &st->next;
  }
}

/* --save: rewritten after every change, so a crash loses nothing. */
static void keep_save(server *srv) {
  size_t v = serve_version(srv);
  if (srv->save == NULL || v == srv->saved) return;
  if (brink_session_save_file(srv->x.s, srv->save) == BRINK_OK)
    srv->saved = v;
  else
    term_printf(stderr, "brink serve: cannot save to %s: %s\n", srv->save,
                brink_session_errmsg(srv->x.s));
}

/* setting up ------------------------------------------------------------- */

static int add_holder(server *srv, enum role role, int actor,
                      const char *label) {
  unsigned char raw[16];
  holder *h = &srv->holders[srv->nholders];
  if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) return -1;
  for (int i = 0; i < 16; i++) sprintf(h->token + 2 * i, "%02x", raw[i]);
  h->role = role;
  h->actor = actor;
  h->label = label;
  srv->nholders++;
  return 0;
}

static int add_host(server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int add_host(server *srv, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *h = vformat(fmt, ap);
  va_end(ap);
  char **more = h ? realloc(srv->hosts, (size_t)(srv->nhosts + 1) *
                                            sizeof *more) : NULL;
  if (more == NULL) {
    free(h);
    return -1;
  }
  srv->hosts = more;
  srv->hosts[srv->nhosts++] = h;
  return 0;
}

/* The address to listen on, and whether it is this machine only. */
typedef struct address {
  struct sockaddr_storage sa;
  char url_host[80];     /* as a URL names it: "[::1]" for IPv6 */
  bool loopback, wildcard;
} address;

static int parse_address(const char *text, int port, address *a) {
  memset(a, 0, sizeof *a);
  struct sockaddr_in *v4 = (struct sockaddr_in *)&a->sa;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->sa;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    uint32_t ip = ntohl(v4->sin_addr.s_addr);
    a->loopback = (ip >> 24) == 127;
    a->wildcard = ip == 0;
    snprintf(a->url_host, sizeof a->url_host, "%s", text);
    return 0;
  }
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    a->loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
    a->wildcard = IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr);
    snprintf(a->url_host, sizeof a->url_host, "[%s]", text);
    return 0;
  }
  return -1;
}

static void server_free(server *srv) {
  for (int i = 0; i < srv->nhosts; i++) free(srv->hosts[i]);
  free(srv->hosts);
  free(srv->holders);
  free(srv->said.s);
  while (srv->streams) {
    stream *st = srv->streams;
    srv->streams = st->next;
    free(st);
  }
}

/* What the session says goes to whoever asked, in the reply. */
static void hear(void *ud, const char *text) {
  server *srv = ud;
  if (srv->said.n < 1 << 20) sb_puts(&srv->said, text);
}

/* The links, one line each: what a test or a person reads first. */
static int hand_out(server *srv, const address *a, const char *host,
                    int port) {
  brink_engine *e = brink_session_engine(srv->x.s);
  int n = brink_actor_count(e);
  if ((srv->holders = calloc((size_t)n + 2, sizeof *srv->holders)) == NULL)
    return -1;
  for (int i = 0; i < n; i++)
    if (brink_seated(e, i) == 1 &&
        add_holder(srv, ROLE_SEAT, i, brink_actor_id(e, i)))
      return -1;
  if (add_holder(srv, ROLE_FACILITATOR, -1, "facilitator") ||
      add_holder(srv, ROLE_PROJECTOR, -1, "projector"))
    return -1;
  const char *name = host ? host : a->url_host;
  for (int i = 0; i < srv->nholders; i++) {
    holder *h = &srv->holders[i];
    snprintf(h->url, sizeof h->url, "http://%s:%d/join/%s", name, port,
             h->token);
    snprintf(h->scope, sizeof h->scope, "%s%s/",
             h->role == ROLE_SEAT ? "/seat/" : "/", h->label);
    term_printf(stdout, "%-12s %s\n", h->label, h->url);
  }
  if (isatty(1))
    for (int i = 0; i < srv->nholders; i++)
      serve_qr_terminal(stdout, srv->holders[i].label, srv->holders[i].url);
  fflush(stdout);
  return 0;
}

static int serve_loop(server *srv, const options *o, address a) {
  const char *listen_at = o->listen ? o->listen : "127.0.0.1";
  int port = o->port < 0 ? 8080 : o->port;
  unsigned flags = MHD_ALLOW_SUSPEND_RESUME;
  if (a.sa.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, (uint16_t)port, NULL, NULL, on_request, srv,
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a.sa,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned)128,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
  if (d == NULL) {
    term_printf(stderr, "brink serve: cannot listen on %s port %d: %s\n",
                listen_at, port, strerror(errno));
    return 1;
  }
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  if (info) port = info->port;
  int rc = 0;
  if (add_host(srv, "%s:%d", a.url_host, port) ||
      (a.loopback && add_host(srv, "localhost:%d", port)) ||
      (o->host && add_host(srv, "%s:%d", o->host, port)) ||
      (port == 80 && add_host(srv, "%s", o->host ? o->host : a.url_host)) ||
      hand_out(srv, &a, o->host, port)) {
    term_printf(stderr, "brink serve: out of memory\n");
    MHD_stop_daemon(d);
    return 1;
  }
  if (!a.loopback)
    term_printf(stderr, "brink serve: warning: listening on %s: anyone on "
                "that network who has a link can join\n", listen_at);
  term_printf(stderr, "brink serve: serving %s; Ctrl-C ends the exercise\n",
              o->file);
  struct sigaction sa = {.sa_handler = on_signal};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  while (!interrupted) {
    MHD_run_wait(d, 1000);
    streams_tick(srv, false);
    keep_save(srv);
  }
  srv->stopping = true;
  streams_tick(srv, true);
  MHD_run_wait(d, 0);
  MHD_stop_daemon(d);
  streams_tick(srv, true);
  if (srv->save) {
    srv->saved = (size_t)-1;
    keep_save(srv);
    if (srv->saved != (size_t)-1)
      term_printf(stdout, "Saved the session to %s.\n", srv->save);
    else
      rc = 1;
  }
  return rc;
}

static bool any_seat(const brink_engine *e) {
  for (int i = 0; i < brink_actor_count(e); i++)
    if (brink_seated(e, i) == 1) return true;
  return false;
}

int cmd_serve(int argc, char **argv) {
  options o;
  int rc = parse_options("serve", argc, argv, &o);
  if (rc) return rc < 0 ? 0 : rc;
  if (!o.resume && o.nseats == 0)
    return usage_error("serve", "who plays? give each team's actor with "
                       "--seat ACTOR");
  address a;
  const char *listen_at = o.listen ? o.listen : "127.0.0.1";
  if (parse_address(listen_at, o.port < 0 ? 8080 : o.port, &a))
    return usage_error("serve", "--listen %s: not an IPv4 or IPv6 address",
                       listen_at);
  if (a.wildcard && o.host == NULL)
    return usage_error("serve", "--listen %s needs --host NAME: the name "
                       "or address the browsers in the room will use",
                       listen_at);
  server srv = {.save = o.save};
  srv.x.say_fn = hear;
  srv.x.say_ud = &srv;
  if ((rc = exercise_open(&srv.x, "serve", &o)) == 0) {
    if (!any_seat(brink_session_engine(srv.x.s))) {
      rc = usage_error("serve", "%s has no seats: resume it with brink play",
                       o.resume);
    } else {
      brink_engine *e = brink_session_engine(srv.x.s);
      srv.title = *brink_scenario_field(e, "title")
                      ? brink_scenario_field(e, "title")
                      : brink_scenario_field(e, "id");
      serve_settle(&srv);
      if ((rc = serve_loop(&srv, &o, a)) != 0) goto done;
      term_printf(stdout, "Session over at turn %d",
                  brink_turn(brink_session_engine(srv.x.s)));
      if (o.log) term_printf(stdout, "; the log is in %s", o.log);
      term_printf(stdout, ".\n");
    }
  }
done:
  rc = exercise_close(&srv.x, "serve", rc);
  server_free(&srv);
  return rc;
}
