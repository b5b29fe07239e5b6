"""One A4 page as PDF, as the dashboard's report and the mindmap's job description print it."""

from __future__ import annotations

from PySide6.QtCore import QIODevice, QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

from sec_desktop import APP_NAME

PDF_RESOLUTION_DPI = 96


def a4_writer(device: QIODevice, *, title: str, landscape: bool, margin_mm: float) -> QPdfWriter:
    """A PDF writer on `device` for one A4 page with equal margins, titled and credited to
    the app, at the screen's resolution so fonts and line widths come out as on screen."""
    writer = QPdfWriter(device)
    writer.setTitle(title)
    writer.setCreator(APP_NAME)
    writer.setResolution(PDF_RESOLUTION_DPI)
    orientation = (
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            orientation,
            QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm),
            QPageLayout.Unit.Millimeter,
        )
    )
    return writer
