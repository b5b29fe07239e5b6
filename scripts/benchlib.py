"""Shared pieces of the benchmark sections: the Figure row, progress lines, the table.

Each `scripts/bench_<name>.py` is a section with `SECTION` (its name), `DESCRIPTION` and
`run(root: Path, quick: bool, data: dict[str, Any]) -> list[Figure]`; `scripts/bench` finds
them, runs them in a temporary folder and prints one table.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

BENCH_START_S = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - BENCH_START_S:6.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Figure:
    """One measured figure; `ratio` is baseline / ours, so above 1 means ours is faster."""

    metric: str
    unit: str
    ours: float
    baseline: float | None = None
    target: str | None = None
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.ours <= 0:
            return None
        return self.baseline / self.ours

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "unit": self.unit,
            "ours": round(self.ours, 4),
            "baseline": None if self.baseline is None else round(self.baseline, 4),
            "ratio": None if self.ratio is None else round(self.ratio, 2),
            "target": self.target,
            "met": self.met,
        }


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: a value that was really measured, never an interpolation."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def format_number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.1f}x"
    if value < 10:
        return f"{value:.2f}"
    if value < 1000:
        return f"{value:.1f}"
    return f"{value:.0f}"


def format_target(figure: Figure) -> str:
    if figure.target is None:
        return ""
    return f"{figure.target}: {'yes' if figure.met else 'no'}"


def table(figures: Sequence[Figure]) -> str:
    header = ("metric", "unit", "ours", "baseline", "ratio", "target")
    rows = [
        (
            f.metric,
            f.unit,
            format_number(f.ours, f.unit),
            format_number(f.baseline, f.unit),
            format_number(f.ratio, "x"),
            format_target(f),
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:5], widths[2:5], strict=True)]
        cells.append(row[5])
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def filesystem_of(path: Path) -> str:
    """The file system type of `path` (fsync costs differ a lot); Linux only."""
    mounts = Path("/proc/mounts")
    if not mounts.is_file():
        return "unknown"
    best, kind = "", "unknown"
    for line in mounts.read_text().splitlines():
        fields = line.split()
        if len(fields) >= 3 and str(path).startswith(fields[1]) and len(fields[1]) > len(best):
            best, kind = fields[1], fields[2]
    return kind


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
