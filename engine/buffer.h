/*
** buffer.h: buffers the library hands to hosts, freed with
** brink_buffer_free (saved.c); internal, shared with the session layer.
*/
#ifndef BRINK_BUFFER_H
#define BRINK_BUFFER_H

#include <stddef.h>

#include "brink.h"

/*
** A copy of 'len' bytes, followed by a NUL so text stays a C string, made
** with the allocator of 'e' (NULL: the C library's); NULL when out of
** memory.
*/
void *brink__buffer_dup(const brink_engine *e, const void *data, size_t len);

#endif
