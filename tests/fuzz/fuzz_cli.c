/*
** fuzz_cli.c: libFuzzer harness for the files the command reads from
** others: a save (FUZZ_SAVE), a log to replay (FUZZ_REPLAY).  Each input
** is written to a file and handed to the command as a user would; a
** refusal is fine, a crash is not.  (Parts of batches: fuzz_merge.c.)
** tools/fuzz.sh runs it with -close_fd_mask=3: the command's own output
** is not what is tested.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

#define SCENARIO "scripts/scenarios/tutorial.lua"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  snprintf(path, sizeof path, "/tmp/brink-fuzz-%ld", (long)getpid());
  return 0;
}

/* Calls a command with a copy of 'args' it may write to, as main's. */
static int call(int (*cmd)(int, char **), const char *const *args) {
  char buf[8][64], *argv[9];
  int n;
  for (n = 0; args[n] && n < 8; n++) {
    snprintf(buf[n], sizeof buf[n], "%s", args[n]);
    argv[n] = buf[n];
  }
  argv[n] = NULL;
  return cmd(n, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
#if defined(FUZZ_SAVE)
  const char *const args[] = {"run", SCENARIO, "--resume", path, "--json",
                              NULL};
  call(cmd_run, args);
#elif defined(FUZZ_REPLAY)
  const char *const args[] = {"replay", path, "--scenario", SCENARIO, NULL};
  call(cmd_replay, args);
#else
#error "define FUZZ_SAVE or FUZZ_REPLAY"
#endif
  remove(path);
  return 0;
}
