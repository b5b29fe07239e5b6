"""The picker: the small keyboard-first window that asks "what are you doing?".

It opens by the tray with focus in a search box. Enter on an empty box repeats the last
answer (in a timer check: "yes, still on it"), 1-9 pick from the list, typing searches the
whole hierarchy, Tab goes to an optional note and Esc snoozes. A queue of prompts missed
while away is tagged one by one, all at once, or marked away / off work. The picker only
emits what the user chose; the application saves it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from sec_desktop.framework.model import Framework
from sec_desktop.reminders.prompts import (
    Disposition,
    PromptRequest,
    PromptSlot,
    RequestReason,
    SlotAnswer,
    SlotKind,
)
from sec_desktop.reminders.ranking import PICKER_CHOICES, UsageRanking
from sec_desktop.ui.colors import blend

ROLE_ACTIVITY = Qt.ItemDataRole.UserRole
ROLE_KEY = Qt.ItemDataRole.UserRole + 1
ROLE_PATH = Qt.ItemDataRole.UserRole + 2
ROLE_TAGLINE = Qt.ItemDataRole.UserRole + 3

REPEAT_KEY = "\u21b5"  # the Return symbol, drawn as text so it is sharp at any scale
PATH_SEPARATOR = " \u203a "
SCREEN_MARGIN_PX = 8
WIDTH_CHARS = 50  # the window is this many average characters wide, at least MIN_WIDTH_PX
MIN_WIDTH_PX = 400
SMALL_FONT_SCALE = 0.85
QUEUE_ROWS_SHOWN = 4
SEARCH_HELP = (
    "Type part of an activity's name; Enter picks the highlighted choice, and on an empty box "
    "repeats the last answer. 1 to 9 pick a listed choice, Tab goes to the note, Escape snoozes."
)
SECONDARY_TEXT_SHARE = 0.68  # of the text colour, blended into the background: 7.8:1 on white
_DIGIT_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
_MOVE_KEYS = {
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_PageUp: -PICKER_CHOICES,
    Qt.Key.Key_PageDown: PICKER_CHOICES,
}


def format_span(span: timedelta) -> str:
    """ "30 min", "1 h", "1 h 15 min" (rounded to the minute)."""
    minutes = max(1, round(span.total_seconds() / 60))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _clock_text(moment: datetime, tz: tzinfo, today: datetime) -> str:
    """Local "14:30", with the day in front when it is not today ("Mon 14:30")."""
    local = moment.astimezone(tz)
    if local.date() != today.astimezone(tz).date():
        return local.strftime("%a %H:%M")
    return local.strftime("%H:%M")


def slot_question(
    slot: PromptSlot, tz: tzinfo, *, timer_label: str | None, in_queue: bool, today: datetime
) -> str:
    """What the picker asks about one slot, with its span."""
    start, end = _clock_text(slot.start, tz, today), _clock_text(slot.end, tz, today)
    span = format_span(slot.span)
    if slot.kind is SlotKind.TIMER_CHECK and timer_label:
        return f"Still on {timer_label}? (since {start}, {span})"
    if slot.kind is SlotKind.PING:
        return f"What were you doing at {end}? (counts for {span})"
    if in_queue:
        return f"What were you doing {start}\u2013{end}? ({span})"
    return f"What were you doing since {start}? ({span})"


def slot_span_text(slot: PromptSlot, tz: tzinfo, today: datetime) -> str:
    start, end = _clock_text(slot.start, tz, today), _clock_text(slot.end, tz, today)
    return f"{start}\u2013{end}  ({format_span(slot.span)})"


def _small_font(font: QFont) -> QFont:
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
        small = _small_font(font)
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


class Picker(QWidget):
    """The "what are you doing?" window; create one at start and re-use it.

    `answered(list[SlotAnswer])` is emitted when a request ends with at least one slot
    disposed: once every slot is disposed, or, with the ones disposed so far, just before
    `snoozeRequested()` (Esc) or `dismissed()` (closed, or replaced by a newer request); the
    slots missing from the list stay open. The window hides before it emits, so whatever the
    application does on a signal never shows as a delay.
    """

    answered = QtSignal(list)
    snoozeRequested = QtSignal()
    dismissed = QtSignal()

    def __init__(
        self,
        framework: Framework,
        ranking: UsageRanking,
        parent: QWidget | None = None,
        *,
        tz: tzinfo | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(
            parent,
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint,
        )
        self.framework = framework
        self.ranking = ranking
        self.tz: tzinfo = tz or ranking.tz
        # Only to tell today from other days in the question; never to time an answer.
        self._clock = clock or (lambda: datetime.now(UTC))
        self._request: PromptRequest | None = None
        self._answers: list[SlotAnswer | None] = []
        self._current = 0
        self._session_last: str | None = None
        self._build()

    # building -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.setObjectName("picker")
        self.setWindowTitle("SEC Desktop: what are you doing?")
        self.setAccessibleName("What are you doing?")
        self.setAccessibleDescription(
            "Tag the time asked about with an activity of the SEC framework."
        )
        self.setFixedWidth(max(MIN_WIDTH_PX, self.fontMetrics().averageCharWidth() * WIDTH_CHARS))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        self._build_queue(layout)
        self._build_answer(layout)
        self._build_buttons(layout)
        self._hint = QLabel(self)
        self._hint.setObjectName("hint")
        self._hint.setFont(_small_font(self.font()))
        self._hint.setWordWrap(True)
        self._hint.setAccessibleName("Keys")
        self._hint.setAccessibleDescription("The keys that answer this prompt.")
        layout.addWidget(self._hint)
        focus_order: list[QWidget] = [
            self._search,
            self._note,
            self._choices,
            self._away,
            self._off_work,
            self._snooze,
            self._tag_all,
            self._all_away,
            self._all_off_work,
            self._slots,
        ]
        for first, second in itertools.pairwise(focus_order):
            QWidget.setTabOrder(first, second)
        for widget in focus_order:
            widget.installEventFilter(self)
        self._size_lists()

    def _build_queue(self, layout: QVBoxLayout) -> None:
        """The title and the list of slots, shown for a queue of missed prompts."""
        self._queue_title = QLabel(self)
        self._queue_title.setObjectName("queue-title")
        self._queue_title.setAccessibleName("Missed prompts")
        self._queue_title.setAccessibleDescription("How many prompts fell due while away.")
        layout.addWidget(self._queue_title)
        self._slots = QListWidget(self)
        self._slots.setObjectName("slots")
        self._slots.setAccessibleName("Prompts to tag")
        self._slots.setAccessibleDescription(
            "The spans of time missed while away; choose one to tag it out of turn."
        )
        self._slots.setFont(_small_font(self.font()))
        self._slots.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._slots.itemClicked.connect(self._on_slot_chosen)
        self._slots.itemActivated.connect(self._on_slot_chosen)
        layout.addWidget(self._slots)

    def _build_answer(self, layout: QVBoxLayout) -> None:
        """The question, the search box, the numbered choices and the note."""
        self._question = QLabel(self)
        self._question.setObjectName("question")
        question_font = QFont(self.font())
        question_font.setBold(True)
        self._question.setFont(question_font)
        self._question.setWordWrap(True)
        self._question.setAccessibleName("Question")  # replaced by the question itself
        self._question.setAccessibleDescription("What this prompt asks about.")
        layout.addWidget(self._question)

        self._search = QLineEdit(self)
        self._search.setObjectName("search")
        self._search.setPlaceholderText("Search activities\u2026")
        self._search.setAccessibleName("Search activities")
        self._search.setAccessibleDescription(SEARCH_HELP)
        self._search.textChanged.connect(self._on_query_changed)
        layout.addWidget(self._search)

        self._choices = QListWidget(self)
        self._choices.setObjectName("choices")
        self._choices.setAccessibleName("Choices")
        self._choices.setAccessibleDescription(
            "Activities to pick: recent and frequent ones, or those matching the search."
        )
        self._choices.setItemDelegate(ChoiceDelegate(self._choices))
        self._choices.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._choices.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._choices.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._choices.setUniformItemSizes(True)
        self._choices.itemClicked.connect(self._on_choice_clicked)
        self._choices.itemActivated.connect(self._on_choice_clicked)
        self._choices.currentRowChanged.connect(lambda _row: self._update_tag_all())
        layout.addWidget(self._choices)

        self._note = QLineEdit(self)
        self._note.setObjectName("note")
        self._note.setPlaceholderText("Note (optional)")
        self._note.setAccessibleName("Note")
        self._note.setAccessibleDescription("An optional note saved with this answer.")
        layout.addWidget(self._note)

    def _button(self, text: str, name: str, description: str) -> QPushButton:
        made = QPushButton(text, self)
        made.setObjectName(name.casefold().replace(" ", "-"))
        made.setAccessibleName(name)
        made.setAccessibleDescription(description)
        made.setAutoDefault(False)
        made.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return made

    def _build_buttons(self, layout: QVBoxLayout) -> None:
        """Away / off work / snooze for this slot; tag all, all away, all off work for a queue."""
        self._away = self._button("Away  Alt+A", "Away", "Mark this time as away from the desk.")
        self._off_work = self._button(
            "Off work  Alt+O", "Off work", "Mark this time as not on the job being tracked."
        )
        self._snooze = self._button("Snooze  Esc", "Snooze", "Ask again later.")
        self._away.clicked.connect(lambda: self._dispose(Disposition.AWAY))
        self._off_work.clicked.connect(lambda: self._dispose(Disposition.OFF_WORK))
        self._snooze.clicked.connect(self.snooze)
        this_row = QHBoxLayout()
        this_row.setSpacing(6)
        this_row.addWidget(self._away)
        this_row.addWidget(self._off_work)
        this_row.addStretch(1)
        this_row.addWidget(self._snooze)
        layout.addLayout(this_row)

        self._tag_all = self._button(
            "Tag all  Ctrl+Enter", "Tag all", "Tag every remaining prompt with the highlighted one."
        )
        self._all_away = self._button(
            "All away  Alt+Shift+A", "All away", "Mark every remaining prompt as away."
        )
        self._all_off_work = self._button(
            "All off work  Alt+Shift+O", "All off work", "Mark every remaining prompt as off work."
        )
        self._tag_all.clicked.connect(self._tag_all_remaining)
        self._all_away.clicked.connect(lambda: self._dispose(Disposition.AWAY, everything=True))
        self._all_off_work.clicked.connect(
            lambda: self._dispose(Disposition.OFF_WORK, everything=True)
        )
        self._queue_row = QWidget(self)
        self._queue_row.setObjectName("queue-actions")
        queue_layout = QGridLayout(self._queue_row)
        queue_layout.setContentsMargins(0, 0, 0, 0)
        queue_layout.setSpacing(6)
        queue_layout.addWidget(self._tag_all, 0, 0, 1, 2)
        queue_layout.addWidget(self._all_away, 1, 0)
        queue_layout.addWidget(self._all_off_work, 1, 1)
        layout.addWidget(self._queue_row)

    def _size_lists(self) -> None:
        """Room for the repeat row and nine choices, so the window never jumps as you type."""
        option = QStyleOptionViewItem()
        option.font = self._choices.font()
        delegate = self._choices.itemDelegate()
        row = delegate.sizeHint(option, QModelIndex()).height()
        frame = 2 * self._choices.frameWidth()
        self._choice_row_px = row
        self._choices_full_px = row * (PICKER_CHOICES + 1) + frame
        self._choices.setFixedHeight(self._choices_full_px)
        slot_row = QFontMetrics(self._slots.font()).height() + 6
        self._slots.setFixedHeight(slot_row * QUEUE_ROWS_SHOWN + 2 * self._slots.frameWidth())

    # the request ----------------------------------------------------------------------------

    @property
    def request(self) -> PromptRequest | None:
        return self._request

    def show_request(self, request: PromptRequest, anchor: QRect | None = None) -> None:
        """Ask about `request`'s slots, by `anchor` (the tray icon's global geometry) or at
        the bottom-right of the screen, with focus in the search box."""
        if self._request is not None:
            self._end(self.dismissed.emit)
        self._request = request
        self._answers = [None] * len(request.slots)
        self._current = 0
        self._session_last = None
        queued = len(request.slots) > 1
        self._queue_title.setVisible(queued)
        self._slots.setVisible(queued)
        self._queue_row.setVisible(queued)
        if queued:
            count = len(request.slots)
            why = "while you were away" if request.reason is RequestReason.RETURN else "to answer"
            self._queue_title.setText(f"{count} prompts {why}")
            self._queue_title.setAccessibleName(self._queue_title.text())
        self._load_slot()
        self._place(anchor)
        self.show()
        self.raise_()
        self.activateWindow()
        self._search.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def _pending(self) -> PromptRequest:
        if self._request is None:
            raise RuntimeError("the picker has no request to answer")
        return self._request

    def _slot(self) -> PromptSlot:
        return self._pending().slots[self._current]

    def _timer_label(self) -> str | None:
        activity = self._request.timer_activity if self._request else None
        if activity and activity in self.framework:
            return self.framework[activity].label
        return None

    def _repeat_candidate(self) -> tuple[str | None, str]:
        """What Enter on an empty box picks, and the words that say so."""
        slot = self._slot()
        timer = self._pending().timer_activity
        if slot.kind is SlotKind.TIMER_CHECK and timer in self.framework:
            return timer, "yes, still on it"
        last = self._session_last or self.ranking.last_answer()
        if last in self.framework:
            return last, "same as before"
        return None, ""

    def _load_slot(self) -> None:
        """Show the current slot: its question, a fresh search and note, the queue state."""
        request = self._pending()
        today = self._clock()
        slot = self._slot()
        queued = len(request.slots) > 1
        question = slot_question(
            slot, self.tz, timer_label=self._timer_label(), in_queue=queued, today=today
        )
        if queued:
            question = f"{self._current + 1} of {len(request.slots)}: {question}"
            self._refresh_slots(today)
        self._question.setText(question)
        self._question.setAccessibleName(question)
        # Read out when the search box gets the focus, so the question is heard first.
        self._search.setAccessibleDescription(f"{question} {SEARCH_HELP}")
        self.setAccessibleDescription(question)
        self._note.clear()
        if self._search.text():
            self._search.clear()  # refreshes the choices through textChanged
        else:
            self._refresh_choices()

    def _refresh_slots(self, today: datetime) -> None:
        request = self._pending()
        self._slots.blockSignals(True)
        self._slots.clear()
        for index, slot in enumerate(request.slots):
            answer = self._answers[index]
            if answer is None:
                status = "now" if index == self._current else "to tag"
            elif answer.disposition is Disposition.TAGGED and answer.activity_id:
                status = self.framework[answer.activity_id].label
            else:
                status = "away" if answer.disposition is Disposition.AWAY else "off work"
            text = f"{slot_span_text(slot, self.tz, today)}  \u2014  {status}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"Prompt {index + 1}: {text}")
            self._slots.addItem(item)
        self._slots.setCurrentRow(self._current)
        self._slots.blockSignals(False)
        remaining = sum(1 for a in self._answers if a is None)
        self._all_away.setText(f"All {remaining} away  Alt+Shift+A")
        self._all_off_work.setText(f"All {remaining} off work  Alt+Shift+O")

    # choices --------------------------------------------------------------------------------

    def _on_query_changed(self, _text: str) -> None:
        if self._request is not None:
            self._refresh_choices()

    def _refresh_choices(self) -> None:
        query = self._search.text()
        slot = self._slot()
        self._choices.setUpdatesEnabled(False)
        self._choices.clear()
        if query.strip():
            ids = self.ranking.rank(query, PICKER_CHOICES, at=slot.end)
            for number, activity in enumerate(ids, start=1):
                self._add_choice(activity, str(number), "")
            if ids:
                self._choices.setCurrentRow(0)
            else:
                item = QListWidgetItem(f"No activity matches \u201c{query.strip()}\u201d")
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                item.setData(Qt.ItemDataRole.AccessibleTextRole, item.text())
                self._choices.addItem(item)
            keys = ["Enter: pick highlighted", "Alt+1\u20139: pick", "\u2191\u2193: move"]
        else:
            repeat, tagline = self._repeat_candidate()
            if repeat is not None:
                self._add_choice(repeat, REPEAT_KEY, tagline)
            exclude = {repeat} if repeat else set()
            for number, activity in enumerate(
                self.ranking.top(PICKER_CHOICES, at=slot.end, exclude=exclude), start=1
            ):
                self._add_choice(activity, str(number), "")
            keys = ["1\u20139: pick", "type to search"]
            if repeat is not None:
                self._choices.setCurrentRow(0)
                keys.insert(0, f"Enter: {tagline}")
        if len(self._pending().slots) > 1:
            keys.append("Ctrl+Enter: tag all")
        keys += ["Tab: note", "Esc: snooze"]
        # Lines break between the keys only, never inside one.
        self._hint.setText(" \u00b7 ".join(k.replace(" ", "\u00a0") for k in keys))
        self._hint.setAccessibleName(" \u00b7 ".join(keys))
        self._choices.setUpdatesEnabled(True)
        self._update_tag_all()

    def _add_choice(self, activity: str, key: str, tagline: str) -> None:
        node = self.framework[activity]
        path = PATH_SEPARATOR.join(
            n.label for n in reversed(self.framework.ancestors(activity)[1:])
        )
        path = path or node.level.noun.capitalize()
        item = QListWidgetItem(node.label)
        item.setData(ROLE_ACTIVITY, activity)
        item.setData(ROLE_KEY, key)
        item.setData(ROLE_PATH, path)
        item.setData(ROLE_TAGLINE, tagline)
        spoken_key = "Enter" if key == REPEAT_KEY else key
        spoken = f"{spoken_key}: {node.label}" + (f", {tagline}" if tagline else "")
        item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
        item.setData(
            Qt.ItemDataRole.AccessibleDescriptionRole,
            f"{path.replace(PATH_SEPARATOR, ', ')}. Press {spoken_key} to pick it.",
        )
        item.setToolTip(f"{path}{PATH_SEPARATOR}{node.label}" if node.parent_id else node.label)
        self._choices.addItem(item)

    def choice_ids(self) -> list[str]:
        """The activity ids listed now, top to bottom (the repeat row first when shown)."""
        out = []
        for row in range(self._choices.count()):
            value = self._choices.item(row).data(ROLE_ACTIVITY)
            if value:
                out.append(str(value))
        return out

    def _highlighted(self) -> str | None:
        item = self._choices.currentItem()
        value = item.data(ROLE_ACTIVITY) if item is not None else None
        return str(value) if value else None

    def _numbered(self, number: int) -> str | None:
        for row in range(self._choices.count()):
            item = self._choices.item(row)
            if item.data(ROLE_KEY) == str(number):
                value = item.data(ROLE_ACTIVITY)
                return str(value) if value else None
        return None

    def _update_tag_all(self) -> None:
        activity = self._highlighted()
        self._tag_all.setEnabled(activity is not None)
        label = self.framework[activity].label if activity else "\u2026"
        remaining = sum(1 for a in self._answers if a is None)
        wanted = f"Tag all {remaining} as {label}"
        shortcut = "  Ctrl+Enter"
        metrics = self._tag_all.fontMetrics()
        room = self.width() - 48 - metrics.horizontalAdvance(shortcut)
        elided = metrics.elidedText(wanted, Qt.TextElideMode.ElideRight, room)
        self._tag_all.setText(elided + shortcut)
        self._tag_all.setAccessibleName(wanted)

    def _move(self, step: int) -> None:
        count = self._choices.count()
        if not count:
            return
        row = self._choices.currentRow()
        target = min(count - 1, max(0, (row if row >= 0 else -1) + step))
        if self._choices.item(target).flags() & Qt.ItemFlag.ItemIsEnabled:
            self._choices.setCurrentRow(target)

    # keys -----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and self._handle_key(event, watched)
        ):
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handle_key(event, self):
            super().keyPressEvent(event)

    def _handle_key(self, event: QKeyEvent, source: QObject) -> bool:
        """The picker's keys, wherever the focus is; True when the key was used."""
        if self._request is None:
            return False
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        action: Callable[[], None] | None = None
        if key == Qt.Key.Key_Escape and not mods:
            action = self.snooze
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if ctrl:
                action = self._tag_all_remaining
            elif isinstance(source, QPushButton):
                action = source.click
            elif source is self._slots:
                action = self._open_current_slot
            else:
                action = self._pick_highlighted
        elif key in _DIGIT_KEYS:
            number = _DIGIT_KEYS[Qt.Key(key)]
            typed_as_text = source is self._note or bool(self._search.text())
            if (alt and not ctrl) or (not mods and not typed_as_text):
                action = lambda: self._pick(self._numbered(number))  # noqa: E731
        elif alt and not ctrl and key in (Qt.Key.Key_A, Qt.Key.Key_O):
            disposition = Disposition.AWAY if key == Qt.Key.Key_A else Disposition.OFF_WORK
            everything = bool(mods & Qt.KeyboardModifier.ShiftModifier)
            action = lambda: self._dispose(disposition, everything=everything)  # noqa: E731
        elif key in _MOVE_KEYS and not mods and source in (self._search, self._note):
            step = _MOVE_KEYS[Qt.Key(key)]
            action = lambda: self._move(step)  # noqa: E731
        if action is None:
            return False
        action()
        return True

    # answering ------------------------------------------------------------------------------

    def _on_choice_clicked(self, item: QListWidgetItem) -> None:
        value = item.data(ROLE_ACTIVITY)
        if value:
            self._pick(str(value))

    def _open_current_slot(self) -> None:
        item = self._slots.currentItem()
        if item is not None:
            self._on_slot_chosen(item)

    def _on_slot_chosen(self, item: QListWidgetItem) -> None:
        row = self._slots.row(item)
        if self._request is not None and 0 <= row < len(self._request.slots):
            self._current = row
            self._load_slot()
            self._search.setFocus(Qt.FocusReason.OtherFocusReason)

    def _pick_highlighted(self) -> None:
        self._pick(self._highlighted())

    def _pick(self, activity: str | None) -> None:
        if activity is not None:
            self._dispose(Disposition.TAGGED, activity)

    def _tag_all_remaining(self) -> None:
        activity = self._highlighted()
        if activity is not None:
            self._dispose(Disposition.TAGGED, activity, everything=True)

    def _dispose(
        self, disposition: Disposition, activity: str | None = None, *, everything: bool = False
    ) -> None:
        """Answer the current slot (or every slot not yet answered), then move on or finish."""
        if self._request is None:
            return
        note = self._note.text().strip() or None
        targets = [i for i, a in enumerate(self._answers) if a is None] if everything else []
        if self._current not in targets:
            targets.append(self._current)
        for index in targets:
            self._answers[index] = SlotAnswer(
                self._request.slots[index], disposition, activity, note
            )
        if activity is not None:
            self._session_last = activity
        left = [i for i, a in enumerate(self._answers) if a is None]
        if not left:
            self._end(None)
            return
        after = [i for i in left if i > self._current]
        self._current = after[0] if after else left[0]
        self._load_slot()
        self._search.setFocus(Qt.FocusReason.OtherFocusReason)

    def snooze(self) -> None:
        """Esc: hand over what was answered, and ask again later about the rest."""
        if self._request is not None:
            self._end(self.snoozeRequested.emit)

    def dismiss(self) -> None:
        """Close without an answer (what was answered so far is still handed over)."""
        if self._request is not None:
            self._end(self.dismissed.emit)
        else:
            self.hide()

    def _end(self, then: Callable[[], None] | None) -> None:
        """Hide, then emit the answers given and `then` (None: the request is complete)."""
        answers = [a for a in self._answers if a is not None]
        self._request = None
        self._answers = []
        self.hide()
        self._search.blockSignals(True)
        self._search.clear()
        self._search.blockSignals(False)
        self._note.clear()
        if answers:
            self.answered.emit(answers)
        if then is not None:
            then()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._request is not None:
            self._end(self.dismissed.emit)
        super().closeEvent(event)

    # placement and looks ------------------------------------------------------------------

    def _place(self, anchor: QRect | None) -> None:
        """By the tray icon: above it when it sits low on the screen, below it otherwise,
        kept inside the screen's available area; bottom-right when there is no icon."""
        screen = None
        if anchor is not None and anchor.isValid():
            screen = QGuiApplication.screenAt(anchor.center())
        screen = screen or self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        margin = SCREEN_MARGIN_PX
        # On a short screen the choices scroll rather than the window leaving the screen.
        self._choices.setFixedHeight(self._choices_full_px)
        excess = self.sizeHint().height() - (area.height() - 2 * margin)
        if excess > 0:
            least = 3 * self._choice_row_px
            self._choices.setFixedHeight(max(least, self._choices_full_px - excess))
        self.resize(self.width(), self.sizeHint().height())
        size = self.size()
        if anchor is None or not anchor.isValid():
            x = area.right() + 1 - size.width() - margin
            y = area.bottom() + 1 - size.height() - margin
        else:
            x = anchor.right() + 1 - size.width()
            if anchor.center().x() < area.center().x():
                x = anchor.left()
            if anchor.center().y() >= area.center().y():
                y = anchor.top() - size.height() - margin
            else:
                y = anchor.bottom() + 1 + margin
        x = max(area.left() + margin, min(x, area.right() + 1 - size.width() - margin))
        y = max(area.top() + margin, min(y, area.bottom() + 1 - size.height() - margin))
        self.move(x, y)

    def paintEvent(self, event: QPaintEvent) -> None:
        """A frameless window draws its own edge, so it stands apart from what is behind."""
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Window))
        edge = blend(
            palette.color(QPalette.ColorRole.Window),
            palette.color(QPalette.ColorRole.WindowText),
            0.35,
            whole_levels=True,
        )
        painter.setPen(QPen(edge, 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
