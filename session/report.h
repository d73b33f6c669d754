/*
** report.h: the facts of an after-action report, gathered from the model
** of a log once, so that every rendering of them (HTML, Markdown) tells
** the same story.  Nothing here prints: the client renders the facts.
*/
#ifndef BRINK_REPORT_H
#define BRINK_REPORT_H

#include "session.h"

/* One row of "who played": a seat, a policy or the built-in AI. */
typedef struct report_player {
  char *actor;
  char *name;            /* the scenario's name for it, or "" */
  char *by;              /* "a seat at the table", "policy NAME", ... */
} report_player;

/* A variable as the report shows it. */
typedef struct report_var {
  const var_series *s;   /* in the model: name, numeric, values by turn */
  char start[256], end[256];   /* for people: a few decimals at most */
  char change[80];       /* "+3", "\u22122" for numbers, else "" */
} report_var;

/* The entries of consecutive log records of one turn, as shown. */
typedef struct report_turn {
  int turn;
  char date[256];        /* "Oct 2019", a date, or "" */
  const entry **entries; /* in the model; passes, looks and the scripts'
                            sets left out */
  int nentries;
  strlist passed;        /* the actors that passed, each once */
} report_turn;

/* What an actor last believed of a hidden variable, against the truth. */
typedef struct report_belief {
  const char *actor, *var;   /* in the model */
  const char *belief;        /* "20\u201340" or "30", in the model */
  char shown[160];           /* the same, as people read it */
  char truth[256];           /* the value at the end, for people */
  char gap[80];              /* "0" inside the range, "+12" when the truth
                                is above it, "\u22125" below; "right" or
                                "wrong" for flags and enums */
} report_belief;

/*
** The facts.  Strings not owned here are borrowed from the model and the
** engine given to report_facts_build(), which must outlive them.
*/
typedef struct report_facts {
  const char *title;         /* the scenario's title, else its id */
  const char *id;            /* "?" when the log names none */
  const char *brief;         /* "" without the scenario */
  const char *outcome;       /* NULL: not reached (the session stopped) */
  int end_turn;              /* the outcome's turn */
  int turns;                 /* turns played */
  char first_date[32], last_date[32];
  uint64_t seed;
  int moves, triggers;       /* moves made (not passes), triggers fired */
  report_player *players;    /* seats, policies, then the AI's */
  int nplayers;
  const strlist *sets;       /* the starting changes, "VAR=VALUE" */
  report_var *moved;         /* the most moved first, at most six, charted */
  int nmoved;
  const char **axis;         /* axis[i]: point i of a chart ("start", */
  int naxis;                 /* "Oct 19", or the turn) */
  bool *marks;               /* marks[t]: the facilitator acted in turn t */
  bool monthly;              /* every turn begins a month: dates as months */
  int nmarks;
  report_turn *timeline;
  int ntimeline;
  report_var *changed;       /* the variables that changed, most moved */
  int nchanged;              /* first */
  int nvars;
  report_belief *beliefs;    /* each (actor, variable) a belief record */
  int nbeliefs;              /* changed, by actor then variable */
  const entry **interventions;   /* from the trail, those that act */
  int ninterventions;
  const char *file, *sha256; /* of the setup record, NULL without one */
  int bad_lines;             /* log lines that could not be read */
  char *mem;                 /* 'axis' strings */
  const entry **entry_mem;   /* the timeline's entries */
  entry *sets_shown;         /* the facilitator's sets, values rounded */
  int nsets_shown;
} report_facts;

/*
** Gathers the facts of 'm'; 'e' (may be NULL) is the scenario, which lends
** its title, brief, actor names and variable ranges.  Sets each variable's
** 'moved' in the model.  0, or -1 when out of memory (nothing to free).
*/
int report_facts_build(report_facts *f, model *m, brink_engine *e);
void report_facts_free(report_facts *f);

/* A number for people by the default rule (brink_number_show), "-" when
   not finite. */
void report_number(double x, char *buf, size_t cap);

#endif
