"""Write the tray and app icons: SVG sources and PNG fallbacks, from one drawing.

The mark is a ring in three arcs, one per SEC domain (Strategy, Execution, Culture), with a
dark outline inside and out so it reads on light and dark panels alike. Tray states add a
centre dot (a timer runs), grey the ring (snoozed) or add a badge (a prompt waits).

The app drawing also becomes the installers' icons in packaging/icons/: the SVG for Linux, a
multi-size .ico for Windows and an .icns for macOS, each size rendered from the SVG by Qt rather
than scaled down from one large bitmap.

Usage: scripts/make_icons.py  (rewrites sec_desktop/resources/icons/ and packaging/icons/)
"""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from sec_desktop import APP_ID

if TYPE_CHECKING:
    from PySide6.QtGui import QImage
    from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
ICON_DIR = ROOT / "sec_desktop" / "resources" / "icons"
PACKAGING_ICON_DIR = ROOT / "packaging" / "icons"
# File name -> drawing state, for the icons the app itself loads.
ICON_STATES = MappingProxyType(
    {
        "app": "normal",
        "tray": "normal",
        "tray-timer": "timer",
        "tray-snoozed": "snoozed",
        "tray-attention": "attention",
    }
)
APP_STATE = ICON_STATES["app"]
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
# Each tray size a panel asks for at the common scales (22 px at 1.5x is 33, at 2x 44, at
# 3x 66): the tray loads these PNGs only, never the SVG (QtSvg stays unloaded).
TRAY_PNG_SIZES = (16, 22, 24, 32, 36, 44, 48, 64, 72, 96, 128)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Pixel sizes in an .icns: 16-512 points at 1x and 2x (Pillow writes the slots macOS reads).
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)
DOMAIN_COLOURS = ("#2F7BEA", "#11A672", "#E8A013")  # Strategy, Execution, Culture
SNOOZED_COLOUR = "#9AA3AF"
OUTLINE = "#1B2430"
BADGE = "#E5484D"
CENTRE, RADIUS, WIDTH, GAP_DEG = 32.0, 20.0, 11.0, 14.0


def _arc(start_deg: float, end_deg: float, colour: str) -> str:
    def point(deg: float) -> tuple[float, float]:
        rad = math.radians(deg - 90)  # 0 degrees at twelve o'clock, clockwise
        return CENTRE + RADIUS * math.cos(rad), CENTRE + RADIUS * math.sin(rad)

    (x1, y1), (x2, y2) = point(start_deg), point(end_deg)
    large = 1 if end_deg - start_deg > 180 else 0
    path = f"M{x1:.3f} {y1:.3f} A{RADIUS} {RADIUS} 0 {large} 1 {x2:.3f} {y2:.3f}"
    # Outline first (wider, dark), then the colour on top: legible on any panel.
    return (
        f'<path d="{path}" fill="none" stroke="{OUTLINE}" stroke-width="{WIDTH + 3}" '
        f'stroke-linecap="round"/>\n'
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{WIDTH}" '
        f'stroke-linecap="round"/>\n'
    )


def drawing(state: str) -> str:
    colours = (SNOOZED_COLOUR,) * 3 if state == "snoozed" else DOMAIN_COLOURS
    parts = []
    for index, colour in enumerate(colours):
        start = index * 120 + GAP_DEG / 2 + 6
        parts.append(_arc(start, start + 120 - GAP_DEG - 12, colour))
    if state == "timer":
        parts.append(
            f'<circle cx="{CENTRE}" cy="{CENTRE}" r="7.5" fill="#FFFFFF" '
            f'stroke="{OUTLINE}" stroke-width="3"/>\n'
        )
    if state == "snoozed":
        z_path = "M25 25h14l-14 14h14"
        for stroke, width in ((OUTLINE, 7), ("#FFFFFF", 3.5)):
            parts.append(
                f'<path d="{z_path}" fill="none" stroke="{stroke}" stroke-width="{width}" '
                'stroke-linejoin="round" stroke-linecap="round"/>\n'
            )
    if state == "attention":
        parts.append(
            f'<circle cx="51" cy="13" r="10" fill="{BADGE}" stroke="#FFFFFF" stroke-width="3"/>\n'
        )
    body = "".join(parts)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">\n'
        f"<title>SEC Desktop ({state})</title>\n{body}</svg>\n"
    )


def _render(renderer: QSvgRenderer, size: int) -> QImage:
    """The drawing at size x size pixels, antialiased on a transparent ground."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def _png_bytes(image: QImage) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImageWriter

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"PNG"))
    if not writer.write(image):
        raise RuntimeError(f"PNG encoding failed: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def write_app_icons(svg: str, renderer: QSvgRenderer, folder: Path) -> list[Path]:
    """Write <APP_ID>.svg, .ico and .icns into folder; return their paths."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    svg_path = folder / f"{APP_ID}.svg"
    svg_path.write_text(svg, encoding="utf-8")
    images = {
        size: Image.open(io.BytesIO(_png_bytes(_render(renderer, size)))).convert("RGBA")
        for size in sorted({*ICO_SIZES, *ICNS_SIZES})
    }
    # Pillow scales the first image down for any size it is not handed, so every size is handed
    # over: small sizes rendered from the vector stay crisp where a scaled bitmap would blur.
    ico_path = folder / f"{APP_ID}.ico"
    images[max(ICO_SIZES)].save(
        ico_path,
        format="ICO",
        sizes=[(size, size) for size in ICO_SIZES],
        append_images=[images[size] for size in ICO_SIZES],
    )
    icns_path = folder / f"{APP_ID}.icns"
    images[max(ICNS_SIZES)].save(
        icns_path, format="ICNS", append_images=[images[size] for size in ICNS_SIZES]
    )
    return [svg_path, ico_path, icns_path]


def main() -> int:
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    for name, state in ICON_STATES.items():
        svg = drawing(state)
        (ICON_DIR / f"{name}.svg").write_text(svg, encoding="utf-8")
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        sizes = PNG_SIZES if name == "app" else TRAY_PNG_SIZES
        for size in sizes:
            _render(renderer, size).save(str(ICON_DIR / f"{name}-{size}.png"))
    app_svg = drawing(APP_STATE)
    app_renderer = QSvgRenderer(QByteArray(app_svg.encode("utf-8")))
    packaged = write_app_icons(app_svg, app_renderer, PACKAGING_ICON_DIR)
    del app
    print(f"wrote {len(ICON_STATES)} icons to {ICON_DIR}")
    print(f"wrote {', '.join(path.name for path in packaged)} to {PACKAGING_ICON_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
