"""`export --output` replaces a regular file or makes a new one, and nothing else: a symbolic
link, a named pipe, a device or a folder at that path is left as it is, with one sentence and
exit code 2 (as root, a rename would replace even /dev/null or /dev/stdout)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sec_desktop.cli.base import EXIT_BAD_INPUT
from tests.helpers.ids import OKR

pytestmark = pytest.mark.skipif(os.name != "posix", reason="links, pipes and device nodes")


def _refused(cli, target: Path, says: str) -> None:
    before = os.lstat(target)
    result = cli("export", "--format", "csv", "--output", str(target))
    assert result.code == EXIT_BAD_INPUT, result.err
    assert result.out == ""
    assert len(result.err_lines) == 1, result.err
    assert result.err.startswith(f"sec-desktop: --output {target} is {says}")
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    # No temp file was left beside it.
    assert [p.name for p in target.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.fixture(autouse=True)
def _one_entry(log) -> None:
    log(OKR, "--minutes", "30")


def test_a_symbolic_link_to_a_file_is_kept_and_so_is_its_target(cli, tmp_path) -> None:
    kept = tmp_path / "kept.csv"
    kept.write_text("precious")
    link = tmp_path / "export.csv"
    link.symlink_to(kept)
    _refused(cli, link, "a symbolic link")
    assert link.is_symlink()
    assert kept.read_text() == "precious"


def test_a_dangling_symbolic_link_is_refused(cli, tmp_path) -> None:
    link = tmp_path / "export.csv"
    link.symlink_to(tmp_path / "missing.csv")
    _refused(cli, link, "a symbolic link")
    assert not (tmp_path / "missing.csv").exists()


def test_a_link_like_dev_stdout_points_to_dash(cli, tmp_path) -> None:
    """/dev/stdout is a link to /proc/self/fd/1; a stand-in here, not the machine's own."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    _refused(cli, link, "a symbolic link")
    assert "--output -" in cli("export", "--format", "csv", "--output", str(link)).err


def test_a_named_pipe_is_refused_without_waiting_for_a_reader(cli, tmp_path) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    _refused(cli, fifo, "a named pipe")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_device_node_is_refused(cli, tmp_path) -> None:
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    _refused(cli, node, "a device")
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_a_folder_and_a_link_to_one_are_refused(cli, tmp_path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    _refused(cli, folder, "a folder")
    link = tmp_path / "link"
    link.symlink_to(folder)
    _refused(cli, link, "a symbolic link")


def test_a_regular_file_is_replaced_whole_and_private(cli, tmp_path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("old")
    target.chmod(0o644)
    result = cli("export", "--format", "csv", "--output", str(target))
    assert result.code == 0, result.err
    assert target.read_bytes() == cli("export", "--format", "csv").out.encode()
    mode = os.lstat(target).st_mode
    assert stat.S_ISREG(mode)
    assert stat.S_IMODE(mode) == 0o600


def test_dash_is_standard_output(cli, tmp_path) -> None:
    result = cli("export", "--format", "csv", "--output", "-")
    assert result.code == 0
    assert result.out.startswith("id,start,end")
    assert not (Path.cwd() / "-").exists()


def test_a_path_through_a_file_names_the_missing_folder(cli, tmp_path) -> None:
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "export.csv"
    result = cli("export", "--format", "csv", "--output", str(target))
    assert result.code == EXIT_BAD_INPUT
    assert f"the folder {target.parent} does not exist" in result.err
