"""The shared colour blend gives the picker, the mindmap and the first-run hints exactly the
colours their own blends gave: those formulas are kept here as they were, and compared at the
call sites and over a sweep of colours."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from sec_desktop.ui.colors import blend
from sec_desktop.ui.dashboard.theme import ChartTheme, dark_palette
from sec_desktop.ui.dialogs.orientation import HINT_TEXT_WEIGHT
from sec_desktop.ui.picker.delegate import SECONDARY_TEXT_SHARE

PICKER_SHARES = [SECONDARY_TEXT_SHARE, 0.35]  # secondary text, window edge
MINDMAP_AMOUNTS = [0.2, 0.12, 0.1]  # domain fill (dark, light), root fill
DOMAINS = ["strategy.x", "execution.x", "culture.x", "other"]


def picker_blend_before(a: QColor, b: QColor, share_a: float) -> QColor:
    share_b = 1.0 - share_a
    return QColor(
        round(a.red() * share_a + b.red() * share_b),
        round(a.green() * share_a + b.green() * share_b),
        round(a.blue() * share_a + b.blue() * share_b),
    )


def mindmap_blend_before(base: QColor, tint: QColor, amount: float) -> QColor:
    return QColor.fromRgbF(
        base.redF() * (1 - amount) + tint.redF() * amount,
        base.greenF() * (1 - amount) + tint.greenF() * amount,
        base.blueF() * (1 - amount) + tint.blueF() * amount,
    )


def first_run_hint_before(text: QColor, window: QColor) -> QColor:
    return QColor.fromRgbF(
        text.redF() * HINT_TEXT_WEIGHT + window.redF() * (1 - HINT_TEXT_WEIGHT),
        text.greenF() * HINT_TEXT_WEIGHT + window.greenF() * (1 - HINT_TEXT_WEIGHT),
        text.blueF() * HINT_TEXT_WEIGHT + window.blueF() * (1 - HINT_TEXT_WEIGHT),
    )


def sweep() -> list[QColor]:
    """Whole levels in steps, mixed per channel, and a few colours finer than 8 bits."""
    levels = range(0, 256, 15)
    whole = [QColor(v, (v * 7) % 256, 255 - v) for v in levels]
    fine = [QColor.fromRgbF(f, 1 - f, (f * 3) % 1) for f in (0.1234, 0.5, 0.50196, 0.777, 0.9)]
    return whole + fine


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_picker_call_sites_paint_the_same_colours(qapp: QApplication, scheme: str) -> None:
    palette = QApplication.palette() if scheme == "light" else dark_palette()
    role = QPalette.ColorRole
    for text_role, back_role in [(role.Text, role.Base), (role.HighlightedText, role.Highlight)]:
        text, back = palette.color(text_role), palette.color(back_role)
        assert blend(back, text, SECONDARY_TEXT_SHARE, whole_levels=True) == picker_blend_before(
            text, back, SECONDARY_TEXT_SHARE
        )
    window_text, window = palette.color(role.WindowText), palette.color(role.Window)
    assert blend(window, window_text, 0.35, whole_levels=True) == picker_blend_before(
        window_text, window, 0.35
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_mindmap_call_sites_paint_the_same_colours(qapp: QApplication, scheme: str) -> None:
    theme = ChartTheme.from_palette(QApplication.palette() if scheme == "light" else dark_palette())
    amount = 0.2 if theme.dark else 0.12
    for node_id in DOMAINS:
        tint = theme.domain_colour(node_id)
        fill = blend(theme.background, tint, amount)
        assert fill == mindmap_blend_before(theme.background, tint, amount)
    assert blend(theme.background, theme.text, 0.1) == mindmap_blend_before(
        theme.background, theme.text, 0.1
    )


def test_both_ways_of_blending_match_their_originals_over_a_sweep(qapp: QApplication) -> None:
    colours = sweep()
    for first, second in itertools.product(colours, repeat=2):
        for share in PICKER_SHARES:
            assert blend(second, first, share, whole_levels=True) == picker_blend_before(
                first, second, share
            )
        for amount in MINDMAP_AMOUNTS:
            assert blend(first, second, amount) == mindmap_blend_before(first, second, amount)
        assert blend(second, first, HINT_TEXT_WEIGHT) == first_run_hint_before(first, second)


def test_blend_runs_from_base_to_tint(qapp: QApplication) -> None:
    base, tint = QColor("#ffffff"), QColor("#000000")
    assert blend(base, tint, 0.0) == base
    assert blend(base, tint, 1.0) == tint
    assert blend(base, tint, 0.5, whole_levels=True) == QColor(128, 128, 128)
