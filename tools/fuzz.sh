#!/bin/sh
# make fuzz: runs each harness built in $1/fuzz for $2 seconds on a copy of
# its seed corpus (new inputs stay out of the tree).  A crash, a leak, a
# sanitizer report or a timeout fails; the input that did it is kept as
# $1/fuzz/NAME-crash-... to reproduce with `$1/fuzz/NAME FILE`.  FUZZ_SEED
# fixes libFuzzer's seed (CI sets it, so a run explores the same inputs).
set -e
build=$1
seconds=${2:-60}
status=0
for name in scenario save replay merge; do
  work=$(mktemp -d)
  if [ "$name" = scenario ]; then
    # The shipped scenarios are its seeds; no copies to keep in step.
    cp scripts/scenarios/tutorial.lua examples/*.lua "$work"/
    [ -d tests/fuzz/corpus/scenario ] && cp tests/fuzz/corpus/scenario/* "$work"/
  else
    cp tests/fuzz/corpus/"$name"/* "$work"/
  fi
  echo "fuzz $name: ${seconds}s"
  if ! "$build/fuzz/$name" -max_total_time="$seconds" -timeout=20 \
       -rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=3 \
       -seed="${FUZZ_SEED:-0}" \
       -artifact_prefix="$build/fuzz/$name-" "$work" \
       >"$build/fuzz/$name.log" 2>&1; then
    tail -40 "$build/fuzz/$name.log" >&2
    echo "fuzz $name: FAILED (log: $build/fuzz/$name.log)" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$build/fuzz/$name.log" |
      tail -2 | sed 's/^/  /'
  fi
  rm -rf "$work"
done
exit $status
