"""Entry point of the measured child processes: ``python -m benchmarks generate | lower-bound |
stage``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from benchmarks.lower_bound import lower_bound
from benchmarks.scales import SCALES
from benchmarks.stages import materialize_stage


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    commands = parser.add_subparsers(dest="command", required=True)
    lower = commands.add_parser("lower-bound")
    lower.add_argument("landing", type=Path)
    lower.add_argument("database", type=Path)
    stage = commands.add_parser("stage")
    stage.add_argument("keys", type=json.loads)
    stage.add_argument("first_day", type=date.fromisoformat)
    stage.add_argument("last_day", type=date.fromisoformat)
    demo = commands.add_parser("generate")
    demo.add_argument("scale", choices=list(SCALES))
    demo.add_argument("landing", type=Path)
    demo.add_argument("day_indexes", type=int, nargs="+")
    demo.add_argument("--summary", type=Path, required=True)
    demo.add_argument("--no-campaigns", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "generate":
        from demo import write_demo_landing

        summary = write_demo_landing(
            args.landing,
            SCALES[args.scale].spec(),
            day_indexes=args.day_indexes,
            with_campaigns=not args.no_campaigns,
        )
        args.summary.write_text(json.dumps({"files": summary.files, "records": summary.records}))
        return 0
    if args.command == "lower-bound":
        rows = lower_bound(args.landing, args.database)
        Path(f"{args.database}.rows.json").write_text(json.dumps(rows))
        print(json.dumps(rows))
        return 0
    return 0 if materialize_stage(args.keys, args.first_day, args.last_day) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
