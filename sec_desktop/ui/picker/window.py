"""The picker window: the small keyboard-first window that asks "what are you doing?".

It opens by the tray with focus in a search box. Enter on an empty box repeats the last
answer (in a timer check: "yes, still on it"), Alt+1-9 pick from the list, typing (digits
too: "1:1", "2fa") searches the whole hierarchy, Tab goes to an optional note and Esc snoozes.
No key books anything by accident: the keys that answer are held back for a moment after the
picker gets the keyboard, and while the user is typing in another window the picker shows
without taking the keyboard at all. A queue of prompts missed
while away is tagged one by one, all at once, or marked away / off work. The picker only
emits what the user chose; the application saves it.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import (
    QCloseEvent,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
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
from sec_desktop.ui.accessibility import Debounce, announce, expose_text, focus_item
from sec_desktop.ui.colors import blend
from sec_desktop.ui.picker.choices import ChoiceList
from sec_desktop.ui.picker.delegate import ROLE_ACTIVITY, small_font
from sec_desktop.ui.picker.queue import SlotList
from sec_desktop.ui.picker.text import slot_question
from sec_desktop.ui.widgets import literal

log = logging.getLogger(__name__)

SCREEN_MARGIN_PX = 8
# Each part of a split span is at least this long.
MIN_SPLIT_PART = timedelta(minutes=1)
_SPLIT_AT = re.compile(r"^\s*(?:(\d{1,2})[:.h](\d{2})|(\d{1,3})\s*m?(?:in)?)\s*$")
WIDTH_CHARS = 50  # the window is this many average characters wide, at least MIN_WIDTH_PX
MIN_WIDTH_PX = 400
SEARCH_HELP = (
    "Type part of an activity's name, digits too (1:1, 2fa); Enter picks the highlighted "
    "choice, and on an empty box repeats the last answer. Alt+1 to Alt+9 pick a listed choice, "
    "Tab goes to the note, Escape snoozes. Keys pressed as the window opens never answer."
)
# The keys that answer (Enter, Escape, Alt+1-9, Alt+A/O) are held back until the picker has
# had the keyboard this long with no key pressed: keys typed for another window as the picker
# appeared never book anything. Every key inside the guard extends it, so a stream of typing
# never gets through; a person who sees the window and then answers takes longer than this.
ANSWER_GUARD_MS = 700
# Input this recent when the picker appears means the user is busy in another window: the
# picker then shows without taking the keyboard...
TYPING_PAUSE_S = 1.5
# ...and takes it once input has been quiet that long, unless input came after it appeared
# (the user is still at work there: a click, or asking again, gives it the keyboard).
TYPING_CHECK_MS = 100
# The idle source and the monotonic clock are read apart: input this close to the show
# counts as before it.
INPUT_AFTER_SHOW_SLACK_S = 0.1
WAITING_HINT = "You were typing elsewhere, so your keys stay there: click here to answer."
SEARCH_PLACEHOLDER = "Search activities\u2026"
WAITING_PLACEHOLDER = "Click here to answer\u2026"
HELD_BACK_HINT = "A key pressed as this window opened was ignored: press it again."
# Once typing has paused this long, the top match is read out (not on every key).
SETTLED_QUERY_MS = 450
_DIGIT_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
# Alt+A away, Alt+B a break (the same, as an away question names it), Alt+O off work.
_ALT_DISPOSITIONS = {
    Qt.Key.Key_A: Disposition.AWAY,
    Qt.Key.Key_B: Disposition.AWAY,
    Qt.Key.Key_O: Disposition.OFF_WORK,
}
_MOVE_KEYS = {
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_PageUp: -PICKER_CHOICES,
    Qt.Key.Key_PageDown: PICKER_CHOICES,
}


def _spoken_keys(keys: str) -> str:
    """A key hint as a screen reader should say it: "Alt+1 to 9", "Up and Down"."""
    return keys.replace("\u2013", " to ").replace("\u2191\u2193", "Up and Down")


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
        monotonic: Callable[[], float] = time.monotonic,
        typing_idle_s: Callable[[], float | None] | None = None,
    ) -> None:
        """`monotonic` times the answer guard; `typing_idle_s` says how long ago the user last
        typed or moved the mouse anywhere (None where that can't be read: the picker then
        always takes the keyboard, and the guard alone protects)."""
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
        # An activity the user asked to log time to; offered first until the picker closes.
        self._chosen_activity: str | None = None
        self._answers: list[SlotAnswer | None] = []
        self._current = 0
        self._session_last: str | None = None
        self._monotonic = monotonic
        self._typing_idle_s = typing_idle_s
        self._shown_at_s = 0.0
        self._guard_until_s = 0.0
        # Shown while the user typed elsewhere: no key answers until it is given the keyboard.
        self._waiting_for_keyboard = False
        self._held_back = False
        self._hint_keys: list[str] = []
        self._hint_lead: str | None = None
        self._anchor: QRect | None = None
        self._typing_check = QTimer(self)
        self._typing_check.setInterval(TYPING_CHECK_MS)
        self._typing_check.timeout.connect(self.check_typing)
        # Only says when the guard ends (the log and the hint); the keys read the clock.
        self._guard_end = QTimer(self)
        self._guard_end.setSingleShot(True)
        self._guard_end.setTimerType(Qt.TimerType.PreciseTimer)
        self._guard_end.timeout.connect(self._on_guard_end)
        # The top match is read once typing pauses, not on every key.
        self._query_settled = Debounce(SETTLED_QUERY_MS, self._speak_highlighted, self)
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
            self._split,
            self._split_at,
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
        # A click anywhere gives a picker that waits for the keyboard the keyboard.
        for widget in self.findChildren(QWidget):
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
        self._search.setPlaceholderText(SEARCH_PLACEHOLDER)
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

    def _button(self, text: str, name: str, description: str, keys: str) -> QPushButton:
        made = QPushButton(text, self)
        made.setObjectName(name.casefold().replace(" ", "-"))
        self._name_button(made, name, description, keys)
        made.setAutoDefault(False)
        made.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return made

    def _name_button(self, button: QPushButton, name: str, description: str, keys: str) -> None:
        """The key is part of the name, and the button's shortcut, so a screen reader gives it
        as the key binding too. The picker's own key handling still answers (see `eventFilter`), so
        the keys stay held back as the window opens."""
        button.setAccessibleName(f"{name}, {keys.replace('Return', 'Enter')}")
        button.setAccessibleDescription(description)
        button.setShortcut(QKeySequence(keys))
        self._button_keys[button] = QKeySequence(keys)

    def _build_buttons(self, layout: QVBoxLayout) -> None:
        """Away / off work / snooze for this slot; tag all, all away, all off work for a queue."""
        self._button_keys: dict[QPushButton, QKeySequence] = {}
        self._away = self._button(
            "Away  Alt+A", "Away", "Mark this time as away from the desk.", "Alt+A"
        )
        self._off_work = self._button(
            "Off work  Alt+O",
            "Off work",
            "Mark this time as not on the job being tracked.",
            "Alt+O",
        )
        self._snooze = self._button("Snooze  Esc", "Snooze", "Ask again later.", "Esc")
        self._split = self._button(
            "Split\u2026  Alt+S",
            "Split",
            "Answer the first part of this time and the rest apart.",
            "Alt+S",
        )
        self._away.clicked.connect(lambda: self._dispose(Disposition.AWAY))
        self._off_work.clicked.connect(lambda: self._dispose(Disposition.OFF_WORK))
        self._split.clicked.connect(self._open_split)
        self._snooze.clicked.connect(self.snooze)
        this_row = QHBoxLayout()
        this_row.setSpacing(6)
        this_row.addWidget(self._away)
        this_row.addWidget(self._off_work)
        this_row.addStretch(1)
        this_row.addWidget(self._snooze)
        layout.addLayout(this_row)
        self._build_split_row(layout)

        self._tag_all = self._button(
            "Tag all  Ctrl+Enter",
            "Tag all",
            "Tag every remaining prompt with the highlighted one.",
            "Ctrl+Return",
        )
        self._all_away = self._button(
            "All away  Alt+Shift+A",
            "All away",
            "Mark every remaining prompt as away.",
            "Alt+Shift+A",
        )
        self._all_off_work = self._button(
            "All off work  Alt+Shift+O",
            "All off work",
            "Mark every remaining prompt as off work.",
            "Alt+Shift+O",
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

    def _build_split_row(self, layout: QVBoxLayout) -> None:
        """Split... and, once pressed, where the first part of the span ends: a clock time or
        minutes into it. A row of its own, so the answer buttons above keep their room."""
        self._split_row = QWidget(self)
        self._split_row.setObjectName("split-row")
        row = QHBoxLayout(self._split_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self._split)
        self._split_editor = QWidget(self._split_row)
        self._split_editor.setObjectName("split-editor")
        editor = QHBoxLayout(self._split_editor)
        editor.setContentsMargins(0, 0, 0, 0)
        editor.setSpacing(6)
        label = QLabel("First part ends at", self._split_editor)
        label.setAccessibleName("First part ends at")
        label.setAccessibleDescription("Where the span is split in two.")
        self._split_at = QLineEdit(self._split_editor)
        self._split_at.setObjectName("split-at")
        self._split_at.setAccessibleName("First part ends at")
        self._split_at.setAccessibleDescription(
            "A clock time such as 11:05, or minutes into the span such as 30; Enter splits, "
            "Escape cancels."
        )
        label.setBuddy(self._split_at)
        self._split_error = QLabel(self._split_editor)
        self._split_error.setObjectName("split-error")
        self._split_error.setFont(small_font(self.font()))
        # Read as its text, so an empty one says nothing (the field's description says it too).
        expose_text(self._split_error, "Why the time typed does not split the span.")
        editor.addWidget(label)
        editor.addWidget(self._split_at, 1)
        editor.addWidget(self._split_error)
        row.addWidget(self._split_editor, 1)
        row.addStretch(0)
        self._split_editor.setVisible(False)
        layout.addWidget(self._split_row)

    def _size_lists(self) -> None:
        """Fixed list heights, so the window never jumps as you type."""
        self._choices.fit_rows()
        self._slots.fit_rows()

    # the request ----------------------------------------------------------------------------

    @property
    def request(self) -> PromptRequest | None:
        return self._request

    def show_request(
        self, request: PromptRequest, anchor: QRect | None = None, *, take_keyboard: bool = False
    ) -> None:
        """Ask about `request`'s slots, by `anchor` (the tray icon's global geometry) or at
        the bottom-right of the screen, with focus in the search box.

        The picker takes the keyboard unless the user was typing elsewhere a moment ago;
        `take_keyboard` takes it anyway (the user asked from the picker's own tray menu)."""
        if self._request is not None:
            self._end(self.dismissed.emit)
        self._request = request
        self._answers = [None] * len(request.slots)
        self._current = 0
        self._session_last = None
        self._show_queue()
        self._held_back = False
        idle_s = None if take_keyboard else self._read_typing_idle()
        busy = idle_s is not None and idle_s < TYPING_PAUSE_S
        self._shown_at_s = self._monotonic()
        # Before the slot loads, so the hint it writes is the one the window is sized for.
        self._waiting_for_keyboard = busy
        self._load_slot()
        self._anchor = anchor
        self._place(anchor)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, busy)
        self.show()
        self.raise_()
        if busy:
            log.info("picker shown without the keyboard: input %.1f s ago", idle_s)
            self._search.setFocus(Qt.FocusReason.OtherFocusReason)
            self._typing_check.start()
        else:
            self.take_keyboard()

    def _show_queue(self) -> None:
        """The queue's title, list and buttons, shown when the request has several slots."""
        request = self._pending()
        queued = len(request.slots) > 1
        self._queue_title.setVisible(queued)
        self._slots.setVisible(queued)
        self._queue_row.setVisible(queued)
        if queued:
            count = len(request.slots)
            why = "while you were away" if request.reason is RequestReason.RETURN else "to answer"
            self._queue_title.setText(f"{count} prompts {why}")
            self._queue_title.setAccessibleName(self._queue_title.text())

    def _read_typing_idle(self) -> float | None:
        return self._typing_idle_s() if self._typing_idle_s is not None else None

    @property
    def waiting_for_keyboard(self) -> bool:
        """Shown without the keyboard while the user typed elsewhere; no key answers yet."""
        return self._waiting_for_keyboard

    def take_keyboard(self) -> None:
        """Activate with focus in the search box (shown, clicked, asked for again, or the
        typing elsewhere paused); the keys that answer wait out the guard from now."""
        if self._request is None:
            return
        self._waiting_for_keyboard = False
        self._typing_check.stop()
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, False)
        log.info("picker has the keyboard")
        self._extend_guard(self._monotonic())
        self.raise_()
        self.activateWindow()
        self._search.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
        self._show_hint()

    def check_typing(self) -> None:
        """While waiting for the keyboard: take it once input has paused, unless input came
        after the picker appeared (the user is at work elsewhere and will click when ready)."""
        if not self._waiting_for_keyboard:
            self._typing_check.stop()
            return
        idle_s = self._read_typing_idle()
        if idle_s is None:
            return  # the idle source is gone: wait for a click
        since_show_s = self._monotonic() - self._shown_at_s
        if idle_s < since_show_s - INPUT_AFTER_SHOW_SLACK_S:
            log.info("picker waits for a click: input went on after it appeared")
            self._typing_check.stop()
        elif idle_s >= TYPING_PAUSE_S:
            self.take_keyboard()

    def _extend_guard(self, now_s: float) -> None:
        self._guard_until_s = now_s + ANSWER_GUARD_MS / 1000
        self._guard_end.start(ANSWER_GUARD_MS + 1)

    def _answers_held(self, now_s: float) -> bool:
        return self._waiting_for_keyboard or now_s < self._guard_until_s

    def _on_guard_end(self) -> None:
        if self._request is not None and not self._answers_held(self._monotonic()):
            log.info("picker: answer keys live")

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

    def choose_activity(self, activity_id: str) -> None:
        """Offer this activity first, for Enter on the empty box, until the picker closes
        (the user asked to log time to it, e.g. from the mindmap)."""
        self._chosen_activity = activity_id
        if self._request is not None:
            self._refresh_choices()

    def _repeat_candidate(self) -> tuple[str | None, str]:
        """What Enter on an empty box picks, and the words that say so."""
        chosen = self._chosen_activity
        if chosen is not None and chosen in self.framework:
            return chosen, "the activity you chose"
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
        self._close_split()
        self._split_row.setVisible(
            slot.kind is not SlotKind.PING and slot.span >= 2 * MIN_SPLIT_PART
        )
        # Away from the desk during an absence is a break; elsewhere it is time away.
        if slot.kind is SlotKind.AWAY:
            self._away.setText("Break  Alt+B")
            self._name_button(self._away, "Break", "A break: not booked as work.", "Alt+B")
        else:
            self._away.setText("Away  Alt+A")
            self._name_button(self._away, "Away", "Mark this time as away from the desk.", "Alt+A")
        # The next question of a queue comes with the focus staying in the search box, so
        # nothing else would read it.
        announce(self._question, question)
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
            self._query_settled.poke()

    def _speak_highlighted(self) -> None:
        """Report the highlighted choice (or, when nothing matched, the line saying so) as
        focused, so a screen reader reads it; the keyboard stays in the search box."""
        if self._request is not None:
            row = self._choices.currentRow()
            focus_item(self._choices, row if row >= 0 else 0)

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
            keys = ["Alt+1\u20139: pick", "type to search"]
            if repeat is not None:
                keys.insert(0, f"Enter: {tagline}")
        if self._slot().kind is SlotKind.AWAY:
            keys.append("Alt+B: break")
        if len(self._pending().slots) > 1:
            keys.append("Ctrl+Enter: tag all")
        keys += ["Tab: note", "Esc: snooze"]
        self._hint_keys = keys
        self._show_hint()
        self._choices.setUpdatesEnabled(True)
        self._update_tag_all()

    def _show_hint(self) -> None:
        """The keys, after a line saying why no key answers yet, when none does."""
        # Lines break between the keys only, never inside one.
        text = " \u00b7 ".join(k.replace(" ", "\u00a0") for k in self._hint_keys)
        spoken = ". ".join(_spoken_keys(k) for k in self._hint_keys)
        waiting = self._waiting_for_keyboard
        # Where the eye goes first: the empty search box says how to answer.
        self._search.setPlaceholderText(WAITING_PLACEHOLDER if waiting else SEARCH_PLACEHOLDER)
        lead = WAITING_HINT if waiting else None
        if lead is None and self._held_back:
            lead = HELD_BACK_HINT
        if lead is not None:
            text, spoken = f"{lead}\n{text}", f"{lead} {spoken}"
        self._hint.setText(text)
        self._hint.setAccessibleName(spoken)
        if lead != self._hint_lead:
            self._hint_lead = lead
            if self.isVisible():  # the line comes or goes on a shown window: refit it
                self._place(self._anchor)

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
        self._tag_all.setText(literal(elided) + shortcut)
        self._tag_all.setAccessibleName(f"{wanted}, Ctrl+Enter")

    # keys -----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._is_button_key(event)
        ):
            # The buttons' shortcuts are there to be read out; the key itself goes on to
            # `_handle_key` as a key press, where the answer guard applies.
            event.accept()
            return True
        if event.type() == QEvent.Type.MouseButtonPress and self._waiting_for_keyboard:
            self.take_keyboard()  # and the click goes on to what it was on
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and self._handle_key(event, watched)
        ):
            return True
        return super().eventFilter(watched, event)

    def _is_button_key(self, event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        pressed = QKeySequence(event.key() | mods.value)
        return pressed in self._button_keys.values()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handle_key(event, self):
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._waiting_for_keyboard:
            self.take_keyboard()
        super().mousePressEvent(event)

    def _handle_key(self, event: QKeyEvent, source: QObject) -> bool:
        """The picker's keys, wherever the focus is; True when the key was used."""
        if self._request is None:
            return False
        now_s = self._monotonic()
        held = self._answers_held(now_s)
        if held and not self._waiting_for_keyboard:
            self._extend_guard(now_s)  # a stream of typing never answers
        if source is self._split_at:
            # The split field's keys are its text, but Enter splits and Esc cancels.
            split_action = self._split_field_action(event)
            if split_action is not None:
                split_action()
            return split_action is not None
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in _MOVE_KEYS and not mods and source in (self._search, self._note):
            # Moving the highlight answers nothing, so it is never held back.
            self._choices.step_highlight(_MOVE_KEYS[Qt.Key(key)])
            self._query_settled.cancel()
            focus_item(self._choices, self._choices.currentRow())
            return True
        action = self._answer_action(Qt.Key(key), mods, source)
        if action is None:
            return False
        if held:
            log.info("picker: a key held back (pressed as it opened)")
            if not self._waiting_for_keyboard and not self._held_back:
                self._held_back = True
                self._show_hint()
            return True
        action()
        return True

    def _answer_action(
        self, key: Qt.Key, mods: Qt.KeyboardModifier, source: QObject
    ) -> Callable[[], None] | None:
        """What a key that answers (or snoozes) does; None for every other key."""
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        if key == Qt.Key.Key_Escape and not mods:
            return self.snooze
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return self._enter_action(ctrl, source)
        if key in _DIGIT_KEYS and alt and not ctrl:
            # Plain digits are text ("1:1", "2fa"): only Alt+digit picks.
            number = _DIGIT_KEYS[key]
            return lambda: self._pick(self._choices.numbered(number))
        if alt and not ctrl and key in _ALT_DISPOSITIONS:
            disposition = _ALT_DISPOSITIONS[key]
            everything = bool(mods & Qt.KeyboardModifier.ShiftModifier)
            return lambda: self._dispose(disposition, everything=everything)
        if mods == Qt.KeyboardModifier.AltModifier and key == Qt.Key.Key_S:
            return self._open_split
        return None

    def _split_field_action(self, event: QKeyEvent) -> Callable[[], None] | None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return self._split_from_field
        if event.key() == Qt.Key.Key_Escape:
            return self._close_split
        return None

    def _enter_action(self, ctrl: bool, source: QObject) -> Callable[[], None]:
        if ctrl:
            return self._tag_all_remaining
        if isinstance(source, QPushButton):
            return source.click
        if source is self._slots:
            return self._open_current_slot
        return self._pick_highlighted

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

    # splitting ------------------------------------------------------------------------------

    def _open_split(self) -> None:
        if self._request is None or not self._split_row.isVisible():
            return
        slot = self._slot()
        middle = slot.start + (slot.end - slot.start) / 2
        self._split_at.setText(middle.astimezone(self.tz).strftime("%H:%M"))
        self._split_error.clear()
        self._split_editor.setVisible(True)
        self._split_at.selectAll()
        self._split_at.setFocus(Qt.FocusReason.OtherFocusReason)
        self.resize(self.width(), self.sizeHint().height())

    def _close_split(self) -> None:
        if not self._split_editor.isHidden():  # isVisible() is False while the window is
            self._split_editor.setVisible(False)
            self._search.setFocus(Qt.FocusReason.OtherFocusReason)
            self.resize(self.width(), self.sizeHint().height())

    def _split_moment(self, text: str) -> datetime | None:
        """The moment `text` names inside the current slot: "11:05" (local, on the slot's
        days) or "30" (minutes after its start); None when it names none."""
        match = _SPLIT_AT.match(text)
        if match is None:
            return None
        slot = self._slot()
        if match.group(3) is not None:
            return slot.start + timedelta(minutes=int(match.group(3)))
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            return None
        local_start = slot.start.astimezone(self.tz)
        for day in range(3):  # a span may run past midnight
            candidate = (local_start + timedelta(days=day)).replace(
                hour=hour, minute=minute, second=0, microsecond=0
            )
            if candidate > local_start:
                return candidate.astimezone(UTC)
        return None

    def _split_from_field(self) -> None:
        moment = self._split_moment(self._split_at.text())
        slot = self._slot()
        if moment is None or not (
            slot.start + MIN_SPLIT_PART <= moment <= slot.end - MIN_SPLIT_PART
        ):
            self._split_error.setText("Not inside this span")
            self._split_at.setAccessibleDescription(
                f"{self._split_at.text()!r} is not a time inside this span."
            )
            return
        self.split_current(moment)

    def split_current(self, at: datetime) -> None:
        """Split the current slot at `at` into two questions; the first is asked now."""
        request = self._pending()
        slot = self._slot()
        if not slot.start + MIN_SPLIT_PART <= at <= slot.end - MIN_SPLIT_PART:
            raise ValueError(f"{at} is not inside {slot.start}-{slot.end} with room either side")
        slots = list(request.slots)
        slots[self._current : self._current + 1] = [replace(slot, end=at), replace(slot, start=at)]
        self._answers.insert(self._current + 1, None)
        self._request = replace(request, slots=tuple(slots))
        self._show_queue()
        self._load_slot()
        self._size_lists()
        self._search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.resize(self.width(), self.sizeHint().height())

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
        self._chosen_activity = None
        self._answers = []
        self._waiting_for_keyboard = False
        self._typing_check.stop()
        self._guard_end.stop()
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
        layout = self.layout()
        if layout is not None:
            # The window's minimum height still holds the previous request's (a tall queue):
            # recompute it from what is shown now, so a single prompt shrinks back.
            layout.activate()
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
