"""Run `sec-desktop` in-process with a fixed clock, captured output and the isolated folders."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sec_desktop.cli.main import main
from sec_desktop.store import Entry, device_id
from sec_desktop.store.store import read_shard_file

# Monday 2026-11-23, 18:00 in Berlin (CET, UTC+1).
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
TZ = "Europe/Berlin"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()

    @property
    def entry_id(self) -> str:
        """The id a successful `log` reports."""
        found = re.search(r"\[id ([0-9a-f-]{36})\]", self.out)
        assert found, f"no entry id in {self.out!r}"
        return found.group(1)


Runner = Callable[..., Result]


@pytest.fixture
def cli(isolated_dirs: dict[str, Path]) -> Runner:
    """`cli("log", "okr", ...)` runs main() with --tz Europe/Berlin and `now` fixed at NOW."""
    env = dict(os.environ)

    def run(*args: str, now: datetime = NOW, tz: str | None = TZ) -> Result:
        out, err = io.StringIO(), io.StringIO()
        argv = ["--tz", tz, *args] if tz else list(args)
        code = main(argv, now=lambda: now, env=env, out=out, err=err)
        result = Result(code, out.getvalue(), err.getvalue())
        assert "Traceback" not in result.out + result.err
        return result

    return run


@pytest.fixture
def log(cli: Runner) -> Callable[..., str]:
    """Log an entry that must be accepted; returns its id."""

    def run(*args: str) -> str:
        result = cli("log", *args)
        assert result.code == 0, result.err
        assert result.err == ""
        return result.entry_id

    return run


@pytest.fixture
def shard_files(isolated_dirs: dict[str, Path]) -> Callable[..., list[Path]]:
    """Every entries file under a data folder (the isolated one by default)."""

    def find(data_dir: Path | None = None) -> list[Path]:
        root = (data_dir or isolated_dirs["data"]) / "entries"
        return sorted(root.glob("*/*.json")) if root.is_dir() else []

    return find


@pytest.fixture
def stored(shard_files: Callable[..., list[Path]]) -> Callable[..., list[Entry]]:
    """The entries as the files on disk hold them, read without the CLI, sorted by start."""

    def read(data_dir: Path | None = None) -> list[Entry]:
        entries = [
            Entry.from_json(doc) for path in shard_files(data_dir) for doc in read_shard_file(path)
        ]
        return sorted(entries, key=lambda e: (e.start, e.id))

    return read


@pytest.fixture
def device(isolated_dirs: dict[str, Path]) -> str:
    """This machine's device id, as the CLI will use it."""
    return device_id(isolated_dirs["config"])
