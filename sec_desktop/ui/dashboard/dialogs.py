"""Small dialogs of the dashboard: add an entry, retag, change times, split, and the custom
band editor.

Each is shown with `open()` (non-blocking) and reports through its `accepted` signal; an edit
the store refuses keeps the dialog open with the reason shown in it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sec_desktop.framework import Band, Framework, Level
from sec_desktop.framework.search import ActivitySearch
from sec_desktop.store import Entry
from sec_desktop.ui.dashboard.entries import EditRefused
from sec_desktop.ui.widgets import literal, problem_label

DATETIME_FORMAT = "yyyy-MM-dd HH:mm"


def _error_label() -> QLabel:
    # Red that reads on the window's theme ("bright text" is white on light themes).
    return problem_label("Error")


def _show_error(label: QLabel, text: str) -> None:
    label.setText(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))
    label.show()


def to_qdatetime(moment: datetime, tz: ZoneInfo) -> QDateTime:
    """A wall-clock QDateTime of `moment` in `tz` (Qt's own zone handling is not used)."""
    local = moment.astimezone(tz)
    return QDateTime(
        QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second)
    )


def from_qdatetime(value: QDateTime, tz: ZoneInfo, what: str) -> datetime:
    """The instant a wall-clock QDateTime names in `tz`; a time a DST jump skips is refused."""
    day, clock = value.date(), value.time()
    naive = datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise EditRefused(
            f"{what} {naive:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks skip it "
            "when daylight saving starts"
        )
    return aware.astimezone(UTC)


def _datetime_edit(moment: datetime, tz: ZoneInfo, name: str) -> QDateTimeEdit:
    edit = QDateTimeEdit(to_qdatetime(moment, tz))
    edit.setDisplayFormat(DATETIME_FORMAT)
    edit.setCalendarPopup(True)
    edit.setAccessibleName(name)
    return edit


class _EditDialog(QDialog):
    """OK runs `attempt`; a refused edit shows its reason and keeps the dialog open.

    Each dialog defines `attempt`: make the edit, or raise EditRefused to keep the dialog
    open with the reason. Declared, not defined, here: Qt's metaclass rules out `abc.ABC`.
    """

    attempt: Callable[[], None]

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.error = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)

    def _try_accept(self, *_args: object) -> None:
        try:
            self.attempt()
        except EditRefused as exc:
            _show_error(self.error, str(exc))
            return
        self.accept()


class RetagDialog(_EditDialog):
    """Pick a node of the framework by typing part of its name."""

    def __init__(
        self,
        framework: Framework,
        current: str | None,
        apply: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Retag entries", parent)
        self.framework = framework
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type to filter, e.g. okr or sec inc")
        self.search.setAccessibleName("Filter activities")
        self.list = QListWidget()
        self.list.setAccessibleName("Activities")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for node in framework.walk():
            indent = "    " * (node.level.value - 1)
            item = QListWidgetItem(f"{indent}{node.label}")
            item.setData(Qt.ItemDataRole.UserRole, node.id)
            item.setToolTip(framework.path_label(node.id))
            if node.level is Level.DOMAIN:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
            if node.id == current:
                self.list.setCurrentItem(item)
        self.search.textChanged.connect(self._filter)
        self.list.itemDoubleClicked.connect(self._try_accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(460, 520)
        self._apply = apply

    def attempt(self) -> None:
        self._apply(self.chosen())

    def chosen(self) -> str:
        item = self.list.currentItem()
        if item is None or item.isHidden():
            raise EditRefused("activity: choose one from the list")
        return str(item.data(Qt.ItemDataRole.UserRole))

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        first_visible: QListWidgetItem | None = None
        for row in range(self.list.count()):
            item = self.list.item(row)
            path = self.framework.path_label(str(item.data(Qt.ItemDataRole.UserRole))).casefold()
            visible = all(w in path for w in words)
            item.setHidden(not visible)
            if visible and first_visible is None:
                first_visible = item
        current = self.list.currentItem()
        if first_visible is not None and (current is None or current.isHidden()):
            self.list.setCurrentItem(first_visible)


class AddEntryDialog(RetagDialog):
    """A new entry: the activity found by typing as in the picker, start, end and a note.

    The search is the picker's (`ActivitySearch`: words, synonyms, small typos); the best
    match is highlighted, so Enter takes it.
    """

    def __init__(
        self,
        framework: Framework,
        tz: ZoneInfo,
        span: tuple[datetime, datetime],
        apply: Callable[[str, datetime, datetime, str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(framework, None, lambda _activity: None, parent)
        start, end = span
        self.setWindowTitle("Add entry")
        self.start = _datetime_edit(start, tz, "Start")
        self.end = _datetime_edit(end, tz, "End")
        self.note = QLineEdit()
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("Optional")
        form = QFormLayout()
        form.addRow("&Start:", self.start)
        form.addRow("&End:", self.end)
        form.addRow("&Note:", self.note)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)  # noqa: S101 - built by RetagDialog
        layout.insertLayout(2, form)
        self._tz = tz
        self._add = apply
        self._activity_search = ActivitySearch(framework)
        self.search.setFocus()

    def _filter(self, text: str) -> None:
        if not text.strip():
            super()._filter(text)
            return
        ranked = [hit.node.id for hit in self._activity_search.search(text)]
        shown = set(ranked)
        best: QListWidgetItem | None = None
        for row in range(self.list.count()):
            item = self.list.item(row)
            node_id = str(item.data(Qt.ItemDataRole.UserRole))
            item.setHidden(node_id not in shown)
            if ranked and node_id == ranked[0]:
                best = item
        if best is not None:
            self.list.setCurrentItem(best)
            self.list.scrollToItem(best)

    def attempt(self) -> None:
        self._add(
            self.chosen(),
            from_qdatetime(self.start.dateTime(), self._tz, "start"),
            from_qdatetime(self.end.dateTime(), self._tz, "end"),
            self.note.text(),
        )


class TimesDialog(_EditDialog):
    def __init__(
        self,
        entry: Entry,
        tz: ZoneInfo,
        apply: Callable[[datetime, datetime], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Change times", parent)
        self.start = _datetime_edit(entry.start, tz, "Start")
        self.end = _datetime_edit(entry.end, tz, "End")
        form = QFormLayout()
        form.addRow("&Start:", self.start)
        form.addRow("&End:", self.end)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._tz = tz
        self._apply = apply

    def attempt(self) -> None:
        self._apply(
            from_qdatetime(self.start.dateTime(), self._tz, "start"),
            from_qdatetime(self.end.dateTime(), self._tz, "end"),
        )


class SplitDialog(_EditDialog):
    def __init__(
        self,
        entry: Entry,
        tz: ZoneInfo,
        apply: Callable[[datetime], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Split entry", parent)
        middle = entry.start + (entry.end - entry.start) / 2
        middle -= timedelta(seconds=middle.second, microseconds=middle.microsecond)
        self.at = _datetime_edit(middle, tz, "Split at")
        form = QFormLayout()
        start = entry.start.astimezone(tz)
        end = entry.end.astimezone(tz)
        form.addRow(QLabel(f"The entry runs from {start:%Y-%m-%d %H:%M} to {end:%H:%M}."))
        form.addRow("Split &at:", self.at)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._tz = tz
        self._apply = apply

    def attempt(self) -> None:
        self._apply(from_qdatetime(self.at.dateTime(), self._tz, "split time"))


def check_bands(bands: dict[str, Band], framework: Framework) -> None:
    """Refuse a band outside 0-100% or with its low end above its high end."""
    for node_id, band in bands.items():
        label = framework[node_id].label if node_id in framework else node_id
        if not (0.0 <= band.low <= 1.0 and 0.0 <= band.high <= 1.0):
            raise EditRefused(f"{label}: a band must lie within 0-100%")
        if band.low > band.high:
            raise EditRefused(
                f"{label}: low ({band.low * 100:g}%) is above high ({band.high * 100:g}%)"
            )


class BandEditorDialog(_EditDialog):
    """Edit the custom profile: a low and high percentage per domain and focus area."""

    def __init__(
        self,
        framework: Framework,
        bands: dict[str, Band],
        apply: Callable[[dict[str, Band]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Custom benchmark bands", parent)
        self.framework = framework
        self.rows: dict[str, tuple[QCheckBox, QDoubleSpinBox, QDoubleSpinBox]] = {}
        grid = QGridLayout()
        for column, title in enumerate(("Area", "Low %", "High %")):
            header = QLabel(f"<b>{title}</b>")
            grid.addWidget(header, 0, column)
        nodes = [*framework.of_level(Level.DOMAIN), *framework.of_level(Level.FOCUS_AREA)]
        nodes.sort(key=lambda n: list(framework.nodes).index(n.id))
        for row, node in enumerate(nodes, start=1):
            band = bands.get(node.id)
            indent = "" if node.level is Level.DOMAIN else "    "
            check = QCheckBox(indent + literal(node.label))
            check.setAccessibleName(f"Band for {node.label}")
            check.setChecked(band is not None)
            low = self._spin(f"{node.label} low", band.low if band else 0.0)
            high = self._spin(f"{node.label} high", band.high if band else 0.0)
            for spin in (low, high):
                spin.setEnabled(band is not None)
                check.toggled.connect(spin.setEnabled)
            grid.addWidget(check, row, 0)
            grid.addWidget(low, row, 1)
            grid.addWidget(high, row, 2)
            self.rows[node.id] = (check, low, high)
        self._sources = {k: b.source for k, b in bands.items()}
        note = QLabel("Shares are percentages of all tracked time; a band needs low \u2264 high.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._apply = apply

    def attempt(self) -> None:
        self._apply(self.bands())

    @staticmethod
    def _spin(name: str, fraction: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        # Wider than 0-100 so that a typed 120 reaches the check and is refused by name.
        spin.setRange(-1000.0, 1000.0)
        spin.setDecimals(1)
        spin.setSingleStep(0.5)
        spin.setSuffix(" %")
        spin.setValue(round(fraction * 100, 1))
        spin.setAccessibleName(name)
        return spin

    def set_band(self, node_id: str, low_pct: float | None, high_pct: float | None) -> None:
        """Set one row as a user would (None turns the band off)."""
        check, low, high = self.rows[node_id]
        check.setChecked(low_pct is not None)
        if low_pct is not None and high_pct is not None:
            low.setValue(low_pct)
            high.setValue(high_pct)

    def bands(self) -> dict[str, Band]:
        out: dict[str, Band] = {}
        for node_id, (check, low, high) in self.rows.items():
            if check.isChecked():
                out[node_id] = Band(
                    low.value() / 100.0,
                    high.value() / 100.0,
                    self._sources.get(node_id, "Set by you in the custom profile."),
                )
        check_bands(out, self.framework)
        return out
