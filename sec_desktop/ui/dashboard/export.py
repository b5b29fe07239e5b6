"""Exports of the shown period: a one-page PDF report, a PNG of the charts, CSV and JSON.

Every file is written atomically (temporary file, fsync, rename), so an export that fails
leaves any earlier file of that name as it was.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import orjson
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QImage,
    QPainter,
)

from sec_desktop.analytics.dashboard import summary_json
from sec_desktop.analytics.text import period_text
from sec_desktop.framework import Framework
from sec_desktop.interop.exports import export_csv, export_json, not_a_regular_file
from sec_desktop.privacy.notes import entries_for_export
from sec_desktop.store import Entry, atomic
from sec_desktop.ui.dashboard.report import (
    Fonts,
    ReportPage,
    charts_sheet_height,
    paint_charts_sheet,
)
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.dashboard.view import ViewData
from sec_desktop.ui.pdf import PDF_RESOLUTION_DPI, a4_writer

# The PDF's coordinates are CSS pixels (96 per inch), like the screen the charts were laid out
# for; text and shapes stay vector, so the resolution doesn't limit sharpness.
PDF_MARGIN_MM = 14.0
PDF_BODY_PT = 8.5
PNG_WIDTH_PX = 1000
PNG_SCALE = 2.0
PNG_BODY_PT = 10.0
PNG_PADDING_PX = 24


def write_export_file(path: Path, data: bytes) -> None:
    """Write a new file or replace a regular one whole; a link, pipe or device chosen in the
    save dialog is left as it is (a rename would replace it, not write through it)."""
    what = not_a_regular_file(path)
    if what is not None:
        raise OSError(f"{path} is {what}; choose a regular file")
    atomic.atomic_write_bytes(path, data)


def _base_font() -> QFont:
    return QFont(QGuiApplication.font())


def pdf_bytes(
    view: ViewData, framework: Framework, generated: datetime, *, name: str = "", company: str = ""
) -> bytes:
    """The one-page report as PDF bytes, painted with the light theme for printing; `name`
    and `company` (from the settings) say whose time it is."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = a4_writer(
        buffer,
        title=f"SEC allocation {period_text(view.period)}",
        landscape=False,
        margin_mm=PDF_MARGIN_MM,
    )
    painter = QPainter(writer)
    try:
        page = QRectF(writer.pageLayout().paintRectPixels(PDF_RESOLUTION_DPI))
        page.moveTo(0, 0)
        ReportPage(
            painter,
            page,
            view,
            framework,
            theme=ChartTheme.light(),
            fonts=Fonts.from_base(_base_font(), PDF_BODY_PT),
            name=name,
            company=company,
        ).paint(generated)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())


def write_pdf(
    path: Path,
    view: ViewData,
    framework: Framework,
    generated: datetime,
    *,
    name: str = "",
    company: str = "",
) -> Path:
    write_export_file(path, pdf_bytes(view, framework, generated, name=name, company=company))
    return path


def charts_image(view: ViewData, framework: Framework, theme: ChartTheme | None = None) -> QImage:
    """The domain, focus-area and trend charts at twice the pixels, for slides and documents."""
    fonts = Fonts.from_base(_base_font(), PNG_BODY_PT)
    content_width = PNG_WIDTH_PX - 2 * PNG_PADDING_PX
    height = charts_sheet_height(content_width, view, framework, fonts) + 2 * PNG_PADDING_PX
    size = QSize(round(PNG_WIDTH_PX * PNG_SCALE), round(height * PNG_SCALE))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(PNG_SCALE)
    theme = theme or ChartTheme.light()
    image.fill(theme.background)
    painter = QPainter(image)
    try:
        paint_charts_sheet(
            painter,
            QRectF(PNG_PADDING_PX, PNG_PADDING_PX, content_width, height),
            view,
            framework,
            theme=theme,
            fonts=fonts,
        )
    finally:
        painter.end()
    return image


def write_charts_png(
    path: Path, view: ViewData, framework: Framework, theme: ChartTheme | None = None
) -> Path:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # The stubs say bytes, but PySide6 takes the format name as str at run time.
    if not charts_image(view, framework, theme).save(buffer, "PNG"):  # type: ignore[call-overload]
        raise OSError(f"the chart image for {path} could not be encoded as PNG")
    buffer.close()
    write_export_file(path, bytes(data.data()))
    return path


def exported_entries(view: ViewData, *, include_notes: bool) -> list[Entry]:
    """The period's entries as `sec-desktop export` writes them: notes only when asked for."""
    return entries_for_export(view.entries, include_notes=include_notes)[0]


def write_csv(
    path: Path, view: ViewData, framework: Framework, *, include_notes: bool = False
) -> Path:
    """The period's entries, as `sec-desktop export --format csv [--include-notes]`."""
    entries = exported_entries(view, include_notes=include_notes)
    write_export_file(path, export_csv(entries, framework).encode("utf-8"))
    return path


def json_document(
    view: ViewData, framework: Framework, exported: datetime, *, include_notes: bool = False
) -> dict[str, object]:
    """`sec-desktop export --format json` of the period's entries, with the summary beside."""
    entries = exported_entries(view, include_notes=include_notes)
    doc: dict[str, object] = orjson.loads(export_json(entries, framework, exported))
    doc["period"] = {
        "from": view.period.first.isoformat(),
        "to": view.period.last.isoformat(),
        "time_zone": view.period.tz.key,
    }
    doc["summary"] = summary_json(view.data)
    return doc


def write_json(
    path: Path,
    view: ViewData,
    framework: Framework,
    exported: datetime,
    *,
    include_notes: bool = False,
) -> Path:
    document = json_document(view, framework, exported, include_notes=include_notes)
    write_export_file(path, orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    return path
