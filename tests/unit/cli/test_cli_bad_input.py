"""Input the shell hands over broken (bytes that are not UTF-8, a folder named as a time zone)
and import files built to break a parser: one sentence that names the option or the file and
line, exit code 2, nothing stored, no traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from sec_desktop.cli.base import EXIT_BAD_INPUT
from tests.helpers.ids import OKR

from .test_cli_entry_point import _command

# What Python makes of the bytes ff fe in argv on a UTF-8 system (PEP 383).
NOT_UTF8 = "\udcff\udcfe"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["log", OKR, "--minutes", "10", "--note", f"ok {NOT_UTF8}"], "--note"),
        (["log", OKR, "--minutes", "10", "--label", "fine", "--label", NOT_UTF8], "--label"),
        (["log", f"okr{NOT_UTF8}", "--minutes", "10"], "the activity"),
        (["alias", "add", f"board{NOT_UTF8}", OKR], "the phrase"),
        (["alias", "add", "board", f"okr{NOT_UTF8}"], "the activity"),
    ],
)
def test_text_that_is_not_utf8_is_refused(cli, shard_files, isolated_dirs, args, option) -> None:
    result = cli(*args)
    assert result.code == EXIT_BAD_INPUT
    assert len(result.err_lines) == 1, result.err
    assert result.err.startswith(f"sec-desktop: {option} is not UTF-8 text")
    assert "byte 0xff" in result.err
    assert shard_files() == []
    assert not (isolated_dirs["data"] / "aliases.json").exists()


def test_a_data_folder_whose_path_is_not_utf8_is_refused(cli, tmp_path) -> None:
    folder = tmp_path / f"data{NOT_UTF8}"
    result = cli("--data-dir", str(folder), "log", OKR, "--minutes", "10")
    assert result.code == EXIT_BAD_INPUT
    assert result.err_lines == [
        "sec-desktop: the data folder's path is not UTF-8 text "
        f"(character {len(str(tmp_path)) + 6} is the byte 0xff); choose a folder with a UTF-8 name."
    ]
    assert not folder.exists()


def test_not_utf8_bytes_from_a_real_shell(isolated_dirs, tmp_path, shard_files) -> None:
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    run = subprocess.run(
        [*_command(), "--tz", "UTC", "log", "okr", "--minutes", "5", "--note", b"caf\xe9"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == EXIT_BAD_INPUT, run.stderr
    assert run.stderr.decode().startswith("sec-desktop: --note is not UTF-8 text")
    assert b"Traceback" not in run.stderr
    assert shard_files() == []


@pytest.mark.parametrize("zone", ["America", "Europe", "Etc", "zone.tab", "tzdata.zi", "UTC\0"])
def test_a_time_zone_that_is_a_folder_or_not_a_zone_exits_2(cli, zone: str) -> None:
    result = cli("framework", tz=zone)
    assert result.code == EXIT_BAD_INPUT
    assert result.err_lines == [
        f"sec-desktop: --tz {zone!r} is not an IANA time zone such as Europe/Berlin."
    ]


@pytest.mark.parametrize(
    ("fmt", "text", "line", "says"),
    [
        (
            "sec-json",
            '{"format": "sec-desktop/export",\n"version": ' + "9" * 5000,
            2,
            "5,000 digits",
        ),
        ("timewarrior", "[\n" + "[" * 50_000 + "]" * 50_000 + "]", 2, "nested too deeply"),
        ("watson", '[\n[1, 2, "p", "a", []],\n{"start": "9999-12-31T23:59:59-05:00"}]', 3, "no id"),
        ("watson", '[\n[1700000000, 1700000600, "p\\ud800", "a", []]]', 2, "half of a character"),
        (
            "watson",
            '[\n{"id": "a", "project": "p", "start": "2026-01-01T00:00:00+00:00",\n'
            '"stop": "9999-12-31T23:59:59-05:00"}]',
            2,
            "out of range",
        ),
    ],
)
def test_a_hostile_import_file_is_named_with_its_line(
    cli, tmp_path, shard_files, *, fmt: str, text: str, line: int, says: str
) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    result = cli("import", "--from", fmt, str(path), "--default", OKR)
    assert result.code == EXIT_BAD_INPUT, result.err
    assert f"{path}, line {line}: " in result.err
    assert says in result.err
    assert "unexpected" not in result.err
    assert shard_files() == []


@pytest.mark.parametrize(
    "times", [("--start", "", "--minutes", "10"), ("--start", "09:00", "--end", "")]
)
def test_an_empty_time_is_refused_not_taken_for_now(cli, stored, times) -> None:
    option = times[0] if times[1] == "" else times[2]
    result = cli("log", "okr", *times)
    assert result.code == 2
    assert f"{option} is empty" in result.err
    assert stored() == []


def test_an_aliases_file_nested_too_deeply_is_named_not_a_crash(
    cli, isolated_dirs: dict[str, Path]
) -> None:
    isolated_dirs["data"].mkdir(parents=True, exist_ok=True)
    (isolated_dirs["data"] / "aliases.json").write_text("[" * 100_000 + "]" * 100_000)
    result = cli("log", "okr", "--start", "09:00", "--minutes", "5")
    assert "unexpected error" not in result.err
    assert "aliases.json" in result.err and "nested too deeply" in result.err
