#!/bin/sh
# balance.sh: plays a scenario over many seeds and prints how its runs end.
#
#   tools/balance.sh [BRINK] [RUNS] [options]
#
#   BRINK              the brink binary (default: build/brink)
#   RUNS               number of runs (default: 1000); run i uses seed SEED+i-1
#   --file FILE        the scenario (default: scripts/scenarios/korea-2019.lua)
#   --seed N           first seed (default: 1)
#   --trigger NAME     the trigger whose firing rate is reported
#                      (default: year_end_deadline)
#   --policy A=NAME    passed on to brink run; may be repeated
#
# Prints the outcome table (runs and share of each outcome) and the fraction
# of runs in which the trigger fired.  Every run can be replayed with
# `brink run FILE --seed S` plus the same --policy flags.
set -eu

brink=build/brink
runs=1000
file=scripts/scenarios/korea-2019.lua
seed=1
trigger=year_end_deadline
policies=

case ${1-} in ''|--*) ;; *) brink=$1; shift ;; esac
case ${1-} in ''|--*) ;; *) runs=$1; shift ;; esac
while [ $# -gt 0 ]; do
  case $1 in
    --file) file=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --trigger) trigger=$2; shift 2 ;;
    --policy) policies="$policies --policy $2"; shift 2 ;;
    *) echo "balance.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

case $runs in ''|*[!0-9]*) echo "balance.sh: RUNS must be a number" >&2; exit 2 ;; esac
case $seed in ''|*[!0-9]*) echo "balance.sh: --seed must be a number" >&2; exit 2 ;; esac
[ -x "$brink" ] || { echo "balance.sh: no brink binary at $brink" >&2; exit 2; }
[ -r "$file" ] || { echo "balance.sh: cannot read $file" >&2; exit 2; }

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT INT TERM

i=0
while [ "$i" -lt "$runs" ]; do
  s=$((seed + i))
  # One line per run: "RUN <seed>", then its trigger and end records.
  echo "RUN $s" >> "$tmp"
  # shellcheck disable=SC2086  # $policies holds whole flags on purpose
  "$brink" run "$file" --seed "$s" --json $policies 2>/dev/null |
    grep -E '^\{"t":"(trigger|end)"' >> "$tmp" || true
  i=$((i + 1))
done

label=${policies:-" (built-in AI)"}
echo "$(basename "$file"): $runs runs, seeds $seed-$((seed + runs - 1)), policies:$label"
awk -v trig="$trigger" -v runs="$runs" '
  /^RUN / { fired = 0; next }
  /"t":"trigger"/ {
    id = $0; sub(/.*"id":"/, "", id); sub(/".*/, "", id)
    if (id == trig && !fired) { fired = 1; nfired++ }
    next
  }
  /"t":"end"/ {
    o = $0; sub(/.*"outcome":"/, "", o); sub(/".*/, "", o)
    if (!(o in count)) names[++n] = o
    count[o]++; ended++
    next
  }
  END {
    if (ended < runs) { names[++n] = "(no end record)"; count["(no end record)"] = runs - ended }
    # outcomes by name, for a stable table
    for (i = 2; i <= n; i++)
      for (j = i; j > 1 && names[j - 1] > names[j]; j--) {
        t = names[j]; names[j] = names[j - 1]; names[j - 1] = t
      }
    printf "%-16s %6s %7s\n", "outcome", "runs", "share"
    for (i = 1; i <= n; i++)
      printf "%-16s %6d %6.1f%%\n", names[i], count[names[i]], 100 * count[names[i]] / runs
    printf "%s fired in %d of %d runs (%.1f%%)\n", trig, nfired, runs, 100 * nfired / runs
  }
' "$tmp"
