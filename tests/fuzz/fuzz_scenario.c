/*
** fuzz_scenario.c: libFuzzer harness for scenario text.  Each input is
** loaded as a scenario under small budgets and, if it loads, played to its
** end: whatever the text, the engine must report, never crash or hang.
*/
#include <stddef.h>
#include <stdint.h>

#include "brink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  brink_config cfg;
  brink_engine *e;
  brink_config_init(&cfg);
  cfg.max_instructions = 1000000;
  cfg.max_memory = 32 * 1024 * 1024;
  cfg.max_seconds = 2;
  if (brink_engine_open(&e, &cfg) != BRINK_OK)
    return 0;
  if (brink_load_string(e, "fuzz.lua", (const char *)data, size) == BRINK_OK &&
      brink_start(e, 1) == BRINK_OK)
    brink_run(e);
  brink_engine_close(e);
  return 0;
}
