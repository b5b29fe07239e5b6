"""The picker's numbered choices: the repeat row and the top activities on an empty search box,
or the best matches for a query, each row spoken as its key, label and path."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QStyleOptionViewItem,
    QWidget,
)

from sec_desktop.framework.model import Framework
from sec_desktop.reminders.ranking import PICKER_CHOICES, UsageRanking
from sec_desktop.ui.picker.delegate import (
    REPEAT_KEY,
    ROLE_ACTIVITY,
    ROLE_KEY,
    ROLE_PATH,
    ROLE_TAGLINE,
    ChoiceDelegate,
)

PATH_SEPARATOR = " \u203a "
NO_MATCH_HEADER = "No exact match \u2014 closest:"
FOCUS_AREAS_HEADER = "Or a focus area:"
# Everything a row holds, copied onto a re-used row.
_ROW_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.AccessibleDescriptionRole,
    ROLE_ACTIVITY,
    ROLE_KEY,
    ROLE_PATH,
    ROLE_TAGLINE,
)


class ChoiceList(QListWidget):
    """The list of activities to pick, filled by the picker for each slot and query."""

    def __init__(self, framework: Framework, ranking: UsageRanking, parent: QWidget) -> None:
        super().__init__(parent)
        self.framework = framework
        self.ranking = ranking
        # The query whose matches are listed when nothing matched it: a pick is then kept as
        # an alias of that query, so it matches next time.
        self.no_match_query: str | None = None
        self.row_px = 0
        self.full_px = 0
        self.setObjectName("choices")
        self.setAccessibleName("Choices")
        self.setAccessibleDescription(
            "Activities to pick: recent and frequent ones, or those matching the search."
        )
        self.setItemDelegate(ChoiceDelegate(self))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)

    def fit_rows(self) -> None:
        """Room for the repeat row and nine choices, so the window never jumps as you type."""
        option = QStyleOptionViewItem()
        option.font = self.font()
        delegate = self.itemDelegate()
        row = delegate.sizeHint(option, QModelIndex()).height()
        frame = 2 * self.frameWidth()
        self.row_px = row
        self.full_px = row * (PICKER_CHOICES + 1) + frame
        self.setFixedHeight(self.full_px)

    def list_matches(self, query: str, at: datetime) -> None:
        """The best matches for `query`, numbered, the first highlighted; when nothing
        matches, the closest activities and the focus areas under a header, none highlighted
        (an Enter typed blind picks nothing), so there is always a way on."""
        self.no_match_query = None
        ids = self.ranking.rank(query, PICKER_CHOICES, at=at)
        rows = [self._row(activity, str(number), "") for number, activity in enumerate(ids, 1)]
        if ids:
            self._show_rows(rows, 0)
            return
        self.no_match_query = query.strip()
        suggestions = self.ranking.no_match(query)
        rows.append(
            self._header(
                NO_MATCH_HEADER
                if suggestions.closest
                else f"No activity matches \u201c{query.strip()}\u201d"
            )
        )
        number = 0
        for node in suggestions.closest:
            number += 1
            rows.append(self._row(node.id, str(number), ""))
        rows.append(self._header(FOCUS_AREAS_HEADER))
        for node in suggestions.focus_areas:
            number += 1
            rows.append(self._row(node.id, str(number) if number <= PICKER_CHOICES else "", ""))
        self._show_rows(rows, None)

    def _show_rows(self, rows: list[QListWidgetItem], current: int | None) -> None:
        """List `rows`, re-using the rows there are, with row `current` highlighted.

        Emptying and refilling the list on every key sent a screen reader a selection change
        per removed row and per new one (56 events for "sec inc", 27 about rows already
        gone); rows re-used in place keep the highlight where it was, so nothing is sent
        while the top row stays highlighted."""
        selection = self.selectionModel()
        was_blocked = selection.blockSignals(True)
        try:
            while self.count() > len(rows):
                self.takeItem(self.count() - 1)
            for row, fresh in enumerate(rows):
                if row >= self.count():
                    self.addItem(fresh)
                    continue
                existing = self.item(row)
                existing.setFlags(fresh.flags())
                for role in _ROW_ROLES:
                    if existing.data(role) != fresh.data(role):
                        existing.setData(role, fresh.data(role))
        finally:
            selection.blockSignals(was_blocked)
        self.setCurrentRow(-1 if current is None else current)

    @staticmethod
    def _header(text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
        return item

    def remember_pick(self, query: str, activity: str) -> None:
        """What the picker does with the search text once `activity` is picked: a query that
        matched nothing becomes an alias; any other is learnt, so it finds `activity` first."""
        if not query.strip():
            return
        if self.no_match_query is not None and self.no_match_query == query.strip():
            self.ranking.remember_alias(query, activity)
        else:
            self.ranking.learn(query, activity)

    def list_top(self, at: datetime, repeat: str | None, tagline: str) -> None:
        """The top choices, numbered, below the `repeat` row (highlighted) when there is one."""
        self.no_match_query = None
        rows = [self._row(repeat, REPEAT_KEY, tagline)] if repeat is not None else []
        exclude = {repeat} if repeat else set()
        for number, activity in enumerate(
            self.ranking.top(PICKER_CHOICES, at=at, exclude=exclude), start=1
        ):
            rows.append(self._row(activity, str(number), ""))
        self._show_rows(rows, 0 if repeat is not None else None)

    def _row(self, activity: str, key: str, tagline: str) -> QListWidgetItem:
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
        spoken_key = "Enter" if key == REPEAT_KEY else f"Alt+{key}"
        spoken = f"{spoken_key}: {node.label}" + (f", {tagline}" if tagline else "")
        item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
        item.setData(
            Qt.ItemDataRole.AccessibleDescriptionRole,
            f"{path.replace(PATH_SEPARATOR, ', ')}. Press {spoken_key} to pick it.",
        )
        item.setToolTip(f"{path}{PATH_SEPARATOR}{node.label}" if node.parent_id else node.label)
        return item

    def activity_ids(self) -> list[str]:
        """The activity ids listed now, top to bottom (the repeat row first when shown)."""
        out = []
        for row in range(self.count()):
            value = self.item(row).data(ROLE_ACTIVITY)
            if value:
                out.append(str(value))
        return out

    def highlighted(self) -> str | None:
        item = self.currentItem()
        value = item.data(ROLE_ACTIVITY) if item is not None else None
        return str(value) if value else None

    def numbered(self, number: int) -> str | None:
        """The activity on the row that key `number` picks, if one is listed."""
        for row in range(self.count()):
            item = self.item(row)
            if item.data(ROLE_KEY) == str(number):
                value = item.data(ROLE_ACTIVITY)
                return str(value) if value else None
        return None

    def step_highlight(self, step: int) -> None:
        """Move the highlight by `step` rows, staying on the list and passing over headers."""
        count = self.count()
        if not count:
            return
        row = self.currentRow()
        target = min(count - 1, max(0, (row if row >= 0 else -1) + step))
        direction = 1 if step > 0 else -1
        while 0 <= target < count and not self.item(target).flags() & Qt.ItemFlag.ItemIsEnabled:
            target += direction
        if 0 <= target < count:
            self.setCurrentRow(target)
