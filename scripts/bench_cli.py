"""Section "cli": the command line as a user runs it, beside Timewarrior on the same intervals.

The same 50,000 intervals over 5 years (15-60 minutes each, back to back through the day in
Europe/Berlin, up to now) are written in both tools' formats: Timewarrior's own data files
(`data/YYYY-MM.data`) and a `timew export` JSON that `sec-desktop import` reads. Figures:

- the import of that export, a whole process into a fresh data folder, keeping its verified
  backup (target: at most 3 s);
- `sec-desktop report --period week|month|year` beside `timew summary :week|:month|:year`,
  whole processes run alternately so both see the same machine (targets: the week within
  150 ms, the year no slower than Timewarrior);
- `sec-desktop --help`, the floor any command pays.

Before timing, the bench checks the numbers: every report's total and per-activity minutes
equal what the generated intervals give for the period, computed here independently, and
each total equals Timewarrior's for the same period. A report run on a cold cache and one
on a warm cache print the same JSON. A mismatch stops the bench.

Run alone with: scripts/bench --only cli
"""

from __future__ import annotations

import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from benchlib import Figure, percentile, progress

SECTION = "cli"
DESCRIPTION = "report week/month/year and a 50k-interval import as whole processes, beside timew"

INTERVALS = 50_000
SEED = 20261206
ZONE = ZoneInfo("Europe/Berlin")
DAY_START_MIN = 5 * 60
LENGTH_MIN, LENGTH_MAX = 15, 60  # minutes
GAP_MAX = 3
WEEK_TARGET_MS = 150.0
IMPORT_TARGET_S = 3.0
PERIODS = ("week", "month", "year")
# One tag per kind of work; the bench's rules file maps each to one activity, so the
# reference below can add the minutes up without the importer's word matching.
WORK = {
    "okr": "strategy.technology-planning.okr-management",
    "board": "strategy.stakeholder-management.board-communications",
    "incident": "execution.security-and-compliance.incident-response",
    "risk": "execution.security-and-compliance.risk-assessment",
    "roadmap": "execution.product-and-engineering-delivery.product-roadmap-execution",
    "hiring": "culture.team-development.talent-acquisition",
    "mentoring": "culture.team-development.technical-mentorship",
    "reading": "culture.personal-development.skill-development",
}
TIMEW_TOTAL = re.compile(r"^\s+(\d+):(\d\d):(\d\d)\s*$")


@dataclass(frozen=True)
class Plan:
    imports: int
    report_runs: int


PLAN_FULL = Plan(imports=3, report_runs=10)
PLAN_QUICK = Plan(imports=1, report_runs=3)


@dataclass(frozen=True)
class Interval:
    start: datetime  # UTC
    end: datetime
    tag: str


def generate(count: int, now: datetime) -> list[Interval]:
    """`count` intervals, newest first generated back from today, each day from 05:00
    local, never overlapping and never after `now`; returned oldest first."""
    rng = random.Random(SEED)
    tags = list(WORK)
    out: list[Interval] = []
    day = now.astimezone(ZONE).date()
    while len(out) < count:
        minute = DAY_START_MIN
        day_rows: list[Interval] = []
        while minute < 24 * 60 - LENGTH_MAX and len(out) + len(day_rows) < count:
            length = rng.randint(LENGTH_MIN, LENGTH_MAX)
            local = datetime(day.year, day.month, day.day, tzinfo=ZONE) + timedelta(minutes=minute)
            start = local.astimezone(UTC)
            end = start + timedelta(minutes=length)
            if end <= now:
                day_rows.append(Interval(start, end, rng.choice(tags)))
            minute += length + rng.randint(0, GAP_MAX)
        out.extend(day_rows)
        day -= timedelta(days=1)
    out.sort(key=lambda row: row.start)
    return out


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def write_timew_export(path: Path, rows: list[Interval]) -> None:
    """What `timew export` prints: one interval a line, the newest with id 1."""
    lines = [
        orjson.dumps(
            {"id": len(rows) - i, "start": _stamp(r.start), "end": _stamp(r.end), "tags": [r.tag]}
        ).decode()
        for i, r in enumerate(rows)
    ]
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def write_timew_db(db: Path, rows: list[Interval]) -> None:
    """Timewarrior's own data files: data/YYYY-MM.data, one `inc START - END # tag` line each."""
    data = db / "data"
    data.mkdir(parents=True)
    (db / "timewarrior.cfg").write_text("", encoding="utf-8")
    by_month: dict[str, list[str]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        by_month[f"{row.start:%Y-%m}"].append(
            f"inc {_stamp(row.start)} - {_stamp(row.end)} # {row.tag}\n"
        )
        counts[row.tag] += 1
    for month, lines in by_month.items():
        (data / f"{month}.data").write_text("".join(lines), encoding="utf-8")
    (data / "tags.data").write_bytes(orjson.dumps({t: {"count": n} for t, n in counts.items()}))


def write_rules(path: Path) -> None:
    path.write_text(
        "".join(
            f"[[rule]]\npattern = '^{tag}$'\nactivity = '{act}'\n\n" for tag, act in WORK.items()
        ),
        encoding="utf-8",
    )


def period_bounds(kind: str, today: date) -> tuple[datetime, datetime]:
    """The UTC span of the calendar period `kind` containing `today`, in ZONE."""
    if kind == "week":
        first = today - timedelta(days=today.weekday())
        after = first + timedelta(days=7)
    elif kind == "month":
        first = today.replace(day=1)
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    else:
        first, after = date(today.year, 1, 1), date(today.year + 1, 1, 1)

    def utc(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=ZONE).astimezone(UTC)

    return utc(first), utc(after)


def reference(rows: list[Interval], start: datetime, end: datetime) -> dict[str, float]:
    """Minutes per activity in [start, end), each interval clipped to it."""
    seconds: dict[str, float] = defaultdict(float)
    for row in rows:
        overlap = (min(row.end, end) - max(row.start, start)).total_seconds()
        if overlap > 0:
            seconds[WORK[row.tag]] += overlap
    return {activity: round(secs / 60.0, 2) for activity, secs in seconds.items()}


class Tools:
    """The two command lines, each with its own data and the same zone. `sec` is how
    `sec-desktop` is started: the venv's script, or a packaged app's executable."""

    def __init__(self, root: Path, timew_db: Path | None, sec: Sequence[str]) -> None:
        self.sec = list(sec)
        # An installed app has its bytecode compiled; without it every run would compile.
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env = dict(base, TZ=ZONE.key)
        self.env["SEC_DESKTOP_DATA_DIR"] = str(root / "data")
        self.env["SEC_DESKTOP_CONFIG_DIR"] = str(root / "config")
        self.timew_env = (
            dict(os.environ, TZ=ZONE.key, TIMEWARRIORDB=str(timew_db)) if timew_db else None
        )

    def run(self, command: list[str], env: dict[str, str]) -> tuple[float, str]:
        started = time.perf_counter()
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()[-800:]}")
        return elapsed, result.stdout

    def sec_run(self, *args: str) -> tuple[float, str]:
        return self.run([*self.sec, "--tz", ZONE.key, *args], self.env)

    def timew_run(self, *args: str) -> tuple[float, str]:
        assert self.timew_env is not None
        return self.run(["timew", *args], self.timew_env)


def timew_total_minutes(summary: str) -> float:
    """The grand total Timewarrior prints on its summary's last line, in minutes."""
    for line in reversed(summary.splitlines()):
        found = TIMEW_TOTAL.match(line)
        if found:
            h, m, s = (int(g) for g in found.groups())
            return round((h * 3600 + m * 60 + s) / 60.0, 2)
    return 0.0 if "No filtered data" in summary else float("nan")


def check_report(tools: Tools, rows: list[Interval], kind: str, today: date) -> dict[str, Any]:
    """Check one period's numbers against the reference and Timewarrior; return its JSON."""
    _, cold = tools.sec_run("report", "--period", kind, "--format", "json")
    _, warm = tools.sec_run("report", "--period", kind, "--format", "json")
    if cold != warm:
        raise RuntimeError(f"report --period {kind}: a second run printed other numbers")
    report = orjson.loads(warm)
    expected = reference(rows, *period_bounds(kind, today))
    got = {a["id"]: a["minutes"] for a in report["activities"]}
    if got != expected:
        raise RuntimeError(f"report --period {kind}: activities {got} != reference {expected}")
    total = round(sum(expected.values()), 2)
    if abs(report["total_minutes"] - total) > 0.02:
        raise RuntimeError(f"report --period {kind}: total {report['total_minutes']} != {total}")
    if tools.timew_env is not None:
        _, summary = tools.timew_run("summary", f":{kind}")
        timew_minutes = timew_total_minutes(summary)
        # Timewarrior prints whole seconds; the intervals are whole minutes, so totals agree.
        if abs(timew_minutes - total) > 0.02:
            raise RuntimeError(f"timew summary :{kind} total {timew_minutes} != ours {total}")
    return {"total_minutes": total, "activities": len(expected)}


def time_imports(
    root: Path, export: Path, rules: Path, plan: Plan, sec: Sequence[str]
) -> tuple[list[float], Path]:
    """Each import goes into a fresh data folder, as a first import does; the last is kept."""
    samples: list[float] = []
    kept = root / "imported"
    for run in range(plan.imports):
        folder = root / f"import-{run}"
        tools = Tools(folder, None, sec)
        elapsed, out = tools.sec_run(
            "import", str(export), "--from", "timew", "--rules", str(rules), "--no-default-rules"
        )
        if f"Imported {INTERVALS:,} entries" not in out:
            raise RuntimeError(f"import did not report {INTERVALS:,} entries: {out[-400:]}")
        samples.append(elapsed)
        if run == plan.imports - 1:
            folder.rename(kept)
        else:
            shutil.rmtree(folder)
    return samples, kept


def time_reports(tools: Tools, kind: str, runs: int) -> tuple[list[float], list[float]]:
    """`report --period kind` and `timew summary :kind`, alternately."""
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        ours.append(tools.sec_run("report", "--period", kind)[0])
        if tools.timew_env is not None:
            theirs.append(tools.timew_run("summary", f":{kind}")[0])
    return ours, theirs


@dataclass(frozen=True)
class Inputs:
    """The generated intervals and the files both tools read, made once per bench run."""

    rows: list[Interval]
    today: date
    export: Path
    rules: Path
    timew_db: Path | None


def prepare(root: Path) -> Inputs:
    now = datetime.now(UTC).replace(microsecond=0)
    progress(f"cli: generating {INTERVALS:,} intervals in both formats")
    rows = generate(INTERVALS, now)
    export, rules = root / "timew-export.json", root / "rules.toml"
    write_timew_export(export, rows)
    write_rules(rules)
    timew_db: Path | None = None
    if shutil.which("timew"):
        timew_db = root / "timewarrior"
        write_timew_db(timew_db, rows)
    else:
        progress("cli: timew is not installed; the reports are measured without their baseline")
    return Inputs(rows, now.astimezone(ZONE).date(), export, rules, timew_db)


def measure(
    root: Path,
    inputs: Inputs,
    plan: Plan,
    sec: Sequence[str],
    *,
    label: str,
    data: dict[str, Any],
) -> list[Figure]:
    """The import, `--help` and the three reports of `sec`, `label` prefixing the figures."""
    progress(f"cli: {label}import of {INTERVALS:,} timew intervals, {plan.imports} runs")
    import_s, kept = time_imports(root, inputs.export, inputs.rules, plan, sec)
    tools = Tools(kept, inputs.timew_db, sec)
    # Once each after the import, as a user would, so the timed runs below see warm files.
    data["checked"] = {
        kind: check_report(tools, inputs.rows, kind, inputs.today) for kind in PERIODS
    }
    help_s = [tools.sec_run("--help")[0] for _ in range(plan.report_runs)]
    figures = [
        Figure(
            f"{label}import {INTERVALS // 1000}k timew intervals (whole process)",
            "s",
            statistics.median(import_s),
            target=f"<= {IMPORT_TARGET_S:g} s every run",
            met=max(import_s) <= IMPORT_TARGET_S,
        ),
        Figure(
            f"{label}`sec-desktop --help` p50 (whole process)", "ms", percentile(help_s, 50) * 1000
        ),
    ]
    data.update(import_s=import_s, help_ms=[s * 1000 for s in help_s])
    for kind in PERIODS:
        progress(f"cli: {label}report --period {kind} beside timew summary :{kind}")
        ours, theirs = time_reports(tools, kind, plan.report_runs)
        ours_ms = percentile(ours, 50) * 1000
        theirs_ms = percentile(theirs, 50) * 1000 if theirs else None
        data[f"report_{kind}_ms"] = [s * 1000 for s in ours]
        data[f"timew_{kind}_ms"] = [s * 1000 for s in theirs]
        target, met = None, None
        if kind == "week":
            target, met = f"<= {WEEK_TARGET_MS:g} ms", ours_ms <= WEEK_TARGET_MS
        elif kind == "year" and theirs_ms is not None:
            target, met = "<= timew", ours_ms <= theirs_ms
        figures.append(
            Figure(
                f"{label}report --period {kind} p50 vs timew summary :{kind}",
                "ms",
                ours_ms,
                theirs_ms,
                target=target,
                met=met,
            )
        )
    return figures


def run(root: Path, quick: bool, data: dict[str, Any]) -> list[Figure]:
    inputs = prepare(root)
    data.update(
        intervals=len(inputs.rows),
        first_day=inputs.rows[0].start.astimezone(ZONE).date().isoformat(),
        last_day=inputs.rows[-1].start.astimezone(ZONE).date().isoformat(),
    )
    sec = [str(Path(sys.executable).with_name("sec-desktop"))]
    return measure(root, inputs, PLAN_QUICK if quick else PLAN_FULL, sec, label="", data=data)
