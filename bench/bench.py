#!/usr/bin/env python3
"""make bench's Python line: what a Python agent gets from libbrink per
second through the brink package: clones, legal actions, observations and
whole random playouts.

    PYTHONPATH=bindings/python BRINK_LIB=build/libbrink.so \\
      python3 bench/bench.py SECONDS SCENARIO
"""
import random
import sys
import time

import brink


def rate(seconds, work):
    """Calls of work() per second over about 'seconds'."""
    n, t0 = 0, time.perf_counter()
    while True:
        work()
        n += 1
        spent = time.perf_counter() - t0
        if spent >= seconds:
            return n / spent


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    path = sys.argv[2] if len(sys.argv) > 2 else \
        "scripts/scenarios/korea-2019.lua"
    rng = random.Random(1)
    # Every actor seated: each decision of the playout is made in Python.
    names = brink.load_game(path).player_names()
    game = brink.load_game(path, seats=names)
    state = game.new_initial_state()
    player = state.current_player()

    def playout():
        s = game.new_initial_state(seed=rng.getrandbits(64))
        while not s.is_terminal():
            s.apply_action(rng.choice(s.legal_actions()))

    print("Python (brink package over ctypes), %s" % path)
    print("  clone                 %10.0f /s" % rate(seconds, state.clone))
    print("  legal_actions         %10.0f /s" % rate(
        seconds, state.legal_actions))
    print("  observation_tensor    %10.0f /s" % rate(
        seconds, lambda: state.observation_tensor(player)))
    print("  random playouts       %10.1f /s  (every actor seated)"
          % rate(seconds, playout))


if __name__ == "__main__":
    main()
