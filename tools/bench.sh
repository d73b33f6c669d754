#!/bin/sh
# make bench: builds and runs the benchmarks against the build in $1:
# the engine against plain Lua, the count hook's cost, then the batch
# throughput of the flagship scenario (examples/standoff.lua until it
# exists) in-process and through `brink batch`, with 1 and 2 jobs,
# what a search's calls cost there (clones, legal actions, observations),
# and from Python: observations and random playouts per second.
# BENCH_BASE=DIR (a copy of an earlier build: its libbrink.a and brink)
# measures that build too, side by side: its bench/bench.c figures first,
# then the command's trials alternating with this build's.
set -e
build=${1:-build}
base=${BENCH_BASE:-}
seconds=${BENCH_SECONDS:-2}
# BENCH_SCENARIO=FILE: the scenario of sections 3, 4 and the command (a base
# build from before the flagship changed needs the flagship of its day).
scenario=${BENCH_SCENARIO:-scripts/scenarios/korea-2019.lua}
[ -f "$scenario" ] || scenario=examples/standoff.lua
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -pthread -Iengine \
  $(pkg-config --cflags lua5.4) \
  -o "$build/bench" bench/bench.c "$build/libbrink.a" \
  $(pkg-config --libs lua5.4 jansson libedit) -lm
if [ -n "$base" ]; then
  cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -pthread -Iengine \
    $(pkg-config --cflags lua5.4) \
    -o "$base/bench" bench/bench.c "$base/libbrink.a" \
    $(pkg-config --libs lua5.4 jansson libedit) -lm
  echo "== the base build, $base"
  "$base/bench" bench "$seconds" "$scenario"
  echo
  echo "== this build, $build"
fi
"$build/bench" bench "$seconds" "$scenario"

# The command itself, summary and all: wall time of one batch per --jobs,
# best of 5 alternating tries (others sharing the machine only slow a try;
# on a shared VM two tries of the same batch differ by up to 40%, so three
# were too few to find the quiet moment of each), 6000 runs (a batch of a
# second or more: its own fixed costs, loading and verifying, are not what
# is measured).  BENCH_RUNS and BENCH_TRIES choose otherwise.
runs=${BENCH_RUNS:-6000}
tries=${BENCH_TRIES:-5}
clock() { date +%s.%N; }
echo
echo "brink batch $scenario --runs $runs --json, best of $tries ($(nproc) CPUs)"
rate1=0
rate2=0
pair=0
base1=0
base2=0
for try in $(seq "$tries"); do
  for jobs in 1 2; do
    for which in rate base; do
      if [ "$which" = base ]; then
        [ -n "$base" ] || continue
        bin="$base/brink"
      else
        bin="$build/brink"
      fi
      t0=$(clock)
      "$bin" batch "$scenario" --runs "$runs" --jobs "$jobs" --json \
        >/dev/null || [ $? -eq 1 ]   # 1: some run ended in a script error
      t1=$(clock)
      eval "best=\$$which$jobs"
      rate=$(echo "$runs $t0 $t1 $best" |
             awk '{ r = $1 / ($3 - $2); printf "%.0f", (r > $4 ? r : $4) }')
      eval "$which$jobs=$rate"
    done
  done
  # Two --jobs 1 batches at once, as separate processes: what the machine
  # itself gives two busy CPUs, the ceiling of --jobs 2 / --jobs 1.
  t0=$(clock)
  "$build/brink" batch "$scenario" --runs "$runs" --jobs 1 --json \
    >/dev/null 2>&1 &
  "$build/brink" batch "$scenario" --runs "$runs" --jobs 1 --json \
    >/dev/null 2>&1 || true
  wait || true
  t1=$(clock)
  pair=$(echo "$runs $t0 $t1 $pair" |
         awk '{ r = 2 * $1 / ($3 - $2); printf "%.0f", (r > $4 ? r : $4) }')
done
printf '  --jobs 1              %10s runs/s\n' "$rate1"
printf '  --jobs 2              %10s runs/s\n' "$rate2"
echo "$rate1 $rate2" |
  awk '{ printf "  2 jobs / 1            %10.2fx (at least 1.85x)\n", $2 / $1 }'
echo "$rate1 $pair" |
  awk '{ printf "  2 processes / 1       %10.2fx (two --jobs 1 at once: the machine'"'"'s ceiling)\n", $2 / $1 }'
if [ -n "$base" ]; then
  printf '  base --jobs 1         %10s runs/s  (this build: %s, at least 3x)\n' \
    "$base1" \
    "$(echo "$base1 $rate1" | awk '{ printf "%.2fx", $2 / $1 }')"
  printf '  base --jobs 2         %10s runs/s  (this build: %s)\n' "$base2" \
    "$(echo "$base2 $rate2" | awk '{ printf "%.2fx", $2 / $1 }')"
fi

# Peak memory of a batch against --runs: what brink batch keeps does not
# grow with the runs (docs/batch.md), so the peak stays within 10%.  One
# turn a run keeps 10^6 runs of the flagship to about a minute on 2 CPUs;
# BENCH_MEM_RUNS and BENCH_MEM_TURNS choose otherwise (0 turns: all).
mem_runs=${BENCH_MEM_RUNS:-10000 100000 1000000}
mem_turns=${BENCH_MEM_TURNS:-1}
echo
echo "peak RSS of brink batch $scenario --runs N --turns $mem_turns --json"
peaks=""
for n in $mem_runs; do
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$build/bench-rss" "$build/brink" batch \
      "$scenario" --runs "$n" --turns "$mem_turns" --json >/dev/null \
      2>/dev/null || true   # 1: some run ended in a script error
    kb=$(tail -n 1 "$build/bench-rss")
  else   # no GNU time: the kernel's high-water mark, read as it exits
    "$build/brink" batch "$scenario" --runs "$n" --turns "$mem_turns" \
      --json >/dev/null 2>&1 &
    pid=$!
    kb=0
    while kill -0 "$pid" 2>/dev/null; do
      k=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null ||
          echo 0)
      [ -n "$k" ] && [ "$k" -gt "$kb" ] && kb=$k
      sleep 0.2
    done
    wait "$pid" || true
  fi
  printf '  --runs %-12s %10s kB\n' "$n" "$kb"
  peaks="$peaks $kb"
done
echo "$peaks" | awk '{ lo = hi = $1; for (i = 2; i <= NF; i++) {
  if ($i < lo) lo = $i; if ($i > hi) hi = $i }
  printf "  max / min             %10.3f (at most 1.10)\n", hi / lo }'

# The same engine from Python, through the brink package.
echo
if command -v python3 >/dev/null; then
  PYTHONPATH=bindings/python BRINK_LIB="$(cd "$build" && pwd)/libbrink.so" \
    python3 bench/bench.py "$seconds" "$scenario"
fi
