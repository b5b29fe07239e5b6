"""Section "privacy": what encrypting notes at rest costs, each figure beside plain notes.

Figures, on a year of realistic entries (bench_store's generator, 30% with notes):
- reading the year cold (a fresh store, every shard parsed), notes encrypted vs plain;
- saving one entry with a note (p95) into that year, encrypted vs plain;
- the pass that turns encryption on for the year, vs rewriting the same shards unchanged
  (its target is absolute: the user waits for it once).
The ratio is plain / encrypted, so 0.9 means encryption costs 10%.

Run alone with: scripts/bench --only privacy
"""

from __future__ import annotations

import gc
import shutil
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench_store import END_DATE, SEED, EntryFactory
from benchlib import Figure, percentile, progress

from sec_desktop.framework import load_framework
from sec_desktop.privacy.keychain import key_id_for
from sec_desktop.privacy.notes import encrypt_notes, rewrite_own_shards
from sec_desktop.store import Entry, EntryStore
from sec_desktop.store.notes_crypto import NoteCipher, write_marker

SECTION = "privacy"
DESCRIPTION = "encrypted notes: cold read, save p95 and the on-pass, beside plain notes"

DEVICE = "bench-laptop"
YEAR_ENTRIES = 12_000
QUICK_ENTRIES = 3_000
SAVES, QUICK_SAVES = 200, 60
READ_RUNS, QUICK_READ_RUNS = 9, 5
WARMUP_SAVES = 5
# Encryption may cost this much at most, as plain / encrypted (1 / 1.5 = 0.67).
READ_RATIO_TARGET = 0.67
SAVE_RATIO_TARGET = 0.67
# The on-pass is a one-off the user waits for (off the GUI thread): a year within 2 s.
PASS_TARGET_MS = 2000.0
MARKER_TIME = datetime(END_DATE.year, END_DATE.month, END_DATE.day, 18, tzinfo=UTC)


def fill(data_dir: Path, entries: Sequence[Entry], cipher: NoteCipher | None) -> None:
    if cipher is not None:
        write_marker(data_dir, enabled=True, key_id=cipher.key_id, device=DEVICE, now=MARKER_TIME)
    store = EntryStore(data_dir, DEVICE, cipher=cipher)
    try:
        store.add_many(entries)
    finally:
        store.close()


def time_ms(work: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def read_all(data_dir: Path, cipher: NoteCipher | None) -> None:
    store = EntryStore(data_dir, DEVICE, cipher=cipher)
    try:
        assert store.entries()
        assert not store.problems
    finally:
        store.close()


def cold_reads_ms(
    plain_dir: Path, sealed_dir: Path, cipher: NoteCipher, runs: int
) -> tuple[float, float]:
    """Best time of `runs` for a fresh store to read every entry, plain and encrypted taking
    turns; the best, not the median, since load from elsewhere only ever adds time."""
    plain, sealed = [], []
    for _ in range(runs):
        plain.append(time_ms(lambda: read_all(plain_dir, None)))
        sealed.append(time_ms(lambda: read_all(sealed_dir, cipher)))
    return min(plain), min(sealed)


def saves_p95_ms(
    plain_dir: Path, sealed_dir: Path, new: Sequence[Entry], cipher: NoteCipher
) -> tuple[float, float]:
    """p95 of saving one entry with a note into each folder, the two stores taking turns."""
    plain_store = EntryStore(plain_dir, DEVICE)
    sealed_store = EntryStore(sealed_dir, DEVICE, cipher=cipher)
    plain, sealed = [], []
    try:
        for entry in new[:WARMUP_SAVES]:
            plain_store.add(entry)
            sealed_store.add(entry)
        gc.collect()
        for entry in new[WARMUP_SAVES:]:
            for store, samples in ((plain_store, plain), (sealed_store, sealed)):
                started = time.perf_counter()
                store.add(entry)
                samples.append((time.perf_counter() - started) * 1000)
    finally:
        plain_store.close()
        sealed_store.close()
    return percentile(plain, 95), percentile(sealed, 95)


def unchanged(doc: dict[str, Any], _left: dict[str, list[str]]) -> dict[str, Any]:
    return dict(doc)


def passes_ms(
    root: Path, history: Sequence[Entry], cipher: NoteCipher, runs: int
) -> tuple[float, float]:
    """Best time of the on-pass over plain notes, and of rewriting the same shards with
    their documents unchanged (the I/O floor of any pass), on fresh copies, taking turns."""
    template = root / "pass-template"
    fill(template, history, None)
    rewrite, encrypt = [], []
    for run in range(runs):
        plain_copy, sealed_copy = root / f"rewrite-{run}", root / f"encrypt-{run}"
        shutil.copytree(template, plain_copy)
        shutil.copytree(template, sealed_copy)
        rewrite.append(time_ms(partial(rewrite_own_shards, plain_copy, DEVICE, unchanged)))
        encrypt.append(time_ms(partial(encrypt_notes, sealed_copy, DEVICE, cipher)))
    return min(rewrite), min(encrypt)


def ratio_figure(metric: str, encrypted: float, plain: float, target: float) -> Figure:
    # Figure.ratio is baseline / ours: plain / encrypted, below 1 being the cost.
    ratio = plain / encrypted if encrypted > 0 else 0.0
    return Figure(
        metric, "ms", encrypted, plain, target=f"ratio >= {target:g}", met=ratio >= target
    )


def run(root: Path, quick: bool, data: dict[str, Any]) -> list[Figure]:
    count = QUICK_ENTRIES if quick else YEAR_ENTRIES
    saves = QUICK_SAVES if quick else SAVES
    runs = QUICK_READ_RUNS if quick else READ_RUNS
    factory = EntryFactory(load_framework(), SEED)
    progress(f"privacy: generating {count:,} entries")
    history = factory.history(count, END_DATE - timedelta(days=1))
    new = []
    while len(new) < WARMUP_SAVES + saves:
        entry = factory.entry_on(END_DATE)
        if entry.note is not None:
            new.append(entry)
    key = bytes(range(32))
    cipher = NoteCipher(key, key_id_for(key))
    data["entries"] = count
    data["notes"] = sum(e.note is not None for e in history)

    plain_dir, sealed_dir = root / "plain", root / "sealed"
    progress("privacy: filling a plain and an encrypted data folder")
    fill(plain_dir, history, None)
    fill(sealed_dir, history, cipher)

    progress("privacy: cold reads")
    read_plain, read_sealed = cold_reads_ms(plain_dir, sealed_dir, cipher, runs)
    progress("privacy: saves with a note")
    save_plain, save_sealed = saves_p95_ms(plain_dir, sealed_dir, new, cipher)
    progress("privacy: the pass that turns encryption on")
    rewrite_ms, encrypt_ms = passes_ms(root, history, cipher, runs)
    label = f"{count // 1000}k entries"
    return [
        ratio_figure(
            f"read a year cold, encrypted vs plain ({label})",
            read_sealed,
            read_plain,
            READ_RATIO_TARGET,
        ),
        ratio_figure(
            f"save with a note p95, encrypted vs plain ({label})",
            save_sealed,
            save_plain,
            SAVE_RATIO_TARGET,
        ),
        Figure(
            f"encryption on-pass vs plain rewrite ({label})",
            "ms",
            encrypt_ms,
            rewrite_ms,
            target=f"< {PASS_TARGET_MS:g} ms",
            met=encrypt_ms < PASS_TARGET_MS,
        ),
    ]
