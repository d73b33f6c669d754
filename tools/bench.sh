#!/bin/sh
# make bench: builds and runs the benchmarks against the build in $1.
set -e
build=${1:-build}
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iengine $(pkg-config --cflags lua5.4) \
  -o "$build/bench" bench/bench.c "$build/libbrink.a" \
  $(pkg-config --libs lua5.4 jansson libedit) -lm
"$build/bench" bench "${BENCH_SECONDS:-2}"
