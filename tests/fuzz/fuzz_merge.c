/*
** fuzz_merge.c: libFuzzer harness for a part of a sharded batch, the file
** brink merge reads from others.  The library reads it, merges it as the
** only part and summarizes the result, as brink merge PART --json does;
** a refusal is fine, a crash or a leak is not.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[4096];
  bpart p;
  bmeta m;
  btable t;
  if (part_read_text("fuzz.part", (const char *)data, size, &p, err,
                     sizeof err) != 0)
    return 0;
  if (parts_merge(&p, 1, &m, &t, err, sizeof err) == 0) {
    json_t *j = summary_json(&m, &t);
    char *s = json_dumps(j, JSON_COMPACT);
    free(s);
    json_decref(j);
  }
  table_free(&t);
  meta_free(&m);
  part_free(&p);
  return 0;
}
