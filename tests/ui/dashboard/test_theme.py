"""Light and dark: the charts take their colours from the palette and stay readable on both."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

from sec_desktop.ui.dashboard.theme import ChartTheme, dark_palette

# WCAG 2 contrast for normal text.
MIN_TEXT_CONTRAST = 4.5
STATUSES = ("below", "within", "above", "no_data")


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _themes(qapp: QApplication) -> dict[str, ChartTheme]:
    return {
        "light": ChartTheme.light(),
        "dark": ChartTheme.from_palette(dark_palette()),
        "desktop": ChartTheme.from_palette(qapp.palette()),
    }


@pytest.mark.parametrize("name", ["light", "dark", "desktop"])
def test_verdict_colours_are_readable_on_the_chart_background(
    qapp: QApplication, name: str
) -> None:
    theme = _themes(qapp)[name]
    for status in STATUSES:
        assert contrast(theme.verdict_colour(status), theme.background) >= MIN_TEXT_CONTRAST, status
    for domain in ("strategy", "execution", "culture"):
        # Domain colours mark bars and lines; 3:1 is the bar for graphics.
        assert contrast(theme.domain_colour(domain), theme.background) >= 3.0, domain
    assert contrast(theme.text, theme.background) >= MIN_TEXT_CONTRAST


def test_the_dark_palette_gives_the_dark_theme(qapp: QApplication) -> None:
    light, dark = ChartTheme.light(), ChartTheme.from_palette(dark_palette())
    assert not light.dark and dark.dark
    assert light.verdict_colour("below") != dark.verdict_colour("below")
    assert contrast(dark.band_fill, dark.background) > 1.2
    assert contrast(light.band_fill, light.background) > 1.2


def test_the_window_paints_with_a_dark_palette(make_window: Any, qapp: QApplication) -> None:
    window = make_window()
    window.setPalette(dark_palette())
    window.resize(1280, 800)
    image: QImage = window.allocation.domain_chart.grab().toImage()
    background = window.palette().color(QPalette.ColorRole.Window)
    corner = image.pixelColor(1, 1)
    assert corner.lightness() < 100
    assert abs(corner.lightness() - background.lightness()) < 30
