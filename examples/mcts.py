#!/usr/bin/env python3
"""A flat Monte Carlo player for one seat of a brink scenario, against the
built-in AI playing the same seat over the same seeds.

At each of its decisions the player tries every legal action in K
determinized rollouts: a rollout starts from resample_from_infostate (the
values it cannot see drawn from their priors, and fresh dice), makes the
action, and lets everyone, itself included, play on by the built-in AI to
the end.  It takes the action with the best mean return.  The K
determinizations are the same for every action, so the actions are
compared on the same imagined worlds.

    PYTHONPATH=bindings/python BRINK_LIB=build/libbrink.so \\
      python3 examples/mcts.py 20 [--rollouts 8] [--seat USA]
"""
import argparse
import collections
import math
import os
import random
import sys
import time

import brink

HERE = os.path.dirname(os.path.abspath(__file__))
KOREA = os.path.join(HERE, "..", "scripts", "scenarios", "korea-2019.lua")


def rollout_value(state, player, action, seed):
    world = state.resample_from_infostate(player, seed)
    world.apply_action(action)
    while not world.is_terminal():
        world.apply_default_action()
    return world.returns()[player]


def flat_monte_carlo(state, rollouts, rng):
    player = state.current_player()
    legal = state.legal_actions()
    if len(legal) == 1:
        return legal[0]
    seeds = [rng.getrandbits(64) for _ in range(rollouts)]
    return max(legal, key=lambda a: sum(
        rollout_value(state, player, a, s) for s in seeds))


def play(game, seat, seed, choose):
    """One game from 'seed': (the seat's return, outcome, decisions made,
    seconds spent deciding)."""
    state = game.new_initial_state(seed=seed)
    decisions, spent = 0, 0.0
    while not state.is_terminal():
        t0 = time.perf_counter()
        if choose is None:
            state.apply_default_action()
        else:
            state.apply_action(choose(state))
        spent += time.perf_counter() - t0
        decisions += 1
    return state.returns()[seat], state.outcome(), decisions, spent


def summary(returns):
    """Mean and a 95% interval (normal approximation)."""
    n = len(returns)
    mean = sum(returns) / n
    if n < 2:
        return mean, float("nan"), float("nan")
    sd = math.sqrt(sum((r - mean) ** 2 for r in returns) / (n - 1))
    half = 1.96 * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("games", type=int, nargs="?", default=20)
    ap.add_argument("--rollouts", type=int, default=8,
                    help="determinized rollouts per legal action (8)")
    ap.add_argument("--seat", default="USA")
    ap.add_argument("--seed", type=int, default=1, help="the first seed (1)")
    ap.add_argument("--scenario", default=KOREA)
    args = ap.parse_args()
    game = brink.load_game(args.scenario, seats=[args.seat])
    seat = game.player_index(args.seat)
    rng = random.Random(args.seed)
    players = [
        ("flat Monte Carlo (%d rollouts)" % args.rollouts,
         lambda s: flat_monte_carlo(s, args.rollouts, rng)),
        ("built-in AI", None),
    ]
    seeds = range(args.seed, args.seed + args.games)
    results = []
    for name, choose in players:
        rows = [play(game, seat, seed, choose) for seed in seeds]
        results.append((name, rows))

    print("%s, %s seated, %d games (seeds %d..%d)" % (
        os.path.basename(args.scenario), args.seat, args.games,
        seeds[0], seeds[-1]))
    print("%-32s %8s  %-19s %12s" % ("", "return", "95% interval",
                                     "decisions/s"))
    for name, rows in results:
        mean, lo, hi = summary([r[0] for r in rows])
        rate = sum(r[2] for r in rows) / max(sum(r[3] for r in rows), 1e-9)
        print("%-32s %8.3f  [%7.3f, %7.3f] %12.1f" % (name, mean, lo, hi,
                                                      rate))
    print()
    outcomes = sorted({r[1] for _, rows in results for r in rows})
    print("%-20s" % "outcome" + "".join("%18s" % name.split(" (")[0]
                                        for name, _ in results))
    for o in outcomes:
        print("%-20s" % o + "".join(
            "%18d" % collections.Counter(r[1] for r in rows)[o]
            for _, rows in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
