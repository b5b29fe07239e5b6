"""How a choice row is painted: a key badge, the activity's label with its tagline, and its path
in smaller, dimmed text that stays legible on light and dark palettes."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from sec_desktop.ui.colors import blend

ROLE_ACTIVITY = Qt.ItemDataRole.UserRole
ROLE_KEY = Qt.ItemDataRole.UserRole + 1
ROLE_PATH = Qt.ItemDataRole.UserRole + 2
ROLE_TAGLINE = Qt.ItemDataRole.UserRole + 3

REPEAT_KEY = "\u21b5"  # the Return symbol, drawn as text so it is sharp at any scale
SMALL_FONT_SCALE = 0.85
SECONDARY_TEXT_SHARE = 0.68  # of the text colour, blended into the background: 7.8:1 on white


def small_font(font: QFont) -> QFont:
    """`font` made smaller for secondary text: paths, taglines, the keys and the queue."""
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * SMALL_FONT_SCALE)
    else:
        small.setPixelSize(max(8, round(font.pixelSize() * SMALL_FONT_SCALE)))
    return small


@dataclass(frozen=True)
class _RowLook:
    """What painting one choice row needs, worked out once per row."""

    rect: QRect
    font: QFont
    small: QFont
    line_px: int
    small_line_px: int
    text: QColor
    dim: QColor


class ChoiceDelegate(QStyledItemDelegate):
    """Draws a choice as a key badge, the activity label, and its path in smaller text."""

    PAD_PX = 4

    def _metrics(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, int, int]:
        font = QFont(option.font)
        small = small_font(font)
        return font, small, QFontMetrics(font).height(), QFontMetrics(small).height()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        _, _, line, small_line = self._metrics(option)
        return QSize(200, line + small_line + 2 * self.PAD_PX + 1)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        font, small, line, small_line = self._metrics(option)
        rect = QRect(option.rect)
        palette = QPalette(option.palette)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
            text = palette.color(QPalette.ColorRole.HighlightedText)
            back = palette.color(QPalette.ColorRole.Highlight)
        else:
            text = palette.color(QPalette.ColorRole.Text)
            back = palette.color(QPalette.ColorRole.Base)
        # Secondary text is dimmed on the plain background only: on the highlight, the palette's
        # own pair may be no more than 3.7:1 (Fusion), and dimming would make it unreadable.
        dim = text if selected else blend(back, text, SECONDARY_TEXT_SHARE, whole_levels=True)
        look = _RowLook(rect, font, small, line, small_line, text, dim)
        label = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        painter.save()
        if index.flags() & Qt.ItemFlag.ItemIsEnabled:
            left = self._paint_badge(painter, look, str(index.data(ROLE_KEY) or ""))
            self._paint_texts(
                painter,
                look,
                left,
                label=label,
                path=str(index.data(ROLE_PATH) or ""),
                tagline=str(index.data(ROLE_TAGLINE) or ""),
            )
        else:  # the "no match" line
            painter.setFont(font)
            painter.setPen(look.dim)
            painter.drawText(
                rect.adjusted(3 * self.PAD_PX, 0, -self.PAD_PX, 0),
                Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        painter.restore()

    def _paint_badge(self, painter: QPainter, look: _RowLook, key: str) -> int:
        """An outlined box with the key that picks the row; returns where the text starts."""
        pad = self.PAD_PX
        side = look.line_px + pad
        badge = QRect(
            look.rect.left() + 2 * pad,
            look.rect.top() + (look.rect.height() - side) // 2,
            side,
            side,
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(look.dim, 1))
        painter.drawRoundedRect(badge.adjusted(0, 0, -1, -1), 3, 3)
        # The Return symbol is drawn in the full-size font: in the small one it is hard to see.
        bold = QFont(look.font if key == REPEAT_KEY else look.small)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(look.text)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, key)
        return badge.right() + 3 * pad

    def _paint_texts(
        self, painter: QPainter, look: _RowLook, left: int, *, label: str, path: str, tagline: str
    ) -> None:
        """The label on the first line (the tagline right of it), the path below, smaller."""
        pad = self.PAD_PX
        width = look.rect.right() - left - 2 * pad
        top = look.rect.top() + (look.rect.height() - look.line_px - look.small_line_px) // 2
        middle = Qt.AlignmentFlag.AlignVCenter
        tag_width = 0
        if tagline:
            painter.setFont(look.small)
            tag_width = QFontMetrics(look.small).horizontalAdvance(tagline) + 2 * pad
            painter.setPen(look.dim)
            painter.drawText(
                QRect(look.rect.right() - 2 * pad - tag_width, top, tag_width, look.line_px),
                Qt.AlignmentFlag.AlignRight | middle,
                tagline,
            )
        painter.setFont(look.font)
        painter.setPen(look.text)
        room = width - tag_width
        elided = QFontMetrics(look.font).elidedText(label, Qt.TextElideMode.ElideRight, room)
        painter.drawText(QRect(left, top, room, look.line_px), middle, elided)
        painter.setFont(look.small)
        painter.setPen(look.dim)
        elided = QFontMetrics(look.small).elidedText(path, Qt.TextElideMode.ElideMiddle, width)
        painter.drawText(QRect(left, top + look.line_px, width, look.small_line_px), middle, elided)
