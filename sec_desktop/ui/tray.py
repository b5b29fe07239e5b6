"""The tray icon and its menu, and the small window that stands in where no tray exists.

The menu is rebuilt from a `TrayState` the application provides whenever that state changes,
never while it opens: a StatusNotifierItem host sizes the layout it already has, and a menu
changed at that moment comes up clipped. Actions only emit signals; the application decides
what they do.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sec_desktop import APP_NAME
from sec_desktop.platform.tray_host import GNOME_EXTENSION, TrayHostProbe
from sec_desktop.ui.accessibility import (
    announce,
    expose_balloons_as_notifications,
    expose_text,
    name_balloon_tip,
)
from sec_desktop.ui.startup import ShownTray, load_icon
from sec_desktop.ui.widgets import literal

log = logging.getLogger(__name__)

TRAY_POLL_MS = 250
# A tray host that runs but has not taken the icon yet (it started with us at login) is
# waited for this long at most.
DEFAULT_TRAY_WAIT_S = 30.0
# With no tray host at all (no StatusNotifierWatcher, no XEmbed tray selection) the stand-in
# window comes after this: a bar starting in the same second still gets its chance.
NO_HOST_GRACE_S = 1.0
# While the stand-in window is up, look for a tray host (one round trip each); move into it
# when one comes.
LATE_TRAY_POLL_MS = 2_000
ICON_STATES = ("normal", "timer", "snoozed", "attention")
ELAPSED_REFRESH_MS = 60_000


@dataclass(frozen=True)
class TrayState:
    """What the tray shows; built by the application each time the menu opens."""

    current_label: str | None = None  # the activity of the latest entry, or of the timer
    current_since: datetime | None = None  # when the running timer started
    current_until: datetime | None = None  # when the latest entry ended (no timer running)
    timer_label: str | None = None  # set while a timer runs
    next_prompt_at: datetime | None = None
    snoozed_until: datetime | None = None  # when a snooze or a pause ends
    paused: bool = False  # off work until the next working day: no prompts fall due
    prompt_waiting: bool = False
    snooze_minutes: Sequence[int] = (5, 15, 60)
    notices: Sequence[str] = field(default_factory=tuple)  # e.g. "Notes are not encrypted."
    privacy_action: str | None = None  # e.g. "Encrypt notes", offered beside the notices
    # Absences asked about and not answered yet, (start, end) in UTC, oldest first.
    unanswered_away: Sequence[tuple[datetime, datetime]] = ()

    @property
    def holding_prompts(self) -> bool:
        """A pause, or a snooze that still decides when the next prompt comes. A snooze the
        schedule has overtaken (say, the prompt it held was answered since) holds nothing,
        and the tray must not claim it does."""
        if self.snoozed_until is None:
            return False
        if self.paused or self.next_prompt_at is None:
            return True
        return self.snoozed_until >= self.next_prompt_at

    @property
    def icon_state(self) -> str:
        if self.prompt_waiting:
            return "attention"
        if self.holding_prompts:
            return "snoozed"
        if self.timer_label is not None:
            return "timer"
        return "normal"


def _clock(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def _until(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """A moment near `now` as the user says it: "10:24", "tomorrow 09:00", "yesterday 17:30"."""
    local, local_now = moment.astimezone(tz), now.astimezone(tz)
    if local.date() == local_now.date():
        return local.strftime("%H:%M")
    if local.date() == local_now.date() + timedelta(days=1):
        return f"tomorrow {local.strftime('%H:%M')}"
    if local.date() == local_now.date() - timedelta(days=1):
        return f"yesterday {local.strftime('%H:%M')}"
    return local.strftime("%a %d %b %H:%M")


def _minutes(delta: timedelta) -> str:
    minutes = max(0, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def _elapsed(delta: timedelta) -> str:
    """A running timer's time, counted in whole minutes begun (never ahead of the clock)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def timer_line(state: TrayState, now: datetime, tz: ZoneInfo) -> str | None:
    """ "On Architecture for 1 h 12 min (since 09:12)" while a timer runs."""
    if state.timer_label is None:
        return None
    if state.current_since is None:  # away: the timer picks up from the return
        return f"On {state.timer_label} (paused while you are away)"
    elapsed = _elapsed(now - state.current_since)
    return f"On {state.timer_label} for {elapsed} (since {_until(state.current_since, now, tz)})"


def status_lines(
    state: TrayState, now: datetime, tz: ZoneInfo, *, countdown: bool = True
) -> list[str]:
    """The live lines at the top of the menu and in the tooltip. The tooltip's leave out the
    countdown to the next prompt (`countdown=False`): a tray host may show its text long
    after it was set, and a clock time never goes stale."""
    lines: list[str] = []
    running = timer_line(state, now, tz)
    if running is not None:
        lines.append(running)
    elif state.current_label is not None and state.current_until is not None:
        lines.append(f"Last: {state.current_label}, until {_until(state.current_until, now, tz)}")
    else:
        lines.append("Nothing logged yet today")
    if state.paused and state.snoozed_until is not None:
        lines.append(f"Off work: no prompts until {_until(state.snoozed_until, now, tz)}")
    elif state.holding_prompts and state.snoozed_until is not None:
        lines.append(f"Snoozed until {_until(state.snoozed_until, now, tz)}")
    elif state.next_prompt_at is not None:
        line = f"Next prompt {_until(state.next_prompt_at, now, tz)}"
        if countdown:
            line += f" (in {_minutes(state.next_prompt_at - now)})"
        lines.append(line)
    else:
        lines.append("No prompts scheduled")
    return lines + away_lines(state, now, tz)


def away_lines(state: TrayState, now: datetime, tz: ZoneInfo) -> list[str]:
    """The absences still waiting for an answer: nothing is booked for them until then."""
    spans = state.unanswered_away
    if not spans:
        return []
    if len(spans) == 1:
        start, end = spans[0]
        return [
            f"Away {_until(start, now, tz)}\u2013{_clock(end, tz)} "
            f"({_minutes(end - start)}) not answered"
        ]
    total = sum((end - start for start, end in spans), timedelta())
    return [f"{len(spans)} away spans not answered ({_minutes(total)})"]


def _default_host_probe() -> Callable[[], bool]:
    """Whether a tray host runs: asked of the bus and the X server on Linux and the BSDs;
    Windows and macOS always have one (their tray only needs a moment)."""
    if sys.platform in ("win32", "darwin"):
        return lambda: True
    return TrayHostProbe(x11=QGuiApplication.platformName() == "xcb").present


def on_gnome(env: dict[str, str] | None = None) -> bool:
    desktop = (os.environ if env is None else env).get("XDG_CURRENT_DESKTOP", "")
    return "gnome" in desktop.lower()


class TrayController(QObject):
    """Owns the tray icon (or the fallback window) and the menu; emits what the user asks."""

    logNowRequested = Signal()
    timerChooserRequested = Signal()
    timerStopRequested = Signal()
    snoozeRequested = Signal(object)  # minutes as int, or None for "until tomorrow"
    resumeRequested = Signal()
    dashboardRequested = Signal()
    settingsRequested = Signal()
    quitRequested = Signal()
    privacyActionRequested = Signal()
    mindmapRequested = Signal()
    orientationRequested = Signal()
    customizeRequested = Signal()
    importRequested = Signal()
    reviewRequested = Signal()
    # Emitted once the icon (or the fallback window) is shown: "tray" or "window".
    shown = Signal(str)

    def __init__(
        self,
        state_provider: Callable[[], TrayState],
        tz: ZoneInfo,
        now: Callable[[], datetime],
        parent: QObject | None = None,
        *,
        host_present: Callable[[], bool] | None = None,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        monotonic: Callable[[], float] = time.monotonic,
        shown: ShownTray | None = None,
    ) -> None:
        super().__init__(parent)
        self._host_present = host_present or _default_host_probe()
        self._tray_available = tray_available
        self._monotonic = monotonic
        self._state_provider = state_provider
        self._tz = tz
        self._now = now
        expose_balloons_as_notifications()  # before the first tray message makes a balloon
        # The icon and menu start-up showed before the app was loaded (ui/startup.py),
        # adopted as they are: a tray host already holds their D-Bus paths.
        self._shown_early = shown is not None
        self.icon = shown.icon if shown is not None else QSystemTrayIcon()
        self.icon.setParent(self)
        self.icon.setObjectName("sec-desktop-tray")
        self.menu = shown.menu if shown is not None else QMenu()
        self.menu.setObjectName("tray-menu")
        self.menu.setAccessibleName(f"{APP_NAME} menu")
        # A rebuild that comes while the menu is open waits until it closes.
        self._menu_key: tuple[object, ...] | None = None
        self.menu.aboutToHide.connect(lambda: QTimer.singleShot(0, self._rebuild_if_changed))
        # The reminders tick only every few minutes: the menu's "in N min" is brought up to
        # date as it opens rather than by a timer.
        self.menu.aboutToShow.connect(self.refresh)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        # What clicking the latest message does; each message replaces it (None: nothing).
        self._on_message_clicked: Callable[[], None] | None = None
        self.icon.messageClicked.connect(self._message_clicked)
        self._icons = {state: load_icon(state) for state in ICON_STATES}
        self._icon_state = "normal"
        self.icon.setIcon(self._icons["normal"])
        self.fallback: FallbackWindow | None = None
        self.mode: str | None = None  # "tray" or "window" once shown
        self._wait_started = 0.0
        self._wait_s = 0.0
        self._poll = QTimer(self)
        self._poll.setInterval(TRAY_POLL_MS)
        self._poll.timeout.connect(self.poll_for_tray)
        self._tooltip = ""
        # While a timer runs its elapsed time in the tooltip moves on each minute, whether or
        # not the reminders tick; stopped when no timer runs, so it costs no wakeups then.
        self._elapsed_tick = QTimer(self)
        self._elapsed_tick.setInterval(ELAPSED_REFRESH_MS)
        self._elapsed_tick.setTimerType(Qt.TimerType.CoarseTimer)
        self._elapsed_tick.timeout.connect(self.refresh)
        self._rebuild_if_changed()

    # showing ------------------------------------------------------------------------------

    def start(self, wait_s: float = DEFAULT_TRAY_WAIT_S) -> None:
        """Show the icon now if a tray exists. Else wait up to `wait_s` while a tray host runs
        but has not taken the icon yet, and about a second when there is no host at all."""
        self.refresh()
        # The early icon is up already: asking Qt again could only say what it said then.
        if self._shown_early or self._tray_available():
            self._show_icon()
            return
        log.info("no system tray yet; waiting up to %.1f s for one", wait_s)
        self._wait_started = self._monotonic()
        self._wait_s = wait_s
        self._poll.setInterval(TRAY_POLL_MS)
        self._poll.start()

    @property
    def watching_for_tray(self) -> bool:
        return self._poll.isActive()

    def poll_for_tray(self) -> None:
        """One look for a tray, as the poll timer makes them (tests make them by hand)."""
        if self.mode == "window":
            # Qt's own check costs more than the probe: ask it once a host is there.
            if self._host_present() and self._tray_available():
                log.info("a system tray appeared; moving into it")
                self._poll.stop()
                self._show_icon()
            return
        if self._tray_available():
            self._poll.stop()
            self._show_icon()
            return
        waited = self._monotonic() - self._wait_started
        host = self._host_present()
        limit = self._wait_s if host else min(self._wait_s, NO_HOST_GRACE_S)
        if waited >= limit:
            why = "did not take the icon" if host else "runs on this desktop"
            log.warning("no system tray %s; showing the %s window instead", why, APP_NAME)
            self._show_fallback()
            self._poll.start(LATE_TRAY_POLL_MS)

    def _show_icon(self) -> None:
        if self.fallback is not None:
            self.fallback.close_for_tray()
            self.fallback = None
        self.icon.show()
        self.mode = "tray"
        log.info("%s ready: tray icon shown", APP_NAME)
        self.shown.emit("tray")

    def _show_fallback(self) -> None:
        self.fallback = FallbackWindow(self)
        self.refresh()  # its status before it shows, not at the next tick
        self.fallback.show()
        self.mode = "window"
        log.info("%s ready: window shown (no system tray)", APP_NAME)
        self.shown.emit("window")

    def hide(self) -> None:
        self._poll.stop()
        self.icon.hide()
        if self.fallback is not None:
            self.fallback.close_for_tray()
            self.fallback = None

    def show_window(self) -> None:
        """Bring the stand-in window back after Hide (a later launch asks for it)."""
        if self.fallback is not None:
            self.fallback.showNormal()
            self.fallback.raise_()
            self.fallback.activateWindow()

    def anchor(self) -> QRect | None:
        """Where the picker should open: by the tray icon where the platform tells where it
        is (over StatusNotifierItem it does not), or by the stand-in window while it is on
        screen; None leaves the picker to its own place."""
        if self.mode == "tray":
            rect = self.icon.geometry()
            return rect if rect.isValid() and not rect.isEmpty() else None
        if (
            self.fallback is not None
            and self.fallback.isVisible()
            and not self.fallback.isMinimized()
        ):
            return self.fallback.frameGeometry()
        return None

    # live state ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Update the tooltip, the icon and the fallback window from the current state."""
        state = self._state_provider()
        now = self._now()
        lines = status_lines(state, now, self._tz)
        # Refreshed on every reminder tick and each minute of a running timer (no timer of
        # its own, to keep idle wakeups down); set only when the text changes, since each set
        # is a round trip to the tray host.
        tooltip = "\n".join([APP_NAME, *status_lines(state, now, self._tz, countdown=False)])
        if tooltip != self._tooltip:
            self._tooltip = tooltip
            self.icon.setToolTip(tooltip)
        if state.icon_state != self._icon_state:
            self._icon_state = state.icon_state
            self.icon.setIcon(self._icons[state.icon_state])
        if self.fallback is not None:
            self.fallback.set_status(lines, list(state.notices))
        self._rebuild_if_changed(state, lines)
        timing = state.timer_label is not None
        if timing and not self._elapsed_tick.isActive():
            self._elapsed_tick.start()
        elif not timing:
            self._elapsed_tick.stop()

    @property
    def tooltip(self) -> str:
        return self._tooltip

    def _rebuild_if_changed(
        self, state: TrayState | None = None, lines: list[str] | None = None
    ) -> None:
        """Rebuild the menu when what it shows has changed, unless it is open right now."""
        if state is None:
            state = self._state_provider()
        if lines is None:
            lines = status_lines(state, self._now(), self._tz)
        key = (
            tuple(lines),
            tuple(state.notices),
            state.privacy_action,
            state.timer_label,
            state.holding_prompts,
            len(state.unanswered_away),
            tuple(state.snooze_minutes),
        )
        if key == self._menu_key or self.menu.isVisible():
            return
        self._menu_key = key
        self.rebuild_menu(state, lines)

    def rebuild_menu(self, state: TrayState | None = None, lines: list[str] | None = None) -> None:
        """Fill the menu from the state as it is now; done when the state changes, so the
        layout is final before any tray host asks for it."""
        if state is None:
            state = self._state_provider()
        if lines is None:
            lines = status_lines(state, self._now(), self._tz)
        menu = self.menu
        menu.clear()
        for line in lines:
            info = menu.addAction(literal(line))
            info.setEnabled(False)
        for notice in state.notices:
            item = menu.addAction(f"⚠ {literal(notice)}")
            item.setEnabled(False)
        if state.privacy_action:
            self._action(menu, f"{state.privacy_action}...", self.privacyActionRequested.emit)
        menu.addSeparator()
        self._action(menu, "&Log now...", self.logNowRequested.emit, "Ctrl+L")
        if state.unanswered_away:
            # Log now asks about everything queued, the away spans first among them.
            count = len(state.unanswered_away)
            self._action(menu, f"&Answer away time ({count})...", self.logNowRequested.emit)
        if state.timer_label is not None:
            self._action(
                menu, f"S&top timer ({literal(state.timer_label)})", self.timerStopRequested.emit
            )
        start_text = "S&witch timer..." if state.timer_label is not None else "Start &timer..."
        self._action(menu, start_text, self.timerChooserRequested.emit)
        if state.holding_prompts:
            self._action(menu, "&Resume prompts", self.resumeRequested.emit)
        snooze_menu = menu.addMenu("S&nooze")
        snooze_menu.setObjectName("snooze-menu")
        for minutes in state.snooze_minutes:
            label = f"{minutes} minutes" if minutes < 60 else _minutes(timedelta(minutes=minutes))
            self._action(
                snooze_menu, label, lambda _=False, m=minutes: self.snoozeRequested.emit(m)
            )
        self._action(snooze_menu, "Until tomorrow", lambda: self.snoozeRequested.emit(None))
        menu.addSeparator()
        self._action(menu, "&Dashboard", self.dashboardRequested.emit)
        self._action(menu, "Weekly &review...", self.reviewRequested.emit)
        self._action(menu, "&Import...", self.importRequested.emit)
        self._action(menu, "&Mindmap", self.mindmapRequested.emit)
        self._action(menu, "&Settings...", self.settingsRequested.emit)
        self._action(menu, "Customize &framework...", self.customizeRequested.emit)
        self._action(menu, "&Orientation...", self.orientationRequested.emit)
        menu.addSeparator()
        self._action(menu, "&Quit", self.quitRequested.emit, "Ctrl+Q")

    @staticmethod
    def _action(
        menu: QMenu, text: str, slot: Callable[..., None], shortcut: str | None = None
    ) -> QAction:
        # `triggered` passes `checked`: slots with default arguments take it as `_`.
        action = menu.addAction(text)
        action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(shortcut)
        return action

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # A left click logs (the common case); the context menu stays on the right button.
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.logNowRequested.emit()

    def notify(self, title: str, message: str, on_click: Callable[[], None] | None = None) -> bool:
        """A passing message: a tray balloon, or the fallback window's status line.

        `on_click` runs when the user clicks this balloon. Returns whether a balloon showed
        (False: no tray, or a tray without messages), so the caller can act otherwise.
        """
        self._on_message_clicked = None
        if self.mode == "tray" and QSystemTrayIcon.supportsMessages():
            self._on_message_clicked = on_click
            self.icon.showMessage(title, message, self._icons["normal"], 8000)
            # Where Qt draws the balloon itself, its parts get names and it is read out.
            name_balloon_tip(f"{APP_NAME} icon")
        elif self.fallback is not None:
            self.fallback.set_message(f"{title}: {message}")
        return self.mode == "tray" and QSystemTrayIcon.supportsMessages()

    def _message_clicked(self) -> None:
        action, self._on_message_clicked = self._on_message_clicked, None
        if action is not None:
            action()


FALLBACK_WIDTH_PX = 400


class FallbackWindow(QWidget):
    """The tray's stand-in where the desktop has none (e.g. GNOME without AppIndicator).

    Compact and of a fixed size (a tiling compositor floats it rather than filling the screen
    with it), with no maximise button. Hide sends it away with the app still running; a later
    launch (`sec-desktop prompt`, `dashboard`, the menu entry) brings it back. Closing it by
    hand minimises it; Quit is in its menu. The app's own closes (quitting, or moving to a
    tray that appeared) are accepted.
    """

    def __init__(self, controller: TrayController) -> None:
        flags = (
            Qt.WindowType.Window
            | Qt.WindowType.CustomizeWindowHint
            | Qt.WindowType.WindowTitleHint
            | Qt.WindowType.WindowSystemMenuHint
            | Qt.WindowType.WindowMinimizeButtonHint
            | Qt.WindowType.WindowCloseButtonHint
        )
        super().__init__(None, flags)
        self._controller = controller
        self._closing_for_tray = False
        self._app_quitting = False
        self._notices: list[str] = []
        self._notices_read: list[str] = []
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_about_to_quit)
        self.setObjectName("tray-fallback")
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(load_icon(app_icon=True))
        self.setAccessibleName(f"{APP_NAME} window")
        layout = QVBoxLayout(self)
        why = (
            "No system tray was found on this desktop, so SEC Desktop runs in this small "
            "window. It keeps prompting while the window is open, minimised or hidden; "
            "a tray that appears later takes over from it."
        )
        if on_gnome():
            why += (
                f" On GNOME, the \u201c{GNOME_EXTENSION}\u201d extension brings the tray "
                "back: turn it on in Extensions."
            )
        explanation = QLabel(why)
        explanation.setWordWrap(True)
        expose_text(explanation, "Why this window is shown")
        layout.addWidget(explanation)
        self._status = QLabel()
        self._status.setWordWrap(True)
        expose_text(self._status, "Status")
        self._status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._status.hide()  # until there is a status: an empty text would be read as nothing
        layout.addWidget(self._status)
        self._message = QLabel()
        self._message.setWordWrap(True)
        expose_text(self._message, "Message")
        self._message.hide()
        layout.addWidget(self._message)
        layout.addLayout(self._buttons(controller))
        self.setFixedWidth(FALLBACK_WIDTH_PX)
        self._fit()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(area.right() - self.width() - 24, area.bottom() - self.height() - 48)

    def _buttons(self, controller: TrayController) -> QHBoxLayout:
        buttons = QHBoxLayout()
        log_now = QPushButton("&Log now...")
        log_now.setAccessibleName("Log now")
        log_now.clicked.connect(controller.logNowRequested.emit)
        dashboard = QPushButton("&Dashboard")
        dashboard.setAccessibleName("Dashboard")
        dashboard.clicked.connect(controller.dashboardRequested.emit)
        more = QToolButton()
        more.setText("&More")
        more.setAccessibleName("More actions")
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more.setMenu(controller.menu)
        hide = QPushButton("&Hide")
        hide.setAccessibleName("Hide")
        hide.setToolTip(
            "Hide this window; SEC Desktop keeps running and prompting. "
            "Open it again from the applications menu, or with sec-desktop prompt or dashboard."
        )
        hide.clicked.connect(self.hide)
        for widget in (log_now, dashboard, more, hide):
            buttons.addWidget(widget)
        return buttons

    def _fit(self) -> None:
        """A fixed height for the text it holds now: a size it can't change is what makes a
        tiling compositor (sway) float the window instead of filling the screen with it."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        height = layout.heightForWidth(FALLBACK_WIDTH_PX)
        self.setFixedHeight(height if height > 0 else self.sizeHint().height())

    def set_status(self, lines: list[str], notices: list[str]) -> None:
        text = "\n".join(lines + [f"⚠ {n}" for n in notices])
        if text != self._status.text():
            self._status.setText(text)
            self._status.setVisible(bool(text))
            self._fit()
        self._notices = list(notices)
        self._announce_notices()

    @property
    def status_text(self) -> str:
        return self._status.text()

    def _announce_notices(self) -> None:
        """Read a notice (notes not encrypted...) out once, when it appears, or when the
        window shows if it came while the window was hidden."""
        fresh = [n for n in self._notices if n not in self._notices_read]
        if not fresh or announce(self._status, " ".join(fresh)):
            self._notices_read = list(self._notices)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._announce_notices()

    def set_message(self, text: str) -> None:
        self._message.setText(text)
        self._message.show()
        self._fit()
        announce(self._message, text)

    def close_for_tray(self) -> None:
        self._closing_for_tray = True
        self.close()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing_for_tray:
            event.accept()
            return
        if not event.spontaneous():
            # The app closes its windows on quit, and one that refuses cancels the quit.
            event.accept()
            # Another window may still refuse (an import in progress): then this one comes back.
            QTimer.singleShot(0, self._reopen_unless_quitting)
            return
        # Closed by hand: closing the only window must not lose the app, so minimise it.
        event.ignore()
        self.showMinimized()

    def _on_about_to_quit(self) -> None:
        self._app_quitting = True

    def _reopen_unless_quitting(self) -> None:
        if not (self._app_quitting or self._closing_for_tray):
            self.show()
