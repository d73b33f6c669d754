/*
** Work the budgets must see: each test runs `brink run` on a small attack
** with tight budgets and measures the process, failing when its peak RSS
** or its time is far beyond the budget or when it does not end with the
** budget error.  The ceilings are generous (4 x the budget plus a fixed
** baseline for the process itself) so a loaded machine cannot fail them,
** while a budget the attack escapes overshoots them by orders of
** magnitude; the watchdog below stops such a run as soon as it crosses
** one.  Under the sanitizers RSS and time say nothing about the engine:
** only the errors are checked there.
*/
/* wait4(), for the child's peak RSS. */
#define _DEFAULT_SOURCE

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_fixture.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define MIB (1024.0 * 1024.0)
/* What the process holds before any script runs, with room to spare. */
#define BASELINE_MIB 30.0
/* Time to start and end the process, on a loaded machine. */
#define BASELINE_SECONDS 2.0

typedef struct measured {
  int status;          /* exit status, -1 if killed */
  double seconds;
  double peak_mib;     /* ru_maxrss, or the RSS the watchdog saw */
  char *err;           /* stderr */
  const char *stopped; /* why the watchdog killed it, or NULL */
} measured;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double rss_mib(pid_t pid) {
  char path[64];
  long pages = 0, resident = 0;
  snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) return 0;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  fclose(f);
  return (double)resident * (double)sysconf(_SC_PAGESIZE) / MIB;
}

/*
** Runs `brink run FILE ARGS --quiet`, stdout discarded.  The watchdog kills
** it past 'max_mib' of RSS or 'max_seconds' (the ceilings, so the test
** fails fast instead of eating the machine); under the sanitizers only a
** generous time limit applies.
*/
static measured run_measured(const char *file, const char *args,
                             double max_mib, double max_seconds) {
  char errpath[] = "/tmp/brink-budget-err-XXXXXX";
  int fd = mkstemp(errpath);
  cr_assert(fd >= 0);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "exec %s run %s %s --quiet >/dev/null", brink(),
           file, args);
  double start = now();
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    dup2(fd, 2);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  close(fd);
  measured m = {-1, 0, 0, NULL, NULL};
  if (SANITIZED) max_seconds = 100;   /* within the test's timeout */
  int st = 0;
  struct rusage ru;
  for (;;) {
    pid_t got = wait4(pid, &st, WNOHANG, &ru);
    if (got == pid) break;
    cr_assert(got == 0 || errno == EINTR);
    double rss = rss_mib(pid);
    if (rss > m.peak_mib) m.peak_mib = rss;
    if (!SANITIZED && rss > max_mib) m.stopped = "memory";
    if (now() - start > max_seconds) m.stopped = "time";
    if (m.stopped) {
      kill(pid, SIGKILL);
      wait4(pid, &st, 0, &ru);
      break;
    }
    struct timespec tick = {0, 5 * 1000 * 1000};
    nanosleep(&tick, NULL);
  }
  m.seconds = now() - start;
  if ((double)ru.ru_maxrss / 1024.0 > m.peak_mib)
    m.peak_mib = (double)ru.ru_maxrss / 1024.0;
  m.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  m.err = slurp(errpath);
  remove(errpath);
  return m;
}

/*
** The attack in 'file' under 'args' must end with exit status 'status'
** and 'error' on stderr (for 1, the budget error with the attack's
** file:line) within the ceilings.
*/
static void expect_run(const char *file, const char *args, double budget_mib,
                       double budget_seconds, int status, const char *error) {
  double max_mib = 4 * budget_mib + BASELINE_MIB;
  double max_seconds = 4 * budget_seconds + BASELINE_SECONDS;
  measured m = run_measured(file, args, max_mib, max_seconds);
  cr_assert_null(m.stopped, "%s %s: stopped by the watchdog (%s): %.0f MiB, "
                 "%.1f s", file, args, m.stopped, m.peak_mib, m.seconds);
  cr_assert_eq(m.status, status, "%s %s exited %d:\n%s", file, args,
               m.status, m.err);
  cr_assert(strstr(m.err, error), "%s %s: wanted '%s', got:\n%s", file, args,
            error, m.err);
  if (!SANITIZED) {
    cr_assert_leq(m.peak_mib, max_mib, "%s: %.0f MiB", file, m.peak_mib);
    cr_assert_leq(m.seconds, max_seconds, "%s: %.1f s", file, m.seconds);
  }
  free(m.err);
}

static void expect_stopped(const char *file, const char *args,
                           double budget_mib, double budget_seconds,
                           const char *error) {
  expect_run(file, args, budget_mib, budget_seconds, 1, error);
}

#define DIR "tests/budget/"

Test(budgets, news_text_is_charged_to_memory, .timeout = 120) {
  expect_stopped(DIR "news.lua", "--max-memory 48M --max-seconds 1", 48, 1,
                 DIR "news.lua:8: trigger:flood: memory budget exceeded "
                 "(48 MiB)");
}

Test(budgets, the_journal_is_charged_to_memory, .timeout = 120) {
  expect_stopped(DIR "journal.lua", "--max-memory 16M --max-seconds 1", 16, 1,
                 DIR "journal.lua:6: trigger:writes: memory budget exceeded "
                 "(16 MiB)");
}

/* Each coroutine used to start a fresh hook countdown: short ones ran
   unmetered, 15 times the budget, until the time budget ended them. */
Test(budgets, short_coroutines_meet_the_instruction_budget, .timeout = 120) {
  expect_stopped(DIR "coroutines.lua",
                 "--max-instructions 10000000 --max-seconds 2", 16, 2,
                 DIR "coroutines.lua:10: trigger:spawn: instruction budget "
                 "exceeded in 'effect' (10000000 instructions)");
}

/* Scheduling pays for the firing: a million events meet the budget of
   the call that schedules them, not minutes of firing later (time enough
   to schedule them all, were it not for that). */
Test(budgets, scheduled_events_are_charged_when_scheduled, .timeout = 120) {
  expect_stopped(DIR "schedule.lua", "--max-seconds 5", 16, 5,
                 DIR "schedule.lua:9: trigger:plan: instruction budget "
                 "exceeded in 'effect' (100000000 instructions)");
}

/* Firing was a scan and a memmove per event: 200,000 took 9 s or more. */
Test(budgets, firing_scheduled_events_is_linear, .timeout = 120) {
  expect_run(DIR "schedule.lua",
             "--max-seconds 1 --max-instructions 1000000000 --set n=200000",
             16, 1, 0, "");
}

/* An event scheduling itself 2,000 times: the schedule meets the memory
   budget in the third turn instead of growing for minutes. */
Test(budgets, fan_out_meets_the_memory_budget, .timeout = 120) {
  expect_stopped(DIR "fanout.lua", "--max-seconds 1 --max-memory 16M", 16, 1,
                 DIR "fanout.lua:6: event:grow: memory budget exceeded "
                 "(16 MiB)");
}

/* What is held is let go of: a run that holds megabytes a turn for three
   years stays within a budget that a few turns' worth would exceed. */
Test(budgets, what_is_held_for_a_script_is_released, .timeout = 120) {
  expect_run(DIR "release.lua", "--max-memory 8M --max-seconds 1", 8, 1, 0,
             "");
}
