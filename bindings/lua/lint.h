/* lint.h: functions that would change what loading made (lint.c). */
#ifndef BRINK_LINT_H
#define BRINK_LINT_H
#include <stddef.h>
#include <stdint.h>

/* A finding: 'fmt' takes the names 'a' and 'b' (not NUL-terminated) as
   "%.*s", whole; it may use only the first. */
typedef void (*brink__lint_fn)(void *ud, int line, const char *fmt, int alen,
                               const char *a, int blen, const char *b);
/* Reads a function as lua_dump wrote it (not stripped), taking all its
   upvalues as kept from loading, and calls 'warn' for each assignment of
   one of them, or of a field of one, in it or in its nested functions.
   Returns 0, or -1 for bytes it cannot read. */
int brink__lint(const void *dump, size_t len, brink__lint_fn warn, void *ud);

#endif
