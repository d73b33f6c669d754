/*
** commands.c: the one table of the brink command's subcommands and their
** options.  The parser (options.c) accepts what a command's rows list and
** nothing else, and every help text is printed from the same rows, so a
** command cannot take an option its help does not mention, nor mention
** one it refuses.
*/
#include <string.h>

#include "cli.h"

/*
** Every option any command takes: its spelling and how its value is
** checked.  A command's rows pick from these; how a value is stored is
** options.c's.
*/
const optdef optdefs[OPT_COUNT] = {
    [OPT_SEED] = {"--seed", ARG_WHOLE, 0, UINT64_MAX, "a whole number"},
    [OPT_TURNS] = {"--turns", ARG_WHOLE, 1, 1000000, "a number from 1"},
    [OPT_POLICY] = {"--policy", ARG_PAIR, 0, 0, "ACTOR=NAME"},
    [OPT_SET] = {"--set", ARG_PAIR, 0, 0, "VAR=VALUE"},
    [OPT_JSON] = {"--json", ARG_FLAG, 0, 0, NULL},
    [OPT_LOG] = {"--log", ARG_TEXT, 0, 0, NULL},
    [OPT_QUIET] = {"--quiet", ARG_FLAG, 0, 0, NULL},
    [OPT_MAX_INSTRUCTIONS] = {"--max-instructions", ARG_WHOLE, 1, INT64_MAX,
                              "a positive number"},
    [OPT_MAX_MEMORY] = {"--max-memory", ARG_SIZE, 0, 0,
                        "a size such as 64M"},
    [OPT_MAX_SECONDS] = {"--max-seconds", ARG_SECONDS, 0, 0,
                         "a positive number"},
    [OPT_NO_CACHE] = {"--no-cache", ARG_FLAG, 0, 0, NULL},
    [OPT_SAVE] = {"--save", ARG_TEXT, 0, 0, NULL},
    [OPT_RESUME] = {"--resume", ARG_TEXT, 0, 0, NULL},
    [OPT_FORCE] = {"--force", ARG_FLAG, 0, 0, NULL},
    [OPT_SEAT] = {"--seat", ARG_TEXT, 0, 0, NULL},
    [OPT_RUNS] = {"--runs", ARG_WHOLE, 1, 1000000000,
                  "a number from 1 to 10^9"},
    [OPT_JOBS] = {"--jobs", ARG_WHOLE, 1, 1024, "a number from 1 to 1024"},
    [OPT_VAR] = {"--var", ARG_TEXT, 0, 0, NULL},
    [OPT_CSV] = {"--csv", ARG_TEXT, 0, 0, NULL},
    [OPT_SWEEP] = {"--sweep", ARG_PAIR, 0, 0, "VAR=a,b,c"},
    [OPT_SHARD] = {"--shard", ARG_SHARD, 1, 1000000, "K/N, such as 2/8"},
    [OPT_OUT] = {"--out", ARG_TEXT, 0, 0, NULL},
    [OPT_PLOT] = {"--plot", ARG_TEXT, 0, 0, NULL},
    [OPT_SCENARIO] = {"--scenario", ARG_TEXT, 0, 0, NULL},
    [OPT_PORT] = {"--port", ARG_WHOLE, 0, 65535, "a port from 0 to 65535"},
    [OPT_LISTEN] = {"--listen", ARG_TEXT, 0, 0, NULL},
    [OPT_HOST] = {"--host", ARG_TEXT, 0, 0, NULL},
    /* brink check: 0 runs is the static check alone. */
    [OPT_CHECK_RUNS] = {"--runs", ARG_WHOLE, 0, 1000000000,
                        "a number from 0 to 10^9"},
    [OPT_FROM] = {"--from", ARG_TEXT, 0, 0, NULL},
};

/*
** The budgets: each row's help, or NULL for the three on one line.  The
** commands that run one engine word them alike (ONE_ENGINE).
*/
#define BUDGET_ROWS(instructions, memory, seconds)                          \
  {OPT_MAX_INSTRUCTIONS, "N", instructions, NULL},                          \
  {OPT_MAX_MEMORY, "SIZE", memory, NULL},                                   \
  {OPT_MAX_SECONDS, "S", seconds, NULL}

#define INSTRUCTIONS_HELP "per call into the script (default 100000000)"
#define SECONDS_HELP "wall-clock limit per call (default 10)"
#define ONE_ENGINE                                                          \
  BUDGET_ROWS(INSTRUCTIONS_HELP,                                            \
              "for the script state and what the engine holds\nfor it, "  \
              "e.g. 64M (default 256M)",                                    \
              SECONDS_HELP)

#define NO_CACHE_ROW                                                        \
  {OPT_NO_CACHE, NULL, "re-evaluate every condition (checks the cache)",   \
   NULL}

static const optrow run_rows[] = {
    {OPT_SEED, "N", "seed of the generator (default: the scenario's)", NULL},
    {OPT_TURNS, "N", "stop after N turns (the default outcome)", NULL},
    {OPT_POLICY, "ACTOR=NAME", "ACTOR plays by the scenario's policy NAME",
     NULL},
    {OPT_SET, "VAR=VALUE", "start with VAR at VALUE (checked like a write)",
     NULL},
    {OPT_JSON, NULL, "print JSON Lines instead of the timeline", NULL},
    {OPT_LOG, "FILE", "also write the JSON Lines to FILE", NULL},
    {OPT_QUIET, NULL, "the timeline without moves and the final table", NULL},
    ONE_ENGINE,
    NO_CACHE_ROW,
    {OPT_SAVE, "FILE", "save the run at its end; with --turns N, after\n"
                       "turn N, unfinished, for --resume", NULL},
    {OPT_RESUME, "SAVE", "go on from a save (its seed, policies, sets and\n"
                         "log: the JSON Lines are the whole run's)", NULL},
    {OPT_FORCE, NULL, "resume a save made with another text of the\n"
                      "scenario: values are mapped by name", NULL},
    {0, NULL, NULL, NULL}};

static const optrow check_rows[] = {
    {OPT_CHECK_RUNS, "N", "then play N seeded runs: their runtime errors\n"
                          "and what no run did (default 0: none)", NULL},
    {OPT_SEED, "S", "seed of run 0 (default: the scenario's)", NULL},
    {OPT_JOBS, "J", "worker threads (default: one per online CPU)", NULL},
    {OPT_JSON, NULL, "the expectations' verdicts as JSON Lines", NULL},
    ONE_ENGINE,
    {0, NULL, NULL, NULL}};

static const optrow test_rows[] = {
    {OPT_RUNS, "N", "seeded runs to judge the expectations by\n"
                    "(default 1000)", NULL},
    {OPT_SEED, "S", "seed of run 0 (default: the scenario's)", NULL},
    {OPT_JOBS, "J", "worker threads (default: one per online CPU)", NULL},
    {OPT_JSON, NULL, "the expectations' verdicts as JSON Lines", NULL},
    ONE_ENGINE,
    {0, NULL, NULL, NULL}};

static const optrow batch_rows[] = {
    {OPT_RUNS, "N", "number of runs (default 1000)", NULL},
    {OPT_JOBS, "J", "worker threads (default: one per online CPU)", NULL},
    {OPT_SEED, "S", "seed of run 0 (default: the scenario's); with\n"
                    "--from, S of the continuations (default: the\n"
                    "save's seed)", NULL},
    {OPT_FROM, "SAVE", "continuations: each run goes on from the state\n"
                       "of SAVE (brink play's), every seat played by\n"
                       "the AI; FILE may be left out", NULL},
    {OPT_TURNS, "N", "stop each run after N turns", NULL},
    {OPT_POLICY, "ACTOR=NAME", "ACTOR plays by the scenario's policy NAME",
     NULL},
    {OPT_SET, "VAR=VALUE", "start every run with VAR at VALUE", NULL},
    {OPT_VAR, "NAME", "summarize NAME (default: every variable that\n"
                      "varies) and draw its fan chart with --plot", NULL},
    {OPT_JSON, NULL, "print the summary as one JSON object", NULL},
    {OPT_CSV, "FILE", "one row per run: seed, outcome, turn, finals", NULL},
    {OPT_SWEEP, "VAR=a,b,c", "a batch per value (repeat: every combination)",
     NULL},
    {OPT_SHARD, "K/N", "play only the K-th of N slices of the runs...", NULL},
    {OPT_OUT, "FILE", "...and write them to FILE for brink merge", NULL},
    {OPT_PLOT, "FILE.svg", "fan charts of the --var variables and the\n"
                           "outcome frequencies, as one SVG file", NULL},
    BUDGET_ROWS(INSTRUCTIONS_HELP,
                "for each worker's scripts and what the engine\n"
                "holds for them (default 256M)",
                SECONDS_HELP),
    NO_CACHE_ROW,
    {0, NULL, NULL, NULL}};

static const optrow merge_rows[] = {
    {OPT_JSON, NULL, "print the summary as one JSON object", NULL},
    {OPT_CSV, "FILE", "refused: parts hold no rows; give each shard\n"
                      "brink batch --csv FILE and join the files", NULL},
    {OPT_PLOT, "FILE.svg", "fan charts of the --var variables and the "
                           "outcome\nfrequencies, as one SVG file", NULL},
    {0, NULL, NULL, NULL}};

/* Rows with no help share the line of the next row that has one. */
static const optrow play_rows[] = {
    {OPT_SEAT, "ACTOR", "a person plays ACTOR (repeatable)", NULL},
    {OPT_SEED, "N", "seed of the generator (default: the scenario's)", NULL},
    {OPT_POLICY, "ACTOR=NAME", "ACTOR plays by the scenario's policy NAME",
     NULL},
    {OPT_SET, "VAR=VALUE", "start with VAR at VALUE", NULL},
    {OPT_TURNS, "N", "end after N turns", NULL},
    {OPT_LOG, "FILE", "write the session's JSON Lines log to FILE\n"
                      "as it goes (brink replay and brink report\n"
                      "read it); never through a symlink", NULL},
    {OPT_RESUME, "SAVE", "go on from a save (its seats, seed, log)", NULL},
    {OPT_FORCE, NULL, "resume a save made with another text of the\n"
                      "scenario: values are mapped by name", NULL},
    {OPT_JOBS, "J", "threads of /forecast and /preview (default:\n"
                    "one per online CPU)", NULL},
    BUDGET_ROWS(NULL, NULL, NULL),
    {OPT_NO_CACHE, NULL, "as for brink run", NULL},
    {0, NULL, NULL, NULL}};

static const optrow serve_rows[] = {
    {OPT_SEAT, "ACTOR", "a team plays ACTOR from its own page\n"
                        "(repeatable; at least one)", NULL},
    {OPT_PORT, "N", "the port (default 8080; 0: any free port)", NULL},
    {OPT_LISTEN, "ADDR", "the address to listen on (default 127.0.0.1,\n"
                         "this machine only)", NULL},
    {OPT_HOST, "NAME", "the name or address people's browsers use, if\n"
                       "not ADDR (needed with --listen 0.0.0.0)", NULL},
    {OPT_LOG, "FILE", "write the session's JSON Lines log to FILE\n"
                      "as it goes, as brink play does", NULL},
    {OPT_SAVE, "FILE", "keep a save in FILE, rewritten after every\n"
                       "change and at Ctrl-C (--resume goes on)", NULL},
    {OPT_RESUME, "SAVE", "go on from a save (its seats, seed, log)", NULL},
    {OPT_FORCE, NULL, "resume a save made with another text of the\n"
                      "scenario: values are mapped by name", NULL},
    {OPT_SEED, "N", "seed of the generator (default: the scenario's)", NULL},
    {OPT_POLICY, "ACTOR=NAME", "ACTOR plays by the scenario's policy NAME",
     NULL},
    {OPT_SET, "VAR=VALUE", "start with VAR at VALUE", NULL},
    {OPT_TURNS, "N", "end after N turns", NULL},
    {OPT_JOBS, "J", "threads of /forecast and /preview (default:\n"
                    "one per online CPU)", NULL},
    BUDGET_ROWS(NULL, NULL, NULL),
    {OPT_NO_CACHE, NULL, "as for brink run", NULL},
    {0, NULL, NULL, NULL}};

static const optrow replay_rows[] = {
    {OPT_SCENARIO, "FILE", "the scenario's text, if it moved or changed\n"
                           "since (repeatable: a session that used /reload\n"
                           "needs each text it loaded)", NULL},
    BUDGET_ROWS(NULL, NULL, "the budgets the log was made with, if not "
                            "the\ndefaults"),
    {0, NULL, NULL, NULL}};

static const optrow report_rows[] = {
    {OPT_OUT, "FILE", "where to write the report", "-o"},
    {OPT_SCENARIO, "FILE", "the scenario, if it moved since the log", NULL},
    {0, NULL, NULL, NULL}};

static const optrow doc_rows[] = {
    {OPT_SEED, "N", "seed of the generator (default: the scenario's)", NULL},
    {0, NULL, NULL, NULL}};

static const command commands[] = {
    {"run", "FILE", "play a scenario to its end; a dated timeline, or JSON "
     "Lines", {"FILE [options]"},
     "Plays the scenario to its end: seated actors are not asked, every "
     "actor\nplays by the built-in AI or a named policy.  Prints a dated "
     "timeline.\n",
     run_rows, 20, NULL,
     "0 the scenario ended, 1 scenario error, 2 usage error", 1,
     "which scenario? (brink run FILE)", "one scenario file only", cmd_run},
    {"check", "FILE", "validate a scenario; with --runs, smoke-test it too",
     {"FILE [--runs N] [options]"},
     "Loads and validates a scenario without running it: syntax, names,\n"
     "actors, bounds, enum values, dates, outcomes and policies.  Prints\n"
     "each finding as file:line: message, and warnings (state kept in\n"
     "script locals or globals) as file:line: warning: message.\n"
     "\n"
     "With --runs N it then plays N runs as brink batch does (run i with\n"
     "seed S+i, the built-in AI for every actor) and reports, each at its\n"
     "file:line, runtime errors (error: with the seeds that hit them) and\n"
     "what no run did (warning: triggers never fired, moves never legal,\n"
     "outcomes never reached, variables never written by a script).\n"
     "Then it judges the scenario's expectations (expect \"name\" { ... })\n"
     "over the runs, a line each: expect: NAME: holds|fails: measured X\n"
     "[LO, HI], wanted >= T (or <= T), with a 95% interval.\n",
     check_rows, 20,
     "brink run FILE --seed N replays a run that hit an error.\n",
     "0 valid (warnings or not), 1 findings, a runtime error or\nan "
     "expectation that fails, 2 usage error", 1,
     "which scenario? (brink check FILE)",
     "one scenario file only", cmd_check},
    {"test", "FILE", "judge a scenario's expectations over 1000 runs",
     {"FILE [--runs N] [options]"},
     "brink check FILE --runs 1000: the static check, the smoke check of\n"
     "the runs, then each expectation (expect \"name\" { ... }) judged\n"
     "over them: expect: NAME: holds|fails: measured X [LO, HI], wanted\n"
     ">= T (or <= T), with a 95% interval.\n",
     test_rows, 20,
     "An expectation whose interval straddles its threshold does not fail\n"
     "the test: run more (--runs) to decide it.\n",
     "0 valid and no expectation fails, 1 findings, a runtime\n"
     "error or an expectation that fails, 2 usage error", 1,
     "which scenario? (brink test FILE)", "one scenario file only",
     cmd_test},
    {"batch", "FILE", "many seeded runs: outcome frequencies, distributions",
     {"FILE --runs N [options]", "--from SAVE [FILE] --runs N [options]"},
     "Plays the scenario N times (Monte Carlo) and summarizes: outcome\n"
     "frequencies with 95% Wilson intervals, final values (mean, sd, p5,\n"
     "p50, p95), mean scores, trigger and move frequencies, coverage.  Run "
     "i\n(from 0) uses seed S+i: brink run FILE --seed S+i replays it.  The\n"
     "output is the same whatever --jobs is.  With --from, each run goes "
     "on\nfrom the save's state instead, seeded with output i of a "
     "SplitMix64\ngenerator started at S, as play's /forecast does.\n",
     batch_rows, 20,
     "Run 0 and one run per 2000 are played again, each in an engine\n"
     "loaded afresh, and must give the same records (else exit 1).\n"
     "A progress line goes to stderr when it is a terminal.\n",
     "0 every run ended, 1 a scenario error (in any run), 2 usage error", 1,
     "which scenario? (brink batch FILE)", "one scenario file only",
     cmd_batch},
    {"merge", "PART..", "combine the parts of a sharded batch into its "
     "summary", {"PART... [options]"},
     "Combines the parts written by brink batch --shard K/N --out PART "
     "into\nthe summary the whole batch gives, byte for byte.  Refuses parts "
     "of\ndifferent scenarios, scenario texts, seeds, run counts or "
     "options,\nparts that overlap or leave a gap, and damaged files.\n",
     merge_rows, 15, NULL,
     "0 merged, 1 a part refused or a run ended in a scenario error,\n2 "
     "usage error", MAX_FILES, "which parts? (brink merge PART...)", NULL,
     cmd_merge},
    {"play", "FILE", "a tabletop exercise: seats, AI, a facilitator's "
     "console",
     {"FILE --seat ACTOR [--seat ACTOR...] [options]",
      "--resume SAVE [FILE] [options]"},
     "A tabletop exercise at one terminal.  Each turn every seated actor "
     "is\nshown what it sees (its own and the public variables), the recent "
     "news\nand its moves, and answers with a move's number or name; the "
     "other\nactors play by the built-in AI or a named policy.  At any "
     "prompt the\nfacilitator may type a command: /help lists them.  "
     "Without a seat the\nfacilitator steps through the turns.  With stdin "
     "not a terminal the\nsame answers and commands are read line by "
     "line.\n",
     play_rows, 20, NULL,
     "0 the session ended, 1 scenario or save error, 2 usage", 1,
     "which scenario? (brink play FILE)", "one scenario file only",
     cmd_play},
    {"serve", "FILE", "a tabletop exercise in the browser: a page per team",
     {"FILE --seat ACTOR [--seat ACTOR...] [options]",
      "--resume SAVE [FILE] [options]"},
     "A tabletop exercise in a room: each seated team plays its actor from "
     "a\npage of its own, seeing only what its actor may see; the "
     "facilitator\nsteers from a console page with every command of brink "
     "play and a\nhold switch; a projector page shows the date, the news "
     "and charts.\nPrints one link per seat, the facilitator and the "
     "projector; each\ncarries a secret token, so hand each team its own.  "
     "Ctrl-C ends it.\n",
     serve_rows, 20,
     "The log and saves are brink play's: brink replay and brink report\n"
     "read them.  Listening beyond this machine (--listen) lets anyone on\n"
     "that network who has a link join: a warning is printed.\n",
     "0 the server stopped, 1 scenario, save or network error, 2 usage", 1,
     "which scenario? (brink serve FILE --seat ACTOR)",
     "one scenario file only", cmd_serve},
    {"replay", "LOG", "re-run a JSON Lines log and check it is reproduced",
     {"LOG [--scenario FILE]... [options]"},
     "Re-runs a JSON Lines log written by brink run or brink play (--json,"
     "\n--log) from its setup record, feeding the seats' choices and the\n"
     "facilitator's interventions back where they occurred, and compares\n"
     "every line it makes with the log.  The scenario is the file the "
     "setup\nrecord names, and it must have the same text (SHA-256) as "
     "then.\n",
     replay_rows, 20, NULL,
     "0 every line reproduced; 1 a line differs (named, with\nboth "
     "versions), the log is damaged, or the scenario is not the same;\n2 "
     "usage error", 1, "which log? (brink replay LOG)", "one log only",
     cmd_replay},
    {"report", "LOG", "the after-action report of a log or save (HTML, .md)",
     {"LOG_OR_SAVE -o FILE [--scenario FILE]"},
     "Writes the after-action report of a run or a tabletop session: who\n"
     "played, a timeline by turn, charts of the variables that moved most,\n"
     "the final state against the start, the outcome and every "
     "intervention.\nFILE ending in .md gives Markdown, anything else HTML "
     "(one file, no\nJavaScript, nothing fetched).  The scenario named in "
     "the log, when it\nis found unchanged, lends its title, brief and "
     "actor names.\n",
     report_rows, 20, NULL, "0 written, 1 unreadable input, 2 usage error",
     1, "which log or save? (brink report LOG_OR_SAVE -o FILE)",
     "one log or save only", cmd_report},
    {"doc", "FILE", "a player's briefing (Markdown) from the scenario",
     {"FILE [--seed N]"},
     "Writes a player's briefing in Markdown to standard output: the\n"
     "situation, the calendar, each actor's brief and moves, the\n"
     "variables every player can see (hidden ones marked hidden), and\n"
     "how the scenario can end.\n",
     doc_rows, 20, NULL, "0 written, 1 scenario error, 2 usage error", 1,
     "which scenario? (brink doc FILE)", "one scenario file only", cmd_doc},
};

#define NCOMMANDS ((int)(sizeof commands / sizeof *commands))

const command *command_find(const char *name) {
  for (int i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}

/* Writes 's' with every line after the first indented by 'indent'. */
static void put_indented(FILE *f, const char *s, int indent) {
  for (; *s; s++) {
    fputc(*s, f);
    if (*s == '\n' && s[1]) fprintf(f, "%*s", indent, "");
  }
}

/* "--seed N", or "-o FILE, --out FILE" for a row with a short form. */
static void row_label(const optrow *r, char *buf, size_t cap) {
  const char *name = optdefs[r->opt].name, *sp = r->arg ? " " : "";
  const char *arg = r->arg ? r->arg : "";
  if (r->alias)
    snprintf(buf, cap, "%s%s%s, %s%s%s", r->alias, sp, arg, name, sp, arg);
  else
    snprintf(buf, cap, "%s%s%s", name, sp, arg);
}

/*
** One line per row, its help in a column after the labels; rows without
** help gather on the line of the next one, as the budgets several
** commands take "as for brink run" do.  A label wider than the column
** puts its help on the lines below.
*/
static void options_help(const command *c, FILE *f) {
  char label[256];
  size_t n = 0;
  for (const optrow *r = c->rows; r->opt; r++) {
    if (n) n += (size_t)snprintf(label + n, sizeof label - n, ", ");
    row_label(r, label + n, sizeof label - n);
    n = strlen(label);
    if (r->help == NULL) continue;
    if ((int)n > c->width)
      fprintf(f, "  %s\n%*s", label, c->width + 4, "");
    else
      fprintf(f, "  %-*s  ", c->width, label);
    put_indented(f, r->help, c->width + 4);
    fputc('\n', f);
    n = 0;
  }
}

void command_help(const command *c, FILE *f) {
  for (int i = 0; i < 3 && c->usage[i]; i++)
    fprintf(f, "%s brink %s %s\n", i ? "      " : "usage:", c->name,
            c->usage[i]);
  fprintf(f, "\n%s\n", c->about);
  if (c->rows[0].opt) {
    options_help(c, f);
    fputc('\n', f);
  }
  if (c->notes) fprintf(f, "%s\n", c->notes);
  fprintf(f, "exit status: %s\n", c->exit_status);
}

void commands_help(FILE *f) {
  fputs("brink " BRINK_VERSION ": turn-based crisis and diplomacy "
        "scenarios\n\nusage: brink COMMAND [options]\n\ncommands:\n", f);
  for (int i = 0; i < NCOMMANDS; i++) {
    char head[64];
    snprintf(head, sizeof head, "%s %s", commands[i].name,
             commands[i].synopsis);
    fprintf(f, "  %-12s %s\n", head, commands[i].summary);
  }
  fputs("\n  brink help COMMAND, or brink COMMAND --help, describes its "
        "options.\n  brink --version prints the version.\n\n"
        "exit status: 0 success, 1 scenario error, 2 usage error\n", f);
}
