"""The floor of issue 17's request ratio on the bench's world (`api_efficiency.py`), computed, not measured.

The simulator's durations are uniform per type (`gentui.sim.lifecycle.DURATIONS`, scaled by 1/speed).
For a completion uniform over [a, b] after the start, checks every D inside [a, b] see it within D
of finishing, and nothing before a is needed. So even a watcher told each type's true minimum (an
oracle: gentui can only learn it from what finished) must check text and images every 3 s (p95 3 s),
video work (video, lipsync, render) every 6 s, from the later of the window's start and the type's
minimum until the finish or the window's end; speech and captions (no target) once, at the finish.
The SDK way checks every 2 s from the start until the finish. Over the bench's 300 in flight at start.
The last column is what gentui can know: each type's window opening at 0.85 of the shortest duration
in the engine's history (past takes ran at this server's pace), and speech and captions checked at
gentui's loosest dense cadence rather than once at an unknown finish.

    python bench/api_floor.py [--seconds 60] [--speed 0.35]
"""

from __future__ import annotations

import argparse
import math
from collections import defaultdict

from gentui.api import vocab
from gentui.core.poller import PollPolicy
from gentui.sim.clock import SimTime, WallClock
from gentui.sim.lifecycle import DURATIONS
from gentui.sim.options import SimOptions
from gentui.sim.seed import build_world

LEARNT = 0.85  # gentui.core.schedule.Durations.window: the low is this share of the shortest seen
LOOSE = PollPolicy().cadence().dense_loose  # speech and captions (no target of their own)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--speed", type=float, default=0.35)
    args = parser.parse_args()
    speed, window = args.speed, args.seconds
    time = SimTime(WallClock(), speed)
    world = build_world(SimOptions(rows=500, columns=8, in_flight=300, seed=7, speed=speed), time, False)
    now = time.now()
    rows: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for gid in world.in_flight:
        gen = world.generations[gid]
        ran = (now - gen.phase_start) / speed  # wall seconds already run
        left = (gen.pending_for + gen.processing_for) / speed - ran  # wall seconds to go
        opens = max(0.0, DURATIONS[gen.kind][0] / speed - ran)  # until the type's minimum
        sdk = math.floor(min(left, window) / 2) + 1

        # what gentui can know: the engine's history (past takes, at this server's pace) puts a type's
        # window low at 0.85 of the shortest seen, a little under the true minimum
        learnt_opens = max(0.0, LEARNT * DURATIONS[gen.kind][0] / speed - ran)

        def checks(every: float | None, left: float = left, opens: float = opens) -> int:
            if opens >= window:
                return 0
            if every is None:  # one check, at the finish, when it falls in the window
                return 1 if left <= window else 0
            return math.ceil((min(left, window) - opens) / every) + (1 if opens > 0 else 0)

        if gen.kind in (vocab.TEXT, vocab.IMAGE_FROM_TEXT):
            floor, loose, known = checks(3.0), checks(3.0), checks(3.0, opens=learnt_opens)
        elif gen.kind in vocab.VIDEO_TYPES:
            floor, loose, known = checks(6.0), checks(6.0), checks(6.0, opens=learnt_opens)
        else:  # speech and captions: gentui checks them at its loosest dense cadence
            floor, loose, known = checks(None), checks(6.0), checks(LOOSE, opens=learnt_opens)
        row = rows[gen.kind]
        row[0] += 1
        row[1] += sdk
        row[2] += floor
        row[3] += loose
        row[4] += known
    print("| type | in flight | SDK way GETs | floor | floor, speech and captions every 6 s "
          "| what gentui can know (learnt windows) |")
    print("|---|---|---|---|---|---|")
    total = [0.0, 0.0, 0.0, 0.0, 0.0]
    for kind, row in sorted(rows.items()):
        print(f"| {kind} | {row[0]:.0f} | {row[1]:.0f} | {row[2]:.0f} | {row[3]:.0f} | {row[4]:.0f} |")
        total = [t + v for t, v in zip(total, row, strict=True)]
    print(f"| all | {total[0]:.0f} | {total[1]:.0f} | {total[2]:.0f} ({total[2] / total[1]:.3f}) | "
          f"{total[3]:.0f} ({total[3] / total[1]:.3f}) | {total[4]:.0f} ({total[4] / total[1]:.3f}) |")


if __name__ == "__main__":
    main()
