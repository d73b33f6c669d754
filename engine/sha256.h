/*
** sha256.h: the library's digest, internal, shared by the engine and the
** command (which links the static library).
*/
#ifndef BRINK_SHA256_H
#define BRINK_SHA256_H

#include <stddef.h>

void brink__sha256(const void *data, size_t len, unsigned char out[32]);
/* 2n lowercase hex digits of 'bytes' and a NUL into 'out'. */
void brink__hex(const unsigned char *bytes, size_t n, char *out);
/* 64 lowercase hex digits and a NUL. */
void brink__sha256_hex(const void *data, size_t len, char out[65]);

#endif
