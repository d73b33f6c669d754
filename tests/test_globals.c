/*
** Everything a scenario can reach, compared with a checked-in list: a new
** global or library field is a decision, not an accident.
*/
#include "lang_fixture.h"

static const char *const walker =
    HEADER "actor 'USA' {}\n"
    "local names = {}\n"
    "for k, v in pairs(_ENV) do\n"
    "  names[#names + 1] = k .. ' ' .. type(v)\n"
    "  if type(v) == 'table' and k ~= '_G' then\n"
    "    for f, x in pairs(v) do names[#names + 1] = k .. '.' .. f .. ' ' .. type(x) end\n"
    "  end\n"
    "end\n"
    "table.sort(names)\n"
    "local listing = table.concat(names, '\\n') .. '\\n'\n"
    "trigger 'list' { effect = function() news(listing) end }\n";

Test(globals, a_scenario_reaches_exactly_the_checked_in_names) {
  int rc;
  char *log = play(walker, 1, &rc);
  cr_assert_eq(rc, BRINK_DONE);
  const char *news = strstr(log, "\"t\":\"news\"");
  cr_assert_not_null(news);
  news = strstr(news, "\"text\":\"") + 8;
  /* Undo the JSON escaping of newlines. */
  char *got = malloc(strlen(news) + 1), *o = got;
  for (const char *p = news; *p && !(p[0] == '"' && p[1] == '}'); p++) {
    if (p[0] == '\\' && p[1] == 'n') {
      *o++ = '\n';
      p++;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
  FILE *f = fopen("tests/scenario_globals.expected", "r");
  cr_assert_not_null(f, "run from the repository root");
  static char want[1 << 16];
  size_t n = fread(want, 1, sizeof want - 1, f);
  want[n] = '\0';
  fclose(f);
  cr_assert_str_eq(got, want, "regenerate tests/scenario_globals.expected "
                   "only for a deliberate change");
  free(got);
  free(log);
}
