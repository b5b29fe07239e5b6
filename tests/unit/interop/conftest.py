"""Shared pieces of the importer tests: the fixture files, a fixed clock, a store, options."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sec_desktop.framework import Framework, load_framework
from sec_desktop.interop import ImportOptions
from sec_desktop.store import EntryStore

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import"
BERLIN = ZoneInfo("Europe/Berlin")
# Monday 2026-11-23, 18:00 in Berlin: after every fixture row, before the 2027 calendar event.
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
DEVICE = "test-laptop"


def berlin(*parts: int) -> datetime:
    """A Berlin wall-clock time (first reading in a repeated hour) as UTC."""
    return datetime(*parts, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework()


@pytest.fixture
def options() -> ImportOptions:
    return ImportOptions(zone=BERLIN, now=NOW)


@pytest.fixture
def store(isolated_dirs: dict[str, Path]) -> EntryStore:
    opened = EntryStore(isolated_dirs["data"], DEVICE, clock=lambda: NOW)
    yield opened  # type: ignore[misc]
    opened.close()


@pytest.fixture
def write(tmp_path: Path):
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def make(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return make
