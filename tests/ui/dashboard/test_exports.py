"""Exports of the shown period: the PDF report, the charts PNG, the entries CSV and the JSON."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

import orjson
import pypdf
import pytest
from PySide6.QtGui import QImage

from sec_desktop.analytics.dashboard import summary_json
from sec_desktop.analytics.text import pct
from sec_desktop.interop.exports import EXPORT_CSV_COLUMNS
from sec_desktop.store import EntryStore, atomic
from sec_desktop.ui.dashboard.export import PNG_SCALE, PNG_WIDTH_PX


@pytest.fixture
def month(make_window: Any, shown: Any) -> Any:
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    return window


def _pdf_text(path: Path) -> tuple[int, str]:
    reader = pypdf.PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Qt writes each word as its own text run and uses ligatures ("ﬁ"); read the page as one
    # line of plain words.
    return len(reader.pages), re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def test_the_pdf_is_one_page_with_the_period_numbers(
    month: Any, expected: Any, tmp_path: Path
) -> None:
    path = month.export_pdf(tmp_path / "report.pdf")
    assert path.read_bytes().startswith(b"%PDF-")
    pages, text = _pdf_text(path)
    assert pages == 1
    report = expected(month.period).report
    assert "March 2026" in text
    assert "2026-03-01 to 2026-03-31" in text
    assert f"profile: {report.profile.label}" in text
    for row in [*report.domains, *report.focus_areas]:
        assert f"{row.label} {pct(row.share)}" in text
        if row.verdict is not None:
            assert row.verdict.describe() in text
    for activity in report.activities[:3]:
        assert activity.label in text


def test_the_pdf_fits_a_long_period_on_one_page(
    make_window: Any, shown: Any, tmp_path: Path
) -> None:
    window = make_window()
    shown(window, lambda: window.set_period_kind("year"))
    pages, text = _pdf_text(window.export_pdf(tmp_path / "year.pdf"))
    assert pages == 1
    assert "2026-01-01 to 2026-12-31" in text


def test_the_png_holds_the_charts_at_twice_the_pixels(month: Any, tmp_path: Path) -> None:
    path = month.export_png(tmp_path / "charts.png")
    image = QImage(str(path))
    assert not image.isNull()
    assert image.width() == PNG_WIDTH_PX * PNG_SCALE
    assert image.height() > image.width() // 2
    # Not a blank sheet: the bars' colours are in it.
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 20


def test_the_csv_has_the_period_entries(
    month: Any, filled_store: EntryStore, tmp_path: Path
) -> None:
    path = month.export_csv(tmp_path / "entries.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == EXPORT_CSV_COLUMNS
    expected_ids = [e.id for e in filled_store.entries(month.period.start, month.period.end)]
    assert [r[0] for r in rows[1:]] == expected_ids
    assert len(expected_ids) > 100


def test_the_json_holds_the_summary_and_the_entries(
    month: Any, expected: Any, filled_store: EntryStore, tmp_path: Path
) -> None:
    path = month.export_json(tmp_path / "period.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    summary = json.loads(orjson.dumps(summary_json(expected(month.period))))
    assert doc["summary"] == summary
    assert doc["period"] == {"from": "2026-03-01", "to": "2026-03-31", "time_zone": "Europe/Berlin"}
    assert doc["format"] == "sec-desktop/export"
    ids = [e.id for e in filled_store.entries(month.period.start, month.period.end)]
    assert [e["id"] for e in doc["entries"]] == ids


def test_a_failed_export_leaves_the_old_file(
    month: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(OSError):
        month.export_pdf(tmp_path / "missing-folder" / "report.pdf")
    target = tmp_path / "exports" / "report.pdf"
    target.parent.mkdir()
    target.write_bytes(b"old report")

    def disk_full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    for export in (month.export_pdf, month.export_png, month.export_csv, month.export_json):
        with pytest.raises(OSError, match="No space left"):
            export(target)
        assert target.read_bytes() == b"old report"
    assert [p.name for p in target.parent.iterdir()] == ["report.pdf"]


def test_the_csv_neutralises_formula_cells(
    make_window: Any, shown: Any, filled_store: EntryStore, tmp_path: Path
) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    from sec_desktop.store import Entry

    # Saturday 14 March 2026, free in the generated weeks; as a hostile sec-json import left it.
    hostile = Entry.new(
        start=datetime(2026, 3, 14, 9, 0, tzinfo=UTC),
        end=datetime(2026, 3, 14, 10, 0, tzinfo=UTC),
        tz="Europe/Berlin",
        activity="-2+3+cmd|' /C calc'!A0",
        source="import:sec-json",
        device="test-laptop",
        labels=("=1+2",),
        note="@SUM(1)",
        now=datetime(2026, 3, 14, 10, 0, tzinfo=UTC),
    )
    filled_store.add(replace(hostile, id='=HYPERLINK("http://evil.example","x")'))
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    path = window.export_csv(tmp_path / "entries.csv", include_notes=True)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert "'" + hostile.note in cells
    assert "'" + hostile.activity in cells
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert [c for c in cells if c.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))] == []


@pytest.mark.skipif(os.name != "posix", reason="links and named pipes")
def test_an_export_never_replaces_a_link_or_a_pipe(month: Any, tmp_path: Path) -> None:
    """A rename would replace the link (or, for root, a device) itself, not write through it."""
    folder = tmp_path / "exports"
    folder.mkdir()
    kept = folder / "kept.csv"
    kept.write_text("precious")
    link = folder / "link.csv"
    link.symlink_to(kept)
    fifo = folder / "pipe.csv"
    os.mkfifo(fifo)
    for export in (month.export_pdf, month.export_png, month.export_csv, month.export_json):
        with pytest.raises(OSError, match="is a symbolic link; choose a regular file"):
            export(link)
        with pytest.raises(OSError, match="is a named pipe; choose a regular file"):
            export(fifo)
    assert link.is_symlink() and kept.read_text() == "precious"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in folder.iterdir()) == ["kept.csv", "link.csv", "pipe.csv"]
