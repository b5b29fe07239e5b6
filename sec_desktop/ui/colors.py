"""Colour arithmetic for the painted widgets: one blend of two colours, so muted text, edges
and tinted fills are all mixed the same way."""

from __future__ import annotations

from PySide6.QtGui import QColor


def blend(base: QColor, tint: QColor, amount: float, *, whole_levels: bool = False) -> QColor:
    """An opaque colour: `base` with `amount` (0 to 1) of `tint` mixed in, so 0 gives `base`
    and 1 gives `tint`.

    Mixed at QColor's full precision, or with `whole_levels` from each colour's 0-255 levels,
    rounded to whole levels (half to even): the picker's contrast was measured on those.
    """
    keep = 1.0 - amount
    if whole_levels:
        return QColor(
            round(base.red() * keep + tint.red() * amount),
            round(base.green() * keep + tint.green() * amount),
            round(base.blue() * keep + tint.blue() * amount),
        )
    return QColor.fromRgbF(
        base.redF() * keep + tint.redF() * amount,
        base.greenF() * keep + tint.greenF() * amount,
        base.blueF() * keep + tint.blueF() * amount,
    )
