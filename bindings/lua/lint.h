/* lint.h: warnings about state kept outside the world (lint.c). */
#ifndef BRINK_LINT_H
#define BRINK_LINT_H
#include <stddef.h>
#include <stdint.h>

typedef void (*brink__lint_fn)(void *ud, int line, const char *message);
/* Reads a chunk as lua_dump wrote it (not stripped) and calls 'warn' for
   each assignment of a top-level local or a global inside a function.
   Returns 0, or -1 for bytes it cannot read. */
int brink__lint(const void *dump, size_t len, brink__lint_fn warn, void *ud);

#endif
