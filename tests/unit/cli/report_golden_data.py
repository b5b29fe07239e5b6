"""A seeded data folder for the report's golden comparison, and the reports it is read with.

Fourteen months of entries on two devices ending the day the CLI tests run (NOW): intervals
mostly back to back, across midnight and the DST changes, every level of the framework and one id it
lacks, labels, notes and unknown fields, ping sources, entries edited on the other device
(merged field by field), moved to another month, and deleted.

Run as a script to write the golden files with the `sec_desktop` on the path (they were
written so by the code from before the report's start-up and decoding work):
    PYTHONPATH=<that tree>:. python tests/unit/cli/report_golden_data.py
"""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sec_desktop.framework import Level, load_framework
from sec_desktop.store import Entry, EntryStore

# The CLI tests' clock: Monday 2026-11-23, 18:00 in Berlin.
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
FIRST = datetime(2025, 9, 20, 6, 0, tzinfo=UTC)
SEED = 18
SOURCES = ("prompt", "timer", "manual", "ping", "calendar", "import:timew")
# (argv after `report`, golden file name): the periods a user asks for, and a custom range.
REPORTS = [
    (["--period", period, "--format", fmt], f"{period}.{fmt}")
    for period in ("today", "week", "last-week", "month", "quarter", "year")
    for fmt in ("table", "json", "csv")
] + [
    (["--from", "2025-10-20", "--to", "2026-04-05", "--format", "json"], "range.json"),
    (["--period", "month", "--profile", "early-stage", "--format", "csv"], "early-stage.csv"),
]
GOLDEN_DIR = Path(__file__).parent.parent.parent / "fixtures" / "report_golden"


def _entry(rng: random.Random, device: str, start: datetime, minutes: int, activity: str) -> Entry:
    end = start + timedelta(minutes=minutes)
    logged = end + timedelta(minutes=rng.randint(0, 40))
    entry = Entry(
        id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        start=start,
        end=end,
        tz=rng.choice(("Europe/Berlin", "Europe/Berlin", "America/New_York")),
        activity=activity,
        source=rng.choice(SOURCES),
        device=device,
        created=logged,
        updated=logged,
        labels=tuple(rng.sample(("deep", "travel", "1:1"), rng.randint(0, 2))),
        note=rng.choice((None, None, None, "prep", "follow-up")),
    )
    if rng.random() < 0.05:
        entry = replace(entry, extra={"x_custom": rng.randint(0, 9)})
    return entry


def write_data(data_dir: Path) -> None:
    rng = random.Random(SEED)
    fw = load_framework()
    ids = [n.id for level in Level for n in fw.of_level(level)] + ["gone.activity"]
    weights = [1.0 / (1 + i % 17) for i in range(len(ids))]
    laptop, phone = [], []
    moment = FIRST
    while moment < NOW + timedelta(days=2):
        minutes = rng.randint(15, 90)
        device = laptop if rng.random() < 0.85 else phone
        activity = rng.choices(ids, weights)[0]
        device.append(
            _entry(rng, "laptop-1" if device is laptop else "phone-2", moment, minutes, activity)
        )
        moment += timedelta(minutes=minutes + rng.choice((0, 0, 5, 30, 240, 600)))
    clock = [FIRST]
    own = EntryStore(data_dir, "laptop-1", clock=lambda: clock[0])
    other = EntryStore(data_dir, "phone-2", clock=lambda: clock[0])
    clock[0] = NOW - timedelta(days=400)
    own.add_many(laptop)
    other.add_many(phone)
    # Later edits: the phone retags some laptop entries (two versions to merge), the laptop
    # retags, moves (to another month) and deletes others.
    clock[0] = NOW - timedelta(days=1)
    for entry in rng.sample(laptop, 60):
        current = other.get(entry.id) or entry
        other.update(replace(current, activity=rng.choices(ids, weights)[0]))
    for entry in rng.sample(laptop, 40):
        edit = replace(own.get(entry.id) or entry, activity=rng.choices(ids, weights)[0])
        own.update(edit)
    for entry in rng.sample(laptop, 8):
        shift = timedelta(days=rng.choice((-35, 40)))
        current = own.get(entry.id) or entry
        own.update(replace(current, start=current.start + shift, end=current.end + shift))
    for entry in rng.sample(laptop, 25):
        if own.get(entry.id) is not None:
            own.delete(entry.id)
    own.close()
    other.close()


def write_golden(out_dir: Path) -> None:
    """Each report's output on freshly written data, with the sec_desktop on the path."""
    import io
    import tempfile

    from sec_desktop.cli.main import main

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_data(root / "data")
        env = {
            "SEC_DESKTOP_DATA_DIR": str(root / "data"),
            "SEC_DESKTOP_CONFIG_DIR": str(root / "config"),
            "HOME": str(root),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
        for report_args, name in REPORTS:
            out, err = io.StringIO(), io.StringIO()
            argv = ["--tz", "Europe/Berlin", "report", *report_args]
            code = main(argv, now=lambda: NOW, env=env, out=out, err=err)
            if code != 0 or err.getvalue():
                raise SystemExit(f"{name}: exit {code}: {err.getvalue()}")
            (out_dir / name).write_text(out.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    write_golden(GOLDEN_DIR)
