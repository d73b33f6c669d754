#!/bin/sh
# Regenerates the CLI golden files from the current build: run it only
# after a change to the output that you meant, and read the diff.
set -e
brink=${1:-build/brink}
for f in tests/cli/timeline.lua; do
  base=${f%.lua}
  "$brink" run "$f" > "$base.out"
  "$brink" run "$f" --json > "$base.jsonl"
done
