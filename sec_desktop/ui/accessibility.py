"""Screen-reader support the windows share: what is spoken, and when.

A screen reader (Orca over AT-SPI, Narrator over UI Automation) reads what has the focus and
what an application announces; it does not watch the screen. So:

- an information label exposes its text as its accessible name (`expose_text`), with what it
  is in the description, and a hidden label exposes nothing;
- a text that changes on its own (a coverage line, an error) is announced when it changes,
  and only while it is shown (`set_live_text`, `announce`);
- a list driven from another widget (the picker's search box moves the highlight of its
  choices) reports the highlighted item as focused (`focus_item`);
- a painted chart gets one invisible, focusable stand-in per bar or point (`ItemStrip`), so
  each can be reached with the keyboard and is read with its numbers.

Every event goes out through `post`, which tests replace to see what would be spoken.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAccessibleWidget,
    QApplication,
    QLabel,
    QStatusBar,
    QWidget,
)

# Where the events go: Qt's bridge to the platform's accessibility API.
post: Callable[[QAccessibleEvent], None] = QAccessible.updateAccessibility


def announce(widget: QWidget, text: str, *, assertive: bool = False) -> bool:
    """Have a screen reader say `text` on behalf of `widget`, if the widget is shown.

    Polite announcements wait for the current speech; assertive ones interrupt it (an error
    the user must act on). Returns whether anything was sent."""
    if not text.strip() or not widget.isVisible():
        return False
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive
        if assertive
        else QAccessible.AnnouncementPoliteness.Polite
    )
    post(event)
    return True


def focus_item(view: QAbstractItemView, row: int) -> bool:
    """Report row `row` of a one-column `view` as focused, though the keyboard focus stays
    where it is (the picker's search box moves its list's highlight).

    Qt reports an item view's current item only while the view itself has the focus; this is
    that same event, sent for a view driven from elsewhere. Returns whether it was sent."""
    model = view.model()
    if not view.isVisible() or not 0 <= row < model.rowCount():
        return False
    event = QAccessibleEvent(view, QAccessible.Event.Focus)
    event.setChild(row)  # a list's accessible children are its rows, in order
    post(event)
    return True


def expose_text(label: QLabel, what: str) -> None:
    """Let `label`'s text be its accessible name (Qt's default for a label without one), and
    say what it is in the description: "46 h tracked in 278 entries" is read, not "Tracked
    time". An empty, hidden label then exposes nothing."""
    label.setAccessibleName("")
    label.setAccessibleDescription(what)


def set_live_text(label: QLabel, text: str, *, assertive: bool = False) -> None:
    """Set `label`'s text and announce it when it changed and the label is shown."""
    if text == label.text():
        return
    label.setText(text)
    if text:
        announce(label, text, assertive=assertive)


def announce_messages(status: QStatusBar) -> None:
    """Announce each message `status` shows (a store problem, an export written): a status
    bar is read by no screen reader unless asked."""
    status.messageChanged.connect(lambda text: announce(status, text))


# The class of the balloon Qt draws for a tray message where no notification service runs.
BALLOON_CLASS = "QBalloonTip"


def _notice_interface(class_name: str, obj: QObject) -> QAccessibleWidget | None:
    if class_name == BALLOON_CLASS and isinstance(obj, QWidget):
        return QAccessibleWidget(obj, QAccessible.Role.Notification)
    return None


@functools.cache
def expose_balloons_as_notifications() -> None:
    """Give Qt's own tray balloon the notification role (it has none of its own), so a
    screen reader reads it as it appears; Orca 43 does not speak announcements, but it
    does speak a notification that shows. Once per process, before any balloon exists."""
    QAccessible.installFactory(_notice_interface)


def name_balloon_tip(icon_name: str) -> QWidget | None:
    """Name the parts of the tray balloon Qt draws itself where the desktop has no
    notification service (its close button and icon have no names), and have it read:
    with the notification role (`expose_balloons_as_notifications`) its showing is what a
    screen reader speaks, so that is reported once it is named.

    Returns the balloon, or None when the message went to a notification service."""
    for window in QApplication.topLevelWidgets():
        if window.metaObject().className() != BALLOON_CLASS or not window.isVisible():
            continue
        window.setAccessibleName("Notice")
        for child in window.findChildren(QWidget):
            if isinstance(child, QAbstractButton):
                child.setAccessibleName("Close the notice")
            elif isinstance(child, QLabel) and not child.pixmap().isNull():
                child.setAccessibleName(icon_name)
        post(QAccessibleEvent(window, QAccessible.Event.ObjectShow))
        return window
    return None


class AccessibleItem(QWidget):
    """An invisible, focusable stand-in for one painted item of its host (a bar, a point).

    It paints nothing and lets the mouse through to the host; it exists so the item is an
    object a screen reader can reach and read, and so the item can hold the keyboard focus."""

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)


class ItemStrip(QObject):
    """The accessible items of one painted widget, in reading order.

    The host keeps its own painting and keys (an item's unused keys go on to it); it tells
    the strip the items' names and rectangles, moves between them with `step`, and asks for
    `current()`. Only the current item is in the Tab chain (a "roving" tab stop), so Tab
    enters and leaves the chart in one step either way, and each move puts the focus on the
    new item, which a screen reader reads."""

    # The index of an item that got the focus (by a move, a click or Tab).
    focused = Signal(int)

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self._host = host
        self._items: list[AccessibleItem] = []
        self._current = 0
        # The host itself takes no focus by Tab; given it in code, it hands it on.
        host.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        host.installEventFilter(self)

    @property
    def items(self) -> list[AccessibleItem]:
        return list(self._items)

    def current(self) -> int | None:
        """The index of the item that has (or last had) the focus; None when there is none."""
        return self._current if self._items else None

    def has_focus(self) -> bool:
        return any(item.hasFocus() for item in self._items)

    def set_items(self, names: Sequence[str], rects: Sequence[QRect] = ()) -> None:
        """One item per name, re-using the items there are (the focus stays on its index)."""
        focused = self.has_focus()
        while len(self._items) < len(names):
            item = AccessibleItem(self._host)
            item.installEventFilter(self)
            item.show()
            self._items.append(item)
        while len(self._items) > len(names):
            extra = self._items.pop()
            extra.hide()
            extra.deleteLater()
        for item, name in zip(self._items, names, strict=True):
            if item.accessibleName() != name:
                item.setAccessibleName(name)
        self._current = min(self._current, max(0, len(self._items) - 1))
        self._rove()
        self.set_rects(rects)
        if focused and self._items and not self.has_focus():
            self._items[self._current].setFocus(Qt.FocusReason.OtherFocusReason)

    def set_rects(self, rects: Sequence[QRect]) -> None:
        """Where each item is drawn, so a screen reader's highlight and review follow it."""
        for item, rect in zip(self._items, rects, strict=False):
            item.setGeometry(rect)

    def step(self, step: int) -> None:
        """Focus the item `step` places on, staying inside the strip."""
        if self._items:
            self.focus(max(0, min(len(self._items) - 1, self._current + step)))

    def focus(self, index: int) -> None:
        if 0 <= index < len(self._items):
            self._current = index
            self._rove()
            self._items[index].setFocus(Qt.FocusReason.OtherFocusReason)

    def _rove(self) -> None:
        for index, item in enumerate(self._items):
            wanted = (
                Qt.FocusPolicy.StrongFocus if index == self._current else Qt.FocusPolicy.ClickFocus
            )
            if item.focusPolicy() != wanted:
                item.setFocusPolicy(wanted)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._host:
            if kind == QEvent.Type.FocusIn and self._items:
                self._items[self._current].setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        if kind in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            if kind == QEvent.Type.FocusIn and watched in self._items:
                self._current = self._items.index(watched)
                self._rove()
                self.focused.emit(self._current)
            self._host.update()  # the host draws the highlight while an item has the focus
        return False


class Debounce(QObject):
    """Call `action` once input has been quiet for `delay_ms` (restarted by each `poke`)."""

    def __init__(self, delay_ms: int, action: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(action)

    def poke(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.stop()

    def pending(self) -> bool:
        return self._timer.isActive()
