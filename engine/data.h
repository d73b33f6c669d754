/*
** data.h: the grammar of event data (data.c), internal, shared by the
** engine and the command (which links the static library).
*/
#ifndef BRINK_DATA_H
#define BRINK_DATA_H

#include <stdbool.h>

/* Is 'text' one literal value in the grammar data.c describes? */
bool brink__data_valid(const char *text);

#endif
