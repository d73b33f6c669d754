/* The facts of an after-action report (session/report.c), from a log. */
#include <criterion/criterion.h>
#include <string.h>

#include "report.h"

#define SHA "26295183e35fbafd852280ccc4f599deed08fc84cb674a245132a8034dff7672"

static const char *const lines[] = {
    "{\"t\":\"start\",\"scenario\":\"golden\",\"seed\":11,"
    "\"engine\":\"0.1.0\"}",
    "{\"t\":\"setup\",\"file\":\"g.lua\",\"sha256\":\"" SHA "\","
    "\"seed\":11,\"seats\":[\"USA\"],\"policies\":{\"DPRK\":\"hawk\"},"
    "\"sets\":[\"talks=20\"],\"turns\":0}",
    "{\"t\":\"turn\",\"turn\":1,\"date\":\"2019-10-01\"}",
    "{\"t\":\"move\",\"turn\":1,\"date\":\"2019-10-01\",\"actor\":\"USA\","
    "\"move\":\"summit\",\"target\":\"DPRK\"}",
    "{\"t\":\"set\",\"turn\":1,\"var\":\"talks\",\"old\":20,\"new\":32,"
    "\"cause\":\"move:summit\"}",
    "{\"t\":\"move\",\"turn\":1,\"date\":\"2019-10-01\",\"actor\":\"DPRK\","
    "\"move\":\"pass\"}",
    "{\"t\":\"move\",\"turn\":1,\"date\":\"2019-10-01\",\"actor\":\"DPRK\","
    "\"move\":\"pass\"}",
    "{\"t\":\"turn\",\"turn\":2,\"date\":\"2019-11-01\"}",
    "{\"t\":\"intervention\",\"turn\":2,\"command\":\"/state\"}",
    "{\"t\":\"intervention\",\"turn\":2,\"command\":\"/set talks 70\"}",
    "{\"t\":\"set\",\"turn\":2,\"var\":\"talks\",\"old\":32,\"new\":70,"
    "\"cause\":\"facilitator\"}",
    "{\"t\":\"trigger\",\"turn\":2,\"date\":\"2019-11-01\","
    "\"id\":\"deadline\"}",
    "{\"t\":\"end\",\"turn\":2,\"date\":\"2019-11-01\",\"outcome\":\"deal\","
    "\"final\":{\"talks\":70}}",
};

Test(report, facts_are_gathered_once_from_the_model) {
  model m;
  model_init(&m);
  for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
    model_feed(&m, lines[i], strlen(lines[i]));
  model_finish(&m);
  report_facts f;
  cr_assert_eq(report_facts_build(&f, &m, NULL), 0);
  cr_assert_str_eq(f.title, "golden", "no scenario: the id is the title");
  cr_assert_str_eq(f.brief, "");
  cr_assert_str_eq(f.outcome, "deal");
  cr_assert_eq(f.turns, 2);
  cr_assert_str_eq(f.first_date, "Oct 2019");
  cr_assert_str_eq(f.last_date, "Nov 2019");
  cr_assert_eq(f.moves, 1, "passes are not moves");
  cr_assert_eq(f.triggers, 1);
  cr_assert_eq(f.nplayers, 2, "a seat and a policy, no AI without the "
               "scenario");
  cr_assert_str_eq(f.players[0].by, "a seat at the table");
  cr_assert_str_eq(f.players[1].actor, "DPRK");
  cr_assert_str_eq(f.players[1].by, "policy hawk");
  cr_assert_eq(f.sets->n, 1);
  cr_assert_eq(f.ninterventions, 1, "/state only looks");
  cr_assert_str_eq(f.interventions[0]->a, "/set talks 70");
  cr_assert_eq(f.ntimeline, 2);
  cr_assert_eq(f.timeline[0].passed.n, 1, "DPRK passed, named once");
  cr_assert_eq(f.timeline[0].nentries, 1, "the script's set is left out");
  cr_assert_str_eq(f.timeline[1].date, "Nov 2019");
  cr_assert_eq(f.nchanged, 1);
  cr_assert_str_eq(f.changed[0].start, "20");
  cr_assert_str_eq(f.changed[0].end, "70");
  cr_assert_str_eq(f.changed[0].change, "+50");
  cr_assert_eq(f.nmoved, 1);
  cr_assert_geq(f.naxis, 2);
  cr_assert_str_eq(f.axis[0], "start");
  cr_assert_str_eq(f.axis[1], "Oct 2019");
  cr_assert(f.marks[2] && !f.marks[1], "the facilitator acted in turn 2");
  cr_assert_str_eq(f.file, "g.lua");
  report_facts_free(&f);
  model_free(&m);
}

Test(report, numbers_read_as_people_write_them) {
  char buf[64];
  report_number(3, buf, sizeof buf);
  cr_assert_str_eq(buf, "3");
  report_number(2.50, buf, sizeof buf);
  cr_assert_str_eq(buf, "2.5");
  report_number(1234.56, buf, sizeof buf);   /* the rule of every output */
  cr_assert_str_eq(buf, "1234.56");
  report_number(52.39599999999993, buf, sizeof buf);
  cr_assert_str_eq(buf, "52.396");
  report_number(0.0 / 0.0, buf, sizeof buf);
  cr_assert_str_eq(buf, "-");
}
