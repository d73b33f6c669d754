/*
** session.h: the session layer inside the library, what every client
** shares: the setup record, the state of a run as JSON, saves, a play
** session, and the model of a log that reports and /why read.
*/
#ifndef BRINK_SESSION_INTERNAL_H
#define BRINK_SESSION_INTERNAL_H

#include <jansson.h>
#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdarg.h>
#include <stdio.h>

#include "brink.h"
#include "buffer.h"   /* buffers for hosts, engine/saved.c */
#include "data.h"     /* event data's grammar, engine/data.c */
#include "numtext.h"  /* numbers as text, engine/value.c */
#include "sha256.h"   /* the library's digest, engine/sha256.c */

#define SAVE_FORMAT "brink-save"
/* A state's "phase" at a turn's start, before anything of the turn (with
   "index" 0): the engine's numbering, which states and saves carry. */
#define PHASE_TURN_START 1
#define SAVE_VERSION 1

/* The JSON text of a timeline record into *buf (grown as needed); its
   length, or -1 when out of memory. */
int record_line(brink_engine *e, const brink_record *r, char **buf,
                size_t *cap);

/*
** Writes 'len' bytes to 'path' so that it holds the old contents or the
** new, never half: a temporary file in the same folder, fsync, rename,
** then the folder synced.  On failure 'err' says why and nothing is left.
*/
int write_atomic(const char *path, const char *text, size_t len, char *err,
                 size_t cap);

/* printf into a new string (malloc'd), or NULL when out of memory. */
char *vformat(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/* Base64 (RFC 4648, padded) of 'len' bytes, malloc'd; and back, NULL for
   anything that is not exactly such text. */
char *base64_encode(const void *data, size_t len);
void *base64_decode(const char *text, size_t *len);

/* Whether 's' begins with 64 lowercase hex digits (a SHA-256). */
bool is_hex64(const char *s);

/*
** The host may set any locale; what the session writes and reads (values
** in messages, /odds, event data, logs) must not change with it.  The
** public calls that do such work run in the C locale for the calling
** thread (uselocale), the thread's own put back after; the engine's own
** calls do the same for themselves.  NULL from enter: nothing to put back.
*/
locale_t c_locale_enter(void);
void c_locale_leave(locale_t old);

/*
** json_text: json_dumps(), with every real in the shortest form that reads
** back as the same double (0.6, not jansson's 0.60000000000000009), as the
** engine writes its records: the first of 15, 16 and 17 significant digits
** that round-trips.  json_shorten_reals() does the same to a text in place
** (never lengthening it): replay compares a line an older brink wrote with
** 17 digits in that form.  json_text's result is the caller's to free();
** NULL when out of memory.
*/
char *json_text(const json_t *j, size_t flags);
void json_shorten_reals(char *text);

/* Trims spaces at both ends in place. */
char *trim_space(char *t);

/* A growable string; 'bad' once out of memory, when it stops growing. */
typedef struct sbuf {
  char *s;
  size_t n, cap;
  bool bad;
} sbuf;

void sb_put(sbuf *b, const char *s, size_t n);
void sb_puts(sbuf *b, const char *s);

/*
** text.c: text from scenarios, saves and logs into each kind of output,
** one function per kind.  The *_text forms return a malloc'd copy (NULL
** when out of memory), the *_put forms write it.
**
** term: control bytes, C1 and bidirectional controls and bytes that are
** not UTF-8 shown as \xNN or \uNNNN, so nothing reaches a terminal that
** it would obey.  term_printf() is printf with each string argument so
** escaped: the format's own newlines stay, an argument's are shown.
*/
char *term_text(const char *s);
int term_put(FILE *f, const char *s);
int term_printf(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int term_vprintf(FILE *f, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Markdown text: no link, image, emphasis, HTML or block can start. */
char *md_text(const char *s);
int md_put(FILE *f, const char *s);
/* Paragraphs at the blank lines of 's', each escaped. */
int md_paragraphs(FILE *f, const char *s);
int html_paragraphs(FILE *f, const char *s);
/* A Markdown code span holding 's' exactly (less control bytes). */
char *md_code(const char *s);
int md_code_put(FILE *f, const char *s);
/* HTML and SVG text and attribute values. */
char *html_text(const char *s);
int html_put(FILE *f, const char *s);
/* UTF-8 checks: jansson takes nothing else, and logs are read back. */
bool utf8_valid(const char *s, size_t len);
/* "Jan" for 1 to "Dec" for 12, the one table of month names; "?" outside. */
const char *month_abbr(int month);

/*
** Every file the command writes goes through write_atomic(): --save,
** reports, parts, plots, --csv and run's --log.  Those written as they
** go by an outfile go to a temporary file beside theirs, renamed into
** place when it is closed, so a symlink or a reader never sees half a
** file and what is written is not held in memory.
*/
typedef struct outfile {
  const char *path;
  FILE *f;               /* where to write */
  char tmp[4200];        /* the temporary file */
} outfile;

/* NULL with 'err' (why, for "cannot write PATH: ...") when the temporary
   file cannot be made: before any work is done for it. */
FILE *outfile_open(outfile *o, const char *path, char *err, size_t cap);
/* Puts what was written in place; -1 with 'err' when it failed. */
int outfile_close(outfile *o, char *err, size_t cap);
/* Drops what was written: the file at 'path' stays as it was. */
void outfile_abort(outfile *o);
/*
** brink play's --log, which must be on disk as the session goes and so
** cannot be renamed into place: opened with O_NOFOLLOW, refused unless a
** regular file with no other hard link, then truncated.  NULL with 'err'.
*/
FILE *growing_open(const char *path, char *err, size_t cap);

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

/* The first of 'files' whose text has the SHA-256 'sha' (hex), or NULL. */
const char *file_with_sha(const char *const *files, int n,
                          const char *sha);
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
** Runs 'apply' on a clone of 'live' and, only when it succeeded, restores
** the clone's world into 'live' in one step (a snapshot: the world, not
** who plays whom).  A refusal leaves 'live' as it was.
*/
typedef int (*clone_fn)(brink_engine *c, void *ud, char *err, size_t cap);
int restore_through_clone(brink_engine *live, clone_fn apply, void *ud,
                          char *err, size_t cap);
/*
** Applies 'state' to a clone of 'live' and, only when all of it was
** accepted, restores the result into 'live' in one step: a refused state
** leaves 'live' as it was.
*/
int state_restore(brink_engine *live, json_t *state, bool force,
                  strlist *notes, char *err, size_t cap);

/*
** migrate.c: saves of older versions of the scenario.  The scenario's
** `version` (1 when it declares none); whether a state of version 'from'
** can be brought to it (0, or -1 with 'err' naming both versions: a
** newer state, or a step missing); and the state so brought, a new
** reference, or NULL with 'err' (a failed step names its file:line).
** 'where' names the state in messages ("state", "branches[0].state").
*/
int scenario_version(brink_engine *e);
int migrate_check(brink_engine *e, int from, char *err, size_t cap);
json_t *state_migrate(brink_engine *e, json_t *state, int from,
                      const char *where, char *err, size_t cap);
/* Sets o.migrated to the steps from 'from' to 'to' - 1; -1: memory. */
int migrated_json(json_t *o, int from, int to);

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
  int version;          /* the scenario's version the save was made with */
  int migrated_to;      /* its state was migrated to this version, or 0 */
  void *engine_state;   /* brink_state_save's bytes, checked against
                           'state'; NULL in older saves */
  size_t engine_state_len;
} loaded;

/*
** Puts the world of a save into 'live' (values, position, generator,
** triggers, schedule; not who plays whom): its engine state, which is
** exact, when the scenario text is the same, else its state by name
** ('force' as for state_restore).  Nothing changes on a refusal.
*/
int loaded_restore(brink_engine *live, const loaded *l, bool force,
                   strlist *notes, char *err, size_t cap);

void loaded_free(loaded *l);
/*
** brink run --resume of a migrated save: the intervention record that
** marks it (with the text's sha256 and the steps) and a "state" record
** of the world in 'e', as two lines of text (malloc'd), or NULL.
*/
char *resumed_lines(brink_engine *e, const char *save, const loaded *l);
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
** A save as text (malloc'd, its length in *len), or NULL with 'err'.
** save_write() writes one atomically: a temporary file in the same folder,
** written, flushed and synced, then renamed over 'path'.  On failure
** nothing is left behind and 'err' says why.
*/
char *save_text(brink_engine *e, const setup *s, const branch *branches,
                int nbranches, const strlist *log, size_t *len, char *err,
                size_t cap);
int save_write(const char *path, brink_engine *e, const setup *s,
               const branch *branches, int nbranches, const strlist *log,
               char *err, size_t cap);

/* Shared by save.c and state.c: JSON built and checked field by field. */
/* Prints into 'err' and returns -1. */
int refuse_with(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int note_add(strlist *notes, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A JSON string of UTF-8 text, else of its bytes escaped; NULL: null. */
json_t *jstr(const char *s);
/* JSON built piece by piece: adds 'v' (taking it); a NULL 'v' or a
   refused allocation sets *bad, so one test at the end covers every step. */
void jput(json_t *obj, const char *key, json_t *v, bool *bad);
void jappend(json_t *arr, json_t *v, bool *bad);
json_t *setup_object(const setup *s, bool with_file);
/* Refuses keys of 'o' not in 'keys' (NULL-terminated), naming 'where'. */
int only_keys(json_t *o, const char *const *keys, const char *where,
              char *err, size_t cap);
void date_of_turn(brink_engine *e, int turn, char *buf, size_t cap);
int outcome_id(brink_engine *e, const char *name);
/* state_apply() with 'where' naming the state in messages. */
int state_apply_at(brink_engine *e, json_t *st, bool force, strlist *notes,
                   const char *where, char *err, size_t cap);

/* ---------------------------------------------------------------------- */
/* The model of a log: what happened on the line of play that counts.     */

enum entry_kind {
  E_MOVE, E_SET, E_TRIGGER, E_EVENT, E_NEWS, E_ERROR, E_INTERVENTION,
  E_REWIND, E_END, E_BELIEF
};

typedef struct entry {
  int kind;
  int turn;
  char *a, *b, *c, *d;   /* see model_feed() for what each kind keeps */
} entry;

typedef struct var_series {
  char *name;
  bool numeric;          /* numbers and integers: charted */
  char *start, *end;     /* as the log writes them (JSON text) */
  double *v;             /* the value at the end of each turn, NAN unknown */
  int nv;
  double moved;          /* report: how far it moved, 0 to 1 */
} var_series;

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
  var_series *vars;
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

/* The client renders reports (the log is all a report needs) and sets
   session.report to let /report write one: 0, or nonzero with 'err'. */
typedef struct session session;
typedef int (*report_fn)(session *s, const char *path, char *err, size_t cap);

/* ---------------------------------------------------------------------- */
/* A play session: shared by brink play and brink replay.                 */

/* Called with each log line as it is made. */
typedef void (*line_fn)(session *s, const char *line);

struct session {
  brink_engine *e;
  brink_config cfg;
  setup setup;
  char *scenario_title;
  strlist log;              /* every line of the session */
  /* What people read (NULL when replaying): text, its lines ended. */
  void (*say)(void *ud, const char *text);
  void *say_ud;
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
  report_fn report;         /* NULL: /report is not offered */
  int jobs;                 /* /forecast's threads; 0: one per CPU */
  char refusal[600];        /* why the last refusal (session_refuse) */
  bool defer;               /* a command runs: its intervention waits */
  char *pending;            /* ... here, until a line or the end of it */
};

int session_init(session *s, brink_engine *e, const setup *su,
                 const brink_config *cfg);
void session_free(session *s);
/* Writes a line of the session's own (setup, intervention, state). */
void session_emit(session *s, const char *line);
/*
** Writes each "VAR=VALUE" of 'sets' as --set does, after brink_start and
** with the cause "--set"; 2 with 'err' on a bad one.
*/
int presets_apply(brink_engine *e, const char *const *sets, int nsets,
                  char *err, size_t cap);
/* Assigns "ACTOR=NAME" as --policy does: a status of brink.h, with the
   engine's message when the actor or the policy is refused, BRINK_EINVAL
   for text without '='. */
int policy_apply(brink_engine *e, const char *assign);
/* Seats, policies and turn limit of s->setup into s->e; 2 with 'err' when
   refused. */
int session_configure(session *s, char *err, size_t cap);
/* brink_start, the setup record, --set, and the first undo point; 2 with
   'err' for a bad --set, 1 when the start failed (said). */
int session_start(session *s, char *err, size_t cap);
/* What the seat to move may choose, legal moves numbered. */
void session_show_moves(session *s, int actor);
/* Each note on a line of its own. */
void session_notes(session *s, const strlist *notes);
/* "WHAT turn 3 (Nov 2019), USA to move": where play stands after a jump. */
void session_where(session *s, const char *what);
/* Shared by session.c and commands.c. */
void session_say_fmt(session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
** Refuses what was asked: says "! WHY" and keeps WHY as the refusal, the
** message a host's call returns.  'fmt' has no "! " and no newline.
*/
void session_refuse(session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "Dec 2019" for monthly and longer turns, else "2019-12-01". */
void session_when(brink_engine *e, int turn, char *buf, size_t cap);
/* The engine's record callback: each record into the log, and shown. */
void session_on_record(void *ud, const brink_record *r);
void session_intervention(session *s, const char *cmd, const char *sha);
/* The same with "migrated": the steps from 'from' to 'to' - 1, if any. */
void session_intervention_steps(session *s, const char *cmd, const char *sha,
                                int from, int to);
/* A "state" record: where the world went after a jump. */
void session_state_record(session *s);
void session_undo_clear(session *s);
void session_branches_free(session *s);
branch *session_branch_find(session *s, const char *name);
int session_branch_add(session *s, const char *name, int turn, json_t *st);
/* A value as JSON: a number, an integer when it is one, true/false, or
   an enum's name. */
json_t *value_json(brink_engine *e, int v);
/* value_json of 'x' as a value of 'v'. */
json_t *value_json_of(brink_engine *e, int v, double x);
/*
** What 'actor' believes of 'v', which it cannot see, for people: "20-40
** (believed)", "30 (believed)"; false (buf untouched) when it sees 'v' or
** knows nothing of it (its belief is the whole range), so it is "hidden".
** *lo and *hi get the range.
*/
bool belief_shown(brink_engine *e, int v, int actor, char *buf, size_t cap,
                  double *lo, double *hi);
/* The value of 'v' as people read it (brink_var_show: its declared
   precision). */
void value_shown(brink_engine *e, int v, char *buf, size_t cap);
/* A value of 'v' logged as exact text ("17.560000000000002") as people
   read it ("17.56"); other texts as they are, NULL as "?". */
void text_shown(brink_engine *e, int v, const char *text, char *buf,
                size_t cap);
/*
** What one of the people at the table may see now, as JSON: a seat
** ('actor' >= 0), the facilitator (VIEW_ALL) or a wall screen
** (VIEW_PUBLIC: what every actor may see).  NULL when out of memory.
*/
json_t *session_view(session *s, int actor);
/* Whether the reader of a view ('actor', or BRINK_VIEW_ALL/PUBLIC: every
   actor) may see 'v'. */
bool var_seen_by(brink_engine *e, int v, int actor);
/* The values 'actor' sees (< 0: the facilitator, everything). */
void session_show_vars(session *s, int actor);

/* Says 'text' to the people at the table as the session's own words
   (nothing of it escaped: never text from a scenario, save or log). */
void session_say(session *s, const char *text);
/* Continues from a save: its log, its state and its branch points. */
int session_resume(session *s, loaded *l, const char *from);
/*
** Marks a resumed session in the log ("--resume SAVE") and its state:
** with 'sha' when the scenario text is not the save's, with the steps
** from 'from' to 'to' - 1 when the save was migrated.
*/
void session_resumed(session *s, const char *cmd, const char *sha, int from,
                     int to);
/*
** Replay: the session goes on with the scenario text at 'path' as a
** resume did, the world carried over (migrated when the text is a newer
** version), and marks it as session_resumed(); -1 when refused (said).
*/
int session_resume_text(session *s, const char *cmd, const char *path);
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
/* forecast.c: /forecast [N] and /preview MOVE [TARGET] [N], with their
   arguments; what they find is said, a refusal refused. */
void session_forecast(session *s, char *args);
void session_preview(session *s, char *args);

/* ---------------------------------------------------------------------- */
/* record.c: what each kind of log record holds.                          */

/*
** A record of a known kind with its fields and no other ('at' names it in
** messages); when 'named', also names, values and dates of the scenario in
** 'e' (which may be NULL otherwise).  0, or -1 with 'err'.
*/
int record_valid(brink_engine *e, json_t *rec, bool named, const char *at,
                 char *err, size_t cap);
/* The same for one line of text. */
int record_check(brink_engine *e, const char *line, bool named,
                 const char *at, char *err, size_t cap);
/* A JSON string of 64 lowercase hex digits (a SHA-256). */
bool json_hex64(json_t *j);

/* ---------------------------------------------------------------------- */
/* replay.c: verifying a log.                                             */

typedef struct replay_report {
  int status;            /* 0 every line reproduced, 1 not */
  size_t nlines;         /* lines in the log */
  size_t line;           /* from 1: where it differs or failed; 0: the
                            whole log (unreadable) */
  char *message;         /* "differs", or what went wrong */
  char *log_line;        /* differs: the log's line, NULL past its end */
  char *got;             /* differs: the replay's line, or NULL */
  char *why;             /* differs: why the replay made none, or NULL */
} replay_report;

/*
** Re-runs the log 'text' from its setup record with the scenario text it
** names (found by SHA-256 among 'files' and the file the setup names) and
** compares every line; the result is out->status.
*/
int replay_verify(const char *text, size_t len, const char *const *files,
                  int nfiles, const brink_config *cfg, replay_report *out);
void replay_report_free(replay_report *r);

#endif
