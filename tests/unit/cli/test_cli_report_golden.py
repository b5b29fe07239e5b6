"""`report`'s numbers stay those of the code before the start-up and decoding work: every
format and period, on fourteen months of varied entries (report_golden_data), compared byte
for byte with golden files that code wrote, through the fast decoding path and through the
full check alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from sec_desktop.store import entry as entry_module
from tests.unit.cli.conftest import Runner
from tests.unit.cli.report_golden_data import GOLDEN_DIR, NOW, REPORTS, write_data


@pytest.fixture
def golden_data(isolated_dirs: dict[str, Path]) -> Path:
    write_data(isolated_dirs["data"])
    return isolated_dirs["data"]


def run_reports(cli: Runner) -> dict[str, str]:
    outputs = {}
    for argv, name in REPORTS:
        result = cli("report", *argv, now=NOW)
        assert result.code == 0, result.err
        assert result.err == ""
        outputs[name] = result.out
    return outputs


def golden() -> dict[str, str]:
    return {name: (GOLDEN_DIR / name).read_text(encoding="utf-8") for _, name in REPORTS}


def test_reports_match_the_golden_files(cli: Runner, golden_data: Path) -> None:
    outputs = run_reports(cli)
    assert "Tracked: 20 h 52 min in 21 entries" in outputs["week.table"]  # the data is there
    for name, expected in golden().items():
        assert outputs[name] == expected, name


def test_the_full_check_alone_gives_the_same_reports(
    cli: Runner, golden_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path every entry took before the fast one: it must agree on every number."""
    calls = []

    def full_check_only(doc: dict[str, object]) -> None:
        calls.append(doc)

    monkeypatch.setattr(entry_module, "_well_formed_entry", full_check_only)
    outputs = run_reports(cli)
    assert calls  # the fast path was asked, and declined every document
    for name, expected in golden().items():
        assert outputs[name] == expected, name
