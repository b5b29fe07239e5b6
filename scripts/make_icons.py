"""Write the tray and app icons: SVG sources and PNG fallbacks, from one drawing.

The mark is a ring in three arcs, one per SEC domain (Strategy, Execution, Culture), with a
dark outline inside and out so it reads on light and dark panels alike. Tray states add a
centre dot (a timer runs), grey the ring (snoozed) or add a badge (a prompt waits).

Usage: scripts/make_icons.py  (rewrites sec_desktop/resources/icons/)
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "sec_desktop" / "resources" / "icons"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
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


def main() -> int:
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    states = {"app": "normal", "tray": "normal", "tray-timer": "timer"}
    states |= {"tray-snoozed": "snoozed", "tray-attention": "attention"}
    for name, state in states.items():
        svg = drawing(state)
        (ICON_DIR / f"{name}.svg").write_text(svg, encoding="utf-8")
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        sizes = PNG_SIZES if name == "app" else (16, 22, 24, 32, 48, 64)
        for size in sizes:
            image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter)
            painter.end()
            image.save(str(ICON_DIR / f"{name}-{size}.png"))
    del app
    print(f"wrote {len(states)} icons to {ICON_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
