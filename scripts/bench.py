"""Run the benchmark sections and print one table of figures.

Each `scripts/bench_<name>.py` is a section (see `benchlib`). Every figure that matters is
measured beside a baseline in the same run, on this machine, so the ratio is what to read.
All data lives in a temporary folder that is removed at the end.

Usage: scripts/bench [--quick] [--only NAME ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from benchlib import BENCH_START_S, Figure, filesystem_of, progress, table, write_json

SCRIPTS_DIR = Path(__file__).resolve().parent


def find_sections() -> dict[str, ModuleType]:
    sys.path.insert(0, str(SCRIPTS_DIR))
    # The tray and installer sections drive the e2e tests' X session helpers (tests/...).
    sys.path.insert(1, str(SCRIPTS_DIR.parent))
    sections: dict[str, ModuleType] = {}
    for path in sorted(SCRIPTS_DIR.glob("bench_*.py")):
        module = importlib.import_module(path.stem)
        sections[module.SECTION] = module
    # The store first: its figures were the first targets and the others build on them.
    return dict(sorted(sections.items(), key=lambda item: item[0] != "store"))


def machine_info(temp_root: Path) -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "temp_filesystem": filesystem_of(temp_root),
    }


def parse_args(argv: Sequence[str] | None, sections: dict[str, ModuleType]) -> argparse.Namespace:
    listing = "; ".join(f"{name}: {module.DESCRIPTION}" for name, module in sections.items())
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description=f"Measure SEC Desktop beside its baselines. Sections: {listing}.",
    )
    parser.add_argument("--quick", action="store_true", help="fewer samples, a smaller run")
    parser.add_argument(
        "--only", action="append", choices=sorted(sections), metavar="NAME", help="one section"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    sections = find_sections()
    args = parse_args(argv, sections)
    chosen = args.only or list(sections)
    figures: list[Figure] = []
    data: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sec-bench-") as temp:
        root = Path(temp)
        machine = machine_info(root)
        for name in chosen:
            progress(f"section {name}")
            section_root = root / name
            section_root.mkdir()
            data[name] = {}
            figures += sections[name].run(section_root, args.quick, data[name])
        progress("removing the temporary data")
    duration_s = time.perf_counter() - BENCH_START_S
    print(table(figures))
    missed = [f.metric for f in figures if f.met is False]
    targets = sum(1 for f in figures if f.met is not None)
    print(f"\ntargets met: {targets - len(missed)} of {targets}")
    for metric in missed:
        print(f"  missed: {metric}")
    mode = "quick" if args.quick else "full"
    print(f"\n{mode} run: {duration_s:.1f} s on {machine['cpu_count']} CPUs, {machine['platform']}")
    if args.json:
        document = {
            "machine": machine,
            "quick": args.quick,
            "sections": chosen,
            "duration_s": round(duration_s, 1),
            "data": data,
            "results": [f.as_json() for f in figures],
        }
        write_json(args.json, document)
        progress(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
