"""The weekly review window: last week against plan and band, the change from the week
before, away time to answer first, drift alerts, insights, and a short reflection.

Keyboard first: the week list takes the arrows, Alt+A answers away time, Ctrl+S saves the
reflection, Escape closes. Past weeks open from the list with their figures recomputed from
the entries as they are now, and their reflections. Colours come from the palette, so light
and dark desktops both read well; every verdict is written in words beside its colour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sec_desktop import APP_NAME
from sec_desktop.analytics.review import WeeklyReview, review_span, weekly_review
from sec_desktop.analytics.targets import Plans
from sec_desktop.framework import BenchmarkProfile, Framework, Level
from sec_desktop.privacy.reflections import (
    MAX_REFLECTION_CHARS,
    ReflectionError,
    load_reflections,
    reflection_weeks,
    save_reflection,
)
from sec_desktop.store import EntryStore
from sec_desktop.store.notes_crypto import NoteCipher
from sec_desktop.timefmt import format_duration
from sec_desktop.ui.accessibility import expose_text, set_live_text
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.widgets import fit_on_screen

# Weeks offered in the list besides those with a reflection: a quarter back.
LISTED_WEEKS = 13
COLUMNS = (
    "Domain / focus area",
    "Actual",
    "Plan",
    "Band",
    "Against band",
    "Against plan",
    "Change",
)


@dataclass(frozen=True)
class ReviewSources:
    """What the window reads, each fetched when a week is shown so it is current."""

    framework: Framework
    store: EntryStore
    data_dir: Path
    device: str
    tz: ZoneInfo
    now: Callable[[], datetime]
    profile: Callable[[], BenchmarkProfile]
    plans: Callable[[], Plans]
    cipher: Callable[[], NoteCipher | None]
    unanswered_away: Callable[[], Sequence[tuple[datetime, datetime]]]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _change(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) < 0.05:
        return "±0.0 pts"
    sign = "+" if value > 0 else "\u2212"  # a true minus, as wide as the plus
    return f"{sign}{abs(value):.1f} pts"


def week_short(week: date) -> str:
    end = week + timedelta(days=6)
    return f"W{week.isocalendar()[1]:02d}  {week:%d %b} \u2013 {end:%d %b %Y}"


def week_title(week: date) -> str:
    end = week + timedelta(days=6)
    return f"Week {week.isocalendar()[1]}: {week:%a %d %b} \u2013 {end:%a %d %b %Y}"


class FigureTable(QTableWidget):
    """The figures: every row shown (no scrolling up and down), the names column taking the
    spare width; where the window is too narrow for the names, the table scrolls sideways
    and grows by its scroll bar, so no row hides behind it and no name is cut short."""

    def fit(self) -> None:
        header = self.horizontalHeader()
        names = max(self.sizeHintForColumn(0), header.sectionSizeFromContents(0).width())
        others = sum(header.sectionSize(c) for c in range(1, self.columnCount()))
        narrow = names + others > self.viewport().width()
        mode = QHeaderView.ResizeMode.Interactive if narrow else QHeaderView.ResizeMode.Stretch
        if header.sectionResizeMode(0) != mode:
            header.setSectionResizeMode(0, mode)
        if narrow:
            header.resizeSection(0, names)
        height = header.height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(i) for i in range(self.rowCount()))
        if narrow:
            height += self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()


class ReviewWindow(QWidget):
    """One week's review at a time; `answerAwayRequested` asks the app to open the picker on
    the away spans."""

    answerAwayRequested = Signal()

    def __init__(  # noqa: PLR0915 - one widget tree, built top to bottom
        self, sources: ReviewSources, week: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.sources = sources
        self.setObjectName("ReviewWindow")
        self.setWindowTitle(f"{APP_NAME}: weekly review")
        self.setAccessibleName("Weekly review")
        self.review: WeeklyReview | None = None
        self._week = week
        self._saved_text = ""

        self.weeks = QListWidget()
        self.weeks.setObjectName("review-weeks")
        self.weeks.setAccessibleName("Past reviews")
        self.weeks.setAccessibleDescription("Weeks to review; a pencil marks a reflection.")
        self.weeks.currentItemChanged.connect(self._on_week_chosen)
        weeks_label = QLabel("&Weeks")
        weeks_label.setBuddy(self.weeks)

        self.title = QLabel()
        self.title.setObjectName("review-title")
        self.title.setAccessibleName("Week")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = self._text_label("review-summary", "Tracked time")

        self.away_box = QFrame()
        self.away_box.setObjectName("review-away")
        self.away_box.setFrameShape(QFrame.Shape.StyledPanel)
        away_layout = QHBoxLayout(self.away_box)
        self.away_text = self._text_label("review-away-text", "Away time not yet answered")
        self.answer_away = QPushButton("&Answer away time…")
        self.answer_away.setObjectName("review-answer-away")
        self.answer_away.setAccessibleName("Answer away time")
        self.answer_away.clicked.connect(self.answerAwayRequested.emit)
        away_layout.addWidget(self.away_text, 1)
        away_layout.addWidget(self.answer_away)

        self.alerts = self._text_label("review-alerts", "Drift alerts")
        self.table = FigureTable(0, len(COLUMNS))
        self.table.setObjectName("review-table")
        self.table.setAccessibleName("Last week against plan and band")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() + 8)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        table_label = QLabel("&Figures")
        table_label.setBuddy(self.table)
        self.insights = self._text_label("review-insights", "Insights")

        self.reflection = QPlainTextEdit()
        self.reflection.setObjectName("review-reflection")
        self.reflection.setAccessibleName("Your reflection on this week")
        self.reflection.setPlaceholderText(
            "What went as planned, what didn't, and what you will change this week."
        )
        self.reflection.setTabChangesFocus(True)
        self.reflection.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 16)
        self.reflection.textChanged.connect(self._on_text_changed)
        reflection_label = QLabel("&Reflection")
        reflection_label.setBuddy(self.reflection)
        self.save_button = QPushButton("&Save reflection")
        self.save_button.setObjectName("review-save")
        self.save_button.setAccessibleName("Save reflection")
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.clicked.connect(self.save_reflection)
        self.save_status = self._text_label("review-save-status", "Reflection status")
        self.other_reflections = self._text_label(
            "review-other-reflections", "Reflections from other devices"
        )

        content = QWidget()
        body = QVBoxLayout(content)
        body.addWidget(self.title)
        body.addWidget(self.summary)
        body.addWidget(self.away_box)
        body.addWidget(self.alerts)
        body.addWidget(table_label)
        body.addWidget(self.table)
        body.addWidget(self.insights)
        body.addWidget(reflection_label)
        body.addWidget(self.reflection)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_status, 1)
        save_row.addWidget(self.save_button)
        body.addLayout(save_row)
        body.addWidget(self.other_reflections)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(weeks_label)
        left_layout.addWidget(self.weeks)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([210, 830])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.activated.connect(self.save_reflection)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.activated.connect(self.close)
        self.setTabOrder(self.weeks, self.answer_away)
        self.setTabOrder(self.answer_away, self.table)
        self.setTabOrder(self.table, self.reflection)
        self.setTabOrder(self.reflection, self.save_button)
        fit_on_screen(self, 1060, 860)
        self._fill_weeks(week)
        self.show_week(week)
        self.reflection.setFocus()

    def _text_label(self, name: str, accessible: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        # Read as its text, with what it is as the description (the a11y branch's rule).
        expose_text(label, accessible)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        return label

    # Weeks --------------------------------------------------------------------------------

    def _fill_weeks(self, current: date) -> None:
        with_reflection = set(reflection_weeks(self.sources.data_dir))
        recent = {current - timedelta(weeks=i) for i in range(LISTED_WEEKS)}
        self.weeks.blockSignals(True)
        self.weeks.clear()
        for week in sorted(recent | with_reflection, reverse=True):
            mark = "  ✎" if week in with_reflection else ""
            item = QListWidgetItem(f"{week_short(week)}{mark}")
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                f"{week_title(week)}{mark and ', reflection written'}",
            )
            item.setData(Qt.ItemDataRole.UserRole, week)
            if week in with_reflection:
                item.setToolTip("Has a reflection")
            self.weeks.addItem(item)
            if week == current:
                self.weeks.setCurrentItem(item)
        self.weeks.blockSignals(False)

    def listed_weeks(self) -> list[date]:
        return [
            self.weeks.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.weeks.count())
        ]

    def _on_week_chosen(
        self, item: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if item is None:
            return
        # What was typed is kept before another week is shown; if it can't be saved, the
        # week stays so the text is not lost, and the reason shows below it.
        if self.has_unsaved_text() and not self.save_reflection():
            if previous is not None:
                self.weeks.blockSignals(True)
                self.weeks.setCurrentItem(previous)
                self.weeks.blockSignals(False)
            return
        self.show_week(item.data(Qt.ItemDataRole.UserRole))

    # One week -----------------------------------------------------------------------------

    @property
    def week(self) -> date:
        return self._week

    def go_to(self, week: date) -> bool:
        """Show `week` (listed again around it), keeping what was typed first; False, and
        the week left as it is, when that can't be saved."""
        if self.has_unsaved_text() and not self.save_reflection():
            return False
        self._fill_weeks(week)
        self.show_week(week)
        return True

    def show_week(self, week: date) -> None:
        """Recompute `week`'s figures from the entries as they are now and show them."""
        self._week = week
        self._show_figures(week)
        self._show_reflections(week)

    def _show_figures(self, week: date) -> None:
        src = self.sources
        entries = src.store.entries(*review_span(week, src.tz))
        review = weekly_review(
            entries,
            src.framework,
            src.profile(),
            src.plans(),
            week=week,
            tz=src.tz,
            unanswered_away=src.unanswered_away(),
        )
        self.review = review
        self.title.setText(week_title(week))
        before = (
            format_duration(review.previous_tracked_seconds)
            if review.previous_tracked_seconds
            else "nothing"
        )
        plan = "" if review.has_plan else " No plan covers this week: set one to compare with."
        self.summary.setText(
            f"{format_duration(review.tracked_seconds)} tracked (the week before: {before}).{plan}"
        )
        self._show_away(review)
        self._show_alerts(review)
        self._fill_table(review)
        self._show_insights(review)

    def refresh_away(self) -> None:
        """When the open away spans changed (the user answered some), recompute the figures,
        which now hold the answers; the reflection being typed is left as it is."""
        if self.review is not None and sorted(self.sources.unanswered_away()) != list(
            self.review.unanswered_away
        ):
            self._show_figures(self._week)

    def _show_away(self, review: WeeklyReview) -> None:
        self._show_away_spans(review.unanswered_away)

    def _show_away_spans(self, spans: Sequence[tuple[datetime, datetime]]) -> None:
        self.away_box.setVisible(bool(spans))
        if not spans:
            return
        tz = self.sources.tz
        listed = ", ".join(
            f"{s.astimezone(tz):%a %d %b %H:%M}\u2013{e.astimezone(tz):%H:%M}" for s, e in spans[:6]
        )
        more = f" and {len(spans) - 6} more" if len(spans) > 6 else ""
        count = len(spans)
        self.away_text.setText(
            f"Fix first: {count} away span{'s' if count != 1 else ''} not yet answered "
            f"({listed}{more}). Until answered, that time is in no figure."
        )

    def _show_alerts(self, review: WeeklyReview) -> None:
        self.alerts.setVisible(bool(review.alerts))
        self.alerts.setText("\n".join(f"⚠ {a.text}: {a.detail}." for a in review.alerts))

    def _show_insights(self, review: WeeklyReview) -> None:
        if not review.insights:
            self.insights.setText("Insights: none over the last weeks.")
            return
        lines = [f"• {i.text}" for i in review.insights]
        self.insights.setText("Insights:\n" + "\n".join(lines))

    def _fill_table(self, review: WeeklyReview) -> None:
        theme = ChartTheme.from_palette(self.palette())
        self.table.setRowCount(len(review.rows))
        # Domains first, each followed by its focus areas.
        domains = [r for r in review.rows if r.level is Level.DOMAIN]
        ordered = []
        for domain in domains:
            ordered.append(domain)
            ordered += [
                r
                for r in review.rows
                if r.level is Level.FOCUS_AREA and r.id.startswith(f"{domain.id}.")
            ]
        for row_index, row in enumerate(ordered):
            is_domain = row.level is Level.DOMAIN
            band = f"{row.band.low * 100:g}\u2013{row.band.high * 100:g}%" if row.band else "—"
            status = row.band_text.split(" ", 1)[0] if row.band else None
            cells = (
                row.label if is_domain else f"    {row.label}",
                _pct(row.actual) if review.tracked_seconds else "—",
                _pct(row.plan),
                band,
                row.band_text if row.band else "—",
                row.plan_verdict.describe() if row.plan is not None else "—",
                _change(row.change_pts),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if is_domain:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if column == 4 and status in ("below", "within", "above"):
                    item.setForeground(theme.verdict_colour(status))
                if column == 0:
                    item.setData(Qt.ItemDataRole.UserRole, row.id)
                    item.setData(Qt.ItemDataRole.AccessibleTextRole, row.label)
                self.table.setItem(row_index, column, item)
        self.table.fit()

    def table_text(self) -> list[list[str]]:
        """The table as the user reads it, row by row (for tests and screen readers)."""
        rows = []
        for r in range(self.table.rowCount()):
            items = [self.table.item(r, c) for c in range(self.table.columnCount())]
            rows.append([item.text().strip() if item is not None else "" for item in items])
        return rows

    # The reflection -------------------------------------------------------------------------

    def _show_reflections(self, week: date) -> None:
        src = self.sources
        found = load_reflections(src.data_dir, week, src.cipher())
        own = next((r for r in found if r.device == src.device), None)
        others = [r for r in found if r.device != src.device]
        self._saved_text = own.text if own is not None and own.text is not None else ""
        self.reflection.blockSignals(True)
        self.reflection.setPlainText(self._saved_text)
        self.reflection.blockSignals(False)
        problem = own.problem if own is not None else None
        # A reflection that can't be opened is not offered for editing: saving would replace it.
        self.reflection.setReadOnly(problem is not None)
        self.save_button.setEnabled(False)
        if problem is not None:
            self.save_status.setText(f"Your reflection can't be shown: {problem}")
        elif own is not None and own.saved is not None:
            saved = own.saved.astimezone(src.tz)
            lock = " (encrypted)" if own.encrypted else ""
            self.save_status.setText(f"Saved {saved:%a %d %b %H:%M}{lock}.")
        else:
            self.save_status.setText("Not written yet.")
        lines = []
        for other in others:
            text = other.text if other.text is not None else f"[{other.problem}]"
            lines.append(f"From {other.device}: {text}")
        self.other_reflections.setText("\n".join(lines))
        self.other_reflections.setVisible(bool(lines))

    def _on_text_changed(self) -> None:
        text = self.reflection.toPlainText()
        too_long = len(text) > MAX_REFLECTION_CHARS
        self.save_button.setEnabled(text != self._saved_text and not too_long)
        if too_long:
            set_live_text(
                self.save_status,
                f"{len(text)} characters: at most {MAX_REFLECTION_CHARS} are kept.",
            )
        elif text != self._saved_text:
            self.save_status.setText("Not saved yet (Ctrl+S).")

    def save_reflection(self) -> bool:
        """Save this device's reflection on the shown week; the outcome is shown below it."""
        if self.reflection.isReadOnly():
            return False
        src = self.sources
        text = self.reflection.toPlainText()
        try:
            saved = save_reflection(
                src.data_dir, src.device, self._week, text, src.cipher(), now=src.now()
            )
        except (ReflectionError, OSError) as exc:
            set_live_text(self.save_status, f"Not saved: {exc}.", assertive=True)
            return False
        self._saved_text = text
        self.save_button.setEnabled(False)
        lock = " (encrypted)" if saved.encrypted else ""
        set_live_text(self.save_status, f"Saved{lock}.")
        current = self.weeks.currentItem()
        if current is not None and not current.text().endswith("✎"):
            current.setText(f"{current.text()}  ✎")
        return True

    def has_unsaved_text(self) -> bool:
        return (
            not self.reflection.isReadOnly() and self.reflection.toPlainText() != self._saved_text
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing saves what was typed; when it can't be saved the window stays open."""
        if self.has_unsaved_text() and not self.save_reflection():
            event.ignore()
            return
        event.accept()


__all__ = ["ReviewSources", "ReviewWindow", "week_title"]
