"""The stored result of an import, byte for byte, against what the per-month path wrote.

`tests/fixtures/import/golden/*.json` holds the entry documents that importing the samples
below stored before the import was made fast (one `add_many` per month, every entry built
and validated twice). The faster path must store exactly the same documents; only the clock
stamp's counter may differ, since the whole import is now stamped by one clock reading
instead of one per month. Regenerate (only for an intended change) with
`SEC_DESKTOP_WRITE_GOLDEN=1 pytest tests/unit/interop/test_import_golden.py`.
"""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from sec_desktop.framework import Framework
from sec_desktop.interop import apply_plan, plan_import
from sec_desktop.store import EntryStore
from sec_desktop.store.hlc import Stamp
from sec_desktop.store.store import read_shard_file
from tests.helpers.ids import CUSTOMER

from .conftest import BERLIN, NOW

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "import" / "golden"
WORK = (
    ("Board", "Board deck review", ("board",)),
    ("Team", "1:1 with a lead", ("1:1",)),
    ("Ops", "Incident follow-up", ("incident", "outage")),
    ("Hiring", "Interview", ("hiring",)),
    ("Strategy", "OKR check-in", ("okr",)),
    ("Acme", "Kundenmigration \u2013 Phase 2 \u2713", ("customer", "Jürgen")),
    ("", "", ()),
)
TOGGL_HEADER = (
    *("User", "Email", "Project", "Description", "Start date", "Start time"),
    *("End date", "End time", "Duration", "Tags"),
)
TWICE = (
    *("Ana Ruiz", "ana@example.com", "Team", "Twice", "2026-03-02", "09:00:00"),
    *("2026-03-02", "10:00:00", "1:00:00", ""),
)


def _sample_spans(seed: int) -> list[tuple[datetime, datetime, tuple[str, str, tuple[str, ...]]]]:
    """Intervals over three years, crossing month ends and both DST changes of Berlin."""
    rng = random.Random(seed)
    spans = []
    moment = datetime(2023, 10, 28, 20, 0, tzinfo=UTC)
    for _ in range(260):
        length = timedelta(minutes=rng.choice((1, 7, 15, 45, 90, 60 * 9)))
        spans.append((moment, moment + length, rng.choice(WORK)))
        moment += length + timedelta(hours=rng.choice((0, 1, 5, 30, 24 * 4)))
    return spans


def _timew_stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def write_timew_sample(path: Path) -> None:
    items: list[dict[str, Any]] = []
    for index, (start, end, (project, title, tags)) in enumerate(_sample_spans(7)):
        item: dict[str, Any] = {"id": index + 1, "start": _timew_stamp(start)}
        item["end"] = _timew_stamp(end)
        if project or tags:
            item["tags"] = [project, *tags] if project else list(tags)
        if index % 5 == 0 and title:
            item["annotation"] = title
        items.append(item)
    # A forgotten timer of 70 days (split into pieces), one still running, one of zero length.
    long_start = datetime(2021, 1, 20, 9, tzinfo=UTC)
    items.append(
        {
            "id": 900,
            "start": _timew_stamp(long_start),
            "end": _timew_stamp(long_start + timedelta(days=70)),
            "tags": ["Ops", "on-call"],
        }
    )
    items.append({"id": 901, "start": "20261101T080000Z", "end": "20261101T080000Z"})
    items.append({"id": 902, "start": "20261123T160000Z", "tags": ["Board"]})
    lines = [orjson.dumps(item).decode() for item in items]
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def write_toggl_sample(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(TOGGL_HEADER)
        for start, end, (project, title, tags) in _sample_spans(11):
            local_start, local_end = start.astimezone(BERLIN), end.astimezone(BERLIN)
            seconds = int((end - start).total_seconds())
            writer.writerow(
                [
                    "Ana Ruiz",
                    "ana@example.com",
                    project,
                    title,
                    f"{local_start:%Y-%m-%d}",
                    f"{local_start:%H:%M:%S}",
                    f"{local_end:%Y-%m-%d}",
                    f"{local_end:%H:%M:%S}",
                    f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}",
                    ", ".join(tags),
                ]
            )
        # The same row twice: imported once, the repeat left out.
        writer.writerows([TWICE, TWICE])


def _stored_documents(store: EntryStore) -> list[dict[str, Any]]:
    """Every stored entry document, sorted by id, the stamp's counter set to zero."""
    docs = []
    for path in sorted((store.data_dir / "entries").rglob("*.json")):
        if path.name == "moves.json":
            continue
        for doc in read_shard_file(path):
            stamp = Stamp.parse(doc["stamps"])
            assert stamp.device == store.device_id
            assert stamp.wall_ms == int(NOW.timestamp() * 1000)
            docs.append({**doc, "stamps": Stamp(stamp.wall_ms, 0, stamp.device).text()})
    return sorted(docs, key=lambda d: d["id"])


@pytest.mark.parametrize(
    "case",
    [
        ("timew-sample.json", "timewarrior", write_timew_sample, 263),
        ("toggl-sample.csv", "toggl", write_toggl_sample, 261),
    ],
    ids=["timewarrior", "toggl"],
)
def test_an_import_stores_what_the_per_month_path_stored(
    tmp_path: Path,
    store: EntryStore,
    framework: Framework,
    case: tuple[str, str, Callable[[Path], None], int],
) -> None:
    name, fmt, writer, entries = case
    source = tmp_path / name
    writer(source)
    plan = plan_import(
        source,
        fmt,
        store=store,
        framework=framework,
        zone=BERLIN,
        now=NOW,
        default_activity=CUSTOMER,
        overlap_policy="keep",
    )
    assert apply_plan(plan, store) == entries
    stored = _stored_documents(store)
    golden = GOLDEN / f"{name}.stored.json"
    if os.environ.get("SEC_DESKTOP_WRITE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        lines = b",\n".join(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS) for doc in stored)
        golden.write_bytes(b"[\n" + lines + b"\n]\n")
    assert len(stored) == entries
    assert stored == orjson.loads(golden.read_bytes())
