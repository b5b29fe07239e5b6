"""The user's plans in the data folder, one shared record per target, so they travel with the
data and two devices' edits merge target by target.

Each target is the record `target/<YYYY-Qn>/<node id>` of kind "plan"
(`<data_dir>/shared/plan/<device>.json`, see store/shared_records.py) holding
`{"share": <fraction>}`; clearing a target writes a deletion, so an older value on another
device can't bring it back. Strategy set on one device and Culture on another both stay; the
same target set on both keeps the later edit and shows the other as a conflict.

A file that can't be read is named in `problems` and left where it is; a record whose key or
value isn't a target is named too and skipped, so nothing in the folder is lost or rewritten.
No Qt here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sec_desktop.analytics.targets import (
    PlanError,
    PlanIssue,
    Plans,
    Quarter,
    QuarterPlan,
    check_plan,
    check_target,
)
from sec_desktop.framework import BenchmarkProfile, Framework
from sec_desktop.store.hlc import HybridClock, Stamp
from sec_desktop.store.shared_records import DELETE, RecordSet, SharedRecords

PLAN_KIND = "plan"
KEY_PREFIX = "target/"


def target_key(quarter: Quarter, node_id: str) -> str:
    return f"{KEY_PREFIX}{quarter}/{node_id}"


@dataclass(frozen=True)
class PlanConflict:
    """A target two devices set without seeing each other's edit: the value kept, the others."""

    quarter: Quarter
    node_id: str
    kept: float | None  # None: the kept edit cleared the target
    others: tuple[tuple[str, float | None], ...]  # (device, share or None for cleared)


@dataclass(frozen=True)
class LoadedPlans:
    """The merged plans, what could not be used (each a sentence), concurrent edits, and the
    stamps the view is based on (pass them back to `save_quarter(expect=)`)."""

    plans: Plans
    problems: list[str] = field(default_factory=list)
    conflicts: list[PlanConflict] = field(default_factory=list)
    stamps: Mapping[str, Stamp] = field(default_factory=dict)


def _share_of(value: Any) -> float:
    """The fraction in a record's value; PlanError when it isn't one."""
    share = value.get("share") if isinstance(value, dict) else None
    if isinstance(share, bool) or not isinstance(share, int | float):
        raise PlanError(f"its value {value!r} has no share number")
    if not math.isfinite(share) or not 0.0 <= share <= 1.0:
        raise PlanError(f"its share {share!r} is not between 0 and 1")
    return float(share)


def _split_key(key: str) -> tuple[Quarter, str]:
    if not key.startswith(KEY_PREFIX) or key.count("/") != 2:
        raise PlanError("it is not a target/<YYYY-Qn>/<node id> key")
    _, quarter_text, node_id = key.split("/")
    return Quarter.parse(quarter_text), node_id


class PlanStore:
    """Reads and writes the plan records of one data folder as this device."""

    def __init__(self, data_dir: Path, device_id: str, clock: HybridClock | None = None) -> None:
        self.records = SharedRecords(data_dir, PLAN_KIND, device_id, clock)

    def load(self, framework: Framework | None = None) -> LoadedPlans:
        """Every device's targets merged. With `framework`, a target for a node it lacks is
        named in `problems` (kept in the folder and in the plan, shown nowhere)."""
        return self._parse(self.records.read(), framework)

    def _parse(self, current: RecordSet, framework: Framework | None) -> LoadedPlans:
        problems = [
            f"the plan file {path} can't be read ({reason}); it is left as it is and the other "
            "devices' targets are used"
            for path, reason in sorted(current.problems.items())
        ]
        by_quarter: dict[Quarter, dict[str, float]] = {}
        for key, share_value in current.values().items():
            try:
                quarter, node_id = _split_key(key)
                share = _share_of(share_value)
            except PlanError as exc:
                problems.append(f"the plan record {key!r} is skipped: {exc}")
                continue
            if framework is not None and node_id not in framework:
                problems.append(
                    f"the {quarter} target for {node_id!r} is for a domain or focus area this "
                    "framework doesn't have; it is kept but not shown"
                )
            by_quarter.setdefault(quarter, {})[node_id] = share
        conflicts = []
        for key, merged in current.conflicts().items():
            try:
                quarter, node_id = _split_key(key)
            except PlanError:
                continue

            def share_or_none(record_value: Any, deleted: bool) -> float | None:
                if deleted:
                    return None
                try:
                    return _share_of(record_value)
                except PlanError:
                    return None

            conflicts.append(
                PlanConflict(
                    quarter,
                    node_id,
                    share_or_none(merged.winner.value, merged.winner.deleted),
                    tuple((r.device, share_or_none(r.value, r.deleted)) for r in merged.conflicts),
                )
            )
        return LoadedPlans(
            plans=Plans(QuarterPlan(q, t) for q, t in sorted(by_quarter.items())),
            problems=problems,
            conflicts=conflicts,
            stamps=current.stamps(),
        )

    def save_quarter(
        self,
        quarter: Quarter,
        targets: Mapping[str, float | None],
        framework: Framework,
        profile: BenchmarkProfile,
        *,
        replace: bool = False,
        expect: Mapping[str, Stamp] | None = None,
    ) -> tuple[LoadedPlans, list[PlanIssue]]:
        """Set (a share) or clear (None) the given targets of `quarter`; with `replace`, every
        other target of the quarter is cleared too. Returns the plans after the change and
        its warnings.

        The resulting quarter is checked first: a PlanError names the problem and nothing is
        written. With `expect` (LoadedPlans.stamps of the view being saved), a target changed
        meanwhile on this or another device refuses the save with RecordsChanged.
        """
        for node_id, share in targets.items():
            if share is not None:
                check_target(node_id, share, framework)
        current = self.load(framework)
        existing = dict(current.plans.quarter(quarter).targets)
        result = {} if replace else dict(existing)
        for node_id, share in targets.items():
            if share is None:
                result.pop(node_id, None)
            else:
                result[node_id] = share
        issues = check_plan(result, framework, profile)
        errors = [i.text for i in issues if i.severity == "error"]
        if errors:
            raise PlanError(f"the {quarter} plan is not saved: " + "; ".join(errors))
        # Only the targets named (and, replacing, the ones dropped) are written: a concurrent
        # edit of another target stays visible until the user saves that one.
        changes: dict[str, Any] = {
            target_key(quarter, node_id): {"share": share} if share is not None else DELETE
            for node_id, share in targets.items()
        }
        if replace:
            for node_id in existing:
                if node_id not in targets:
                    changes[target_key(quarter, node_id)] = DELETE
        keys_expected = None
        if expect is not None:
            keys_expected = {key: expect.get(key) for key in changes}
        after = self.records.write(changes, expect=keys_expected)
        return self._parse(after, framework), [i for i in issues if i.severity == "warning"]

    def clear_quarter(self, quarter: Quarter, framework: Framework) -> LoadedPlans:
        """Clear every target of `quarter` (deletions, so other devices' copies go too)."""
        current = self.load(framework)
        changes = {
            target_key(quarter, node_id): DELETE
            for node_id in current.plans.quarter(quarter).targets
        }
        return self._parse(self.records.write(changes), framework)


def load_plans(data_dir: Path, device_id: str, framework: Framework) -> LoadedPlans:
    """The plans of the data folder, for the dashboard, the reports and the review."""
    return PlanStore(data_dir, device_id).load(framework)


__all__ = [
    "PLAN_KIND",
    "LoadedPlans",
    "PlanConflict",
    "PlanStore",
    "load_plans",
    "target_key",
]
