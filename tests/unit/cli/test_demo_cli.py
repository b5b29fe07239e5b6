"""`sec-desktop demo`: fills a throwaway folder, never a real one, and opens the dashboard."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest

from sec_desktop.cli.demo import CONFIG_SUBDIR, DEMO_MARKER
from sec_desktop.store import EntryStore

from .conftest import NOW, Runner


def demo_entries(folder: Path) -> list[Any]:
    marker = orjson.loads((folder / DEMO_MARKER).read_bytes())
    store = EntryStore(folder, marker["device"])
    try:
        return store.entries()
    finally:
        store.close()


def test_fills_a_folder_and_reports_on_it(cli: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = cli("demo", "--dir", str(folder), "--no-open")
    assert result.code == 0, result.err
    assert f"in {folder}" in result.out
    assert "report --period quarter" in result.out
    marker = orjson.loads((folder / DEMO_MARKER).read_bytes())
    assert marker["format"] == "sec-desktop/demo"
    assert marker["last_day"] == "2026-11-23"
    entries = demo_entries(folder)
    assert 10_000 <= len(entries) <= 14_000
    assert f"Demo data: {len(entries):,} entries" in result.out
    # Only time already spent, and the machine's config stays inside the demo folder.
    assert max(e.end for e in entries) <= NOW
    assert (folder / CONFIG_SUBDIR / "device.json").is_file()
    assert (folder / "shared" / "custom-profile").is_dir()

    report = cli("--data-dir", str(folder), "report", "--period", "quarter", "--format", "json")
    assert report.code == 0, report.err
    doc = json.loads(report.out)
    assert doc["entry_count"] > 1000
    assert doc["insights"]
    assert any(e["pings"] > 50 for e in doc["estimates"])
    custom = cli("--data-dir", str(folder), "report", "--profile", "custom")
    assert custom.code == 0, custom.err
    assert "profile: My targets" in custom.out
    # The table shows what the dashboard shows beside the allocation.
    assert "of working hours have entries" in custom.out
    assert "Random-ping estimates (95% interval" in custom.out
    assert "\nInsights\n" in custom.out


def test_the_user_data_folder_is_never_touched(
    cli: Runner, tmp_path: Path, isolated_dirs: dict[str, Path], shard_files: Any
) -> None:
    result = cli("demo", "--dir", str(tmp_path / "demo"), "--no-open")
    assert result.code == 0, result.err
    assert shard_files() == []
    assert not isolated_dirs["data"].exists()


def test_without_dir_a_new_temporary_folder_is_used(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = cli("demo", "--no-open")
    assert result.code == 0, result.err
    (folder,) = [p for p in tmp_path.iterdir() if p.name.startswith("sec-desktop-demo-")]
    assert str(folder) in result.out
    assert (folder / DEMO_MARKER).is_file()


def test_a_non_empty_folder_that_is_not_a_demo_is_refused(cli: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my own file")
    result = cli("demo", "--dir", str(folder), "--no-open")
    assert result.code == 2
    assert "is not empty and is not a demo folder" in result.err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_the_data_folder_itself_is_refused(
    cli: Runner, isolated_dirs: dict[str, Path], log: Any
) -> None:
    log("okr", "--start", "09:00", "--end", "10:00")
    result = cli("demo", "--dir", str(isolated_dirs["data"]), "--no-open")
    assert result.code == 2
    assert "is your data folder" in result.err


def test_a_file_is_refused(cli: Runner, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = cli("demo", "--dir", str(target), "--no-open")
    assert (result.code, "is a file" in result.err) == (2, True)


def test_an_earlier_demo_folder_is_refilled_not_doubled(cli: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    assert cli("demo", "--dir", str(folder), "--no-open").code == 0
    first = demo_entries(folder)
    again = cli("demo", "--dir", str(folder), "--no-open")
    assert again.code == 0, again.err
    second = demo_entries(folder)
    # The same seed and day give the same entries again, once each.
    assert [e.to_json() for e in second] == [e.to_json() for e in first]
    other_seed = cli("demo", "--dir", str(folder), "--no-open", "--seed", "9")
    assert other_seed.code == 0
    assert {e.id for e in demo_entries(folder)}.isdisjoint({e.id for e in first})


def test_a_demo_folder_holding_other_devices_entries_is_left_alone(
    cli: Runner, tmp_path: Path
) -> None:
    folder = tmp_path / "demo"
    assert cli("demo", "--dir", str(folder), "--no-open").code == 0
    stranger = folder / "entries" / "someone-elses-laptop"
    stranger.mkdir()
    (stranger / "2026-11.json").write_text("{}")
    result = cli("demo", "--dir", str(folder), "--no-open")
    assert result.code == 2
    assert "someone-elses-laptop" in result.err
    assert (stranger / "2026-11.json").read_text() == "{}"


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--years", "0"), "--years must be 1 to 20"), (("--seed", "-1"), "--seed must be 0")],
)
def test_bad_options_are_refused(
    cli: Runner, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    folder = tmp_path / "demo"
    result = cli("demo", "--dir", str(folder), "--no-open", *args)
    assert result.code == 2
    assert message in result.err
    assert not folder.exists()


def test_opens_the_dashboard_on_the_demo_folder(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sec_desktop.ui import dashboard

    calls: list[dict[str, Any]] = []

    def fake_run(**kwargs: Any) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr(dashboard, "run_dashboard_app", fake_run)
    folder = tmp_path / "demo"
    result = cli("demo", "--dir", str(folder))
    assert result.code == 0, result.err
    (call,) = calls
    assert call["data_dir"] == folder
    assert call["config_dir"] == folder / CONFIG_SUBDIR
    assert call["tz"].key == "Europe/Berlin"
