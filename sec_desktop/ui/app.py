"""The tray application: one object owns the tray, the reminder driver, the picker and the
store for the life of the process, and tears them down in order on quit."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

# isort: off
# Before PySide6 and the modules below: PySide6's import hook must not keep their sources.
from sec_desktop.ui import pyside_sources  # noqa: F401

# isort: on
import orjson
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from sec_desktop import APP_NAME, __version__
from sec_desktop.framework import Framework
from sec_desktop.platform.ipc_commands import TAKE_KEYBOARD
from sec_desktop.platform.single_instance import InstanceError, InstanceServer, server_name
from sec_desktop.reminders import Disposition, PromptRequest, PromptSlot, SlotAnswer, SlotKind
from sec_desktop.reminders.booking import entries_for_answers
from sec_desktop.reminders.prompts import RequestReason
from sec_desktop.reminders.questions import (
    load_questions,
    questions_json,
    questions_path,
    save_questions,
    still_open,
    unanswered_away_spans,
)
from sec_desktop.reminders.ranking import UsageRanking
from sec_desktop.reminders.schedule import TimerSegment
from sec_desktop.settings import Settings
from sec_desktop.store import Entry, EntryStore, StoreError
from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir
from sec_desktop.store.entry import MAX_ENTRY_SPAN, span_pieces, utc_now
from sec_desktop.store.paths import resolve_data_dir
from sec_desktop.ui.activation import launcher_activation
from sec_desktop.ui.jobs import Job, Jobs
from sec_desktop.ui.startup import ShownTray, application
from sec_desktop.ui.tray import DEFAULT_TRAY_WAIT_S, TrayController, TrayState
from sec_desktop.ui.windows import Reopen, WindowRegistry
from sec_desktop.workspace import Workspace

if TYPE_CHECKING:
    from datetime import date

    from sec_desktop.framework import BenchmarkProfile
    from sec_desktop.privacy.keychain import SecretStore
    from sec_desktop.privacy.state import PrivacyState
    from sec_desktop.store.backup import Backup
    from sec_desktop.ui.global_shortcut import GlobalShortcut
    from sec_desktop.ui.picker.window import Picker
    from sec_desktop.ui.prompt_notice import PromptNotice
    from sec_desktop.ui.reminder_driver import ReminderDriver
    from sec_desktop.ui.review import ReviewSources
    from sec_desktop.ui.review.notice import ClickableNotice
    from sec_desktop.ui.review.nudge import ReviewNudge

log = logging.getLogger(__name__)

RECENT_DAYS = 28
# The keychain check at start: how long one call may take.
KEYCHAIN_TIMEOUT_S = 10.0
# A daily backup is made at start and checked for every few hours (a laptop open for days).
BACKUP_CHECK_MS = 6 * 3600 * 1000
TIMER_FILE = "timer.json"
SNOOZE_FILE = "snooze.json"  # when a snooze or a pause ends, so a restart keeps it


@dataclass(frozen=True)
class AppOptions:
    data_dir: Path
    config_dir: Path
    tz: ZoneInfo
    preset: str | None = None
    tray_wait_s: float = DEFAULT_TRAY_WAIT_S
    # What the launch asked for ("prompt", "dashboard", "settings"), done once started.
    initial_command: str | None = None
    # `prompt --keyboard` started the app: its picker takes the keyboard at once.
    initial_takes_keyboard: bool = False
    # True when --data-dir or $SEC_DESKTOP_DATA_DIR chose the folder: the setting then waits.
    data_dir_pinned: bool = False


def _read_state(path: Path, what: str, problems: list[str]) -> Any:
    """A small JSON state file of the config folder (a timer, a snooze); None when there is
    none, or when it can't be read, which is added to `problems` naming the file."""
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        problems.append(f"{what} in {path} could not be read ({exc}).")
        return None


def _write_state(path: Path, doc: Any, what: str) -> None:
    try:
        ensure_private_dir(path.parent)
        atomic_write_bytes(path, orjson.dumps(doc))
    except OSError as exc:
        log.warning("%s could not be saved: %s", what, exc)


def _aware_moment(value: Any) -> datetime | None:
    """An ISO time with its UTC offset, or None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class SecDesktopApp(QObject):
    """The composition root of the GUI: builds every part and wires their signals."""

    # The global shortcut that opens the picker; grabbed once the tray shows.
    _shortcut: GlobalShortcut | None = None

    def __init__(
        self,
        qapp: QApplication,
        options: AppOptions,
        *,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] | None = None,
        secrets_timeout_s: float = KEYCHAIN_TIMEOUT_S,
        shown: ShownTray | None = None,
    ) -> None:
        super().__init__()
        from sec_desktop.ui.reminder_driver import ReminderDriver, awake_monotonic

        self.qapp = qapp
        self.options = options
        self.clock = clock
        self.tz = options.tz
        self._quitting = False
        qapp.setQuitOnLastWindowClosed(False)
        qapp.aboutToQuit.connect(self.shutdown)

        self.workspace = Workspace(options.data_dir, options.config_dir, clock=clock)
        self.settings: Settings = self.workspace.settings
        # The workspace's list: problems it meets later (a framework reload) show here too.
        self.problems: list[str] = self.workspace.problems
        for migrated in self.workspace.migrate_shared_settings():
            log.info("%s", migrated)
        self.framework = self._load_framework(self.settings)

        self._undo_unfinished_import()
        recent = self._recent_entries()
        self.ranking = UsageRanking(
            self.framework, recent, now=clock(), tz=self.tz, vocabulary=self.workspace.vocabulary
        )
        # Built once the tray shows (or at the first prompt), then kept for instant prompts.
        self._picker: Picker | None = None
        self._prompt_fired_s: float | None = None
        # The picker's view of typing in other windows; closed at shutdown.
        self._typing_idle_close: Callable[[], None] | None = None
        # True while the tray's own "Log now" asks: that prompt takes the keyboard at once.
        self._prompt_takes_keyboard = False
        # True while the picker asks about a span the dashboard's timeline chose to book.
        self._booking_span = False

        last_end = max((e.end for e in recent), default=None)
        self.driver: ReminderDriver = ReminderDriver(
            self.settings,
            tz=self.tz,
            last_answer_end=last_end,
            clock=clock,
            monotonic=monotonic or awake_monotonic,
            parent=self,
        )
        self._restore_timer()
        self._restore_holds()
        self._saved_questions: tuple[PromptSlot, ...] | None = None
        self._restore_questions(recent)
        self.driver.promptDue.connect(self.show_prompt)
        self.driver.promptWithdrawn.connect(self._withdraw_prompt)
        self.driver.stateChanged.connect(self._save_questions)
        self.driver.stateChanged.connect(self._refresh_tray)
        self.driver.stateChanged.connect(self._refresh_review_away)
        self._away: Any = None

        self._secrets_timeout_s = secrets_timeout_s
        self.privacy: PrivacyState | None = None
        # The keychain check, or an encryption change, while one runs.
        self._privacy_job: Job[Any] | None = None
        self._privacy_jobs = Jobs("sec-desktop-privacy", self)
        self._held_answers: list[SlotAnswer] = []
        self._unlock_dialog: QWidget | None = None

        self._backup_check = QTimer(self)
        self._backup_check.setInterval(BACKUP_CHECK_MS)
        self._backup_check.timeout.connect(self.back_up_if_due)
        self._backup_job: Job[Backup | None] | None = None
        self._backup_jobs = Jobs("sec-desktop-backup", self)
        self.tray = self._build_tray(shown)
        self.review_nudge = self._build_review_nudge()
        self.server = InstanceServer(server_name(options.data_dir), parent=self)
        self.server.requested.connect(self._on_request)
        self.windows = WindowRegistry()

    def _undo_unfinished_import(self) -> None:
        """An import killed part-way is undone before anything reads the store, so neither
        the dashboard nor the picker counts half of it."""
        try:
            if not self.store.unfinished_import_journal.is_file():
                return
            from sec_desktop.interop.plan import roll_back_unfinished_import

            removed = roll_back_unfinished_import(self.store)
        except (StoreError, OSError) as exc:
            self.problems.append(f"An import stopped part-way could not be undone yet ({exc}).")
            return
        self.problems.append(
            f"An import stopped part-way was undone ({removed} entries removed); import the "
            "file again."
        )

    @property
    def store(self) -> EntryStore:
        """This device's store on the current data folder (the workspace's, which moves with
        the data folder setting)."""
        return self.workspace.store

    @property
    def device(self) -> str:
        return self.workspace.device

    def _build_tray(self, shown: ShownTray | None) -> TrayController:
        tray = TrayController(self.tray_state, self.tz, self.clock, parent=self, shown=shown)
        tray.logNowRequested.connect(self._log_now_taking_keyboard)
        tray.timerChooserRequested.connect(self.open_timer_chooser)
        tray.timerStopRequested.connect(self.stop_timer)
        tray.snoozeRequested.connect(self.snooze)
        tray.resumeRequested.connect(self.resume_prompts)
        tray.dashboardRequested.connect(self.open_dashboard)
        tray.settingsRequested.connect(self.open_settings)
        tray.mindmapRequested.connect(self.open_mindmap)
        tray.orientationRequested.connect(self.open_orientation)
        tray.customizeRequested.connect(self.open_customize)
        tray.importRequested.connect(self.open_import)
        tray.reviewRequested.connect(self.open_review)
        tray.quitRequested.connect(self.quit)
        tray.menu.aboutToShow.connect(lambda: log.info("tray menu shown"))
        tray.privacyActionRequested.connect(self._on_privacy_action)
        return tray

    def _build_review_nudge(self) -> ReviewNudge:
        from sec_desktop.ui.review.nudge import ReviewNudge

        nudge = ReviewNudge(
            self.options.config_dir,
            lambda: self.settings,
            self.tz,
            self.clock,
            notify=self._notify_clickable,
            text_for=self._review_notice,
            open_review=self.open_review,
            parent=self,
        )
        if nudge.problem:
            self.problems.append(nudge.problem)
        # Checked once the tray (or its stand-in window) shows, so the nudge has a place.
        self.tray.shown.connect(lambda _mode: nudge.start())
        # Every reminder tick reads the wall clock: a wake past the review's moment shows there.
        self.driver.stateChanged.connect(nudge.reschedule)
        return nudge

    @cached_property
    def _clickable_notice(self) -> ClickableNotice:
        """The review's notification, loaded when one is first shown (not before the icon)."""
        from sec_desktop.ui.review.notice import ClickableNotice

        return ClickableNotice(self.tray, parent=self)

    def _notify_clickable(self, title: str, text: str, on_click: Callable[[], None]) -> bool:
        return self._clickable_notice.notify(title, text, on_click)

    @cached_property
    def secrets(self) -> SecretStore:
        """This device's keychain, made when a note key is first changed or unlocked (the
        check at start asks it from its own process)."""
        from sec_desktop.privacy.keychain import SecretStore

        return SecretStore(lock_dir=self.options.config_dir, timeout_s=self._secrets_timeout_s)

    @cached_property
    def prompt_notice(self) -> PromptNotice:
        """Prompts as notifications with buttons (the setting; the server is asked at the
        first prompt)."""
        from sec_desktop.ui.prompt_notice import PromptNotice

        notice = PromptNotice(
            ranking=lambda: self.ranking,
            framework=lambda: self.framework,
            settings=lambda: self.settings,
            tz=self.tz,
            clock=self.clock,
            parent=self,
        )
        notice.answered.connect(self._on_answered)
        notice.pickerWanted.connect(self._ask_in_picker)
        notice.unanswered.connect(self._on_picker_dismissed)
        return notice

    def _notice_if_made(self) -> PromptNotice | None:
        """The notification side if a prompt has used it (asking for it would load it)."""
        made: PromptNotice | None = self.__dict__.get("prompt_notice")
        return made

    def _ask_in_picker(self, request: PromptRequest) -> None:
        """The notification's Other…, or it went unanswered: the picker asks the same."""
        self.picker.show_request(request, self.tray.anchor())
        self._refresh_tray()

    @property
    def picker(self) -> Picker:
        if self._picker is None:
            from sec_desktop.ui.picker.window import Picker

            picker = Picker(
                self.framework, self.ranking, tz=self.tz, typing_idle_s=self._open_typing_idle()
            )
            picker.answered.connect(self._on_answered)
            picker.snoozeRequested.connect(self._on_picker_snoozed)
            picker.dismissed.connect(self._on_picker_dismissed)
            picker.installEventFilter(self)
            self._picker = picker
        return self._picker

    def _open_typing_idle(self) -> Callable[[], float | None] | None:
        """Input idle for the picker to tell whether the user is typing elsewhere, from the
        best fine-grained source of this desktop (X11, GNOME, the Wayland idle protocols,
        macOS, Windows)."""
        from sec_desktop.platform.recent_input import RecentInput
        from sec_desktop.ui.picker.window import TYPING_PAUSE_S

        recent = RecentInput.open(TYPING_PAUSE_S)
        if recent is None:
            log.info("no input idle for the picker: its answer guard alone holds stray keys")
            return None
        log.info("the picker reads recent input from %s", recent.name)
        self._typing_idle_close = recent.close
        return recent.idle_seconds

    def picker_visible(self) -> bool:
        return self._picker is not None and self._picker.isVisible()

    def _withdraw_prompt(self) -> None:
        notice = self._notice_if_made()
        if notice is not None:
            notice.withdraw()
        if self._picker is not None:
            self._picker.dismiss()

    def _finish_start(self) -> None:
        """What can wait until the tray icon shows: the picker, built ahead of the first
        prompt so that prompt is instant, and the away monitor."""
        if self._quitting:
            return
        _ = self.ranking.search  # its index, so the first keystroke in the picker is quick
        _ = self.picker
        self._start_away_monitor()
        self._start_shortcut()
        if self.driver.planner.questions:
            # Asked once the tray (or its stand-in) shows, so the picker knows its place.
            if self.tray.mode is not None:
                self.driver.ask_queued()
            else:
                self.tray.shown.connect(
                    lambda _mode: self.driver.ask_queued(),
                    type=Qt.ConnectionType.SingleShotConnection,
                )

    # start and stop -----------------------------------------------------------------------

    def start(self) -> None:
        """Listen for later launches, show the tray, start the prompts."""
        self.server.listen()
        # The tray icon first: the keychain check's imports run in a thread that would
        # compete with it for the interpreter; the backup waits for the event loop.
        self.tray.start(self.options.tray_wait_s)
        # Once the event loop runs: answers with notes wait for it (see _save_answers).
        QTimer.singleShot(0, self.assess_privacy)
        self.driver.start()
        QTimer.singleShot(0, self._finish_start)
        QTimer.singleShot(0, self.back_up_if_due)
        self._backup_check.start()
        for problem in self.problems + [p.message() for p in self.store.problems]:
            self.tray.notify(APP_NAME, problem)
        if not self.settings.first_run_done and not self.options.initial_command:
            QTimer.singleShot(0, self.open_orientation)
        if self.options.initial_command:
            command = self.options.initial_command
            first = {"command": command, TAKE_KEYBOARD: self.options.initial_takes_keyboard}
            QTimer.singleShot(0, lambda: self._on_request(command, first))

    def quit(self) -> None:
        self.qapp.quit()

    def shutdown(self) -> None:
        """Stop timers and sockets, close windows and the store; safe to call twice."""
        if self._quitting:
            return
        self._quitting = True
        self.driver.stop()
        self.review_nudge.stop()
        notice = self._notice_if_made()
        if notice is not None:
            notice.close()
        self._backup_check.stop()
        # Neither waits: a silent keychain or a long backup must not hold up quitting.
        self._privacy_jobs.shutdown(wait=False)
        self._backup_jobs.shutdown(wait=False)
        if self._held_answers:
            self._flush_held_answers_at_quit()
        if self._away is not None:
            self._away.stop()
        if self._shortcut is not None:
            self._shortcut.stop()
        self.server.close()
        self.tray.hide()
        if self._picker is not None:
            self._picker.hide()
        if self._typing_idle_close is not None:
            self._typing_idle_close()
            self._typing_idle_close = None
        self.windows.close_all()
        self.workspace.close()

    # prompts --------------------------------------------------------------------------------

    def show_prompt(self, request: PromptRequest) -> None:
        self._prompt_fired_s = time.perf_counter()
        self._booking_span = False
        log.info(
            "prompt (%s): %s",
            request.reason.value,
            ", ".join(
                f"{s.kind.value} {s.start:%H:%M:%S}-{s.end:%H:%M:%S}Z" for s in request.slots
            ),
        )
        # Where the picker is the chosen surface, the notification side (asyncio, D-Bus: 68 ms
        # to import) is not loaded for it, so the first prompt is as quick as the others; one
        # made under another setting still withdraws what it showed.
        wants_notice = self.settings.prompt_surface != "picker"
        notice = self.prompt_notice if wants_notice else self._notice_if_made()
        if notice is not None and notice.offer(request):  # buttons, where the server has them
            self._refresh_tray()
            return
        self.picker.show_request(
            request, self.tray.anchor(), take_keyboard=self._prompt_takes_keyboard
        )
        self._refresh_tray()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The benchmark's figure: from a prompt firing to the picker's first paint.
        if (
            watched is self._picker
            and event.type() == QEvent.Type.Paint
            and self._prompt_fired_s is not None
        ):
            elapsed_ms = (time.perf_counter() - self._prompt_fired_s) * 1000
            self._prompt_fired_s = None
            log.info("picker painted %.1f ms after the prompt fired", elapsed_ms)
        return False

    def book_span(self, start: datetime, end: datetime) -> str | None:
        """The timeline's "book this gap or away span": the picker asks about exactly that
        span, and its answer is saved like any other (only where no entry is). Returns why
        not, or None once the picker shows."""
        notice = self._notice_if_made()
        if self.picker_visible() or (notice is not None and notice.pending is not None):
            return "A prompt is open: answer or close it first, then book this span."
        now = self.clock().astimezone(UTC)
        start, end = start.astimezone(UTC), min(end.astimezone(UTC), now)
        if end <= start:
            return "That span has not happened yet."
        questions = self.driver.planner.questions
        away = any(q.kind is SlotKind.AWAY and q.start < end and start < q.end for q in questions)
        slot = PromptSlot(start, end, SlotKind.AWAY if away else SlotKind.LOG_NOW, now)
        # Scheduled prompts wait while the picker is open, as for any prompt.
        self.driver.set_prompt_open(True)
        self.picker.show_request(
            PromptRequest((slot,), RequestReason.LOG_NOW), self.tray.anchor(), take_keyboard=True
        )
        self._booking_span = True
        return None

    def log_now(self) -> None:
        if self.picker_visible() and self.picker.waiting_for_keyboard:
            # Asked again (the shortcut, `sec-desktop prompt`) for the picker shown while the
            # user typed elsewhere: they mean to answer it now.
            self.picker.take_keyboard()
            return
        self.driver.request_now()

    def _start_shortcut(self) -> None:
        from sec_desktop.ui.global_shortcut import GlobalShortcut

        # A key the user pressed: the picker takes the keyboard at once, as from the tray.
        self._shortcut = GlobalShortcut(self._log_now_taking_keyboard)
        self._set_shortcut(self.settings.open_picker_shortcut)

    def _set_shortcut(self, sequence: str) -> None:
        if self._shortcut is None:
            return
        self._shortcut.set_sequence(sequence)
        if self._shortcut.problem and self._shortcut.can_grab:
            # Refused (another program holds the key): say so; where no grab is possible
            # at all, Settings explains how to bind it in the desktop instead.
            self.tray.notify(APP_NAME, f"Shortcut {sequence}: {self._shortcut.problem}")

    def log_time_to(self, node_id: str) -> None:
        """Ask for the time since the last answer with this node offered first: Enter books
        it (not the "same as before" activity), as when the mindmap's "Log time to it" asks."""
        self.log_now()
        if self.picker_visible() and node_id in self.framework:
            self.picker.choose_activity(node_id)

    def _log_now_taking_keyboard(self) -> None:
        """The user asked on purpose (the tray menu, the global shortcut, a desktop key
        binding running `prompt --keyboard`): nothing typed was meant for another window, so
        this prompt takes the keyboard at once."""
        self._prompt_takes_keyboard = True
        try:
            self.log_now()
        finally:
            self._prompt_takes_keyboard = False

    def _on_answered(self, answers: Sequence[SlotAnswer]) -> None:
        log.info("picker closed: %d answers", len(answers))
        self._booking_span = False
        self._save_answers(answers)
        self.driver.answered(list(answers))
        self._save_timer()  # a timer check answered "no" stops the timer
        self._refresh_tray()
        self._refresh_dashboard()  # its timeline shows the answer where the gap was

    def _save_answers(self, answers: Sequence[SlotAnswer]) -> None:
        tagged = [a for a in answers if a.disposition is Disposition.TAGGED]
        if not tagged:
            return
        if self.privacy is None and any(a.note for a in tagged) and not self._quitting:
            # Until the keychain has answered, a note could only be written in plain text:
            # hold the answers (seconds at most) and save them when the key is known.
            self._held_answers.extend(tagged)
            return
        locked = False
        if self.privacy is not None:  # privacy.state is loaded once the keychain has answered
            from sec_desktop.privacy.state import Offer

            locked = self.privacy.offer is Offer.UNLOCK
        if locked and any(a.note for a in tagged) and not self._quitting:
            # The folder's notes are encrypted with a key this device hasn't unlocked: hold
            # the answers and ask for the passphrase; they are saved once the key is here.
            self._held_answers.extend(tagged)
            self.ask_unlock()
            return
        first = min(a.slot.start for a in tagged)
        last = max(a.slot.end for a in tagged)
        try:
            with self.store.writing():  # a `log` from the command line can't slip between
                existing = self.store.overlapping(first, last)
                made = entries_for_answers(
                    tagged, existing, tz=self.tz.key, device=self.device, now=self.clock()
                )
                self.store.add_many(made)
        except (StoreError, OSError) as exc:
            log.exception("saving answers failed")
            self.tray.notify(f"{APP_NAME}: not saved", f"Your answer was not saved: {exc}")
            return
        self.ranking.record(made)

    def _on_picker_snoozed(self) -> None:
        if self._booking_span:  # Esc on a span the timeline asked about: no prompt to snooze
            self._on_picker_dismissed()
            return
        log.info("picker closed: snoozed")
        self.driver.prompt_closed(answered=False)
        self.snooze(self.settings.snooze_minutes[0])

    def _on_picker_dismissed(self) -> None:
        log.info("picker closed: dismissed")
        self._booking_span = False
        self.driver.prompt_closed(answered=False)
        self._refresh_tray()

    def snooze(self, minutes: int | None) -> None:
        self.driver.snooze(minutes)
        self._save_holds()
        self._refresh_tray()

    def resume_prompts(self) -> None:
        self.driver.resume()
        self._save_holds()
        self._refresh_tray()

    def _holds_path(self) -> Path:
        return self.options.config_dir / SNOOZE_FILE

    def _save_holds(self) -> None:
        snoozed, paused = self.driver.planner.holds
        doc = {
            "snoozed_until": snoozed.isoformat() if snoozed else None,
            "paused_until": paused.isoformat() if paused else None,
        }
        _write_state(self._holds_path(), doc, "the snooze")

    def _restore_holds(self) -> None:
        """A snooze or pause set before the app last stopped still holds (until it ends)."""
        path = self._holds_path()
        doc = _read_state(path, "The snooze", self.problems)
        if doc is None:
            return
        if not isinstance(doc, dict):
            self.problems.append(f"The snooze in {path} is not what this app writes; ignored.")
            return
        self.driver.planner.restore_holds(
            _aware_moment(doc.get("snoozed_until")), _aware_moment(doc.get("paused_until"))
        )

    # timer ----------------------------------------------------------------------------------

    def start_timer(self, activity_id: str) -> None:
        previous = self.driver.start_timer(activity_id)
        if previous is not None:
            self._book_segment(previous)
        self._save_timer()
        self._refresh_tray()

    def stop_timer(self) -> None:
        segment = self.driver.stop_timer()
        if segment is not None:
            self._book_segment(segment)
        self._save_timer()
        self._refresh_tray()

    def _book_segment(self, segment: TimerSegment) -> None:
        """Save a timer's span as entries (only the parts no entry covers yet)."""
        if segment.end <= segment.start:
            return
        # One entry covers at most MAX_ENTRY_SPAN: a longer run is booked whole, in pieces.
        pieces = span_pieces(segment.start, segment.end)
        slots = [PromptSlot(start, end, SlotKind.TIMER_CHECK, end) for start, end in pieces]
        self._save_answers([SlotAnswer(s, Disposition.TAGGED, segment.activity_id) for s in slots])
        if len(pieces) > 1:
            days = round((segment.end - segment.start) / timedelta(days=1))
            self.tray.notify(
                f"{APP_NAME}: timer stopped",
                f"The timer ran {days} days; it was booked in {len(pieces)} pieces of at most "
                f"{MAX_ENTRY_SPAN.days} days. If it ran by mistake, correct them in the dashboard.",
            )

    def _timer_path(self) -> Path:
        return self.options.config_dir / TIMER_FILE

    def _restore_timer(self) -> None:
        """A timer that ran when the app last stopped runs on (from when it started)."""
        path = self._timer_path()
        doc = _read_state(path, "The running timer", self.problems)
        if doc is None:
            return
        if not isinstance(doc, dict):
            self.problems.append(
                f"The running timer in {path} is not what this app writes; ignored."
            )
            return
        if not doc.get("activity"):
            return
        activity = str(doc["activity"])
        if activity not in self.framework:
            self.problems.append(f"The running timer in {path} names an unknown activity.")
            return
        self.driver.start_timer(activity, since=_aware_moment(doc.get("since")))

    def _save_timer(self) -> None:
        timer = self.driver.timer
        doc: dict[str, Any] = {"activity": None}
        if timer is not None:
            since = timer.since.isoformat() if timer.since else None
            doc = {"activity": timer.activity_id, "since": since}
        _write_state(self._timer_path(), doc, "the timer state")

    # open questions ---------------------------------------------------------------------------

    def _questions_path(self) -> Path:
        return questions_path(self.options.config_dir)

    def _restore_questions(self, recent: Sequence[Entry]) -> None:
        """Questions an earlier run left open are asked again, less what was booked since."""
        loaded = load_questions(self._questions_path(), now=self.clock())
        if loaded.problem:
            self.problems.append(loaded.problem)
        booked = [(e.start, e.end) for e in recent if not e.is_deleted]
        # Asked once the tray has settled, so the picker opens by its icon.
        self.driver.planner.restore_questions(still_open(loaded.slots, booked), ask=False)
        if loaded.problem is None:
            self._saved_questions = tuple(loaded.slots)

    def _save_questions(self) -> None:
        questions = self.driver.planner.questions
        if questions == self._saved_questions:
            return
        try:
            save_questions(self._questions_path(), questions)
        except OSError as exc:
            log.warning("the open questions could not be saved: %s", exc)
            return
        self._saved_questions = questions

    # away -----------------------------------------------------------------------------------

    def _start_away_monitor(self) -> None:
        from sec_desktop.platform.sleep import AwayMonitor

        self._away = AwayMonitor(idle_minutes=self.settings.idle_minutes, parent=self)
        self._away.awayStarted.connect(self._on_away_started)
        self._away.awayEnded.connect(self.driver.away_ended)
        self._away.start()

    def _on_away_started(self, reason: str) -> None:
        timer = self.driver.timer
        # Dated from the last input (idle) or the signal (sleep, lock), as the monitor saw it.
        self.driver.away_started(reason, self._away.away_since)
        away_since = self.driver.away_since
        if timer is not None and timer.since is not None and away_since is not None:
            # Sleep and idle are never booked: the timer's span ends where the absence began.
            self._book_segment(TimerSegment(timer.activity_id, timer.since, away_since))
        self._save_timer()

    # backups --------------------------------------------------------------------------------

    def back_up_if_due(self) -> None:
        """The daily backup of the data folder, off the GUI thread; a failure is told once."""
        if self._quitting or (self._backup_job is not None and not self._backup_job.done()):
            return
        # Loaded here, after the tray icon shows (the first backup runs from the event loop).
        from sec_desktop.store.backup import backup_dir_for, backup_if_due

        data_dir, now, keep = self.options.data_dir, self.clock(), self.settings.backups_kept
        backup_dir = backup_dir_for(self.options.config_dir, data_dir)
        self._backup_job = self._backup_jobs.submit(
            lambda: backup_if_due(data_dir, backup_dir, now, keep), self._backup_done
        )

    def _backup_done(self, job: Job[Backup | None]) -> None:
        error = job.exception()
        if error is not None:
            log.error("the daily backup failed: %s", error)
        elif job.result() is not None:
            log.info("daily backup made: %s", job.result())

    # privacy --------------------------------------------------------------------------------

    def assess_privacy(self) -> None:
        """Ask the keychain off the GUI thread, in a process of its own (privacy/helper.py);
        the answer comes back in `_privacy_done`."""
        if self._quitting:  # asked from the event loop after a quit came first
            return
        if self._privacy_job is not None:
            self._privacy_job.cancel()  # about a folder or a state that no longer holds
        data_dir, device, lock_dir = self.options.data_dir, self.device, self.options.config_dir
        timeout_s = self._secrets_timeout_s
        # Loaded here, after the tray icon shows: the check's side is not needed for it.
        from sec_desktop.privacy.helper import assess_elsewhere

        self._privacy_job = self._privacy_jobs.submit(
            lambda: assess_elsewhere(data_dir, device, lock_dir, timeout_s), self._privacy_done
        )

    def _privacy_done(self, job: Job[Any]) -> None:
        from sec_desktop.privacy.state import PrivacyState

        self._privacy_job = None
        try:
            result = job.result()
        except Exception as exc:
            log.exception("the notes check failed")
            self.problems.append(f"Notes could not be checked: {exc}")
            self._refresh_tray()
            return
        if isinstance(result, PrivacyState):
            self._apply_privacy(result)
        else:  # an action finished; look again at what it changed
            self.assess_privacy()

    def _apply_privacy(self, state: PrivacyState) -> None:
        previous = self.privacy
        self.privacy = state
        self.store.set_note_cipher(state.key_source)
        # A window opened before the key was known (`sec-desktop dashboard` opens one at
        # once) shows "[Encrypted note ...]" until it reads the entries again.
        self._reread_open_windows()
        if previous is not None and previous.warning and previous.message in self.problems:
            self.problems.remove(previous.message)
        if state.warning:
            self.problems.append(state.message)
            self.tray.notify(APP_NAME, state.message)
        log.info("notes: %s", state.message)
        held, self._held_answers = self._held_answers, []
        if held:
            self._save_answers(held)
        self._refresh_tray()

    def _reread_open_windows(self) -> None:
        """Show the entries again in the dashboard and the mindmap, if open (a window not
        open is not loaded for this)."""
        dashboard, mindmap = self.windows.get("dashboard"), self.windows.get("mindmap")
        if dashboard is not None:
            from sec_desktop.ui.dashboard import DashboardWindow

            if isinstance(dashboard, DashboardWindow):
                dashboard.refresh()
        if mindmap is not None:
            from sec_desktop.ui.mindmap.window import MindmapWindow

            if isinstance(mindmap, MindmapWindow):
                mindmap.widget.refresh()

    def _on_privacy_action(self) -> None:
        from sec_desktop.privacy.notes import disable_encryption, enable_encryption
        from sec_desktop.privacy.state import Offer
        from sec_desktop.store.backup import backup_dir_for

        state = self.privacy
        if state is None or state.offer is None or self._privacy_job is not None:
            return
        data_dir, device, secrets = self.options.data_dir, self.device, self.secrets
        offer = state.offer
        if offer is Offer.RETRY:
            self.assess_privacy()
            return
        if offer is Offer.UNLOCK:
            self.ask_unlock()
            return
        if offer is Offer.ACCEPT_OFF:
            self._privacy_job = self._privacy_jobs.submit(
                lambda: disable_encryption(data_dir, device, secrets), self._privacy_done
            )
            return
        new_key = offer is Offer.NEW_KEY
        # Backups are sealed too, so no plain note outlives the switch.
        backups = backup_dir_for(self.options.config_dir, data_dir)
        self._privacy_job = self._privacy_jobs.submit(
            lambda: enable_encryption(
                data_dir, device, secrets, new_key=new_key, backup_dir=backups
            ),
            self._privacy_done,
        )

    def ask_unlock(self) -> QWidget | None:
        """Ask for the passphrase of the folder's notes key (non-blocking); once given, the key
        is unlocked off the GUI thread and kept in this device's keychain."""
        if self._unlock_dialog is not None and self._unlock_dialog.isVisible():
            self._unlock_dialog.raise_()
            return self._unlock_dialog
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        dialog = QInputDialog()
        dialog.setWindowTitle(f"{APP_NAME}: unlock notes")
        dialog.setLabelText(
            "Your notes are encrypted with the key of your other device.\n"
            "Type its passphrase to read and save notes here:"
        )
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self._unlock)
        dialog.destroyed.connect(lambda *_: setattr(self, "_unlock_dialog", None))
        self._unlock_dialog = dialog
        dialog.show()
        return dialog

    def _unlock(self, passphrase: str) -> None:
        from sec_desktop.privacy.notes import unlock_folder_key

        data_dir, secrets, device = self.options.data_dir, self.secrets, self.device
        self._privacy_job = self._privacy_jobs.submit(
            lambda: unlock_folder_key(data_dir, secrets, passphrase, device_id=device),
            self._unlock_done,
        )

    def _unlock_done(self, job: Job[Any]) -> None:
        from sec_desktop.privacy.notes import PrivacyError

        self._privacy_job = None
        try:
            job.result()
        except PrivacyError as exc:
            self.tray.notify(f"{APP_NAME}: notes still locked", f"Not unlocked: {exc}")
            self.ask_unlock()
            return
        self.tray.notify(APP_NAME, "Notes are unlocked on this device.")
        self.assess_privacy()

    # windows --------------------------------------------------------------------------------

    def open_dashboard(self) -> None:
        def build() -> QWidget:
            from sec_desktop.analytics.coverage import working_intervals_for
            from sec_desktop.ui.dashboard import DashboardWindow
            from sec_desktop.ui.shared_view import dashboard_kind, view_period_of

            window = DashboardWindow(
                self.framework,
                self.store,
                self.options.data_dir,
                self.options.config_dir,
                self.tz,
                now=self.clock,
                working_intervals_for=lambda period: working_intervals_for(period, self.settings),
                unanswered_away=lambda: unanswered_away_spans(self.driver.planner.questions),
                profile_id=self.settings.benchmark_profile,
                period_kind=dashboard_kind(self.settings.view_period),
            )
            window.timeline.span_booker = self.book_span
            window.period_bar.periodChanged.connect(
                lambda: self.remember_view(view_period_of(window.kind), None)
            )
            window.profile_picker.profileChanged.connect(
                lambda: self.remember_view(None, window.profile_id)
            )
            return window

        self.windows.show("dashboard", build)

    def open_mindmap(self, activity_id: str | None = None) -> None:
        def build() -> QWidget:
            from sec_desktop.framework.custom_profile import profiles_for
            from sec_desktop.ui.mindmap.window import MindmapWindow

            window = MindmapWindow(
                self.framework,
                self.store,
                self.tz,
                profiles=profiles_for(self.framework, self.options.data_dir),
                profile_id=self.settings.benchmark_profile,
                now=self.clock,
                period_kind=self.settings.view_period,
            )
            window.logTimeRequested.connect(self.log_time_to)
            window.widget.periodKindChanged.connect(lambda kind: self.remember_view(kind, None))
            window.widget.profileChanged.connect(lambda profile: self.remember_view(None, profile))
            window.entriesRequested.connect(self.show_entries_in_dashboard)
            return window

        self.windows.show("mindmap", build)

    def remember_view(self, period_kind: str | None, profile_id: str | None) -> None:
        """Keep the period kind and profile last picked in the dashboard or the mindmap."""
        from sec_desktop.ui.shared_view import remember_view, show_view

        settings, changed = remember_view(
            self.settings, self.options.config_dir, period_kind, profile_id
        )
        if changed:
            self.settings = self.workspace.settings = settings
            show_view(self.windows, settings, changed)

    def show_entries_in_dashboard(self, node_id: str, period: Any) -> None:
        """The dashboard's Entries tab with the entries behind a node's number in `period`."""
        from sec_desktop.ui.dashboard import DashboardWindow
        from sec_desktop.ui.mindmap.model import ROLE_ID

        self.open_dashboard()
        dashboard = self.windows.get("dashboard")
        if isinstance(dashboard, DashboardWindow):
            dashboard.show_entries_in(None if node_id == ROLE_ID else node_id, period)

    def open_timer_chooser(self) -> None:
        """Search the whole framework for the activity to run a timer on (or switch it to)."""

        def build() -> QWidget:
            from sec_desktop.ui.picker.timer_chooser import TimerChooser

            timer = self.driver.timer
            chooser = TimerChooser(
                self.framework,
                self.ranking,
                running=timer.activity_id if timer else None,
                clock=self.clock,
            )
            chooser.chosen.connect(self.start_timer)
            return chooser

        self.windows.show("timer-chooser", build, Reopen.RAISE_AND_ACTIVATE)

    def open_orientation(self) -> None:
        """The first-run orientation; on first start, and from the tray menu later."""

        def build() -> QWidget:
            from sec_desktop.ui.dialogs.orientation import FirstRunDialog

            dialog = FirstRunDialog(self.framework, self.options.config_dir, self.settings)
            dialog.finished_with.connect(self.apply_settings)
            dialog.firstPromptRequested.connect(self.log_now)
            return dialog

        self.windows.show("orientation", build, Reopen.RAISE)

    def open_customize(self) -> None:
        def build() -> QWidget:
            from sec_desktop.ui.dialogs.customize import CustomizeDialog

            dialog = CustomizeDialog(
                self.options.data_dir, self.store, self.settings, self.options.config_dir
            )
            dialog.frameworkChanged.connect(self.reload_framework)
            dialog.settingsChanged.connect(self.apply_settings)
            return dialog

        self.windows.show("customize", build, Reopen.RAISE)

    def open_import(self) -> None:
        """The import wizard (Toggl, Timewarrior, Watson, TagTime, calendars, SEC JSON)."""

        def build() -> QWidget:
            from sec_desktop.ui.import_wizard.wizard import ImportWizard

            wizard = ImportWizard(
                self.framework,
                self.store,
                self.options.data_dir,
                self.options.config_dir,
                self.tz,
                self.clock,
            )
            wizard.imported.connect(self._after_import)
            return wizard

        self.windows.show("import", build, Reopen.RAISE_AND_ACTIVATE)

    def _review_sources(self) -> ReviewSources:
        from sec_desktop.analytics.plan_records import load_plans
        from sec_desktop.framework.custom_profile import profiles_for
        from sec_desktop.ui.review import ReviewSources

        def profile() -> BenchmarkProfile:
            profiles = profiles_for(self.framework, self.options.data_dir)
            return profiles.get(self.settings.benchmark_profile) or profiles["default"]

        return ReviewSources(
            framework=self.framework,
            store=self.store,
            data_dir=self.options.data_dir,
            device=self.device,
            tz=self.tz,
            now=self.clock,
            profile=profile,
            plans=lambda: load_plans(self.options.data_dir, self.device, self.framework).plans,
            cipher=lambda: self.privacy.note_cipher() if self.privacy is not None else None,
            unanswered_away=lambda: unanswered_away_spans(self.driver.planner.questions),
        )

    def _review_notice(self, week: date) -> str | None:
        """The nudge's text, or None when the week holds nothing to review."""
        from sec_desktop.analytics.periods import Period

        period = Period(week, week + timedelta(days=6), self.tz)
        # Looked at before the review's modules load: an empty week (a new user's) costs the
        # resident tray no imports.
        away = unanswered_away_spans(self.driver.planner.questions)
        if not away and not self.store.entries(period.start, period.end):
            return None
        from sec_desktop.analytics.review import notification_text, review_span, weekly_review

        src = self._review_sources()
        review = weekly_review(
            src.store.entries(*review_span(week, self.tz)),
            src.framework,
            src.profile(),
            src.plans(),
            week=week,
            tz=self.tz,
            unanswered_away=src.unanswered_away(),
        )
        return notification_text(review)

    def open_review(self, week: date | None = None) -> None:
        """The weekly review of `week` (a Monday), by default the last whole week."""
        from sec_desktop.reminders.review import review_week
        from sec_desktop.ui.review import ReviewWindow

        shown = week or review_week(self.clock().astimezone(self.tz).date())
        existing = self.windows.get("review")
        if isinstance(existing, ReviewWindow) and existing.week != shown:
            existing.go_to(shown)

        def build() -> QWidget:
            window = ReviewWindow(self._review_sources(), shown)
            window.answerAwayRequested.connect(self.log_now)
            return window

        self.windows.show("review", build, Reopen.RAISE_AND_ACTIVATE)

    def _refresh_review_away(self) -> None:
        window = self.windows.get("review")
        if window is None:  # not open: its module need not load for this
            return
        from sec_desktop.ui.review import ReviewWindow

        if isinstance(window, ReviewWindow):
            window.refresh_away()

    def _after_import(self, _count: int) -> None:
        self._refresh_tray()
        self._refresh_dashboard()

    def _refresh_dashboard(self) -> None:
        dashboard = self.windows.get("dashboard")
        if dashboard is not None:
            from sec_desktop.ui.dashboard import DashboardWindow

            if isinstance(dashboard, DashboardWindow):
                dashboard.refresh()

    def open_settings(self) -> None:
        def build() -> QWidget:
            from sec_desktop.platform.idle import idle_source_sentence
            from sec_desktop.ui.dialogs.settings import SettingsDialog

            idle_name = self._away.idle_source_name if self._away is not None else None
            dialog = SettingsDialog(
                self.settings,
                self.options.config_dir,
                idle_note=idle_source_sentence(idle_name),
                shortcut_problem=self._shortcut.problem if self._shortcut else None,
            )
            dialog.settingsSaved.connect(self.apply_settings)
            return dialog

        self.windows.show("settings", build, Reopen.RAISE_AND_ACTIVATE)

    def apply_settings(self, settings: Settings) -> None:
        """Take new settings at once: prompts, framework preset and idle threshold."""
        previous = self.settings
        self.settings = self.workspace.settings = settings
        if settings.industry_preset != previous.industry_preset:
            self.reload_framework()
        self.driver.apply_settings(settings)
        if settings.data_dir != previous.data_dir:
            self._switch_data_dir(settings.data_dir)
        if self._away is not None and settings.idle_minutes != previous.idle_minutes:
            self._away.set_idle_minutes(settings.idle_minutes)
        if settings.open_picker_shortcut != previous.open_picker_shortcut:
            self._set_shortcut(settings.open_picker_shortcut)
        self._refresh_tray()

    # requests from later launches ------------------------------------------------------------

    def request_handlers(self) -> dict[str, Callable[[], None]]:
        """What each request in `ipc_commands.COMMANDS` does; every one replies the status."""
        return {
            "raise": self.open_dashboard,
            "prompt": self.log_now,
            "dashboard": self.open_dashboard,
            "settings": self.open_settings,
            "status": lambda: None,
            "quit": self._quit_after_reply,
        }

    def _on_request(self, command: str, message: dict[str, Any]) -> None:
        log.info("request from another launch: %s", command)
        with launcher_activation(message):
            if command in ("raise", "prompt", "dashboard"):
                self.tray.show_window()  # the stand-in comes back if it was hidden
            if command == "prompt" and message.get(TAKE_KEYBOARD) is True:
                self._log_now_taking_keyboard()
            else:
                self.request_handlers()[command]()
        self.server.reply = {"ok": True, **self.status()}

    def _quit_after_reply(self) -> None:
        QTimer.singleShot(0, self.quit)

    def status(self) -> dict[str, Any]:
        next_at = self.driver.next_prompt_at
        return {
            "version": __version__,
            "pid": self.qapp.applicationPid(),
            "tray": self.tray.mode,
            "picker_visible": self.picker_visible(),
            "next_prompt_at": next_at.isoformat() if next_at else None,
            "timer": self.driver.timer.activity_id if self.driver.timer else None,
            "data_dir": str(self.options.data_dir),
            "away": sorted(self.driver.planner.away_reasons),
            "questions": questions_json(self.driver.planner.questions),
        }

    # tray state -----------------------------------------------------------------------------

    def tray_state(self) -> TrayState:
        timer = self.driver.timer
        latest = self.ranking.answers[-1] if self.ranking.answers else None
        current: str | None = None
        since: datetime | None = None
        until: datetime | None = None
        if timer is not None:
            current, since = self._label(timer.activity_id), timer.since
        elif latest is not None:
            current, until = self._label(latest.activity), latest.at  # an answer's `at` is its end
        return TrayState(
            current_label=current,
            current_since=since,
            current_until=until,
            timer_label=self._label(timer.activity_id) if timer else None,
            next_prompt_at=self.driver.next_prompt_at,
            snoozed_until=self.driver.snoozed_until,
            paused=self.driver.paused,
            prompt_waiting=self.picker_visible(),
            snooze_minutes=tuple(self.settings.snooze_minutes),
            notices=list(self.problems),
            privacy_action=self.privacy.offer.value
            if self.privacy and self.privacy.offer
            else None,
            unanswered_away=unanswered_away_spans(self.driver.planner.questions),
        )

    def _switch_data_dir(self, chosen: Path | None) -> None:
        """Move the running app to the data folder chosen in the settings (entries already
        saved elsewhere stay where they are, as the setting says)."""
        if self.options.data_dir_pinned:
            self.tray.notify(
                APP_NAME,
                f"The data folder {self.options.data_dir} was given when the app started; "
                "the new folder is used from the next start without --data-dir.",
            )
            return
        target = chosen or resolve_data_dir(None, {})
        if target == self.options.data_dir:
            return
        try:
            store = self.workspace.open_store(target)
            server = InstanceServer(server_name(target), parent=self)
            server.listen()
        except (StoreError, OSError, InstanceError) as exc:
            self.tray.notify(f"{APP_NAME}: data folder not changed", str(exc))
            return
        self.store.close()
        self.server.close()
        self.workspace.use_data_dir(target, store)
        self.server = server
        self.server.requested.connect(self._on_request)
        self.options = replace(self.options, data_dir=target)
        self.ranking = UsageRanking(
            self.framework,
            self._recent_entries(),
            now=self.clock(),
            tz=self.tz,
            vocabulary=self.workspace.vocabulary,
        )
        if self._picker is not None:
            self._picker.ranking = self.ranking
        self.windows.close("dashboard")
        self.assess_privacy()
        log.info("data folder is now %s", target)

    def _label(self, activity_id: str) -> str:
        return self.framework[activity_id].label if activity_id in self.framework else activity_id

    def _refresh_tray(self) -> None:
        self.tray.refresh()

    def _flush_held_answers_at_quit(self) -> None:
        """Quitting while answers wait for the keychain: wait for it (quitting may take that
        long), then save; if it never answers, save the time without the notes rather than
        write a note in plain text, and say so in the log."""
        job = self._privacy_job
        if job is not None:
            from sec_desktop.privacy.state import PrivacyState

            try:
                result = job.result(timeout=KEYCHAIN_TIMEOUT_S)
            except Exception:  # noqa: BLE001 - a timeout or a failed check: handled below
                log.warning("the keychain did not answer before quit")
            else:
                if isinstance(result, PrivacyState):
                    self._apply_privacy(result)
        if not self._held_answers:
            return
        log.warning("%d answers saved without their notes at quit", len(self._held_answers))
        stripped = [replace(a, note=None) for a in self._held_answers]
        self._held_answers = []
        self._save_answers(stripped)

    # helpers --------------------------------------------------------------------------------

    def _load_framework(self, settings: Settings) -> Framework:
        """The shipped framework with the industry preset and the user's customization; a
        problem with either is reported and the rest still loads."""
        return self.workspace.load_framework(settings.industry_preset or self.options.preset)

    def reload_framework(self, framework: Framework | None = None) -> None:
        """Use a changed framework (customized, or another preset) everywhere at once."""
        self.framework = framework or self._load_framework(self.settings)
        self.ranking = UsageRanking(
            self.framework,
            self._recent_entries(),
            now=self.clock(),
            tz=self.tz,
            vocabulary=self.workspace.vocabulary,
        )
        if self._picker is not None:
            self._picker.framework = self.framework
            self._picker.ranking = self.ranking
        self.windows.close("dashboard", "mindmap")
        self._refresh_tray()

    def _recent_entries(self) -> list[Entry]:
        now = self.clock()
        return self.store.entries(now - timedelta(days=RECENT_DAYS), now)


def run_app(
    options: AppOptions,
    argv: Sequence[str] | None = None,
    *,
    shown: ShownTray | None = None,
) -> int:
    """Start the tray app and run its event loop; returns the exit code. `shown` is the tray
    icon and menu start-up already showed (ui/startup.py), which the app's tray adopts."""
    qapp = application(list(argv) if argv else None)
    app = SecDesktopApp(qapp, options, shown=shown)
    app.start()
    return qapp.exec()
