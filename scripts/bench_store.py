"""Section "store": the entry store against stock TinyDB on one JSON file, measured in one run.

Figures: the time to save one entry when the store already holds 1k, 10k and 100k entries
(p50 and p95), and `report --period year` over 100k entries. Each is measured beside a stock
`TinyDB(path)` (default `JSONStorage`, one file) holding the same entries. The data is a
CTO's log: ~12k entries a year, weekdays 08:00-18:00 in Europe/Berlin, activities drawn from
the framework's activity ids with a Zipf-like skew, some notes and labels. Everything lives in
a temporary folder that is removed at the end.

Run alone with: scripts/bench --only store
"""

from __future__ import annotations

import gc
import random
import shutil
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchlib import Figure, percentile, progress
from tinydb import TinyDB

from sec_desktop.analytics import Period, allocate, named_period, report_dict
from sec_desktop.framework import Framework, Level, load_framework
from sec_desktop.store import Entry, EntryStore

SECTION = "store"
DESCRIPTION = "save latency at 1k/10k/100k and the year report, beside stock TinyDB"

# The data set ------------------------------------------------------------------------------

SEED = 20261120
ZONE = ZoneInfo("Europe/Berlin")
END_DATE = date(2026, 11, 20)  # a Friday; the newest entries are logged on this day
DEVICE = "bench-laptop"
ENTRIES_PER_DAY_MIN, ENTRIES_PER_DAY_MAX = 40, 52  # mean 46 x ~261 weekdays = ~12k a year
WORKDAY_START_MIN, WORKDAY_END_MIN = 8 * 60, 18 * 60
ENTRY_MIN, ENTRY_MAX = 15, 60  # minutes
START_GRID_MIN = 5
LOGGED_AFTER_MAX_MIN = 30
ZIPF_EXPONENT = 1.1
NOTE_SHARE, LABEL_SHARE = 0.3, 0.25
SOURCES = ("calendar", "timer", "ping", "manual")
SOURCE_WEIGHTS = (4, 3, 2, 1)
NOTES = (
    "Weekly sync with the platform team",
    "Candidate debrief",
    "Prepared board slides on delivery metrics",
    "Incident review: checkout latency",
    "1:1, career growth plan",
    "Architecture review of the billing rewrite",
    "Vendor call about observability pricing",
    "Roadmap trade-offs with product",
)
LABELS = ("hiring", "incident", "board", "roadmap", "1:1", "budget", "security", "offsite")

# The runs ----------------------------------------------------------------------------------

SIZES = (1_000, 10_000, 100_000)
REPORT_SIZE = 100_000
REPORT_PROFILE = "default"
WARMUP_SAVES = 1  # the first save after opening parses the month (ours) or finds the next id


@dataclass(frozen=True)
class Plan:
    """How many samples each measurement takes; stock saves at 100k cost ~1 s each."""

    save_samples_ours: int
    save_samples_stock: dict[int, int]
    report_runs: int


PLAN_FULL = Plan(
    save_samples_ours=500,
    save_samples_stock={1_000: 300, 10_000: 100, 100_000: 60},
    report_runs=5,
)
PLAN_QUICK = Plan(
    save_samples_ours=50,
    save_samples_stock={1_000: 50, 10_000: 15, 100_000: 6},
    report_runs=2,
)

# The targets (from the issue) --------------------------------------------------------------

SAVE_P95_TARGET_MS = 5.0
SAVE_SPEEDUP_TARGET = 50.0


# Figures -----------------------------------------------------------------------------------


def size_label(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 else str(count)


# Data generation ---------------------------------------------------------------------------


def activity_weights(activity_ids: Sequence[str], rng: random.Random) -> list[float]:
    """Zipf-like weights over the activities in a random (seeded) order of popularity."""
    ranks = list(range(1, len(activity_ids) + 1))
    rng.shuffle(ranks)
    return [1.0 / rank**ZIPF_EXPONENT for rank in ranks]


class EntryFactory:
    """Seeded, realistic entries for one device; ids are seeded too, so runs are repeatable."""

    def __init__(self, framework: Framework, seed: int) -> None:
        self.rng = random.Random(seed)
        self.activity_ids = [n.id for n in framework.of_level(Level.ACTIVITY)]
        self.weights = activity_weights(self.activity_ids, self.rng)

    def entry_on(self, day: date) -> Entry:
        rng = self.rng
        duration_min = rng.randint(ENTRY_MIN, ENTRY_MAX)
        latest_start_min = WORKDAY_END_MIN - duration_min
        start_min = rng.randrange(WORKDAY_START_MIN, latest_start_min + 1, START_GRID_MIN)
        midnight = datetime(day.year, day.month, day.day, tzinfo=ZONE)
        start = (midnight + timedelta(minutes=start_min)).astimezone(UTC)
        end = start + timedelta(minutes=duration_min)
        logged = end + timedelta(minutes=rng.randint(0, LOGGED_AFTER_MAX_MIN))
        return Entry(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            start=start,
            end=end,
            tz=ZONE.key,
            activity=rng.choices(self.activity_ids, self.weights)[0],
            source=rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
            device=DEVICE,
            created=logged,
            updated=logged,
            labels=tuple(rng.sample(LABELS, rng.randint(1, 2)))
            if rng.random() < LABEL_SHARE
            else (),
            note=rng.choice(NOTES) if rng.random() < NOTE_SHARE else None,
        )

    def day(self, day: date) -> list[Entry]:
        count = self.rng.randint(ENTRIES_PER_DAY_MIN, ENTRIES_PER_DAY_MAX)
        return sorted((self.entry_on(day) for _ in range(count)), key=lambda e: e.start)

    def history(self, count: int, last_day: date) -> list[Entry]:
        """`count` entries on the weekdays up to `last_day`, oldest first."""
        days: list[list[Entry]] = []
        total = 0
        day = last_day
        while total < count:
            if day.weekday() < 5:
                days.append(self.day(day))
                total += len(days[-1])
            day -= timedelta(days=1)
        chronological = [e for batch in reversed(days) for e in batch]
        return chronological[-count:]


# Save timing -------------------------------------------------------------------------------


def time_calls_ms(calls: Sequence[Callable[[], object]]) -> list[float]:
    gc.collect()
    samples_ms = []
    for call in calls:
        started = time.perf_counter()
        call()
        samples_ms.append((time.perf_counter() - started) * 1000)
    return samples_ms


def save_ms_ours(data_dir: Path, new_entries: Sequence[Entry]) -> list[float]:
    """Saves into one store that stays open, as the app keeps it; the first is a warm-up."""
    store = EntryStore(data_dir, DEVICE)
    try:
        for entry in new_entries[:WARMUP_SAVES]:
            store.add(entry)
        todo = new_entries[WARMUP_SAVES:]
        return time_calls_ms([partial(store.add, entry) for entry in todo])
    finally:
        store.close()


def save_ms_stock(path: Path, new_docs: Sequence[dict[str, Any]]) -> list[float]:
    db = TinyDB(path)
    try:
        for doc in new_docs[:WARMUP_SAVES]:
            db.insert(doc)
        todo = new_docs[WARMUP_SAVES:]
        return time_calls_ms([partial(db.insert, doc) for doc in todo])
    finally:
        db.close()


def prefill_ours(data_dir: Path, entries: Sequence[Entry]) -> None:
    store = EntryStore(data_dir, DEVICE)
    try:
        store.add_many(entries)
    finally:
        store.close()


def prefill_stock(path: Path, docs: Sequence[dict[str, Any]]) -> None:
    db = TinyDB(path)
    try:
        db.insert_multiple(docs)
    finally:
        db.close()


def save_figures(count: int, ours_ms: list[float], stock_ms: list[float]) -> list[Figure]:
    figures = []
    for pct in (50, 95):
        ours = percentile(ours_ms, pct)
        is_target = count == REPORT_SIZE and pct == 95
        figures.append(
            Figure(
                metric=f"save p{pct} @{size_label(count)}",
                unit="ms",
                ours=ours,
                baseline=percentile(stock_ms, pct),
                target=f"< {SAVE_P95_TARGET_MS:g} ms" if is_target else None,
                met=ours < SAVE_P95_TARGET_MS if is_target else None,
            )
        )
    return figures


# Report timing -----------------------------------------------------------------------------


def report_ours(data_dir: Path, framework: Framework, period: Period) -> dict[str, Any]:
    """What `sec-desktop report --period year` does: a cold store, entries, allocate."""
    store = EntryStore(data_dir, DEVICE)
    try:
        entries = store.entries(period.start, period.end)
    finally:
        store.close()
    return report_dict(allocate(entries, framework, period, framework.profiles[REPORT_PROFILE]))


def report_stock(path: Path, framework: Framework, period: Period) -> dict[str, Any]:
    """The same report from a stock single file: read all, parse all, filter the period."""
    db = TinyDB(path)
    try:
        docs = db.all()
    finally:
        db.close()
    start, end = period.start, period.end
    entries = [
        e
        for e in (Entry.from_json(doc) for doc in docs)
        if not e.is_deleted and e.end > start and e.start < end
    ]
    entries.sort(key=lambda e: (e.start, e.end, e.id))
    return report_dict(allocate(entries, framework, period, framework.profiles[REPORT_PROFILE]))


def time_report_ms(compute: Callable[[], dict[str, Any]], runs: int) -> tuple[float, Any]:
    gc.collect()
    samples_ms = []
    result: dict[str, Any] = {}
    for _ in range(runs):
        started = time.perf_counter()
        result = compute()
        samples_ms.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples_ms), result


def report_figure(
    data_dir: Path, stock_path: Path, framework: Framework, runs: int
) -> tuple[Figure, int]:
    period = named_period("year", END_DATE, ZONE)
    ours_ms, ours = time_report_ms(lambda: report_ours(data_dir, framework, period), runs)
    stock_ms, stock = time_report_ms(lambda: report_stock(stock_path, framework, period), runs)
    assert ours == stock, "the store and the stock file disagree on the year report"
    figure = Figure(f"report --period year @{size_label(REPORT_SIZE)}", "ms", ours_ms, stock_ms)
    return figure, int(ours["entry_count"])


# Entries another device moved to another month leave versions in two months' files; a
# period read then also reads the other months its devices' moves logs list for them.
MOVED_COUNT = 1_000
MOVING_DEVICE = "bench-desktop"


def moved_report_figure(
    data_dir: Path, framework: Framework, runs: int, plain: Figure, plain_count: int
) -> Figure:
    """The year report after a second device moved MOVED_COUNT of the year's entries a
    month later, beside the same report before (the `report --period year` figure)."""
    period = named_period("year", END_DATE, ZONE)
    moved_dir = data_dir.parent / f"{data_dir.name}-moved"
    shutil.copytree(data_dir, moved_dir)
    mover = EntryStore(moved_dir, MOVING_DEVICE)
    try:
        in_year = mover.entries(period.start, period.end - timedelta(days=40))
        step = max(1, len(in_year) // MOVED_COUNT)
        picks = in_year[::step][:MOVED_COUNT]
        shift = timedelta(days=31)  # always into a later month's file
        mover.update_many(replace(e, start=e.start + shift, end=e.end + shift) for e in picks)
    finally:
        mover.close()
    ours_ms, report = time_report_ms(lambda: report_ours(moved_dir, framework, period), runs)
    # Moved within the year, so every entry is still counted once, none twice.
    assert report["entry_count"] == plain_count, "a moved entry was lost or counted twice"
    label = size_label(REPORT_SIZE)
    return Figure(
        f"report --period year @{label}, {MOVED_COUNT:,} moved by another device",
        "ms",
        ours_ms,
        plain.ours,
    )


def first_edit_ms(data_dir: Path, entry_ids: Sequence[str], index: Path | None) -> list[float]:
    """An edit in a store opened just before it, as the dashboard's first change after a
    start: find the entry's newest version anywhere, then save the new one."""
    samples_ms = []
    for entry_id in entry_ids:
        store = EntryStore(data_dir, DEVICE, id_index_path=index)
        try:
            gc.collect()
            started = time.perf_counter()
            current = store.get(entry_id)
            assert current is not None, f"entry {entry_id} is missing"
            store.update(replace(current, labels=(*current.labels, "edited")))
            samples_ms.append((time.perf_counter() - started) * 1000)
        finally:
            store.close()
    return samples_ms


def first_edit_figure(data_dir: Path, entries: Sequence[Entry], runs: int) -> Figure:
    """With the id index a previous run saved, beside the same store without one (which
    parses every shard to find the entry, as every first edit did before the index)."""
    index = data_dir.parent / "entry-ids.json"
    warm = EntryStore(data_dir, DEVICE, id_index_path=index)
    warm.get(entries[0].id)
    warm.close()
    step = max(1, len(entries) // (2 * runs + 1))
    picks = [entries[step * (i + 1)].id for i in range(2 * runs)]
    ours = first_edit_ms(data_dir, picks[:runs], index)
    without = first_edit_ms(data_dir, picks[runs:], None)
    label = size_label(len(entries))
    return Figure(
        f"first edit after a restart @{label}, median",
        "ms",
        statistics.median(ours),
        statistics.median(without),
    )


# One size ----------------------------------------------------------------------------------


@dataclass
class Workspace:
    root: Path
    framework: Framework
    history: list[Entry]
    new_entries: list[Entry]
    plan: Plan


def data_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*.json"))


def run_size(ws: Workspace, count: int, data: dict[str, Any]) -> list[Figure]:
    label = size_label(count)
    entries = ws.history[-count:]
    ours_dir = ws.root / f"ours-{label}"
    stock_path = ws.root / f"stock-{label}.json"
    progress(f"{label}: prefilling both stores with {count:,} entries")
    prefill_ours(ours_dir, entries)
    prefill_stock(stock_path, [e.to_json() for e in entries])
    data[label] = {"ours_bytes": data_bytes(ours_dir), "stock_bytes": data_bytes(stock_path)}
    figures: list[Figure] = []
    if count == REPORT_SIZE:
        progress(f"{label}: timing the year report, {ws.plan.report_runs} runs each")
        figure, year_entries = report_figure(
            ours_dir, stock_path, ws.framework, ws.plan.report_runs
        )
        data[label]["report_entry_count"] = year_entries
        figures.append(figure)
        progress(f"{label}: timing the year report after another device moved entries")
        figures.append(
            moved_report_figure(ours_dir, ws.framework, ws.plan.report_runs, figure, year_entries)
        )
        progress(f"{label}: timing the first edit after a restart, {ws.plan.report_runs} runs each")
        figures.append(first_edit_figure(ours_dir, entries, ws.plan.report_runs))
    ours_n = WARMUP_SAVES + ws.plan.save_samples_ours
    stock_n = WARMUP_SAVES + ws.plan.save_samples_stock[count]
    progress(f"{label}: timing {ours_n - WARMUP_SAVES} saves (ours)")
    ours_ms = save_ms_ours(ours_dir, ws.new_entries[:ours_n])
    progress(f"{label}: timing {stock_n - WARMUP_SAVES} saves (stock TinyDB)")
    stock_ms = save_ms_stock(stock_path, [e.to_json() for e in ws.new_entries[:stock_n]])
    return save_figures(count, ours_ms, stock_ms) + figures


def speedup_figure(figures: Sequence[Figure]) -> Figure:
    p95 = next(f for f in figures if f.metric == f"save p95 @{size_label(REPORT_SIZE)}")
    speedup = p95.ratio or 0.0
    return Figure(
        metric=f"save speed-up p95 @{size_label(REPORT_SIZE)}",
        unit="x",
        ours=speedup,
        target=f">= {SAVE_SPEEDUP_TARGET:g}x",
        met=speedup >= SAVE_SPEEDUP_TARGET,
    )


def run_all(root: Path, plan: Plan, data: dict[str, Any]) -> list[Figure]:
    framework = load_framework()
    factory = EntryFactory(framework, SEED)
    progress(f"generating {max(SIZES):,} entries ending {END_DATE.isoformat()}")
    history = factory.history(max(SIZES), END_DATE)
    new_count = WARMUP_SAVES + max(plan.save_samples_ours, *plan.save_samples_stock.values())
    new_entries = [factory.entry_on(END_DATE) for _ in range(new_count)]
    data["first_day"] = history[0].start.astimezone(ZONE).date().isoformat()
    data["last_day"] = END_DATE.isoformat()
    ws = Workspace(root, framework, history, new_entries, plan)
    figures = [f for count in SIZES for f in run_size(ws, count, data)]
    return [*figures, speedup_figure(figures)]


def run(root: Path, quick: bool, data: dict[str, Any]) -> list[Figure]:
    data["tinydb"] = version("tinydb")
    data["orjson"] = version("orjson")
    return run_all(root, PLAN_QUICK if quick else PLAN_FULL, data)
