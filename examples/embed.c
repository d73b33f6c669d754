/*
** embed.c: the smallest host program for libbrink.
**
**   make examples && build/examples/embed [scripts/scenarios/korea-2019.lua]
**
** It opens an engine, loads the flagship scenario, takes the United States'
** seat, and plays the scenario turn by turn.  Whenever the USA must move it
** lists the legal and illegal options with their docs and reasons, then
** plays the first legal option that is not "pass".  The timeline arrives
** through a record callback: news lines, triggers and the end record.
** Half way through, it saves the whole state of the run, closes the engine
** and carries on in a fresh one from the saved bytes, as a host that
** stores games between sessions would.  Only engine/brink.h is used.
*/
#include <stdio.h>

#include "brink.h"

/* The timeline: called for every committed record. */
static void on_record(void *ud, const brink_record *r) {
  brink_engine *e = ud;
  char date[11], json[4096];
  brink_date_format(r->date, date, sizeof date);
  switch (r->kind) {
  case BRINK_REC_NEWS:
    printf("  %s  %s\n", date, r->text);
    break;
  case BRINK_REC_TRIGGER:
    printf("  %s  ! %s\n", date, r->id);
    break;
  case BRINK_REC_END:
    /* The end record as JSON, with every variable's final value. */
    if (brink_record_json(e, r, json, sizeof json) >= (int)sizeof json)
      printf("end: %s (record too long to show)\n", r->id);
    else
      printf("%s\n", json);
    break;
  default:
    break;
  }
}

/* Lists the options of 'actor' and picks the first legal one that is not
   "pass" (move id 0); pass if there is none. */
static int choose_for(brink_engine *e, int actor) {
  int n, pick_move = 0, pick_target = -1, picked = 0;
  if (brink_options(e, actor, &n) != BRINK_OK) return -1;
  printf("\n%s to move, turn %d:\n", brink_actor_id(e, actor), brink_turn(e));
  for (int i = 0; i < n; i++) {
    int move, target, legal;
    const char *reason;
    brink_option_get(e, i, &move, &target, &legal, &reason);
    printf("  %s %-24s %-5s %s", legal ? "+" : "-", brink_move_name(e, move),
           target >= 0 ? brink_actor_id(e, target) : "", brink_move_doc(e, move));
    if (!legal) printf("  [not now: %s]", *reason ? reason : "no reason given");
    printf("\n");
    if (legal && move != 0 && !picked) {
      pick_move = move;
      pick_target = target;
      picked = 1;
    }
  }
  printf("  -> %s%s%s\n\n", brink_move_name(e, pick_move), pick_target >= 0 ? " " : "",
         pick_target >= 0 ? brink_actor_id(e, pick_target) : "");
  return brink_choose(e, pick_move, pick_target);
}

/*
** Saves the run, closes its engine and goes on in a new one: the new
** engine loads the same scenario (a saved state is refused by any other)
** and the state, which brings back seats, position, values and schedule.
*/
static int resume_in_new_engine(brink_engine **e, const char *path) {
  void *state;
  size_t len;
  int rc = brink_state_save(*e, &state, &len);
  if (rc != BRINK_OK) return rc;
  printf("\n-- saved %zu bytes at turn %d; resuming in a new engine --\n",
         len, brink_turn(*e));
  brink_engine_close(*e);
  /* The buffer keeps its own allocator: it outlives the engine. */
  if ((rc = brink_engine_open(e, NULL)) == BRINK_OK) {
    brink_on_record(*e, on_record, *e);
    if ((rc = brink_load_file(*e, path)) == BRINK_OK)
      rc = brink_state_load(*e, state, len);
  }
  brink_buffer_free(state);
  return rc;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "scripts/scenarios/korea-2019.lua";
  brink_engine *e;
  int rc = brink_engine_open(&e, NULL);
  if (rc != BRINK_OK) {
    fprintf(stderr, "embed: %s\n", brink_strerror(rc));
    return 1;
  }
  brink_on_record(e, on_record, e);

  int usa;
  if ((rc = brink_load_file(e, path)) != BRINK_OK ||
      (rc = brink_actor_find(e, "USA", &usa)) != BRINK_OK ||
      (rc = brink_seat(e, usa, 1)) != BRINK_OK ||
      (rc = brink_start(e, brink_scenario_seed(e))) != BRINK_OK)
    goto fail;

  printf("%s, seed %llu; you hold the USA's seat\n",
         brink_scenario_field(e, "title"), (unsigned long long)brink_scenario_seed(e));
  for (;;) {
    rc = brink_step(e);
    if (rc == BRINK_DONE) break;
    if (rc == BRINK_AWAIT) {
      if ((rc = choose_for(e, brink_awaiting(e))) != BRINK_OK) goto fail;
      continue;
    }
    if (rc != BRINK_OK) goto fail;
    if (brink_turn(e) == brink_turn_count(e) / 2 &&
        (rc = resume_in_new_engine(&e, path)) != BRINK_OK)
      goto fail;
  }
  printf("outcome: %s\n", brink_outcome(e));
  brink_engine_close(e);
  return 0;

fail:
  fprintf(stderr, "embed: %s: %s\n", path,
          e ? brink_errmsg(e) : brink_strerror(rc));
  brink_engine_close(e);
  return 1;
}
