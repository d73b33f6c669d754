/* A small scenario through the public API, for the host-API tests. */
#ifndef HOST_FIXTURE_H
#define HOST_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brink.h"
#include "lang_fixture.h"
#include "world_fixture.h"

/* Two actors, a number, an integer, a flag, an enum, a relation, a move
   with a chance, an event with data, triggers and outcomes. */
#define HOST_SCENARIO                                                       \
  "scenario { id = 'host', start = '2024-01-01', finish = '2024-12-31',\n" \
  "  turn = 'month', seed = 7, default_outcome = 'frozen' }"              \
  " outcome 'frozen' { doc = 'the calendar ran out' }\n"             \
  "actor 'BLUE' { name = 'Blue' }\n"                                       \
  "actor 'RED' { name = 'Red' }\n"                                         \
  "var 'talks' { min = 0, max = 100, init = 10 }\n"                        \
  "var 'level' { min = 0, max = 100, init = 1.25 }\n"                      \
  "var '*.fleet' { type = 'integer', min = 0, max = 20, init = 8 }\n"      \
  "var 'alert' { type = 'flag', init = false }\n"                          \
  "var 'mood' { type = 'enum', values = { 'calm', 'tense' },\n"            \
  "  init = 'calm' }\n"                                                    \
  "relation 'tension' { min = 0, max = 100, init = 50,\n"                  \
  "  symmetric = true }\n"                                                 \
  "move 'patrol' { by = '*', effect = function(w, m)\n"                    \
  "  w.level = w.level + 1.5\n"                                            \
  "  if chance(0.5) then w.talks = w.talks + 1 end\n"                      \
  "  news('level %s', tostring(w.level)) end }\n"                          \
  "move 'talk' { by = '*', when = function(w)\n"                           \
  "  return w.talks < 90, 'no more talk' end,\n"                           \
  "  effect = function(w) w.talks = w.talks + 15 end }\n"                  \
  "event 'incident' { effect = function(w, data)\n"                        \
  "  w.level = w.level + (data and data.severity or 0)\n"                  \
  "  news(string.format('incident %.2f', w.level)) end }\n"                \
  "trigger 'summit' { at = '2024-03-15', effect = function(w)\n"           \
  "  w.talks = w.talks + 20\n"                                             \
  "  schedule('incident', { turns = 2, data = { severity = 2.5 } }) end }\n" \
  "trigger 'heat' { once = false, when = function(w)\n"                    \
  "  return w.level > 1000 end, effect = function(w) end }\n"              \
  "outcome 'treaty' { when = function(w) return w.talks >= 100 end }\n"    \
  "outcome 'war' { when = function(w) return w.level >= 100 end }\n"

#endif
