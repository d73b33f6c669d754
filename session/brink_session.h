/*
** brink_session.h: sessions, what makes a run an exercise.  A session is an
** engine with the setup it started from (seed, seats, policies, values set
** before the start, a turn limit), the log of everything that happened,
** undo points, branch points and the facilitator's commands.  It saves to
** memory or to files and resumes from either, and a log it wrote can be
** verified by running it again.  brink play, brink replay and brink run
** are clients of these calls; so can any host be.
**
** The rules of brink.h hold here too: statuses, handles made and freed in
** pairs, one thread per session at a time.  After a failing call,
** brink_session_errmsg() says why until the next call on the session.
*/
#ifndef BRINK_SESSION_H
#define BRINK_SESSION_H

#include "brink.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct brink_session brink_session;

/* Receives one line of text: a log line (JSON, no newline) or, for
   on_say, what the people at the table read (lines ending in newlines;
   the scenario's own text in it shown, its control bytes never obeyed). */
typedef void (*brink_text_fn)(void *ud, const char *text);

/* A session with an empty engine; 'cfg' may be NULL for defaults. */
BRINK_API int brink_session_open(brink_session **out, const brink_config *cfg);
/* Frees the session and its engine.  NULL does nothing. */
BRINK_API void brink_session_close(brink_session *s);
BRINK_API const char *brink_session_errmsg(const brink_session *s);
/*
** The session's engine, to read the world (values, options, names).  A
** host must not step, choose, write or restore through it: the session
** would not know.  /reload replaces it, so fetch it again after commands.
*/
BRINK_API brink_engine *brink_session_engine(brink_session *s);

/* Loading the scenario, once, before anything else.  The diagnostics of a
   failed load are the engine's (brink_diag_count/brink_diag_get). */
BRINK_API int brink_session_load_file(brink_session *s, const char *path);
BRINK_API int brink_session_load_string(brink_session *s, const char *name,
                                        const char *text, size_t len);

/* The setup, before the start: a person plays 'actor' (its moves come
   from brink_session_answer); an actor plays by a policy of the scenario;
   a variable starts at a value ("9", "true", "liberal"); the run ends
   after 'turns' turns (0: the calendar's). */
BRINK_API int brink_session_seat(brink_session *s, const char *actor);
BRINK_API int brink_session_policy(brink_session *s, const char *actor,
                                   const char *policy);
BRINK_API int brink_session_preset(brink_session *s, const char *var,
                                   const char *value);
BRINK_API int brink_session_turn_limit(brink_session *s, int turns);
/* Starts the run: the log gets the start and setup records, and on_say
   the banner (scenario, seed, seats). */
BRINK_API int brink_session_start(brink_session *s, uint64_t seed);
/*
** Instead of starting: goes on from a save (brink_session_save's bytes or
** a save file's), taking its setup, log, state and branch points.  A save
** of another text of the scenario is refused unless 'force' (values are
** then carried over by name).  BRINK_EFORMAT for damaged or foreign data.
*/
BRINK_API int brink_session_resume(brink_session *s, const void *save,
                                   size_t len, int force);
BRINK_API int brink_session_resume_file(brink_session *s, const char *path,
                                        int force);

/* Each log line as it is made (and the lines of a resumed save's log). */
BRINK_API int brink_session_on_line(brink_session *s, brink_text_fn fn,
                                    void *ud);
/* What brink play prints: the timeline, what commands answer. */
BRINK_API int brink_session_on_say(brink_session *s, brink_text_fn fn,
                                   void *ud);
/*
** Writes the after-action report to 'path' for /report: the host renders
** it (from the log, brink_session_log_line, and names from the engine).
** Returns NULL when written, else why not (valid until the next call).
** Without one, /report is refused.
*/
typedef const char *(*brink_report_fn)(void *ud, brink_session *s,
                                       const char *path);
BRINK_API int brink_session_on_report(brink_session *s, brink_report_fn fn,
                                      void *ud);

/* Says through on_say what people at the table are shown: the banner
   (scenario, seed, seats), what the seat to move sees (its values, news
   since it last looked, its moves with the reasons for illegal ones), or
   its moves alone.  After the start. */
enum brink_show {
  BRINK_SHOW_BANNER = 0,
  BRINK_SHOW_SEAT = 1,
  BRINK_SHOW_MOVES = 2
};
BRINK_API int brink_session_show(brink_session *s, int what);
/*
** What one person at the table may see now, as JSON text (malloc'd, freed
** with brink_buffer_free()): a seat ('actor' an actor's number: its
** values, its options now even before its turn), the facilitator
** (BRINK_VIEW_ALL: every value exact, the options of whoever is to move, every record of the line of play, the trail of
** interventions, the branch points) or a wall screen (BRINK_VIEW_PUBLIC:
** only values every actor may see).  Hidden values have "value": null.
** Its fields are documented in docs/tabletop.md.  After the start.
*/
enum { BRINK_VIEW_ALL = -1, BRINK_VIEW_PUBLIC = -2 };
BRINK_API int brink_session_view(brink_session *s, int actor, char **json,
                                 size_t *len);
/* Nonzero when the last command changed the world (a value, the turn, the
   scenario), so what a seat sees is worth showing again. */
BRINK_API int brink_session_changed(const brink_session *s);
/* Nonzero once the session is over: 1 after /quit, 2 when the run cannot
   go on (a step failed and left it where it was). */
BRINK_API int brink_session_over(const brink_session *s);

/*
** Play stops at prompts, where brink play would ask for input: a seat to
** move (BRINK_AWAIT; brink_awaiting() on the engine says which), the start
** of a turn when no actor has a seat (BRINK_OK), a turn held before it
** resolves (BRINK_HELD, see brink_session_hold), or the end (BRINK_DONE).
** brink_session_step plays on to the next prompt (at a seat's prompt it
** returns BRINK_AWAIT and does nothing: the seat must answer first).  A
** script error is a record in the log and play goes on; an error status
** means the run cannot go on at all.
*/
BRINK_API int brink_session_step(brink_session *s);
/* Plays on to the next prompt if not at one, and returns which it is, as
   brink_session_step does; at a prompt it does nothing. */
BRINK_API int brink_session_prompt(brink_session *s);
/* The awaiting seat's answer: a legal option's number from 1 as
   brink play lists them, a move's name and target ("summit DPRK"), or
   "pass"; then plays on to the next prompt and returns as
   brink_session_step does.  BRINK_EINVAL with a message when it is not a
   legal choice, BRINK_ESTATE when no seat is to move. */
BRINK_API int brink_session_answer(brink_session *s, const char *answer);

/*
** A facilitator's command as brink play takes it ("/set DPRK.economy 40",
** "/undo 2", "/branch talks"; /help lists them).  Each is recorded in the
** log.  Commands are given at prompts: between two, play first goes on to
** the next, so that a replay of the log finds them where they were.
** BRINK_OK when done, BRINK_EINVAL (with the reason as the message) when
** refused.  The typed calls below are the same commands.
*/
BRINK_API int brink_session_command(brink_session *s, const char *command);
BRINK_API int brink_session_set(brink_session *s, const char *var,
                                const char *value);
BRINK_API int brink_session_news(brink_session *s, const char *text);
/* Runs an event (with 'json' its data, or NULL) or a trigger now. */
BRINK_API int brink_session_fire(brink_session *s, const char *name,
                                 const char *json);
/* Every chance() in the next effect of 'move' succeeds with 'p' (< 0:
   back to the dice). */
BRINK_API int brink_session_odds(brink_session *s, const char *move, double p);
/* Back to the start of the turn 'turns' turns ago (0: this one). */
BRINK_API int brink_session_undo(brink_session *s, int turns);
/* Marks a branch point 'name', or returns to it if it exists. */
BRINK_API int brink_session_branch(brink_session *s, const char *name);
/* /hold (on) and /release: while on, each turn stops when its moves are
   made, before triggers and outcomes resolve it (BRINK_HELD), for the
   white cell to look, /set or /undo first.  Saves keep it. */
BRINK_API int brink_session_hold(brink_session *s, int on);
/* Re-reads the scenario's file and carries the world over by name. */
BRINK_API int brink_session_reload(brink_session *s);
/* The world of a save file (its state only: play goes on in this
   session, with its log and seats); 'force' as for resume. */
BRINK_API int brink_session_load(brink_session *s, const char *path,
                                 int force);
/* Why VAR has its value (its last changes and their causes), or why a
   trigger has or has not fired: text, malloc'd, freed with
   brink_buffer_free(); also said through on_say. */
BRINK_API int brink_session_why(brink_session *s, const char *name,
                                char **text);

/*
** Looking ahead from where the session stands, as /forecast [N] and
** /preview MOVE [TARGET] [N] do (docs/tabletop.md): 'runs' continuations
** (0: 500) played on threads by the batch engine, each seat by the
** built-in AI and each policy as set, continuation i seeded from the
** session's seed and i alone, so the numbers do not depend on the
** threads.  A forecast gives the outcome shares with 95% intervals and
** what the outcomes turn on; a preview pairs each continuation in which
** the seat to move plays 'move' (on 'target', or NULL) with one on the
** same seed in which the AI chooses, and gives both shares and their
** difference with a paired 95% interval.  The text is malloc'd, freed
** with brink_buffer_free(), and also said through on_say.  Nothing
** changes but the log, which records the command.  BRINK_EINVAL with the
** reason when refused: the run has ended, or for a preview no seat is to
** move or 'move' is not one it may play now.
*/
BRINK_API int brink_session_forecast(brink_session *s, int runs, char **text);
BRINK_API int brink_session_preview(brink_session *s, const char *move,
                                    const char *target, int runs,
                                    char **text);
/* The threads of forecasts and previews: 0 (the default) one per online
   CPU, else 1 to 1024.  Any time. */
BRINK_API int brink_session_jobs(brink_session *s, int jobs);

/* The whole session (setup, state, branch points, log) as a save: JSON
   text, 'len' bytes, freed with brink_buffer_free(). */
BRINK_API int brink_session_save(brink_session *s, void **out, size_t *len);
/* The same written atomically to 'path' (a temporary file beside it,
   synced, renamed over it): the old save or the new, never half. */
BRINK_API int brink_session_save_file(brink_session *s, const char *path);

/* The log so far, line by line; a line stays valid until the session is
   closed. */
BRINK_API size_t brink_session_log_count(const brink_session *s);
BRINK_API const char *brink_session_log_line(const brink_session *s,
                                             size_t i);

/*
** Verifies a log (brink_session's, brink run --json's, brink play
** --log's): re-runs it from its setup record with the scenario text it
** names, found by SHA-256 among 'scenarios' and the file the setup names,
** and compares every line.  BRINK_OK when every line came out again;
** BRINK_EFORMAT when one differs or the log cannot be replayed, with
** *line its number (from 1; 0 for the whole log) and *message what is
** wrong (malloc'd, free with brink_buffer_free()).  Either out-pointer
** may be NULL.
*/
BRINK_API int brink_log_verify(const char *log, size_t len,
                               const char *const *scenarios, int nscenarios,
                               const brink_config *cfg, size_t *line,
                               char **message);

#ifdef __cplusplus
}
#endif

#endif
