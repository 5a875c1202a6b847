#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""interleave.py ROUNDS CMD... - median wall time of each command, run in turn.

On a VM whose speed drifts from minute to minute, timing all runs of one
command and then all runs of the next measures the drift as much as the
commands. Here each round runs every command once, so all of them see the
same machine; the last command is the one the others are divided by (the
floor): the ratio of the medians, and the median of each round's own
ratio, which a slow minute (another job's I/O on a shared disk) moves less.
Three untimed rounds come first. Output is discarded.

  bench/interleave.py 200 "build/ferry -q -d sqlite:db --dir m up" \\
      "sqlite3 db 'SELECT count(*) FROM sqlite_master'"
"""
import shlex
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    cmds = [shlex.split(c) for c in sys.argv[2:]]
    times = [[] for _ in cmds]
    for r in range(rounds + 3):
        for i, cmd in enumerate(cmds):
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            if r >= 3:
                times[i].append((time.perf_counter() - t0) * 1e3)
    floor = statistics.median(times[-1])
    for cmd, t in zip(sys.argv[2:], times):
        q = statistics.quantiles(t, n=4)
        med = statistics.median(t)
        # each round's own ratio: a slow minute slows the whole round
        per_round = statistics.median(a / b for a, b in zip(t, times[-1]))
        print(f"{med:8.2f} ms  (q1 {q[0]:.2f}, q3 {q[2]:.2f})  "
              f"{med / floor:5.2f}x  (by round {per_round:4.2f}x)  {cmd}")


if __name__ == "__main__":
    main()
