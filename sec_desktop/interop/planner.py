"""Planning one import again and again while the user maps what no rule maps. No Qt.

The user's choices for unmapped groups become extra rules placed after the rules file and
the shipped rules: each matches exactly the rows of its group, so it only takes rows that
nothing else maps. `ImportPlanner` runs on a worker thread with a store of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sec_desktop.framework import Framework
from sec_desktop.framework.vocabulary import Vocabulary
from sec_desktop.interop import ImportPlan, Rule, RuleSet, UnmappedGroup, plan_import, rule_set

# The plan's own grouping, so a choice maps exactly the rows the preview listed together.
from sec_desktop.interop.plan import group_key
from sec_desktop.interop.records import ImportedRecord
from sec_desktop.store import EntryStore


@dataclass(frozen=True)
class GroupRule(Rule):
    """The user's mapping of one unmapped group: matches exactly the rows of that group."""

    group: tuple[str, str] = ("", "")

    def matches(self, record: ImportedRecord) -> bool:
        return group_key(record) == self.group


def group_rule(group: UnmappedGroup, activity: str) -> GroupRule:
    """The extra rule for a choice made in the preview."""
    pattern = re.compile("^" + re.escape(group.value) + "$", re.IGNORECASE)
    fields = (group.field,) if group.field else ()
    origin = f"your choice for {group.describe()}"
    return GroupRule(pattern, fields, activity, origin, group=(group.field, group.value))


@dataclass(frozen=True)
class PreviewRequest:
    """Everything one preview needs, captured on the GUI thread."""

    generation: int
    path: Path
    format_name: str
    rules_file: Path | None
    choices: tuple[tuple[UnmappedGroup, str], ...]
    default_activity: str | None
    overlap_policy: str
    now: datetime


def compute_plan(
    request: PreviewRequest,
    *,
    store: EntryStore,
    framework: Framework,
    zone: ZoneInfo,
    vocabulary: Vocabulary | None = None,
) -> ImportPlan:
    """The plan for a request: the rules file, then the shipped rules, then the user's choices.

    Runs on the worker thread; raises RuleError or ImportFileError as `plan_import` does.
    """
    files = [request.rules_file] if request.rules_file is not None else []
    base = rule_set(framework, files, vocabulary=vocabulary)
    extra = [group_rule(group, activity) for group, activity in request.choices]
    return plan_import(
        request.path,
        request.format_name,
        store=store,
        framework=framework,
        zone=zone,
        now=request.now,
        rules=RuleSet([*base.rules, *extra]),
        default_activity=request.default_activity,
        overlap_policy=request.overlap_policy,
    )


class ImportPlanner:
    """Plans on the worker thread with a store object of its own, used by that thread only.

    It reads the same data folder as the app's store (whose caches the GUI thread uses) and
    gives new entries the same device id. Holds no Qt object, so a closed wizard can't pull
    the ground from under a running plan.
    """

    def __init__(self, store: EntryStore, framework: Framework, zone: ZoneInfo) -> None:
        self._data_dir = store.data_dir
        self._device_id = store.device_id
        self._clock = store.clock
        self._framework = framework
        self._zone = zone
        self._reader: EntryStore | None = None
        self._vocabulary: Vocabulary | None = None

    def plan(self, request: PreviewRequest) -> ImportPlan:
        if self._reader is None:
            self._reader = EntryStore(self._data_dir, self._device_id, clock=self._clock)
        if self._vocabulary is None:
            # The user's aliases map rows as they do in the picker and `log`; an instance of
            # the worker's own, so the GUI thread's learning never races it.
            self._vocabulary = Vocabulary.for_data_dir(self._data_dir)
        return compute_plan(
            request,
            store=self._reader,
            framework=self._framework,
            zone=self._zone,
            vocabulary=self._vocabulary,
        )

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
