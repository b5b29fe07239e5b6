"""Section "interop": importing 50,000 rows, beside Timewarrior summarising the same intervals.

Figures: `sec-desktop import` (a real process, as a user runs it) of a generated 50,000-row
Toggl detailed CSV and of a 50,000-interval `timew export` JSON, each into a fresh data
folder, and the re-import of the Toggl file (which must add nothing). The baseline is the
time `timew summary` takes over the same 50,000 intervals in a throwaway TIMEWARRIORDB, whose
data files are written directly in Timewarrior's documented format (`data/YYYY-MM.data`, one
`inc START - END # tags` line per interval). Target (from the issue): each import under 5 s.

Run alone with: scripts/bench --only interop
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from benchlib import Figure, progress

from sec_desktop.interop.exports import TOGGL_COLUMNS

SECTION = "interop"
DESCRIPTION = "import 50k Toggl rows and 50k Timewarrior intervals, beside `timew summary`"

ROWS = 50_000
SEED = 20261124
ZONE = ZoneInfo("Europe/Berlin")
FIRST_DAY = date(2022, 1, 3)
INTERVALS_PER_DAY = 46
DAY_START_MIN = 8 * 60
INTERVAL_MIN, INTERVAL_MAX = 5, 15  # minutes
GAP_MAX = 3
TARGET_S = 5.0
DEFAULT_ACTIVITY = "execution.business-operations.customer-success-metrics"
# (project, description, tags): most are mapped by the shipped rules, "Acme" by --default.
WORK = (
    ("Board", "Board deck review", ("board",)),
    ("Team", "1:1 with a lead", ("1:1",)),
    ("Ops", "Incident follow-up", ("incident",)),
    ("Hiring", "Interview", ("hiring",)),
    ("Strategy", "OKR check-in", ("okr",)),
    ("Product", "Roadmap session", ("roadmap",)),
    ("Team", "Daily stand-up", ("standup",)),
    ("Acme", "Customer migration", ("customer",)),
)
# Toggl's own columns: the export's, without the SEC ones it adds.
TOGGL_HEADER = TOGGL_COLUMNS[: TOGGL_COLUMNS.index("SEC domain")]


@dataclass(frozen=True)
class Plan:
    runs: int


PLAN_FULL = Plan(runs=3)
PLAN_QUICK = Plan(runs=1)


@dataclass(frozen=True)
class Interval:
    start: datetime  # UTC
    end: datetime
    work: tuple[str, str, tuple[str, ...]]


def intervals(count: int) -> list[Interval]:
    """`count` back-to-back intervals on weekdays from 08:00 Berlin time, never overlapping."""
    rng = random.Random(SEED)
    out: list[Interval] = []
    day = FIRST_DAY
    while len(out) < count:
        if day.weekday() < 5:
            minute = DAY_START_MIN
            for _ in range(min(INTERVALS_PER_DAY, count - len(out))):
                length = rng.randint(INTERVAL_MIN, INTERVAL_MAX)
                local = datetime(day.year, day.month, day.day, tzinfo=ZONE)
                start = (local + timedelta(minutes=minute)).astimezone(UTC)
                out.append(Interval(start, start + timedelta(minutes=length), rng.choice(WORK)))
                minute += length + rng.randint(0, GAP_MAX)
        day += timedelta(days=1)
    return out


def write_toggl_csv(path: Path, rows: list[Interval]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(TOGGL_HEADER)
        for row in rows:
            start, end = row.start.astimezone(ZONE), row.end.astimezone(ZONE)
            seconds = int((row.end - row.start).total_seconds())
            project, description, tags = row.work
            writer.writerow(
                [
                    "Ana Ruiz",
                    "ana@example.com",
                    "",
                    project,
                    "",
                    description,
                    "No",
                    f"{start:%Y-%m-%d}",
                    f"{start:%H:%M:%S}",
                    f"{end:%Y-%m-%d}",
                    f"{end:%H:%M:%S}",
                    f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}",
                    ", ".join(tags),
                ]
            )


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _timew_tags(row: Interval) -> list[str]:
    project, _, tags = row.work
    return [project, *tags]


def write_timew_export(path: Path, rows: list[Interval]) -> None:
    """What `timew export` prints: one interval a line, the newest with id 1."""
    lines = []
    for index, row in enumerate(rows):
        doc = {
            "id": len(rows) - index,
            "start": _stamp(row.start),
            "end": _stamp(row.end),
            "tags": _timew_tags(row),
        }
        lines.append(orjson.dumps(doc).decode())
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def _timew_tag(tag: str) -> str:
    return f'"{tag}"' if any(c in tag for c in ' "#') else tag


def write_timew_db(db: Path, rows: list[Interval]) -> None:
    """Timewarrior's own data files: data/YYYY-MM.data, `inc START - END # tag tag`."""
    data = db / "data"
    data.mkdir(parents=True)
    (db / "timewarrior.cfg").write_text("", encoding="utf-8")
    by_month: dict[str, list[str]] = {}
    for row in rows:
        tags = " ".join(_timew_tag(t) for t in _timew_tags(row))
        line = f"inc {_stamp(row.start)} - {_stamp(row.end)} # {tags}\n"
        by_month.setdefault(f"{row.start:%Y-%m}", []).append(line)
    for month, lines in by_month.items():
        (data / f"{month}.data").write_text("".join(lines), encoding="utf-8")
    counts: dict[str, int] = {}
    for row in rows:
        for tag in _timew_tags(row):
            counts[tag] = counts.get(tag, 0) + 1
    (data / "tags.data").write_bytes(orjson.dumps({tag: {"count": n} for tag, n in counts.items()}))


def timed(command: list[str], env: dict[str, str], expect: str | None = None) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed: {result.stderr.strip()[-500:]}")
    if expect is not None and expect not in result.stdout:
        raise RuntimeError(f"{' '.join(command[:4])}: expected {expect!r} in its output")
    return elapsed


def sec_desktop_env(root: Path, name: str) -> dict[str, str]:
    env = dict(os.environ)
    env["SEC_DESKTOP_DATA_DIR"] = str(root / f"data-{name}")
    env["SEC_DESKTOP_CONFIG_DIR"] = str(root / f"config-{name}")
    return env


def import_command(path: Path, fmt: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sec_desktop",
        "--tz",
        ZONE.key,
        "import",
        str(path),
        "--from",
        fmt,
        "--default",
        DEFAULT_ACTIVITY,
    ]


def time_imports(root: Path, path: Path, fmt: str, runs: int, count: int) -> list[float]:
    """Each run imports into a fresh data folder, as a first import does."""
    samples = []
    for run in range(runs):
        env = sec_desktop_env(root, f"{fmt}-{run}")
        samples.append(timed(import_command(path, fmt), env, f"Imported {count:,} entries"))
        shutil.rmtree(env["SEC_DESKTOP_DATA_DIR"])
        shutil.rmtree(env["SEC_DESKTOP_CONFIG_DIR"])
    return samples


def time_timew_summary(db: Path, rows: list[Interval], runs: int) -> list[float]:
    env = dict(os.environ, TIMEWARRIORDB=str(db), TZ=ZONE.key)
    first = rows[0].start.astimezone(ZONE).date()
    last = rows[-1].start.astimezone(ZONE).date() + timedelta(days=1)
    command = ["timew", "summary", first.isoformat(), "-", last.isoformat(), ":ids"]
    return [timed(command, env) for _ in range(runs)]


def run(root: Path, quick: bool, data: dict[str, Any]) -> list[Figure]:
    plan = PLAN_QUICK if quick else PLAN_FULL
    timew = shutil.which("timew")
    progress(f"generating {ROWS:,} intervals")
    rows = intervals(ROWS)
    toggl_path = root / "toggl-50k.csv"
    timew_path = root / "timew-export-50k.json"
    write_toggl_csv(toggl_path, rows)
    write_timew_export(timew_path, rows)
    data["rows"] = ROWS
    data["first_day"] = rows[0].start.date().isoformat()
    data["last_day"] = rows[-1].start.date().isoformat()
    data["toggl_bytes"] = toggl_path.stat().st_size
    data["timew_export_bytes"] = timew_path.stat().st_size
    baseline: float | None = None
    if timew is None:
        progress("timew is not installed: the imports are measured without their baseline")
    else:
        db = root / "timewarriordb"
        write_timew_db(db, rows)
        progress(f"timing `timew summary` over {ROWS:,} intervals, {plan.runs} runs")
        baseline = statistics.median(time_timew_summary(db, rows, plan.runs))
        data["timew_version"] = subprocess.run(
            ["timew", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    figures = []
    for label, path, fmt in (
        ("Toggl CSV", toggl_path, "toggl"),
        ("Timewarrior export", timew_path, "timewarrior"),
    ):
        progress(f"timing `sec-desktop import` of the {ROWS:,}-row {label}, {plan.runs} runs")
        seconds = statistics.median(time_imports(root, path, fmt, plan.runs, ROWS))
        figures.append(
            Figure(
                metric=f"import {ROWS // 1000}k {label} (vs timew summary)",
                unit="s",
                ours=seconds,
                baseline=baseline,
                target=f"< {TARGET_S:g} s",
                met=seconds < TARGET_S,
            )
        )
    progress("timing a re-import of the Toggl CSV, which must add nothing")
    env = sec_desktop_env(root, "again")
    timed(import_command(toggl_path, "toggl"), env, f"Imported {ROWS:,} entries")
    again = statistics.median(
        timed(import_command(toggl_path, "toggl"), env, "Nothing new to import")
        for _ in range(plan.runs)
    )
    figures.append(
        Figure(
            metric=f"re-import {ROWS // 1000}k Toggl CSV, adds nothing (vs timew summary)",
            unit="s",
            ours=again,
            baseline=baseline,
            target=f"< {TARGET_S:g} s",
            met=again < TARGET_S,
        )
    )
    return figures
