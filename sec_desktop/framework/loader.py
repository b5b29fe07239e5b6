"""Load and validate framework files: JSON Schema first, then the rules a schema can't say."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sec_desktop.framework.model import (
    Band,
    BenchmarkProfile,
    Counts,
    Framework,
    Level,
    Node,
    Preset,
)

DEFAULT_FRAMEWORK = "sec-v2.json"
SCHEMA_FILE = "sec-framework.schema.json"
# A folder of plain files, in the source tree, a wheel and the PyInstaller bundle alike (its
# spec copies sec_desktop/resources as files): read directly, without importlib.resources,
# which loads zipfile and threading (about 3 ms of every report).
FRAMEWORKS_DIR = Path(__file__).parent.parent / "resources" / "frameworks"


class FrameworkError(ValueError):
    """A framework file that can't be used; the message names the file, the field and why."""


def _resource_text(name: str) -> str:
    return (FRAMEWORKS_DIR / name).read_text("utf-8")


def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(_resource_text(SCHEMA_FILE))
    return schema


def _field_path(parts: Any) -> str:
    """`domains[0].focus_areas[2].label` from a jsonschema error path."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(data: Mapping[str, Any], parts: list[Any]) -> str:
    """Name the item an error sits in by its id where it has one, for a readable message."""
    node: Any = data
    named = ""
    for part in parts:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            named = node["id"]
    return f" (in {named!r})" if named else ""


def load_framework(path: Path | None = None, preset: str | None = None) -> Framework:
    """Load the shipped SEC v2 framework, or the file at `path`, optionally with a preset."""
    if path is None:
        where, text = f"shipped framework {DEFAULT_FRAMEWORK}", _resource_text(DEFAULT_FRAMEWORK)
    else:
        where = str(path)
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise FrameworkError(f"{where}: can't be read ({exc.strerror or exc}).") from exc
        except UnicodeDecodeError as exc:
            raise FrameworkError(f"{where}: is not UTF-8 text (byte {exc.start}).") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FrameworkError(
            f"{where}: is not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."
        ) from exc
    # The shipped file is checked against the schema by the test suite; skipping the schema
    # (and importing jsonschema) at every start saves ~80 ms of the tray's launch.
    framework = framework_from_data(data, where, check_schema=path is not None)
    if preset is not None:
        try:
            framework = framework.with_preset(preset)
        except KeyError as exc:
            raise FrameworkError(f"{where}: {exc.args[0]}.") from exc
    return framework


def framework_from_data(
    data: Any, where: str = "framework", check_schema: bool = True
) -> Framework:
    if check_schema:
        _check_schema(data, where)
    return _build(data, where)


def _check_schema(data: Any, where: str) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        # The deepest error of the first failing field is the most specific explanation.
        first = errors[0]
        best = jsonschema.exceptions.best_match([first]) or first
        parts = list(best.absolute_path)
        raise FrameworkError(
            f"{where}: field {_field_path(parts)}{_describe(data, parts)}: {best.message}."
        )


def _percent_band(raw: Mapping[str, Any]) -> Band:
    return Band(
        low=raw["low"] / 100.0,
        high=raw["high"] / 100.0,
        source=raw["source"],
        section=raw.get("section", ""),
        target=raw["target"] / 100.0 if "target" in raw else None,
    )


def _tree_nodes(data: Mapping[str, Any], where: str) -> list[Node]:
    nodes: list[Node] = []
    seen: set[str] = set()

    def add(node: Node, field: str) -> None:
        if node.id in seen:
            raise FrameworkError(f"{where}: field {field}.id: id {node.id!r} is used twice.")
        if node.parent_id is not None and not node.id.startswith(node.parent_id + "."):
            raise FrameworkError(
                f"{where}: field {field}.id: {node.id!r} must start with its parent's id "
                f"{node.parent_id!r} followed by a dot."
            )
        expected_depth = node.level.value - 1
        if node.id.count(".") != expected_depth:
            raise FrameworkError(
                f"{where}: field {field}.id: {node.id!r} is a {node.level.noun} and must have "
                f"{expected_depth} dot(s)."
            )
        seen.add(node.id)
        nodes.append(node)

    for d_i, d in enumerate(data["domains"]):
        d_field = f"domains[{d_i}]"
        add(Node(d["id"], d["label"], Level.DOMAIN, None, d.get("description", "")), d_field)
        for f_i, fa in enumerate(d["focus_areas"]):
            f_field = f"{d_field}.focus_areas[{f_i}]"
            fa_node = Node(
                fa["id"], fa["label"], Level.FOCUS_AREA, d["id"], fa.get("description", "")
            )
            add(fa_node, f_field)
            for a_i, act in enumerate(fa["activities"]):
                act_node = Node(
                    act["id"], act["label"], Level.ACTIVITY, fa["id"], act.get("description", "")
                )
                add(act_node, f"{f_field}.activities[{a_i}]")
    return nodes


def _profiles(
    data: Mapping[str, Any], by_id: Mapping[str, Node], where: str
) -> dict[str, BenchmarkProfile]:
    profiles: dict[str, BenchmarkProfile] = {}
    for p_i, prof in enumerate(data["profiles"]):
        p_field = f"profiles[{p_i}]"
        if prof["id"] in profiles:
            raise FrameworkError(
                f"{where}: field {p_field}.id: profile {prof['id']!r} is used twice."
            )
        bands: dict[str, Band] = {}
        for node_id, raw in prof["bands"].items():
            b_field = f"{p_field}.bands.{node_id}"
            if node_id not in by_id:
                raise FrameworkError(f"{where}: field {b_field}: no such domain or focus area.")
            if by_id[node_id].level is Level.ACTIVITY:
                raise FrameworkError(
                    f"{where}: field {b_field}: bands are for domains and focus areas only."
                )
            if raw["low"] > raw["high"]:
                raise FrameworkError(
                    f"{where}: field {b_field}: low ({raw['low']}) is above high ({raw['high']})."
                )
            bands[node_id] = _percent_band(raw)
        profiles[prof["id"]] = BenchmarkProfile(
            prof["id"], prof["label"], prof.get("description", ""), bands
        )
    return profiles


def _presets(data: Mapping[str, Any], by_id: Mapping[str, Node], where: str) -> dict[str, Preset]:
    presets: dict[str, Preset] = {}
    for s_i, pre in enumerate(data.get("presets", [])):
        s_field = f"presets[{s_i}]"
        if pre["id"] in presets:
            raise FrameworkError(
                f"{where}: field {s_field}.id: preset {pre['id']!r} is used twice."
            )
        acts: list[Node] = []
        for a_i, act in enumerate(pre["activities"]):
            a_field = f"{s_field}.activities[{a_i}]"
            parent = by_id.get(act["focus_area"])
            if parent is None or parent.level is not Level.FOCUS_AREA:
                raise FrameworkError(
                    f"{where}: field {a_field}.focus_area: "
                    f"{act['focus_area']!r} is not a focus area."
                )
            node = Node(
                act["id"],
                act["label"],
                Level.ACTIVITY,
                parent.id,
                act.get("description", ""),
                preset=pre["id"],
            )
            if node.id in by_id or not node.id.startswith(parent.id + "."):
                raise FrameworkError(
                    f"{where}: field {a_field}.id: {node.id!r} must be new and start with "
                    f"{parent.id!r} followed by a dot."
                )
            acts.append(node)
        presets[pre["id"]] = Preset(pre["id"], pre["label"], pre.get("source", ""), tuple(acts))
    return presets


def _counts(data: Mapping[str, Any], nodes: list[Node], where: str) -> Counts | None:
    """The stated and enumerated counts; the enumerated ones must match the file's content."""
    if "counts" not in data:
        return None
    raw = data["counts"]
    per_domain = {n.id: 0 for n in nodes if n.level is Level.DOMAIN}
    for n in nodes:
        if n.level is Level.ACTIVITY:
            per_domain[n.id.split(".", 1)[0]] += 1
    # The total first: it is the figure a reader of the message checks first.
    held = {"total": sum(per_domain.values()), **per_domain}
    for key, count in held.items():
        says = raw["enumerated"].get(key, count)
        if says != count:
            raise FrameworkError(
                f"{where}: field counts.enumerated.{key}: says {says} "
                f"but the file holds {count} activities."
            )
    return Counts(dict(raw["stated"]), dict(raw["enumerated"]), raw.get("note", ""))


def _build(data: Mapping[str, Any], where: str) -> Framework:
    nodes = _tree_nodes(data, where)
    by_id = {n.id: n for n in nodes}
    return Framework.build(
        id=data["id"],
        name=data["name"],
        version=data["version"],
        nodes=nodes,
        profiles=_profiles(data, by_id, where),
        presets=_presets(data, by_id, where),
        counts=_counts(data, nodes, where),
    )
