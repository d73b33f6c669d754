#!/bin/sh
# Regenerates the golden transcripts of brink play from the current build:
# run it only after a change to the output that you meant, and read the
# diff.  Each line of tests/play/cases is "NAME ARGS": NAME.in is typed at
# `brink play ARGS` and what it prints is NAME.out.
set -e
brink=${1:-build/brink}
while read -r name args; do
  # shellcheck disable=SC2086
  "$brink" play $args < "tests/play/$name.in" > "tests/play/$name.out"
done < tests/play/cases
