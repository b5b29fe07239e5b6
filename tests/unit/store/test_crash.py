"""Kill a writing process at random moments; no save it reported may be lost or torn.

The writer says what it is about to do ("adding", "updating", "deleting") and, only once the
store call has returned, what it did ("saved", "updated", "deleted"). After every SIGKILL the
data folder must parse file by file, nothing may have been quarantined, and a fresh store must
show each entry in a state the writer's lines allow: exactly the last reported one, or the one
an unfinished call was about to write.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sec_desktop
from sec_desktop.store.store import QUARANTINE_DIR, SHARD_NAME, EntryStore, read_shard_file

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="SIGKILL and select() on pipes"),
]

KILLS = 200
MAX_DELAY_S = 0.040
SEED = 20261123
DEVICE = "crash-dev"
READY_TIMEOUT_S = 30.0
OPS_PER_RUN = 400  # a bound in case a kill never comes; a run is killed long before

WRITER = r"""
import os
import random
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sec_desktop.store.entry import Entry
from sec_desktop.store.store import EntryStore

# The store loads these at its first write; loaded here, the kill window is spent writing.
import concurrent.futures, tempfile, uuid  # noqa: E401, F401
import sec_desktop.store.file_lock  # noqa: F401
import sec_desktop.store.notes_crypto  # noqa: F401


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def start_time(rng):
    # Spread over four months so that updates move entries between shards.
    return datetime(2026, rng.randint(1, 4), rng.randint(1, 28), rng.randint(0, 22), tzinfo=UTC)


def new_entry(rng):
    start = start_time(rng)
    return Entry.new(
        start=start,
        end=start + timedelta(minutes=rng.randint(5, 90)),
        tz="Europe/Berlin",
        activity="e.delivery",
        source="timer",
        device="crash-dev",
        note="v0",
    )


def main():
    rng = random.Random(int(sys.argv[1]))
    store = EntryStore(Path(os.environ["SEC_DESKTOP_DATA_DIR"]), "crash-dev")
    live = {}  # id -> (entry, version), entries this run added and still has
    say("ready")
    for _ in range(int(sys.argv[2])):
        roll = rng.random()
        if len(live) >= 2 and roll < 0.25:
            entry_id = rng.choice(sorted(live))
            entry, version = live[entry_id]
            start = start_time(rng)
            version += 1
            say(f"updating {entry_id} {version}")
            saved = store.update(
                replace(entry, start=start, end=start + timedelta(minutes=30), note=f"v{version}")
            )
            live[entry_id] = (saved, version)
            say(f"updated {entry_id} {version}")
        elif len(live) >= 2 and roll < 0.40:
            entry_id = rng.choice(sorted(live))
            say(f"deleting {entry_id}")
            store.delete(entry_id)
            del live[entry_id]
            say(f"deleted {entry_id}")
        else:
            # Sometimes a batch over several months: one write per month, in turn.
            batch = [new_entry(rng) for _ in range(1 if roll < 0.8 else rng.randint(2, 4))]
            ids = " ".join(e.id for e in batch)
            say(f"adding {ids}")
            store.add_many(batch)
            for e in batch:
                live[e.id] = (e, 0)
            say(f"saved {ids}")


main()
"""


class Expectations:
    """For every id the writer mentioned: the notes a fresh read may show (None: absent)."""

    def __init__(self) -> None:
        self.allowed: dict[str, set[str | None]] = {}
        self.reported = 0

    def apply(self, line: str) -> None:
        verb, *args = line.split()
        if verb == "ready":
            return
        self.reported += verb in {"saved", "updated", "deleted"}
        if verb == "adding":
            for entry_id in args:
                self.allowed[entry_id] = {None, "v0"}
        elif verb == "saved":
            for entry_id in args:
                self.allowed[entry_id] = {"v0"}
        elif verb == "updating":
            entry_id, version = args
            (current,) = self.allowed[entry_id]  # the writer only edits settled entries
            self.allowed[entry_id] = {current, f"v{version}"}
        elif verb == "updated":
            entry_id, version = args
            self.allowed[entry_id] = {f"v{version}"}
        elif verb == "deleting":
            (entry_id,) = args
            self.allowed[entry_id] = {*self.allowed[entry_id], None}
        elif verb == "deleted":
            (entry_id,) = args
            self.allowed[entry_id] = {None}
        else:
            raise AssertionError(f"unexpected writer line {line!r}")

    def check(self, data: Path) -> int:
        """Compare a fresh store with the expectations, then pin what it showed."""
        store = EntryStore(data, DEVICE)
        seen = {e.id: e.note for e in store.entries()}
        assert store.problems == [], [p.message() for p in store.problems]
        unknown = set(seen) - set(self.allowed)
        assert not unknown, f"entries nobody wrote: {sorted(unknown)}"
        for entry_id, allowed in self.allowed.items():
            observed = seen.get(entry_id)
            assert observed in allowed, (
                f"entry {entry_id}: found {observed!r}, the writer's lines allow {allowed!r}"
            )
            # The writer is dead: what is on disk now must stay so (no resurrection later).
            self.allowed[entry_id] = {observed}
        return len(self.allowed)


def check_files(data: Path) -> tuple[int, set[str]]:
    """Every shard parses on its own; nothing was quarantined. Returns (shards, temp files)."""
    assert not (data / QUARANTINE_DIR).exists(), "a file was quarantined: a torn write"
    shards = [p for p in (data / "entries").rglob("*") if SHARD_NAME.match(p.name)]
    for path in shards:
        read_shard_file(path)  # raises UnreadableFile on a torn or empty file
    temps = {p.name for p in (data / "entries").rglob(".*.tmp")}
    return len(shards), temps


def read_until_ready(proc: subprocess.Popen[bytes], deadline: float) -> bytes:
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    received = b""
    while b"ready\n" not in received:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "the writer never said it was ready"
        readable, _, _ = select.select([fd], [], [], remaining)
        if readable:
            chunk = os.read(fd, 65536)
            if not chunk:
                proc.wait(timeout=10)
                raise AssertionError(f"the writer exited with {proc.returncode} before ready")
            received += chunk
    return received


def read_to_end(proc: subprocess.Popen[bytes]) -> bytes:
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def run_once(
    script: Path, *, data: Path, stderr_path: Path, run: int, delay_s: float, env: dict[str, str]
) -> list[str]:
    """Start the writer, let it work for `delay_s` after it is ready, SIGKILL it."""
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, str(script), str(run), str(OPS_PER_RUN)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=data.parent,
        )
        try:
            output = read_until_ready(proc, time.monotonic() + READY_TIMEOUT_S)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=delay_s)  # a deadline that also notices an early death
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            output += read_to_end(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
            assert proc.stdout is not None
            proc.stdout.close()
    assert proc.returncode in (-signal.SIGKILL, 0), (
        f"writer failed ({proc.returncode}): {stderr_path.read_text(errors='replace')}"
    )
    text = output.decode()
    # A line is only trusted whole: a partial last line is dropped (it claims nothing extra).
    return text.splitlines() if text.endswith("\n") else text.splitlines()[:-1]


def test_sigkill_never_loses_or_tears_a_reported_save(
    tmp_path: Path, isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    data = isolated_dirs["data"]
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    repo_root = str(Path(sec_desktop.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["SEC_DESKTOP_DATA_DIR"] = str(data)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [repo_root, env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # nothing written next to the sources
    rng = random.Random(SEED)
    expectations = Expectations()
    began = time.monotonic()
    temps_seen: set[str] = set()
    verified = 0
    shards = 0
    for run in range(KILLS):
        lines = run_once(
            script,
            data=data,
            stderr_path=tmp_path / "writer.err",
            run=run,
            delay_s=rng.uniform(0, MAX_DELAY_S),
            env=env,
        )
        assert lines[:1] == ["ready"]
        for line in lines:
            expectations.apply(line)
        shards, temps = check_files(data)
        temps_seen |= temps
        verified += expectations.check(data)
        assert not (data / QUARANTINE_DIR).exists()
    elapsed = time.monotonic() - began

    final = EntryStore(data, DEVICE).entries()
    live = sum(1 for allowed in expectations.allowed.values() if allowed != {None})
    assert len(final) == live
    assert expectations.reported > KILLS, "the writer hardly got to write: the test proves little"
    with capsys.disabled():
        print(
            f"\ncrash test: {KILLS} SIGKILLs in {elapsed:.1f}s, {expectations.reported} "
            f"reported writes, {len(expectations.allowed)} ids tracked, {live} live entries "
            f"in {shards} shards, {verified} entry checks, {len(temps_seen)} temp files left by "
            "kills mid-write (all ignored), 0 torn files, 0 lost saves"
        )
