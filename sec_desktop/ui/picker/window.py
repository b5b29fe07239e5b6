"""The picker window: the small keyboard-first window that asks "what are you doing?".

It opens by the tray with focus in a search box. Enter on an empty box repeats the last
answer (in a timer check: "yes, still on it"), 1-9 pick from the list, typing searches the
whole hierarchy, Tab goes to an optional note and Esc snoozes. A queue of prompts missed
while away is tagged one by one, all at once, or marked away / off work. The picker only
emits what the user chose; the application saves it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import (
    QCloseEvent,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QPushButton,
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
from sec_desktop.ui.picker.choices import ChoiceList
from sec_desktop.ui.picker.delegate import ROLE_ACTIVITY, small_font
from sec_desktop.ui.picker.queue import SlotList
from sec_desktop.ui.picker.text import slot_question

SCREEN_MARGIN_PX = 8
WIDTH_CHARS = 50  # the window is this many average characters wide, at least MIN_WIDTH_PX
MIN_WIDTH_PX = 400
SEARCH_HELP = (
    "Type part of an activity's name; Enter picks the highlighted choice, and on an empty box "
    "repeats the last answer. 1 to 9 pick a listed choice, Tab goes to the note, Escape snoozes."
)
_DIGIT_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
_MOVE_KEYS = {
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_PageUp: -PICKER_CHOICES,
    Qt.Key.Key_PageDown: PICKER_CHOICES,
}


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
        self._hint.setFont(small_font(self.font()))
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
        self._slots = SlotList(self.framework, self)
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

        self._choices = ChoiceList(self.framework, self.ranking, self)
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
        """Fixed list heights, so the window never jumps as you type."""
        self._choices.fit_rows()
        self._slots.fit_rows()

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
        self._slots.list_slots(request.slots, self._answers, self._current, self.tz, today)
        remaining = sum(1 for a in self._answers if a is None)
        self._all_away.setText(f"All {remaining} away  Alt+Shift+A")
        self._all_off_work.setText(f"All {remaining} off work  Alt+Shift+O")

    # choices --------------------------------------------------------------------------------

    def _on_query_changed(self, _text: str) -> None:
        if self._request is not None:
            self._refresh_choices()

    def _refresh_choices(self) -> None:
        query = self._search.text()
        at = self._slot().end
        self._choices.setUpdatesEnabled(False)
        if query.strip():
            self._choices.list_matches(query, at)
            keys = ["Enter: pick highlighted", "Alt+1\u20139: pick", "\u2191\u2193: move"]
        else:
            repeat, tagline = self._repeat_candidate()
            self._choices.list_top(at, repeat, tagline)
            keys = ["1\u20139: pick", "type to search"]
            if repeat is not None:
                keys.insert(0, f"Enter: {tagline}")
        if len(self._pending().slots) > 1:
            keys.append("Ctrl+Enter: tag all")
        keys += ["Tab: note", "Esc: snooze"]
        # Lines break between the keys only, never inside one.
        self._hint.setText(" \u00b7 ".join(k.replace(" ", "\u00a0") for k in keys))
        self._hint.setAccessibleName(" \u00b7 ".join(keys))
        self._choices.setUpdatesEnabled(True)
        self._update_tag_all()

    def choice_ids(self) -> list[str]:
        """The activity ids listed now, top to bottom (the repeat row first when shown)."""
        return self._choices.activity_ids()

    def _update_tag_all(self) -> None:
        activity = self._choices.highlighted()
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
                action = lambda: self._pick(self._choices.numbered(number))  # noqa: E731
        elif alt and not ctrl and key in (Qt.Key.Key_A, Qt.Key.Key_O):
            disposition = Disposition.AWAY if key == Qt.Key.Key_A else Disposition.OFF_WORK
            everything = bool(mods & Qt.KeyboardModifier.ShiftModifier)
            action = lambda: self._dispose(disposition, everything=everything)  # noqa: E731
        elif key in _MOVE_KEYS and not mods and source in (self._search, self._note):
            step = _MOVE_KEYS[Qt.Key(key)]
            action = lambda: self._choices.step_highlight(step)  # noqa: E731
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
        self._pick(self._choices.highlighted())

    def _pick(self, activity: str | None) -> None:
        if activity is not None:
            self._choices.remember_pick(self._search.text(), activity)
            self._dispose(Disposition.TAGGED, activity)

    def _tag_all_remaining(self) -> None:
        activity = self._choices.highlighted()
        if activity is not None:
            self._choices.remember_pick(self._search.text(), activity)
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
        self._choices.setFixedHeight(self._choices.full_px)
        excess = self.sizeHint().height() - (area.height() - 2 * margin)
        if excess > 0:
            least = 3 * self._choices.row_px
            self._choices.setFixedHeight(max(least, self._choices.full_px - excess))
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
