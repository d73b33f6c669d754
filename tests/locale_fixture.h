/* A host's comma-decimal locale, for the tests that brink ignores it. */
#ifndef LOCALE_FIXTURE_H
#define LOCALE_FIXTURE_H

#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

/* Installs de_DE.UTF-8, made by the Makefile under $BRINK_BUILD/locale;
   fails the test rather than skipping it when it cannot. */
static inline void comma_locale(void) {
  const char *build = getenv("BRINK_BUILD");
  cr_assert_not_null(build, "BRINK_BUILD is not set (run through make)");
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/locale", build);
  setenv("LOCPATH", dir, 1);
  cr_assert_not_null(setlocale(LC_ALL, "de_DE.UTF-8"),
                     "cannot set de_DE.UTF-8 from %s", dir);
  char t[16];
  snprintf(t, sizeof t, "%.1f", 1.5);
  cr_assert_str_eq(t, "1,5", "the locale does not use a decimal comma");
}

#endif
