/*
** tabletop.h: what brink play, replay, report and run's saves share: the
** setup record, the state of a run as JSON, saves, a play session, and the
** model of a log that reports and /why read.
*/
#ifndef BRINK_TABLETOP_H
#define BRINK_TABLETOP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define SAVE_FORMAT "brink-save"
#define SAVE_VERSION 1

#include "data.h"     /* event data's grammar, engine/data.c */
#include "sha256.h"   /* the library's digest, engine/sha256.c */

/* A growable list of strings the list owns. */
typedef struct strlist {
  char **v;
  size_t n, cap;
} strlist;

/* Appends a copy of 'len' bytes of 's' (NUL-terminated); 0, or -1 when out
   of memory. */
int strlist_pushn(strlist *l, const char *s, size_t len);
int strlist_push(strlist *l, const char *s);
/* Pushes each line of 'text' (without its newline). */
int strlist_split(strlist *l, const char *text, size_t len);
void strlist_free(strlist *l);

/*
** How a run began, as the "setup" record that follows the engine's start
** record in every log of run and play, and as a save's "setup".
*/
typedef struct setup {
  char *file;           /* the scenario's path as given */
  char sha256[65];      /* of its text */
  uint64_t seed;
  strlist seats;        /* actor ids */
  strlist policies;     /* "ACTOR=NAME" */
  strlist sets;         /* "VAR=VALUE" */
  int turns;            /* the turn limit, 0 for the calendar's */
} setup;

void setup_free(setup *s);
/* Fills file, sha256 and seed from a loaded engine; 0 or -1 (memory). */
int setup_init(setup *s, brink_engine *e, const char *file, uint64_t seed);
/* The setup record as one line of JSON (malloc'd), or NULL. */
char *setup_line(const setup *s);
/* Reads a setup record or a save's "setup" object; on failure 'err' says
   which field is wrong and the result is -1. */
int setup_parse(json_t *j, setup *s, char *err, size_t cap);
/* A seed: a JSON integer, or past 2^63 a string of digits; false when
   'j' is neither. */
bool seed_read(json_t *j, uint64_t *out);

/* Reads a whole file; NULL with errno set on failure.  NUL-terminated. */
char *read_file(const char *path, size_t *len);

/*
** Event data: the engine keeps it as a table constructor written by the
** scenario language.  Before any text from a save or log reaches the
** engine it must pass the engine's brink__data_valid(), a strict grammar
** of literals, so it can never be code.  data_from_json() writes
** facilitator data (JSON) in that grammar.
*/
char *data_from_json(const json_t *j);

/*
** The state of a run as JSON: position, generator, values by name, fired
** triggers by name and the schedule by event name.  state_json() reads
** the engine; state_apply() writes one into 'e', which must be an engine
** of its own (a clone or a fresh load) since a refusal leaves it half
** written.  With 'force' unknown names are dropped and missing values keep
** their initial values, each noted in 'notes'; without it both are errors.
*/
json_t *state_json(brink_engine *e);
int state_apply(brink_engine *e, json_t *state, bool force, strlist *notes,
                char *err, size_t cap);
/*
** Applies 'state' to a clone of 'live' and, only when all of it was
** accepted, restores the result into 'live' in one step: a refused state
** leaves 'live' as it was.
*/
int state_restore(brink_engine *live, json_t *state, bool force,
                  strlist *notes, char *err, size_t cap);

/* A named branch point, or a turn's start for /undo (then 'state' is NULL
   and 'snap' holds it: undo points need no names and no reloads). */
typedef struct branch {
  char *name;
  int turn;
  json_t *state;
  brink_snapshot *snap;
} branch;

/* Everything a save holds, validated and ready to use. */
typedef struct loaded {
  setup setup;
  char *scenario_id;
  json_t *state;
  branch *branches;
  int nbranches;
  strlist log;
  strlist notes;        /* what --force dropped or defaulted */
  bool foreign;         /* the scenario text differs (--force) */
} loaded;

void loaded_free(loaded *l);
/*
** Reads a save for the scenario loaded in 'live', checking everything
** before anything is used: nothing in 'live' changes.  On failure 'err'
** names what is wrong (without the file name) and the result is 1.
*/
int save_load_text(const char *text, size_t len, brink_engine *live,
                   bool force, loaded *out, char *err, size_t cap);
int save_load(const char *path, brink_engine *live, bool force, loaded *out,
              char *err, size_t cap);
/* The scenario path a save names, to open it before loading (malloc'd). */
char *save_scenario_file(const char *path, char *err, size_t cap);
/*
** Writes a save atomically: a temporary file in the same folder, written,
** flushed and synced, then renamed over 'path'.  On failure nothing is
** left behind and 'err' says why.
*/
int save_write(const char *path, brink_engine *e, const setup *s,
               const branch *branches, int nbranches, const strlist *log,
               char *err, size_t cap);

/* ---------------------------------------------------------------------- */
/* The model of a log: what happened on the line of play that counts.     */

enum entry_kind {
  E_MOVE, E_SET, E_TRIGGER, E_EVENT, E_NEWS, E_ERROR, E_INTERVENTION,
  E_REWIND, E_END
};

typedef struct entry {
  int kind;
  int turn;
  char *a, *b, *c, *d;   /* see model_feed() for what each kind keeps */
} entry;

typedef struct series {
  char *name;
  bool numeric;          /* numbers and integers: charted */
  char *start, *end;     /* as the log writes them (JSON text) */
  double *v;             /* the value at the end of each turn, NAN unknown */
  int nv;
  double moved;          /* report: how far it moved, 0 to 1 */
} series;

/* The line of play when a branch point was marked, to return to. */
typedef struct line_mark {
  char *name;
  entry *entries;
  int nentries;
  double **v;            /* each variable's series then */
  int *nv;
  int nvars;
} line_mark;

typedef struct model {
  char *scenario, *engine;
  uint64_t seed;
  setup setup;
  bool has_setup;
  char **dates;          /* dates[t] of turn t, from 1 */
  int ndates;
  entry *entries;        /* the line of play, in order */
  int nentries, capentries;
  entry *trail;          /* every intervention, rewound or not */
  int ntrail, captrail;
  series *vars;
  int nvars, capvars;
  int turn;              /* the turn the line is in */
  int last_turn;         /* the last turn record on the line */
  char *outcome;         /* NULL while running */
  int end_turn;
  char *end_date;
  int lines, bad_lines;
  char *last_actor;      /* who made the last move, for causes */
  line_mark *marks;           /* branch points */
  int nmarks, capmarks;
} model;

void model_init(model *m);
void model_free(model *m);
/* Takes one log line into the model; malformed lines are counted. */
void model_feed(model *m, const char *line, size_t len);
/* Fills in start values and series after the last line. */
void model_finish(model *m);

/* report.c: the after-action report from a model; 'e' (may be NULL) gives
   display names.  Format by the path's extension (.md, else HTML). */
int report_write(const char *path, model *m, brink_engine *e, char *err,
                 size_t cap);

/* ---------------------------------------------------------------------- */
/* A play session: shared by brink play and brink replay.                 */

typedef struct session session;
/* Called with each log line as it is made. */
typedef void (*line_fn)(session *s, const char *line);

struct session {
  brink_engine *e;
  brink_config cfg;
  setup setup;
  char *scenario_title;
  strlist log;              /* every line of the session */
  FILE *logfile;            /* --log, or NULL */
  FILE *out;                /* what people read; NULL when replaying */
  line_fn on_line;          /* replay: compares each line */
  void *ud;
  bool replaying;
  bool interactive;         /* stdin is a terminal */
  bool quit;
  bool stop;                /* replay: stop here */
  bool stuck;               /* the run cannot go on */
  bool turn_start;          /* at the start of a turn, before its records */
  char *fatal;              /* replay: why it had to stop */
  /* replay: the next line of the log, for /load and /reload */
  const char *(*peek)(session *s);
  const char *const *scenarios;   /* replay: files to find by sha256 */
  int nscenarios;
  branch *undo;             /* snapshots at the start of turns */
  int nundo, capundo;
  branch *branches;
  int nbranches, capbranches;
  model model;              /* the line of play so far */
  char *buf;                /* for records as JSON */
  size_t cap;
  int io_error;
  int *seen_news;           /* per actor: model entries already shown */
};

int session_init(session *s, brink_engine *e, const setup *su,
                 const brink_config *cfg);
void session_free(session *s);
/* Writes a line of the session's own (setup, intervention, state). */
void session_emit(session *s, const char *line);
/* Seats, policies and turn limit of s->setup into s->e; 2 when refused. */
int session_configure(session *s, const char *cmd);
/* brink_start, the setup record, --set, and the first undo point. */
int session_start(session *s);
/* Continues from a save: its log, its state and its branch points. */
int session_resume(session *s, loaded *l, const char *from);
/* Marks a resumed session in the log ("--resume SAVE") and its state. */
void session_resumed(session *s, const char *cmd);
/* Whether brink play would ask for input now (a seat, the end, or with no
   seats the start of a turn): a replay takes its next line there. */
bool session_at_prompt(session *s);
/* One brink_step; a completed turn leaves an undo point. */
int session_step(session *s);
/* A facilitator command ("/set x 5"); 0 done or refused (and said so). */
int session_command(session *s, const char *line);
/* A seat's answer: "2", "summit DPRK", "pass"; 0 when a move was made. */
int session_answer(session *s, const char *line);
/* Prints what the awaiting seat sees and may choose. */
void session_show_seat(session *s);
/* Writes s->log as the report at 'path'. */
int session_report(session *s, const char *path);

#endif
