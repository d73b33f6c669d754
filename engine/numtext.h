/*
** numtext.h: a double as the shortest text that reads back as the same
** double (value.c); internal, shared with the session layer, so records,
** saves and session lines write numbers by one rule.
*/
#ifndef BRINK_NUMTEXT_H
#define BRINK_NUMTEXT_H

#include <stddef.h>

/*
** The first of 15, 16 and 17 significant digits ("%.*g") that reads back
** as 'v'; snprintf's result.  The caller runs in the C locale, or
** accepts the thread's decimal point.
*/
int brink__shortest(double v, char *buf, size_t cap);

#endif
