"""The mindmap as files: a PNG at 2x, an SVG, and a one-page A4 PDF "job description".

They are painted with the light theme so they print well, with or without the time overlay.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from sec_desktop.analytics.text import duration, period_text
from sec_desktop.store.atomic import atomic_write_bytes
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.mindmap.items import MindmapScene
from sec_desktop.ui.mindmap.layout import DEFAULT_ASPECT, MindmapFonts
from sec_desktop.ui.mindmap.model import ROLE_ID, MindmapModel
from sec_desktop.ui.pdf import a4_writer

JOB_TITLE = "The CTO / CIO / CISO role: a job description"
PNG_SCALE = 2.0
PDF_MARGIN_MM = 12.0


def export_scene(model: MindmapModel, font: QFont, aspect: float = DEFAULT_ASPECT) -> MindmapScene:
    """The map painted with the light theme, for files that get printed or shared."""
    fonts = MindmapFonts.from_base(font)
    return MindmapScene(model, ChartTheme.light(), fonts, aspect=aspect)


def _discard(scene: MindmapScene) -> None:
    """Delete an export scene's items now, while the scene is certainly alive."""
    scene.items_by_id.clear()
    scene.clear()


def png_bytes(model: MindmapModel, font: QFont, scale: float = PNG_SCALE) -> bytes:
    scene = export_scene(model, font)
    source = scene.sceneRect()
    image = QImage(
        QSize(math.ceil(source.width() * scale), math.ceil(source.height() * scale)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.fill(scene.style_.theme.background)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, image.width(), image.height()), source)
    painter.end()
    _discard(scene)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 takes the format as str at run time; its stubs say bytes.
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise OSError("the map could not be encoded as PNG")
    buffer.close()
    return bytes(data.data())


def svg_bytes(model: MindmapModel, font: QFont, title: str = JOB_TITLE) -> bytes:
    scene = export_scene(model, font)
    source = scene.sceneRect()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(math.ceil(source.width()), math.ceil(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(title)
    generator.setDescription(_subtitle(model))
    painter = QPainter(generator)
    scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    painter.end()
    _discard(scene)
    buffer.close()
    return bytes(data.data())


def _subtitle(model: MindmapModel) -> str:
    base = f"{model.framework_name}: Strategy, Execution, Culture"
    if not model.overlay or model.period is None:
        return base
    profile = f", bands of the {model.profile.label} profile" if model.profile else ""
    return (
        f"{base}. Time in {period_text(model.period)}: {duration(model.total_seconds)} "
        f"tracked{profile}."
    )


LEGEND_OVERLAY = (
    "Bubble area: share of tracked time. Colour where a band exists: "
    "\u25bc below, \u2713 within, \u25b2 above the band. Dashed: no time in the period."
)


def _domains_in_words(model: MindmapModel) -> str:
    """ "Strategy: forward-looking ... Execution: ...": the job in one line per domain."""
    parts = []
    for domain in model.children(ROLE_ID):
        text = domain.description.strip().rstrip(".")
        parts.append(f"{domain.label}: {text[:1].lower()}{text[1:]}." if text else domain.label)
    return "  ".join(parts)


def pdf_bytes(model: MindmapModel, font: QFont, title: str = JOB_TITLE) -> bytes:
    """One A4 landscape page: the title, the map scaled to fit, and a legend."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = a4_writer(buffer, title=title, landscape=True, margin_mm=PDF_MARGIN_MM)
    painter = QPainter(writer)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    page = QRectF(painter.viewport())
    theme = ChartTheme.light()
    title_font = QFont(font)
    title_font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.8)
    title_font.setBold(True)
    body_font = QFont(font)
    body_font.setPointSizeF(max(font.pointSizeF(), 9.0))
    painter.setPen(theme.text)
    painter.setFont(title_font)
    title_h = QFontMetricsF(title_font).height()
    painter.drawText(
        QRectF(page.left(), page.top(), page.width(), title_h),
        int(Qt.AlignmentFlag.AlignLeft),
        title,
    )
    painter.setFont(body_font)
    body_h = QFontMetricsF(body_font).height()
    sub_top = page.top() + title_h + 4
    painter.drawText(
        QRectF(page.left(), sub_top, page.width(), body_h * 2),
        int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
        _subtitle(model),
    )
    legend = LEGEND_OVERLAY if model.overlay else _domains_in_words(model)
    legend_h = body_h * 3
    map_top = sub_top + body_h * 2 + 8
    target = QRectF(page.left(), map_top, page.width(), page.bottom() - legend_h - 8 - map_top)
    # Laid out for the page's shape, so the map fills it.
    scene = export_scene(model, font, target.width() / max(1.0, target.height()))
    scene.render(painter, target, scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
    painter.setPen(theme.muted_text)
    painter.drawText(
        QRectF(page.left(), page.bottom() - legend_h, page.width(), legend_h),
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap),
        legend,
    )
    painter.end()
    _discard(scene)
    buffer.close()
    return bytes(data.data())


def export_file(model: MindmapModel, path: Path, font: QFont) -> None:
    """Write the map as PNG, SVG or PDF by the file's suffix, atomically."""
    suffix = path.suffix.lower()
    makers: dict[str, Callable[[MindmapModel, QFont], bytes]] = {
        ".png": png_bytes,
        ".svg": svg_bytes,
        ".pdf": pdf_bytes,
    }
    if suffix not in makers:
        raise ValueError(
            f"{path.name}: export as .png, .svg or .pdf, not {suffix or 'no suffix'!r}"
        )
    atomic_write_bytes(path, makers[suffix](model, font))
