/*
** serve.h: brink serve, a tabletop exercise in the browser.  serve.c owns
** the HTTP side (libmicrohttpd, one thread: every request is handled in
** turn by the thread that owns the session), tokens, cookies and the
** rules every request passes; serve_api.c answers the JSON API from the
** session.
*/
#ifndef BRINK_SERVE_H
#define BRINK_SERVE_H

#include <microhttpd.h>
#include <time.h>

#include "cli.h"

#define SERVE_MAX_BODY 16384   /* bytes of a request body */
#define SERVE_MAX_STREAMS 64   /* open /api/events streams */

enum role { ROLE_SEAT, ROLE_FACILITATOR, ROLE_PROJECTOR };

/* One link: who holds its token. */
typedef struct holder {
  char token[33];        /* 128 bits from the OS, in hex */
  enum role role;
  int actor;             /* a seat's actor, else -1 */
  const char *label;     /* "USA", "facilitator", "projector" */
  char url[160];         /* http://HOST:PORT/join/TOKEN */
  char scope[96];        /* its pages' path: "/seat/USA/", "/projector/" */
} holder;

/* A request's body, gathered as it arrives. */
typedef struct request {
  sbuf body;
  bool too_big;
} request;

/* An open /api/events stream. */
typedef struct stream {
  struct server *srv;
  struct MHD_Connection *conn;
  size_t sent;           /* the version it was last told */
  time_t ping;           /* when it was last written to */
  bool suspended, closed;
  bool gone;             /* its reader left while it waited */
  struct stream *next;
} stream;

typedef struct server {
  exercise x;
  holder *holders;
  int nholders;
  char **hosts;          /* what the Host header may name */
  int nhosts;
  sbuf said;             /* what the session said during this request */
  const char *save;      /* --save FILE, or NULL */
  size_t saved;          /* the version last saved */
  stream *streams;
  int nstreams;
  bool stopping;
  const char *title;     /* the scenario's, for pages */
} server;

/* The version of what everyone sees: grows with every log line. */
size_t serve_version(server *srv);
/* Plays on to the next prompt, where the room waits for someone. */
void serve_settle(server *srv);

/* serve_api.c: the answer to an authenticated /api/ request. */
enum MHD_Result serve_api(server *srv, struct MHD_Connection *c,
                          const holder *h, const char *path,
                          const char *method, request *r);

/* Replies, each with the headers every answer carries. */
enum MHD_Result serve_reply(struct MHD_Connection *c, unsigned status,
                            const char *type, const char *body, size_t len);
/* A JSON object as the reply; takes the reference. */
enum MHD_Result serve_json(struct MHD_Connection *c, unsigned status,
                           json_t *o);
/* {"error": MESSAGE} */
enum MHD_Result serve_error(struct MHD_Connection *c, unsigned status,
                            const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* serve_links.c: a link's QR code in the terminal, and the printable
   sheet of every link (HTML, malloc'd; NULL when out of memory). */
void serve_qr_terminal(FILE *f, const char *label, const char *url);
char *serve_join_sheet(const server *srv);

/* Starts an event stream on 'c'. */
enum MHD_Result serve_events(server *srv, struct MHD_Connection *c);

#endif
