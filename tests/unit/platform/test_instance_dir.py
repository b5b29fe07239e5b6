"""Where the single-instance socket and its lock live: a folder only this user can enter,
checked for owner, mode and links before it is trusted."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from sec_desktop.platform.single_instance import (
    ALREADY_RUNNING,
    CACHE_RUNTIME_SUBDIR,
    RUNTIME_SUBDIR,
    InstanceError,
    _check_socket_file,
    _InstanceLock,
    _remove_old_lock,
    lock_path,
    runtime_dir,
    server_name,
)

pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="Linux folders")

NOBODY = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")


def private(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def env_for(tmp_path: Path, runtime: Path | None) -> dict[str, str]:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    if runtime is not None:
        env["XDG_RUNTIME_DIR"] = str(runtime)
    return env


def fallback(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "sec-desktop" / CACHE_RUNTIME_SUBDIR


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_private_runtime_dir_is_used(tmp_path: Path) -> None:
    runtime = private(tmp_path / "run")
    folder = runtime_dir(env_for(tmp_path, runtime))
    assert folder == runtime / RUNTIME_SUBDIR
    assert mode(folder) == 0o700
    assert server_name(tmp_path / "data", env_for(tmp_path, runtime)).startswith(f"{folder}/")


def test_without_a_runtime_dir_a_private_cache_folder_is_made(tmp_path: Path) -> None:
    folder = runtime_dir(env_for(tmp_path, None))
    assert folder == fallback(tmp_path)
    assert mode(folder) == 0o700


@pytest.mark.parametrize("value", ["", "relative/run"])
def test_an_empty_or_relative_runtime_dir_is_not_used(tmp_path: Path, value: str) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_RUNTIME_DIR": value}
    assert runtime_dir(env) == fallback(tmp_path)


def test_a_runtime_dir_others_can_enter_is_not_trusted(tmp_path: Path) -> None:
    runtime = private(tmp_path / "run")
    runtime.chmod(0o755)
    assert runtime_dir(env_for(tmp_path, runtime)) == fallback(tmp_path)
    assert not (runtime / RUNTIME_SUBDIR).exists()


def test_a_symlinked_runtime_dir_is_not_trusted(tmp_path: Path) -> None:
    target = private(tmp_path / "elsewhere")
    (tmp_path / "run").symlink_to(target)
    assert runtime_dir(env_for(tmp_path, tmp_path / "run")) == fallback(tmp_path)
    assert not (target / RUNTIME_SUBDIR).exists()


def test_another_users_runtime_dir_is_not_trusted_and_the_fallback_is_checked_too(
    tmp_path: Path,
) -> None:
    # Seen as another user (the owner check takes the uid): the runtime folder and the cache
    # folder made by this process both belong to "someone else".
    runtime = private(tmp_path / "run")
    with pytest.raises(InstanceError, match="belongs to another user"):
        runtime_dir(env_for(tmp_path, runtime), uid=os.getuid() + 1)
    assert not (runtime / RUNTIME_SUBDIR).exists()


@as_root
def test_a_runtime_dir_owned_by_nobody_is_not_trusted(tmp_path: Path) -> None:
    runtime = private(tmp_path / "run")
    os.chown(runtime, NOBODY, NOBODY)
    assert runtime_dir(env_for(tmp_path, runtime)) == fallback(tmp_path)


@as_root
def test_our_folder_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    runtime = private(tmp_path / "run")
    squatted = private(runtime / RUNTIME_SUBDIR)
    os.chown(squatted, NOBODY, NOBODY)
    with pytest.raises(InstanceError, match=r"belongs to another user \(uid 65534\)"):
        runtime_dir(env_for(tmp_path, runtime))


def test_our_folder_as_a_symlink_is_refused(tmp_path: Path) -> None:
    runtime = private(tmp_path / "run")
    (runtime / RUNTIME_SUBDIR).symlink_to(private(tmp_path / "elsewhere"))
    with pytest.raises(InstanceError, match="is a symbolic link"):
        runtime_dir(env_for(tmp_path, runtime))


def test_our_folder_left_open_is_closed_again(tmp_path: Path) -> None:
    runtime = private(tmp_path / "run")
    ours = private(runtime / RUNTIME_SUBDIR)
    ours.chmod(0o755)
    assert runtime_dir(env_for(tmp_path, runtime)) == ours
    assert mode(ours) == 0o700


def test_a_socket_path_too_long_for_unix_sockets_is_refused(tmp_path: Path) -> None:
    runtime = private(tmp_path / ("r" * 90))
    with pytest.raises(InstanceError, match="longer than the 103 bytes"):
        server_name(tmp_path / "data", env_for(tmp_path, runtime))


def test_the_lock_is_removed_when_released(tmp_path: Path) -> None:
    name = str(private(tmp_path / "run") / "sec-desktop-x")
    lock = _InstanceLock(lock_path(name), os.getuid())
    lock.acquire()
    assert lock_path(name).exists()
    assert mode(lock_path(name)) == 0o600
    # A second holder (another open file, as another process would have) is refused.
    with pytest.raises(InstanceError, match=ALREADY_RUNNING):
        _InstanceLock(lock_path(name), os.getuid()).acquire()
    lock.release()
    assert not lock_path(name).exists()
    again = _InstanceLock(lock_path(name), os.getuid())
    again.acquire()
    again.release()


def test_a_symlink_as_the_lock_is_refused(tmp_path: Path) -> None:
    name = str(private(tmp_path / "run") / "sec-desktop-x")
    target = tmp_path / "victim-file"
    lock_path(name).symlink_to(target)
    with pytest.raises(InstanceError, match="symbolic link"):
        _InstanceLock(lock_path(name), os.getuid()).acquire()
    assert not target.exists()


@as_root
def test_a_lock_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    name = str(private(tmp_path / "run") / "sec-desktop-x")
    lock_path(name).touch()
    os.chown(lock_path(name), NOBODY, NOBODY)
    with pytest.raises(InstanceError, match="belongs to uid 65534"):
        _InstanceLock(lock_path(name), os.getuid()).acquire()


@as_root
def test_a_socket_path_that_is_a_link_or_anothers_is_refused(tmp_path: Path) -> None:
    run = private(tmp_path / "run")
    link = run / "sec-desktop-link"
    link.symlink_to(tmp_path / "anywhere")
    with pytest.raises(InstanceError, match="symbolic link"):
        _check_socket_file(str(link), os.getuid())
    plain = run / "sec-desktop-plain"
    plain.touch()
    with pytest.raises(InstanceError, match="not a socket"):
        _check_socket_file(str(plain), os.getuid())
    os.chown(plain, NOBODY, NOBODY)
    with pytest.raises(InstanceError, match="another user"):
        _check_socket_file(str(plain), os.getuid())


def test_old_lock_files_in_the_shared_temp_folder_are_removed_when_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    name = str(private(tmp_path / "run") / "0123456789abcdef")
    old = shared / "sec-desktop-0123456789abcdef.lock"
    old.touch()
    _remove_old_lock(name, os.getuid())
    assert not old.exists()
    # Someone else's file of that name is left alone.
    old.touch()
    _remove_old_lock(name, os.getuid() + 1)
    assert old.exists()
