"""The orientation shown on first start (and later from the tray menu): what SEC is, the
industry preset, the career-stage profile, working hours, how prompts come, start at login.

It is a short paged dialog, shown without blocking. Finishing checks the choices through the
settings layer (`sec_desktop.settings`, the same rules as the settings dialog), saves them,
and asks for a first prompt so the user meets the picker at once. Skipping saves only that
the orientation was seen.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtGui import QCloseEvent, QFont, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from sec_desktop import APP_NAME
from sec_desktop.framework import Framework
from sec_desktop.platform import autostart
from sec_desktop.settings import (
    SPEC_BY_KEY,
    WEEKDAY_NAMES,
    IntRange,
    Settings,
    SettingsError,
    load_settings,
    save_settings,
    settings_from_values,
)
from sec_desktop.ui.colors import blend
from sec_desktop.ui.widgets import literal, problem_label

PAGE_TITLES = (
    "Welcome to SEC Desktop",
    "Your company and your stage",
    "Your working hours",
    "How SEC Desktop asks",
)
# Which page holds each setting, so a refused value sends the user to where it is set.
PAGE_OF_SETTING = {
    "industry_preset": 1,
    "benchmark_profile": 1,
    "work_start": 2,
    "work_end": 2,
    "work_days": 2,
    "prompt_mode": 3,
    "interval_minutes": 3,
    "random_mean_gap_minutes": 3,
    "start_at_login": 3,
}
NO_PRESET = ""
DIALOG_WIDTH_PX = 600
HINT_TEXT_WEIGHT = 0.7


def sec_in_three_sentences(framework: Framework) -> list[str]:
    """What SEC is, in the framework document's own terms: its domains, its double use, and
    what the app does with it."""
    parts = []
    for domain in framework.domains:
        description = domain.description.strip().rstrip(".")
        if description:
            description = description[0].lower() + description[1:]
            parts.append(f"{domain.label} ({description})")
        else:
            parts.append(domain.label)
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
    return [
        "SEC maps the work of a technology leader who is CTO, CIO and CISO at once into "
        f"{len(parts)} domains: {listed}.",
        "The same map serves twice: as a visual job description of the role, and as a "
        "tagging system for where your time goes, from a domain down to a single activity.",
        "SEC Desktop asks now and then what you are doing, tags your answer in the map, and "
        "shows your week against the framework's benchmark ranges; everything stays on "
        "your computer.",
    ]


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.35)
    label.setFont(font)
    label.setAccessibleName("Page title")
    return label


def _paragraph(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _hint(text: str) -> QLabel:
    """Secondary text: the window text blended a little toward the background, which keeps
    it readable (the placeholder colour is too faint for sentences)."""
    label = _paragraph(text)
    palette = label.palette()
    text_colour = palette.color(QPalette.ColorRole.WindowText)
    window = palette.color(QPalette.ColorRole.Window)
    muted = blend(window, text_colour, HINT_TEXT_WEIGHT)
    palette.setColor(QPalette.ColorRole.WindowText, muted)
    label.setPalette(palette)
    return label


def _spin(key: str, value: int) -> QSpinBox:
    spec = SPEC_BY_KEY[key]
    spin = QSpinBox()
    kind = spec.kind
    if isinstance(kind, IntRange):
        spin.setRange(kind.minimum, kind.maximum)
        spin.setSuffix(f" {kind.unit}" if kind.unit else "")
    spin.setValue(value)
    spin.setAccessibleName(spec.label)
    spin.setToolTip(spec.help)
    return spin


def _qtime(value: time) -> QTime:
    return QTime(value.hour, value.minute)


class FirstRunDialog(QDialog):
    """Four short pages; Skip at any time. Show it with `show()`; it saves on its own.

    Next (Finish on the last page) holds the focus and is the default button, so Enter goes
    forward; Skip and Back are reached with Tab or their Alt keys.
    """

    finished_with = Signal(object)  # the saved Settings
    firstPromptRequested = Signal()

    def __init__(
        self,
        framework: Framework,
        config_dir: Path,
        settings: Settings | None = None,
        parent: QWidget | None = None,
        *,
        launch_command: Sequence[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.framework = framework
        self.config_dir = config_dir
        self.base = settings if settings is not None else load_settings(config_dir).settings
        # Start at login is the real autostart entry, as in the settings dialog; the saved
        # setting only stands in where the entry can't be read.
        self._launch_command = list(launch_command) if launch_command else None
        self._autostart_was = self.base.start_at_login
        with contextlib.suppress(autostart.AutostartError):
            self._autostart_was = autostart.is_enabled()
        self.saved: Settings | None = None
        self.setWindowTitle(f"{APP_NAME} \u2014 Orientation")
        self.setAccessibleName("Orientation")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(DIALOG_WIDTH_PX)

        self.pages = QStackedWidget()
        for build in (self._welcome_page, self._company_page, self._hours_page, self._prompts_page):
            self.pages.addWidget(build())
        self.step_label = QLabel()
        self.step_label.setAccessibleName("Step")
        self.error_label = problem_label("Problem")

        self.skip_button = QPushButton("&Skip")
        self.skip_button.setAccessibleName("Skip the orientation")
        self.skip_button.setToolTip("Keep the defaults; the orientation stays in the tray menu.")
        self.skip_button.clicked.connect(self.skip)
        self.back_button = QPushButton("&Back")
        # Only Next takes Enter: a button that merely had the focus must not skip it all.
        for secondary in (self.skip_button, self.back_button):
            secondary.setAutoDefault(False)
        self.back_button.clicked.connect(lambda: self.go_to(self.pages.currentIndex() - 1))
        self.next_button = QPushButton("&Next")
        self.next_button.setDefault(True)
        self.next_button.setAutoDefault(True)
        self.next_button.clicked.connect(self._next_or_finish)

        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.step_label)
        buttons.addSpacing(12)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.go_to(0)

    # Pages ------------------------------------------------------------------------------------

    def _page(self, index: int) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        page.setAccessibleName(PAGE_TITLES[index])
        column = QVBoxLayout(page)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(_heading(PAGE_TITLES[index]))
        return page, column

    def _welcome_page(self) -> QWidget:
        page, column = self._page(0)
        self.sentences = sec_in_three_sentences(self.framework)
        for sentence in self.sentences:
            column.addWidget(_paragraph(sentence))
        column.addSpacing(8)
        column.addWidget(
            _hint(
                "The next three pages set up the framework for your company, your working "
                "hours and how you'd like to be asked. It takes a minute; everything can be "
                "changed later in Settings."
            )
        )
        column.addStretch(1)
        return page

    def _company_page(self) -> QWidget:
        page, column = self._page(1)
        preset_box = QGroupBox("Industry preset")
        preset_box.setAccessibleName("Industry preset")
        preset_column = QVBoxLayout(preset_box)
        preset_column.addWidget(
            _hint("A preset adds the framework document's example activities for your industry.")
        )
        self.preset_group = QButtonGroup(self)
        self.preset_buttons: dict[str, QRadioButton] = {}
        options: list[tuple[str, str, str]] = [(NO_PRESET, "None", "The framework as it is.")]
        for preset in self.framework.presets.values():
            added = "; ".join(a.label for a in preset.activities)
            options.append((preset.id, preset.label, f"Adds: {added}."))
        current_preset = self.base.industry_preset or NO_PRESET
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for row, (preset_id, label, hint) in enumerate(options):
            button = QRadioButton(literal(label))
            button.setToolTip(hint)
            button.setAccessibleDescription(hint)
            button.setChecked(preset_id == current_preset)
            self.preset_group.addButton(button)
            self.preset_buttons[preset_id] = button
            grid.addWidget(button, row, 0)
            grid.addWidget(_hint(hint), row, 1)
        preset_column.addLayout(grid)
        column.addWidget(preset_box)

        stage_box = QGroupBox("Career stage")
        stage_box.setAccessibleName("Career stage")
        stage_column = QVBoxLayout(stage_box)
        stage_column.addWidget(
            _hint("Your time is compared with the benchmark ranges of this stage.")
        )
        self.profile_group = QButtonGroup(self)
        self.profile_buttons: dict[str, QRadioButton] = {}
        current_profile = (
            self.base.benchmark_profile
            if self.base.benchmark_profile in self.framework.profiles
            else "default"
        )
        for profile in self.framework.profiles.values():
            button = QRadioButton(literal(profile.label))
            button.setAccessibleDescription(profile.description)
            button.setChecked(profile.id == current_profile)
            self.profile_group.addButton(button)
            self.profile_buttons[profile.id] = button
            stage_column.addWidget(button)
            description = _hint(profile.description)
            description.setContentsMargins(22, 0, 0, 4)
            stage_column.addWidget(description)
        column.addWidget(stage_box)
        column.addStretch(1)
        return page

    def _hours_page(self) -> QWidget:
        page, column = self._page(2)
        column.addWidget(_paragraph("Prompts only come inside your working hours and days."))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.start_edit = QTimeEdit(_qtime(self.base.work_start))
        self.start_edit.setDisplayFormat("HH:mm")
        self.start_edit.setAccessibleName("Working day starts")
        self.end_edit = QTimeEdit(_qtime(self.base.work_end))
        self.end_edit.setDisplayFormat("HH:mm")
        self.end_edit.setAccessibleName("Working day ends")
        form.addRow("&Start:", self.start_edit)
        form.addRow("&End:", self.end_edit)
        days = QHBoxLayout()
        self.day_boxes: list[QCheckBox] = []
        for number, name in enumerate(WEEKDAY_NAMES):
            box = QCheckBox(name)
            box.setChecked(number in self.base.work_days)
            box.setAccessibleName(f"Work on {name}")
            self.day_boxes.append(box)
            days.addWidget(box)
        days.addStretch(1)
        form.addRow("Days:", days)
        column.addLayout(form)
        column.addStretch(1)
        return page

    def _prompts_page(self) -> QWidget:
        page, column = self._page(3)
        self.mode_group = QButtonGroup(self)
        self.interval_radio = QRadioButton("&Every few minutes")
        self.interval_radio.setAccessibleName("Prompt at an interval")
        self.random_radio = QRadioButton("At &random moments")
        self.random_radio.setAccessibleName("Prompt at random moments")
        self.mode_group.addButton(self.interval_radio)
        self.mode_group.addButton(self.random_radio)
        self.interval_spin = _spin("interval_minutes", self.base.interval_minutes)
        self.gap_spin = _spin("random_mean_gap_minutes", self.base.random_mean_gap_minutes)
        random_mode = self.base.prompt_mode == "random"
        self.random_radio.setChecked(random_mode)
        self.interval_radio.setChecked(not random_mode)

        interval_row = QHBoxLayout()
        interval_row.addWidget(self.interval_radio)
        interval_row.addWidget(self.interval_spin)
        interval_row.addStretch(1)
        column.addLayout(interval_row)
        column.addWidget(
            _hint("Each answer covers the time since the previous one. Simple and complete.")
        )
        random_row = QHBoxLayout()
        random_row.addWidget(self.random_radio)
        random_row.addWidget(QLabel("on average every"))
        random_row.addWidget(self.gap_spin)
        random_row.addStretch(1)
        column.addLayout(random_row)
        column.addWidget(
            _hint(
                "Random samples (as in TagTime) can't be anticipated, so they catch your real "
                "day; each answer stands for the gap before it, and reports show how sure "
                "the estimate is."
            )
        )
        self.interval_radio.toggled.connect(self._sync_mode)
        self._sync_mode()
        column.addSpacing(10)
        self.login_box = QCheckBox("Start SEC Desktop when I &log in")
        self.login_box.setAccessibleName("Start at login")
        self.login_box.setChecked(self._autostart_was)
        column.addWidget(self.login_box)
        column.addSpacing(10)
        column.addWidget(
            _paragraph(
                "When you finish, SEC Desktop asks its first question right away: type a "
                "few letters of what you are doing (\u201cokr\u201d, \u201cboard\u201d) and "
                "press Enter."
            )
        )
        column.addStretch(1)
        return page

    def _sync_mode(self) -> None:
        self.interval_spin.setEnabled(self.interval_radio.isChecked())
        self.gap_spin.setEnabled(self.random_radio.isChecked())

    # Navigation -------------------------------------------------------------------------------

    def go_to(self, index: int) -> None:
        index = max(0, min(self.pages.count() - 1, index))
        self.pages.setCurrentIndex(index)
        last = index == self.pages.count() - 1
        self.back_button.setEnabled(index > 0)
        self.next_button.setText("&Finish" if last else "&Next")
        self.next_button.setAccessibleName("Finish" if last else "Next")
        self.step_label.setText(f"Step {index + 1} of {self.pages.count()}")
        self.setWindowTitle(f"{APP_NAME} \u2014 {PAGE_TITLES[index]}")
        # Focus goes to Next on each page (so Enter goes on), except while the user steps
        # back with the Back button, which keeps it until there is no page before.
        if not (self.back_button.hasFocus() and self.back_button.isEnabled()):
            self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The first page has nothing to fill in: the focus starts on Next, not on Skip.
        self.next_button.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def _next_or_finish(self) -> None:
        if self.pages.currentIndex() < self.pages.count() - 1:
            self.go_to(self.pages.currentIndex() + 1)
        else:
            self.finish()

    # Results ----------------------------------------------------------------------------------

    def chosen_values(self) -> dict[str, Any]:
        """The choices as setting values, by setting key."""
        preset = next(
            (key for key, button in self.preset_buttons.items() if button.isChecked()), NO_PRESET
        )
        profile = next(
            (key for key, button in self.profile_buttons.items() if button.isChecked()), "default"
        )
        start, end = self.start_edit.time(), self.end_edit.time()
        return {
            "industry_preset": preset or None,
            "benchmark_profile": profile,
            "work_start": time(start.hour(), start.minute()),
            "work_end": time(end.hour(), end.minute()),
            "work_days": frozenset(i for i, box in enumerate(self.day_boxes) if box.isChecked()),
            "prompt_mode": "random" if self.random_radio.isChecked() else "interval",
            "interval_minutes": self.interval_spin.value(),
            "random_mean_gap_minutes": self.gap_spin.value(),
            "start_at_login": self.login_box.isChecked(),
            "first_run_done": True,
        }

    def finish(self) -> None:
        """Check the choices like the settings dialog does, save them, ask for a first prompt."""
        try:
            settings = settings_from_values(self.chosen_values(), self.base)
        except SettingsError as exc:
            self.show_problem(str(exc), exc.key)
            return
        if not self._apply_autostart(settings.start_at_login) or not self._save(settings):
            return
        self.finished_with.emit(settings)
        self.firstPromptRequested.emit()
        self.accept()

    def skip(self) -> None:
        """Save only that the orientation was seen; everything else stays as it was."""
        settings = self.base.replace(first_run_done=True)
        if not self._save(settings):
            return
        self.finished_with.emit(settings)
        self.reject()

    def _apply_autostart(self, wanted: bool) -> bool:
        """Write (or remove) the real autostart entry when the choice changed it."""
        if wanted == self._autostart_was:
            return True
        try:
            autostart.set_enabled(wanted, self._launch_command)
        except autostart.AutostartError as exc:
            self.show_problem(f"Start at login: {exc}.", "start_at_login")
            return False
        self._autostart_was = wanted
        return True

    def _save(self, settings: Settings) -> bool:
        try:
            save_settings(self.config_dir, settings)
        except OSError as exc:
            self.show_problem(
                f"The settings could not be saved in {self.config_dir}: {exc.strerror or exc}."
            )
            return False
        self.saved = settings
        return True

    def show_problem(self, message: str, key: str | None = None) -> None:
        """Say what is wrong and, when a setting is at fault, show the page that sets it."""
        if key is not None and key in PAGE_OF_SETTING:
            self.go_to(PAGE_OF_SETTING[key])
        self.error_label.setText(message)
        self.error_label.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing the window counts as Skip, so the orientation doesn't come back each start.
        if self.saved is None and self.isVisible():
            settings = self.base.replace(first_run_done=True)
            if self._save(settings):
                self.finished_with.emit(settings)
        super().closeEvent(event)


__all__ = ["FirstRunDialog", "sec_in_three_sentences"]
