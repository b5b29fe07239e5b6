"""The user's changes to the framework's Level-3 activities, kept in the data folder.

They are shared records (`sec_desktop.store.shared_records`, kind "customization"), one per
item, so that a rename on one device and a hide on another both survive a sync: activities
the user added under a focus area (`added/<id>`), new labels for activities (`rename/<id>`;
the id stays, so history follows a rename), hidden activities (`hidden/<id>`; still counted
in reports, left out of pickers) and the order of activities per focus area (`order/<id>`).
The single file of earlier versions, `<data_dir>/framework/customization.json`, is read until
this device migrates it into its records; it is then kept aside, never deleted.
Domains and focus areas are the framework's and stay fixed; the shipped framework file is
never edited. Personal targets are the custom benchmark profile of
`sec_desktop.framework.custom_profile` (`<data_dir>/profiles/custom.json`).

A legacy file that can't be used is reported with the field at fault and ignored, so the
shipped framework keeps working; it stays where it is until the user saves new
customizations, and is then kept beside as `customization.json.bad-<time>`. A record that
can't be used (another device's activity this one doesn't know, say) is reported and left
out; the others apply. No Qt here.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from sec_desktop.framework.loader import FrameworkError, load_framework
from sec_desktop.framework.model import Framework, Level, Node
from sec_desktop.store.atomic import ensure_private_dir, keep_aside
from sec_desktop.store.entry import Entry
from sec_desktop.store.hlc import HybridClock, Stamp
from sec_desktop.store.shared_records import (
    DELETE,
    Merged,
    RecordsChanged,
    RecordSet,
    SharedRecords,
    SharedRecordsError,
    adopt_legacy,
    read_records,
)
from sec_desktop.store.store import EntryStore, StoreError

CUSTOMIZATION_DIR = "framework"
CUSTOMIZATION_FILE = "customization.json"
FILE_FORMAT = "sec-desktop/framework-customization"
FILE_VERSION = 1
BAD_FILE_INFIX = ".bad-"
MIGRATED_FILE_INFIX = ".migrated-"
CUSTOMIZATION_KIND = "customization"
ADDED, RENAME, HIDDEN, ORDER = "added/", "rename/", "hidden/", "order/"
CUSTOM_ID_PREFIX = "custom-"
MAX_LABEL_CHARS = 80
MAX_DESCRIPTION_CHARS = 500
MAX_SLUG_CHARS = 40
CUSTOM_SLUG = re.compile(r"^custom-[a-z0-9]+(-[a-z0-9]+)*$")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


class CustomizationError(ValueError):
    """A customization that can't be used; `field` names the part at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"field {field_name}: {message}" if field_name else message)
        self.field = field_name


@dataclass(frozen=True)
class AddedActivity:
    """An activity the user added under a focus area; its id ends in `custom-<slug>`."""

    id: str
    focus_area: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Customization:
    """The user's changes, immutable: each edit returns a new Customization.

    `renamed` maps an activity id to its new label, `hidden` holds activity ids, `order` maps
    a focus-area id to its activity ids in the user's order (ids not listed follow in
    framework order).
    """

    added: tuple[AddedActivity, ...] = ()
    renamed: Mapping[str, str] = field(default_factory=dict)
    hidden: frozenset[str] = frozenset()
    order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.renamed or self.hidden or self.order)

    def added_ids(self) -> set[str]:
        return {a.id for a in self.added}

    # Edits -----------------------------------------------------------------------------
    # `base` is the framework the customization applies to (shipped, with its preset).

    def add_activity(
        self, base: Framework, focus_area_id: str, label: str, description: str = ""
    ) -> tuple[Customization, str]:
        """This customization with a new activity under `focus_area_id`, and the new id."""
        _check_focus_area(base, focus_area_id, "focus_area")
        current = apply_customization(base, self)
        clean = _check_label(label, "label")
        _check_unique_label(current, focus_area_id, clean, None, "label")
        known = set(current.nodes) | _preset_activity_ids(base)
        slug = _slugify(clean)
        new_id = f"{focus_area_id}.{CUSTOM_ID_PREFIX}{slug}"
        counter = 2
        while new_id in known:
            new_id = f"{focus_area_id}.{CUSTOM_ID_PREFIX}{slug}-{counter}"
            counter += 1
        activity = AddedActivity(new_id, focus_area_id, clean, _check_description(description))
        return dataclasses.replace(self, added=(*self.added, activity)), new_id

    def rename(self, base: Framework, activity_id: str, label: str) -> Customization:
        """A new label for an activity; the id (and so its history) stays."""
        current = apply_customization(base, self)
        node = _check_activity(current, activity_id, "renamed")
        clean = _check_label(label, f"renamed.{activity_id}")
        focus_area = node.parent_id or ""  # an activity always has one
        _check_unique_label(current, focus_area, clean, activity_id, f"renamed.{activity_id}")
        if any(a.id == activity_id for a in self.added):
            added = tuple(
                dataclasses.replace(a, label=clean) if a.id == activity_id else a
                for a in self.added
            )
            return dataclasses.replace(self, added=added)
        renamed = dict(self.renamed)
        if clean == _original_label(base, activity_id):
            renamed.pop(activity_id, None)
        else:
            renamed[activity_id] = clean
        return dataclasses.replace(self, renamed=renamed)

    def set_hidden(self, base: Framework, activity_id: str, hidden: bool) -> Customization:
        _check_activity(apply_customization(base, self), activity_id, "hidden")
        ids = set(self.hidden)
        if hidden:
            ids.add(activity_id)
        else:
            ids.discard(activity_id)
        return dataclasses.replace(self, hidden=frozenset(ids))

    def move(self, base: Framework, activity_id: str, steps: int) -> Customization:
        """Move an activity `steps` places down (negative: up) within its focus area."""
        current = apply_customization(base, self)
        node = _check_activity(current, activity_id, "order")
        focus_area = node.parent_id or ""  # an activity always has one
        ids = [n.id for n in current.children(focus_area)]
        index = ids.index(activity_id)
        target = max(0, min(len(ids) - 1, index + steps))
        ids.insert(target, ids.pop(index))
        order = dict(self.order)
        order[focus_area] = tuple(ids)
        return dataclasses.replace(self, order=order)

    def remove_activity(self, activity_id: str) -> Customization:
        """Drop an added activity (move its entries first: see `move_entries`)."""
        if activity_id not in self.added_ids():
            raise CustomizationError(
                "added", f"{activity_id!r} is not an activity you added; hide it instead"
            )
        order = {fa: tuple(i for i in ids if i != activity_id) for fa, ids in self.order.items()}
        return Customization(
            added=tuple(a for a in self.added if a.id != activity_id),
            renamed={k: v for k, v in self.renamed.items() if k != activity_id},
            hidden=self.hidden - {activity_id},
            order={fa: ids for fa, ids in order.items() if ids},
        )

    # File form -------------------------------------------------------------------------

    def to_document(self) -> dict[str, Any]:
        return {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "added": [
                {"id": a.id, "focus_area": a.focus_area, "label": a.label}
                | ({"description": a.description} if a.description else {})
                for a in self.added
            ],
            "renamed": dict(sorted(self.renamed.items())),
            "hidden": sorted(self.hidden),
            "order": {fa: list(ids) for fa, ids in sorted(self.order.items())},
        }


# Checks ----------------------------------------------------------------------------------


def _slugify(label: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", label.casefold()).strip("-")
    return slug[:MAX_SLUG_CHARS].rstrip("-") or "activity"


def _check_label(label: Any, field_name: str) -> str:
    if not isinstance(label, str):
        raise CustomizationError(field_name, f"must be text, not {label!r}")
    clean = " ".join(label.split())
    if not clean:
        raise CustomizationError(field_name, "is empty; an activity needs a name")
    if len(clean) > MAX_LABEL_CHARS:
        raise CustomizationError(
            field_name, f"is {len(clean)} characters long; at most {MAX_LABEL_CHARS} fit"
        )
    if _CONTROL_CHARS.search(label.replace("\n", " ").replace("\t", " ")):
        raise CustomizationError(field_name, "holds control characters")
    return clean


def _check_description(description: Any, field_name: str = "description") -> str:
    if not isinstance(description, str):
        raise CustomizationError(field_name, f"must be text, not {description!r}")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise CustomizationError(field_name, f"is longer than {MAX_DESCRIPTION_CHARS} characters")
    return description.strip()


def _check_focus_area(base: Framework, node_id: Any, field_name: str) -> Node:
    node = base.nodes.get(node_id) if isinstance(node_id, str) else None
    if node is None or node.level is not Level.FOCUS_AREA:
        raise CustomizationError(field_name, f"{node_id!r} is not a focus area of the framework")
    return node


def _check_activity(framework: Framework, node_id: str, field_name: str) -> Node:
    node = framework.nodes.get(node_id)
    if node is None:
        raise CustomizationError(field_name, f"there is no activity {node_id!r}")
    if node.level is not Level.ACTIVITY:
        raise CustomizationError(
            field_name,
            f"{node.label} is a {node.level.noun}; domains and focus areas stay as the "
            "framework has them",
        )
    return node


def _check_unique_label(
    framework: Framework, focus_area_id: str, label: str, own_id: str | None, field_name: str
) -> None:
    for sibling in framework.children(focus_area_id):
        if sibling.id != own_id and sibling.label.casefold() == label.casefold():
            focus = framework[focus_area_id].label
            raise CustomizationError(
                field_name, f"{focus} already has an activity called {sibling.label!r}"
            )


def _preset_activity_ids(base: Framework) -> set[str]:
    return {a.id for preset in base.presets.values() for a in preset.activities}


def _original_label(base: Framework, activity_id: str) -> str | None:
    if activity_id in base.nodes:
        return base.nodes[activity_id].label
    for preset in base.presets.values():
        for activity in preset.activities:
            if activity.id == activity_id:
                return activity.label
    return None


def _known_activities(base: Framework, added: Iterable[AddedActivity]) -> dict[str, str]:
    """Every activity id a customization may name, with its focus area: the framework's, every
    preset's (a preset switched off keeps its renames for when it comes back) and the added."""
    known = {n.id: n.parent_id or "" for n in base.of_level(Level.ACTIVITY)}
    for preset in base.presets.values():
        for activity in preset.activities:
            known[activity.id] = activity.parent_id or ""
    for own in added:
        known[own.id] = own.focus_area
    return known


def customization_from_document(doc: Any, base: Framework) -> Customization:
    """Check a parsed file against `base`; CustomizationError names the first field at fault."""
    if not isinstance(doc, dict):
        raise CustomizationError("", "the file must hold a JSON object")
    if doc.get("format") != FILE_FORMAT:
        raise CustomizationError("format", f"must be {FILE_FORMAT!r}, not {doc.get('format')!r}")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CustomizationError("version", f"must be a whole number from 1, not {version!r}")
    if version > FILE_VERSION:
        raise CustomizationError(
            "version",
            f"a newer SEC Desktop wrote it (version {version}; this one reads up to "
            f"{FILE_VERSION}); update the app to use it",
        )
    added = _added_from(doc.get("added", []), base)
    known = _known_activities(base, added)
    renamed = _renamed_from(doc.get("renamed", {}), base, known)
    hidden = _hidden_from(doc.get("hidden", []), base, known)
    order = _order_from(doc.get("order", {}), base, known)
    return Customization(tuple(added), renamed, hidden, order)


def _renamed_from(raw: Any, base: Framework, known: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise CustomizationError("renamed", "must be an object of activity id to new label")
    renamed: dict[str, str] = {}
    for node_id, label in raw.items():
        _check_known(base, known, node_id, f"renamed.{node_id}")
        renamed[node_id] = _check_label(label, f"renamed.{node_id}")
    return renamed


def _hidden_from(raw: Any, base: Framework, known: Mapping[str, str]) -> frozenset[str]:
    if not isinstance(raw, list):
        raise CustomizationError("hidden", "must be a list of activity ids")
    for index, node_id in enumerate(raw):
        _check_known(base, known, node_id, f"hidden[{index}]")
    return frozenset(raw)


def _order_from(raw: Any, base: Framework, known: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise CustomizationError("order", "must be an object of focus-area id to activity ids")
    order: dict[str, tuple[str, ...]] = {}
    for fa_id, ids in raw.items():
        _check_focus_area(base, fa_id, f"order.{fa_id}")
        if not isinstance(ids, list):
            raise CustomizationError(f"order.{fa_id}", "must be a list of activity ids")
        seen: set[str] = set()
        for index, node_id in enumerate(ids):
            where = f"order.{fa_id}[{index}]"
            _check_known(base, known, node_id, where)
            if known[node_id] != fa_id:
                raise CustomizationError(where, f"{node_id!r} is not an activity of {fa_id!r}")
            if node_id in seen:
                raise CustomizationError(where, f"{node_id!r} is listed twice")
            seen.add(node_id)
        order[fa_id] = tuple(ids)
    return order


def _check_known(base: Framework, known: Mapping[str, str], node_id: Any, where: str) -> None:
    if not isinstance(node_id, str):
        raise CustomizationError(where, f"must be an activity id, not {node_id!r}")
    if node_id in known:
        return
    if node_id in base.nodes:
        node = base.nodes[node_id]
        raise CustomizationError(
            where, f"{node.label} is a {node.level.noun}; only activities can be changed"
        )
    raise CustomizationError(where, f"there is no activity {node_id!r}")


def _added_from(raw: Any, base: Framework) -> list[AddedActivity]:
    if not isinstance(raw, list):
        raise CustomizationError("added", "must be a list of activities")
    taken = set(base.nodes) | _preset_activity_ids(base)
    out: list[AddedActivity] = []
    labels: dict[tuple[str, str], str] = {
        (n.parent_id or "", n.label.casefold()): n.id for n in base.of_level(Level.ACTIVITY)
    }
    for index, item in enumerate(raw):
        where = f"added[{index}]"
        if not isinstance(item, dict):
            raise CustomizationError(where, "must be an object with id, focus_area and label")
        for key in ("id", "focus_area", "label"):
            if key not in item:
                raise CustomizationError(f"{where}.{key}", "is missing")
        focus = _check_focus_area(base, item["focus_area"], f"{where}.focus_area")
        node_id = item["id"]
        prefix = focus.id + "."
        if (
            not isinstance(node_id, str)
            or not node_id.startswith(prefix)
            or not CUSTOM_SLUG.match(node_id[len(prefix) :])
        ):
            raise CustomizationError(
                f"{where}.id",
                f"{node_id!r} must be {prefix}{CUSTOM_ID_PREFIX}<lower-case-words>",
            )
        if node_id in taken:
            raise CustomizationError(f"{where}.id", f"{node_id!r} is used twice")
        taken.add(node_id)
        label = _check_label(item["label"], f"{where}.label")
        label_key = (focus.id, label.casefold())
        if label_key in labels:
            raise CustomizationError(
                f"{where}.label", f"{focus.label} already has an activity called {label!r}"
            )
        labels[label_key] = node_id
        description = _check_description(item.get("description", ""), f"{where}.description")
        out.append(AddedActivity(node_id, focus.id, label, description))
    return out


# Applying --------------------------------------------------------------------------------


def apply_customization(framework: Framework, customization: Customization) -> Framework:
    """A new Framework with the activities added, renamed, hidden and ordered as the user chose.

    Hidden activities stay in `nodes` (with `hidden=True`) so reports still count their time;
    pickers leave them out. Ids the framework doesn't hold (a preset that is switched off) are
    skipped.
    """
    if customization.is_empty:
        return framework
    by_parent: dict[str, list[Node]] = {}
    for node in framework.nodes.values():
        if node.level is Level.ACTIVITY and node.parent_id is not None:
            by_parent.setdefault(node.parent_id, []).append(node)
    for added in customization.added:
        if added.focus_area in framework.nodes and added.id not in framework.nodes:
            node = Node(added.id, added.label, Level.ACTIVITY, added.focus_area, added.description)
            by_parent.setdefault(added.focus_area, []).append(node)

    def customized(node: Node) -> Node:
        label = customization.renamed.get(node.id, node.label)
        hidden = node.id in customization.hidden
        if label == node.label and hidden == node.hidden:
            return node
        return dataclasses.replace(node, label=label, hidden=hidden)

    nodes: list[Node] = []
    for domain in framework.domains:
        nodes.append(domain)
        for focus in framework.children(domain.id):
            nodes.append(focus)
            activities = by_parent.get(focus.id, [])
            rank = {node_id: i for i, node_id in enumerate(customization.order.get(focus.id, ()))}
            # Listed ids first in the user's order, the rest after them in framework order.
            ordered = sorted(
                enumerate(activities), key=lambda pair: (rank.get(pair[1].id, len(rank)), pair[0])
            )
            nodes.extend(customized(node) for _, node in ordered)
    return Framework.build(
        id=framework.id,
        name=framework.name,
        version=framework.version,
        nodes=nodes,
        profiles=framework.profiles,
        presets=framework.presets,
        counts=framework.counts,
        active_preset=framework.active_preset,
    )


def is_custom_activity(node_id: str) -> bool:
    """Whether the id is one the user added (`<focus-area>.custom-<slug>`)."""
    return node_id.rsplit(".", 1)[-1].startswith(CUSTOM_ID_PREFIX) and node_id.count(".") == 2


# Loading and saving ----------------------------------------------------------------------


def customization_path(data_dir: Path) -> Path:
    return data_dir / CUSTOMIZATION_DIR / CUSTOMIZATION_FILE


def _read(path: Path, base: Framework) -> Customization | None:
    """The customization in `path`; None when there is no file; CustomizationError if bad."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CustomizationError("", f"the file can't be read ({exc.strerror or exc})") from exc
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise CustomizationError("", f"the file is not valid JSON ({exc})") from exc
    return customization_from_document(doc, base)


# Shared records --------------------------------------------------------------------------


def customization_records(customization: Customization) -> dict[str, Any]:
    """The customization as shared records: one key per added activity, rename, hidden
    activity and focus-area order."""
    records: dict[str, Any] = {}
    for added in customization.added:
        records[ADDED + added.id] = {"focus_area": added.focus_area, "label": added.label} | (
            {"description": added.description} if added.description else {}
        )
    for node_id, label in customization.renamed.items():
        records[RENAME + node_id] = label
    for node_id in customization.hidden:
        records[HIDDEN + node_id] = True
    for focus_area, ids in customization.order.items():
        records[ORDER + focus_area] = list(ids)
    return records


def _document_from_records(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The old single-file document the records stand for (so one check serves both), and
    the keys that are no customization at all."""
    added: list[dict[str, Any]] = []
    renamed: dict[str, Any] = {}
    hidden: list[Any] = []
    order: dict[str, Any] = {}
    strange: list[str] = []
    for key, value in sorted(values.items()):
        if key.startswith(ADDED) and isinstance(value, dict):
            added.append({"id": key[len(ADDED) :], **value})
        elif key.startswith(RENAME):
            renamed[key[len(RENAME) :]] = value
        elif key.startswith(HIDDEN) and value is True:
            hidden.append(key[len(HIDDEN) :])
        elif key.startswith(ORDER):
            order[key[len(ORDER) :]] = value
        else:
            strange.append(key)
    doc = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "added": added,
        "renamed": renamed,
        "hidden": hidden,
        "order": order,
    }
    return doc, strange


def _key_at_fault(doc: dict[str, Any], field_name: str) -> str | None:
    """The record behind a field named in a CustomizationError, None when it is no item."""
    head = field_name.split(".", 1)[0]
    if head.startswith(("added[", "hidden[")):
        part, _, rest = head.partition("[")
        index = int(rest.split("]", 1)[0])
        items = doc[part]
        if index < len(items):
            item = items[index]
            return ADDED + str(item.get("id")) if part == "added" else HIDDEN + str(item)
        return None
    if head == "renamed":
        rest = field_name[len("renamed.") :]
        # Ids hold dots: the longest renamed id the field starts with.
        ids = [i for i in doc["renamed"] if rest == i or rest.startswith(i + ".")]
        return RENAME + max(ids, key=len) if ids else None
    if head == "order":
        rest = field_name[len("order.") :].split("[", 1)[0]
        return ORDER + rest if rest in doc["order"] else None
    return None


def _drop(doc: dict[str, Any], key: str) -> None:
    if key.startswith(ADDED):
        doc["added"] = [a for a in doc["added"] if ADDED + str(a.get("id")) != key]
    elif key.startswith(HIDDEN):
        doc["hidden"] = [h for h in doc["hidden"] if HIDDEN + str(h) != key]
    elif key.startswith(RENAME):
        doc["renamed"].pop(key[len(RENAME) :], None)
    elif key.startswith(ORDER):
        doc["order"].pop(key[len(ORDER) :], None)


def customization_from_records(
    values: Mapping[str, Any], base: Framework, where: str = "shared framework changes"
) -> tuple[Customization, list[str]]:
    """The customization the records stand for, checked against `base`, and a message for
    each record left out (named by its key, with the field at fault)."""
    doc, strange = _document_from_records(values)
    problems = [f"{where}: {key!r} is not a framework change; it is ignored" for key in strange]
    # An activity deleted on one device while another renamed, hid or moved it: what names
    # it is moot, not a problem to report.
    added_ids = {str(a.get("id")) for a in doc["added"]}
    gone = {
        i
        for i in (*doc["renamed"], *doc["hidden"])
        if isinstance(i, str) and is_custom_activity(i) and i not in added_ids
    }
    doc["renamed"] = {k: v for k, v in doc["renamed"].items() if k not in gone}
    doc["hidden"] = [h for h in doc["hidden"] if h not in gone]
    doc["order"] = {
        fa: [
            i
            for i in ids
            if not (isinstance(i, str) and is_custom_activity(i) and i not in added_ids)
        ]
        if isinstance(ids, list)
        else ids
        for fa, ids in doc["order"].items()
    }
    for _ in range(len(values) + 1):
        try:
            return customization_from_document(doc, base), problems
        except CustomizationError as exc:
            key = _key_at_fault(doc, exc.field)
            if key is None:
                problems.append(f"{where} are not used: {exc}")
                return Customization(), problems
            problems.append(f"{where}: {key!r} is not used ({exc})")
            _drop(doc, key)
    return Customization(), problems  # pragma: no cover - each pass drops one item


@dataclass(frozen=True)
class CustomizationSnapshot:
    """The customization as read, with what it was read from: the winning stamp per key
    (what a save is based on), the concurrent edits each key beat, and the problems met."""

    customization: Customization
    stamps: Mapping[str, Stamp] = field(default_factory=dict)
    conflicts: Mapping[str, Merged] = field(default_factory=dict)
    problems: Sequence[str] = ()
    legacy: bool = False


def _snapshot(records: RecordSet, data_dir: Path, base: Framework) -> CustomizationSnapshot:
    problems = [
        f"The framework changes in {path} are not used: {reason}."
        for path, reason in records.problems.items()
    ]
    if not records.merged:
        path = customization_path(data_dir)
        try:
            legacy = _read(path, base)
        except CustomizationError as exc:
            problems.append(
                f"Your framework changes in {path} are not used: {exc}. The framework as "
                "shipped is in use; the file is kept as it is until you save new changes."
            )
            return CustomizationSnapshot(Customization(), problems=problems)
        if legacy is not None:
            return CustomizationSnapshot(legacy, problems=problems, legacy=True)
    customization, found = customization_from_records(records.values(), base)
    return CustomizationSnapshot(
        customization, records.stamps(), records.conflicts(), [*problems, *found]
    )


def read_customization(data_dir: Path, framework: Framework) -> CustomizationSnapshot:
    """Every device's framework changes merged, for `framework` (shipped, with its preset)."""
    return _snapshot(read_records(data_dir, CUSTOMIZATION_KIND), data_dir, framework)


def load_customization(data_dir: Path, framework: Framework) -> tuple[Customization, list[str]]:
    """The saved customization for `framework` (the shipped one, with its preset), and problems.

    What can't be used gives a message naming the file or record and the field at fault; the
    rest applies and nothing is rewritten.
    """
    snapshot = read_customization(data_dir, framework)
    return snapshot.customization, list(snapshot.problems)


def _records(data_dir: Path, device_id: str, clock: HybridClock | None) -> SharedRecords:
    return SharedRecords(data_dir, CUSTOMIZATION_KIND, device_id, clock)


def migrate_customization(
    data_dir: Path,
    device_id: str,
    framework: Framework,
    *,
    now: datetime | None = None,
    clock: HybridClock | None = None,
    source: Path | None = None,
) -> str | None:
    """Move the single `customization.json` of earlier versions into this device's records.

    `source`: another file of that form to merge the same way (a sync engine's conflict copy
    of it); it is left where it is for the caller to set aside.

    Read once; each item no device has a record for yet becomes this device's record (one a
    device already recorded is newer than the file); the file is then kept aside as
    `customization.json.migrated-<time>`. A file that can't be used stays where it is and is
    reported by `load_customization`. Returns a sentence saying what was done, or None.
    """
    path = source or customization_path(data_dir)
    try:
        legacy = _read(path, framework)
    except CustomizationError:
        return None
    if legacy is None:
        return None
    changes = adopt_legacy(_records(data_dir, device_id, clock), customization_records(legacy))
    if source is not None:
        return f"{len(changes)} framework change(s) from {path.name} were added to the records."
    kept = keep_aside(path, now or datetime.now(UTC), MIGRATED_FILE_INFIX)
    return (
        f"Your framework changes were moved from {path.name} into records every device "
        f"merges; the old file is kept as {kept.name}."
    )


def customization_changes(old: Customization, new: Customization) -> dict[str, Any]:
    """The records to write to turn `old` into `new`: changed keys, and DELETE for gone ones."""
    before, after = customization_records(old), customization_records(new)
    changes: dict[str, Any] = {k: v for k, v in after.items() if before.get(k) != v}
    changes.update({k: DELETE for k in before if k not in after})
    return changes


def save_customization(
    data_dir: Path,
    customization: Customization,
    framework: Framework,
    *,
    device_id: str,
    based_on: CustomizationSnapshot | None = None,
    now: datetime | None = None,
    clock: HybridClock | None = None,
) -> CustomizationSnapshot:
    """Save `customization` as this device's records, checked against `framework` first.

    Only what differs from `based_on` (what the caller read; by default what is saved now)
    is written, so a change another device made to other items is kept. With `based_on`, an
    item changed meanwhile refuses the save with CustomizationConflict naming it, so an open
    window never writes over a rename that synced in. A legacy file is migrated first (kept
    aside as `.migrated-<time>`, or as `.bad-<time>` when it can't be used). Returns what is
    saved now.
    """
    customization_from_document(customization.to_document(), framework)  # bad: write nothing
    moment = now or datetime.now(UTC)
    path = customization_path(data_dir)
    if path.exists() or path.is_symlink():
        try:
            _read(path, framework)
        except CustomizationError:
            ensure_private_dir(data_dir)
            keep_aside(path, moment, BAD_FILE_INFIX)
        else:
            migrate_customization(data_dir, device_id, framework, now=moment, clock=clock)
    records = _records(data_dir, device_id, clock)
    if based_on is None or based_on.legacy:
        base = read_customization(data_dir, framework)
        changes = customization_changes(base.customization, customization)
        expect = None
    else:
        changes = customization_changes(based_on.customization, customization)
        expect = {k: based_on.stamps.get(k) for k in changes}
    try:
        saved = records.write(changes, expect=expect)
    except RecordsChanged as exc:
        current = _snapshot(exc.current, data_dir, framework)
        raise CustomizationConflict(exc.keys, current, framework) from exc
    except SharedRecordsError as exc:
        raise CustomizationError("", f"your framework changes were not saved: {exc}") from exc
    return _snapshot(saved, data_dir, framework)


class CustomizationConflict(CustomizationError):
    """Items the caller changed were changed meanwhile (on another device); nothing was saved.

    `current` is what is saved now, to show before the user decides again.
    """

    def __init__(
        self, keys: Sequence[str], current: CustomizationSnapshot, framework: Framework
    ) -> None:
        names = []
        shown = apply_customization(framework, current.customization)
        for key in keys:
            node_id = key.split("/", 1)[1]
            names.append(shown[node_id].label if node_id in shown else node_id)
        super().__init__(
            "",
            f"{', '.join(names)} changed on another device while this window was open; your "
            "change was not saved, so that change is kept. The window now shows it: make your "
            "change again if you still want it",
        )
        self.keys = list(keys)
        self.current = current


def load_user_framework(data_dir: Path, preset: str | None = None) -> tuple[Framework, list[str]]:
    """The shipped framework with the industry preset and the user's customization, and the
    problems met on the way (an unknown preset, a bad customization file): each is reported
    and skipped, so a framework always comes back."""
    problems: list[str] = []
    try:
        base = load_framework(preset=preset)
    except FrameworkError as exc:
        problems.append(f"The industry preset is not used: {exc}")
        base = load_framework()
    customization, found = load_customization(data_dir, base)
    problems.extend(found)
    return apply_customization(base, customization), problems


# Moving entries --------------------------------------------------------------------------


@dataclass(frozen=True)
class TaggedEntries:
    """How many entries carry an activity and how long they last, for "12 entries (9.5 h)"."""

    count: int
    seconds: float

    def describe(self) -> str:
        noun = "entry" if self.count == 1 else "entries"
        return f"{self.count} {noun} ({self.seconds / 3600:.1f} h)"


def _tagged(store: EntryStore, activity_id: str) -> list[Entry]:
    return [e for e in store.entries() if e.activity == activity_id]


def count_entries(store: EntryStore, activity_id: str) -> TaggedEntries:
    """Entries tagged exactly with `activity_id`, over all time and every device."""
    tagged = _tagged(store, activity_id)
    return TaggedEntries(len(tagged), sum(e.duration.total_seconds() for e in tagged))


class MoveError(StoreError):
    """Moving stopped part-way; `moved` entries were moved, the rest still carry the old id."""

    def __init__(self, message: str, moved: int) -> None:
        super().__init__(message)
        self.moved = moved


def move_entries(
    store: EntryStore, from_id: str, to_id: str, *, framework: Framework | None = None
) -> int:
    """Re-tag every entry of `from_id` with `to_id` (each saved as a new version); the count.

    With `framework`, `to_id` must be one of its nodes. Each month's file is written at once,
    so a failure part-way leaves every entry with one of the two ids, never without one.
    """
    if from_id == to_id:
        raise CustomizationError("to", "entries can't move to the activity they are on")
    if not to_id:
        raise CustomizationError("to", "choose where the entries move")
    if framework is not None and to_id not in framework:
        raise CustomizationError("to", f"there is no activity {to_id!r} to move entries to")
    tagged = [dataclasses.replace(e, activity=to_id) for e in _tagged(store, from_id)]
    try:
        # One write per month touched; a month that fails leaves its entries as they were.
        store.update_many(tagged)
    except StoreError as exc:
        moved = len(tagged) - len(_tagged(store, from_id))
        raise MoveError(
            f"{moved} entries moved, then a file could not be saved: {exc}", moved
        ) from exc
    return len(tagged)


__all__ = [
    "AddedActivity",
    "Customization",
    "CustomizationConflict",
    "CustomizationError",
    "CustomizationSnapshot",
    "MoveError",
    "TaggedEntries",
    "apply_customization",
    "count_entries",
    "customization_changes",
    "customization_from_document",
    "customization_from_records",
    "customization_path",
    "customization_records",
    "is_custom_activity",
    "load_customization",
    "load_user_framework",
    "migrate_customization",
    "move_entries",
    "read_customization",
    "save_customization",
]
