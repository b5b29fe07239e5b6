"""What an import reads: only regular files, and none larger than MAX_IMPORT_BYTES."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sec_desktop.interop import ImportFileError, ImportOptions, parse_file
from sec_desktop.interop.guess import guess_format
from sec_desktop.interop.records import MAX_IMPORT_BYTES

FORMATS = ["toggl", "timewarrior", "watson", "tagtime", "ics", "sec-json"]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_fifo_is_refused_without_waiting_for_a_writer(
    tmp_path: Path, options: ImportOptions, fmt: str
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # Reading it used to wait for a writer forever.
    with pytest.raises(ImportFileError, match="not a regular file"):
        parse_file(fifo, fmt, options)
    assert guess_format(fifo) is None


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_device_is_refused_without_reading_it(options: ImportOptions, fmt: str) -> None:
    # /dev/zero used to be read until memory ran out.
    with pytest.raises(ImportFileError, match="not a regular file"):
        parse_file(Path("/dev/zero"), fmt, options)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_larger_than_the_cap_is_refused(
    tmp_path: Path, options: ImportOptions, fmt: str
) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(MAX_IMPORT_BYTES + 1)  # sparse: no disk used
    with pytest.raises(ImportFileError, match="larger than 200 MB") as caught:
        parse_file(big, fmt, options)
    assert caught.value.line is None


def test_the_cap_is_generous() -> None:
    assert MAX_IMPORT_BYTES == 200 * 1024 * 1024
