"""`sec-desktop --self-test` without the tray: each check reports one line, a failure names
the check and its reason, and nothing of the user's (folders, keychain) is changed."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import keyring
import keyring.core
import pytest

import sec_desktop.framework.customization
import sec_desktop.privacy.keychain
from sec_desktop.cli.self_test import run_self_test
from sec_desktop.framework.model import Framework
from sec_desktop.store.entry import Entry
from sec_desktop.store.store import EntryStore
from tests.helpers.keyrings import LockedKeyring, MemoryKeyring, install

CHECK_NAMES = ("framework", "store", "notes encryption", "keyring", "time zones", "notifications")


def run(with_tray: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    code = run_self_test(out, with_tray=with_tray)
    return code, out.getvalue()


def check_lines(output: str) -> dict[str, str]:
    """Each check's line, by check name: "ok   <detail>" or "FAIL <detail>"."""
    lines: dict[str, str] = {}
    for line in output.splitlines():
        if line.startswith("  "):
            verdict, _, rest = line.strip().partition(" ")
            name, _, detail = rest.strip().partition(": ")
            lines[name] = f"{verdict} {detail}"
    return lines


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary-files folder that only this test uses (tempfile re-reads $TMPDIR)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert tempfile.gettempdir() == str(folder)
    return folder


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """keyring's process-wide backend is a dict for this test; the previous one comes back."""
    return install(monkeypatch, MemoryKeyring())


def test_passes_with_one_line_per_check(isolated_dirs: dict[str, Path]) -> None:
    code, output = run()
    assert code == 0, output
    assert output.splitlines()[-1] == "Self-test passed."
    assert "FAIL" not in output
    lines = check_lines(output)
    assert list(lines) == list(CHECK_NAMES)
    assert all(line.startswith("ok ") for line in lines.values()), lines
    assert lines["framework"].startswith("ok 3 domains, ")
    assert "AES-GCM" in lines["notes encryption"]
    # Without the tray part, Qt is neither checked nor reported.
    assert "Qt" not in lines
    assert "tray" not in lines


def test_a_notification_library_lost_from_the_build_fails_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sec_desktop.cli import self_test

    assert self_test.check_notification_library("linux") == "jeepney loads"
    monkeypatch.setitem(sys.modules, "windows_toasts", None)
    with pytest.raises(self_test.SelfTestFailure, match="windows_toasts is not in this build"):
        self_test.check_notification_library("win32")
    monkeypatch.setitem(sys.modules, "windows_toasts", ModuleType("windows_toasts"))
    # Loaded, but this is no Windows machine: reported, not failed.
    detail = self_test.check_notification_library("win32")
    assert detail == "windows_toasts loads; here: Windows toasts exist only on Windows"


def test_uses_its_own_temporary_folder_and_removes_it(
    isolated_dirs: dict[str, Path], private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[Path, list[str]]] = []
    init = EntryStore.__init__

    def recording_init(store: EntryStore, data_dir: Path, *args: Any, **kwargs: Any) -> None:
        opened.append((data_dir, sorted(p.name for p in data_dir.rglob("*"))))
        init(store, data_dir, *args, **kwargs)

    monkeypatch.setattr(EntryStore, "__init__", recording_init)
    code, output = run()

    assert code == 0, output
    # The store check opens a writer, then a reader that finds what the writer left.
    [(data_dir, _), (reader_dir, written)] = opened
    assert reader_dir == data_dir
    # The store wrote its files under the private temporary folder, not the user's.
    assert data_dir.parent.parent == private_tmp
    assert data_dir.parent.name.startswith("sec-desktop-self-test-")
    assert written, "the store check wrote nothing"
    assert not data_dir.exists()
    assert not list(private_tmp.glob("sec-desktop-self-test-*"))
    # The user's folders are as the test left them: data and config never created.
    assert not isolated_dirs["data"].exists()
    assert not isolated_dirs["config"].exists()
    assert not any(isolated_dirs["home"].iterdir())


def test_temporary_folder_is_removed_after_a_failure(
    private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sec_desktop.privacy.keychain, "known_backends", list)
    code, _ = run()
    assert code == 1
    assert not list(private_tmp.glob("sec-desktop-self-test-*"))


def test_keyring_metadata_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    # _check_keyring imports known_backends from sec_desktop.privacy.keychain when it runs.
    monkeypatch.setattr(sec_desktop.privacy.keychain, "known_backends", list)
    code, output = run()
    assert code == 1
    assert output.splitlines()[-1] == (
        "Self-test failed: keyring: no keyring backend is in this build "
        "(keyring's metadata is lost)"
    )
    lines = check_lines(output)
    assert lines["keyring"].startswith("FAIL ")
    # One failed check doesn't stop the others.
    assert lines["time zones"].startswith("ok ")


def test_framework_with_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    load_user_framework = sec_desktop.framework.customization.load_user_framework

    def with_problem(data_dir: Path) -> tuple[Framework, list[str]]:
        framework, _ = load_user_framework(data_dir)
        return framework, ["framework.json is missing Culture", "a band is out of range"]

    monkeypatch.setattr(sec_desktop.framework.customization, "load_user_framework", with_problem)
    code, output = run()
    assert code == 1
    assert output.splitlines()[-1] == (
        "Self-test failed: framework: framework.json is missing Culture; a band is out of range"
    )
    lines = check_lines(output)
    assert lines["framework"].startswith("FAIL ")
    assert lines["store"].startswith("ok ")


def test_framework_that_cannot_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(data_dir: Path) -> tuple[Framework, list[str]]:
        raise FileNotFoundError("sec_desktop/framework/data/sec.json")

    monkeypatch.setattr(sec_desktop.framework.customization, "load_user_framework", missing)
    code, output = run()
    assert code == 1
    assert output.splitlines()[-1] == (
        "Self-test failed: framework: FileNotFoundError: sec_desktop/framework/data/sec.json"
    )


@pytest.mark.parametrize(
    "read_back",
    [
        pytest.param(lambda entry: dataclasses.replace(entry, note="changed"), id="changed"),
        pytest.param(lambda entry: None, id="missing"),
    ],
)
def test_store_reads_back_something_else(
    monkeypatch: pytest.MonkeyPatch, read_back: Callable[[Entry], Entry | None]
) -> None:
    get = EntryStore.get

    def altered_get(store: EntryStore, entry_id: str, *, include_deleted: bool = False) -> object:
        entry = get(store, entry_id, include_deleted=include_deleted)
        assert entry is not None
        return read_back(entry)

    monkeypatch.setattr(EntryStore, "get", altered_get)
    code, output = run()
    assert code == 1
    last = output.splitlines()[-1]
    assert last.startswith(
        "Self-test failed: store: the entry read back differs from the one written: "
    )
    assert check_lines(output)["store"].startswith("FAIL ")


def test_several_failures_are_all_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sec_desktop.privacy.keychain, "known_backends", list)

    def missing(data_dir: Path) -> tuple[Framework, list[str]]:
        raise FileNotFoundError("sec.json")

    monkeypatch.setattr(sec_desktop.framework.customization, "load_user_framework", missing)
    code, output = run()
    assert code == 1
    last = output.splitlines()[-1]
    assert last.startswith("Self-test failed: framework: FileNotFoundError: sec.json; keyring: ")


def test_keyring_check_reads_but_never_writes(memory_keyring: MemoryKeyring) -> None:
    code, output = run()
    assert code == 0, output
    # The check did ask this keychain, and stored nothing in it.
    assert "MemoryKeyring, available" in check_lines(output)["keyring"]
    assert memory_keyring.values == {}


def test_keyring_check_leaves_an_existing_key_alone(memory_keyring: MemoryKeyring) -> None:
    stored = {("io.github.secdesktop.SecDesktop", "notes-key"): "not a notes key"}
    memory_keyring.values.update(stored)
    code, output = run()
    # A damaged key is the keychain's state on this machine, not a broken build.
    assert code == 0, output
    assert "MemoryKeyring, error" in check_lines(output)["keyring"]
    assert memory_keyring.values == stored


def test_locked_keychain_is_reported_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    keyring.set_keyring(LockedKeyring())
    code, output = run()
    assert code == 0, output
    assert check_lines(output)["keyring"].endswith("LockedKeyring, locked")


def test_checks_without_the_tray_load_no_qt(isolated_dirs: dict[str, Path]) -> None:
    # A fresh interpreter: this one may have Qt loaded by other tests already.
    code = (
        "import io, sys\n"
        "from sec_desktop.cli.self_test import run_self_test\n"
        "assert run_self_test(io.StringIO(), with_tray=False) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
