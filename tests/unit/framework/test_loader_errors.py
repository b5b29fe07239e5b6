"""Framework files that must be refused, each with a FrameworkError naming the file and field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sec_desktop.framework import Framework, FrameworkError, framework_from_data, load_framework
from tests.helpers.ids import OKR, PERSONAL, TALENT, TECH_PLANNING

Data = dict[str, Any]


def write(tmp_path: Path, data: Any, name: str = "custom.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    return message


def test_the_unchanged_copy_loads(tmp_path: Path, shipped_data: Data) -> None:
    fw = load_framework(write(tmp_path, shipped_data))
    assert isinstance(fw, Framework)
    assert fw.nodes == load_framework().nodes


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": "x",\n  "name": oops\n}\n', "utf-8")
    message = refused(path)
    assert "not valid JSON" in message
    assert "line 3, column 11" in message


def test_truncated_json(tmp_path: Path, shipped_data: Data) -> None:
    path = tmp_path / "cut.json"
    text = json.dumps(shipped_data, indent=2)
    path.write_text(text[: len(text) // 2], "utf-8")
    assert "not valid JSON at line" in refused(path)


def test_missing_file(tmp_path: Path) -> None:
    assert "can't be read" in refused(tmp_path / "absent.json")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"name": "Caf\u00e9"}'.encode("latin-1"))
    assert "not UTF-8" in refused(path)


def test_top_level_not_an_object(tmp_path: Path) -> None:
    assert "(top level)" in refused(write(tmp_path, [1, 2, 3]))


def _del(path: list[Any]) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        node = data
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return mutate


def _set(path: list[Any], value: Any) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _duplicate_activity(data: Data) -> None:
    acts = data["domains"][0]["focus_areas"][0]["activities"]
    acts.append(copy.deepcopy(acts[0]))


def _duplicate_focus_area_elsewhere(data: Data) -> None:
    # Same id in another domain's list: its prefix is wrong too, but which check fires first
    # doesn't matter; the file must be refused, naming where.
    data["domains"][1]["focus_areas"].append(copy.deepcopy(data["domains"][0]["focus_areas"][0]))


def _band(profile: int, node_id: str, low: float, high: float) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        data["profiles"][profile]["bands"][node_id] = {
            "low": low,
            "high": high,
            "source": "made up",
        }

    return mutate


CASES: dict[str, tuple[Callable[[Data], None], list[str]]] = {
    "domain without label": (
        _del(["domains", 1, "label"]),
        ["field domains[1]", "'label' is a required property"],
    ),
    "activity without id": (
        _del(["domains", 0, "focus_areas", 2, "activities", 1, "id"]),
        ["field domains[0].focus_areas[2].activities[1]", "'id'"],
    ),
    "no profiles": (_del(["profiles"]), ["(top level)", "'profiles'"]),
    "label is a number": (
        _set(["domains", 0, "focus_areas", 0, "label"], 5),
        ["field domains[0].focus_areas[0].label", TECH_PLANNING],
    ),
    "activities is an object": (
        _set(["domains", 2, "focus_areas", 1, "activities"], {"a": 1}),
        ["field domains[2].focus_areas[1].activities", PERSONAL],
    ),
    "band low is text": (
        _set(["profiles", 0, "bands", "strategy", "low"], "20"),
        ["field profiles[0].bands.strategy.low"],
    ),
    "format version 2": (_set(["format_version"], 2), ["field format_version"]),
    "empty label": (
        _set(["domains", 2, "label"], "   "),
        ["field domains[2].label", "culture"],
    ),
    "unknown field": (
        _set(["domains", 0, "colour"], "red"),
        ["field domains[0]", "colour"],
    ),
    "id not prefixed by its parent": (
        _set(
            ["domains", 0, "focus_areas", 0, "activities", 2, "id"],
            "execution.technology-planning.okr-management",
        ),
        [
            "field domains[0].focus_areas[0].activities[2].id",
            "must start with its parent's id 'strategy.technology-planning'",
        ],
    ),
    "focus area id not prefixed": (
        _set(["domains", 1, "focus_areas", 0, "id"], "strategy.data-and-infrastructure"),
        ["field domains[1].focus_areas[0].id", "'execution'"],
    ),
    "activity at focus-area depth": (
        _set(["domains", 0, "focus_areas", 0, "activities", 0, "id"], "strategy.evaluation"),
        ["field domains[0].focus_areas[0].activities[0].id"],
    ),
    "duplicate activity id": (
        _duplicate_activity,
        [
            "field domains[0].focus_areas[0].activities[4].id",
            "'strategy.technology-planning.emerging-technology-evaluation' is used twice",
        ],
    ),
    "duplicate focus area": (_duplicate_focus_area_elsewhere, ["field domains[1].focus_areas[4]"]),
    "duplicate profile id": (
        _set(["profiles", 2, "id"], "default"),
        ["field profiles[2].id", "'default' is used twice"],
    ),
    "band low above high": (
        _band(0, "strategy", 40, 30),
        ["field profiles[0].bands.strategy", "low (40) is above high (30)"],
    ),
    "band for a missing node": (
        _band(1, "strategy.world-domination", 1, 2),
        ["field profiles[1].bands.strategy.world-domination", "no such domain or focus area"],
    ),
    "band on an activity": (
        _band(2, OKR, 1, 2),
        [
            f"field profiles[2].bands.{OKR}",
            "domains and focus areas only",
        ],
    ),
    "band above 100": (
        _band(0, "culture", 15, 250),
        ["field profiles[0].bands.culture.high"],
    ),
    "preset under a domain": (
        _set(["presets", 1, "activities", 0, "focus_area"], "strategy"),
        ["field presets[1].activities[0].focus_area", "'strategy' is not a focus area"],
    ),
    "preset under an activity": (
        _set(["presets", 0, "activities", 0, "focus_area"], TALENT),
        ["field presets[0].activities[0].focus_area", "is not a focus area"],
    ),
    "preset id outside its focus area": (
        _set(["presets", 2, "activities", 0, "focus_area"], "execution.business-operations"),
        ["field presets[2].activities[0].id", "'execution.business-operations'"],
    ),
    "preset reusing a base id": (
        _set(["presets", 0, "activities", 0, "id"], TALENT),
        ["field presets[0].activities[0].id", "must be new"],
    ),
    "preset without focus area": (
        _del(["presets", 0, "activities", 0, "focus_area"]),
        ["field presets[0].activities[0]", "focus_area"],
    ),
    "enumerated total wrong": (
        _set(["counts", "enumerated", "total"], 42),
        ["field counts.enumerated.total", "says 42 but the file holds 36 activities"],
    ),
    "enumerated domain count wrong": (
        _set(["counts", "enumerated", "strategy"], 16),
        ["field counts.enumerated.strategy", "says 16 but the file holds 12 activities"],
    ),
    "count is negative": (
        _set(["counts", "stated", "total"], -1),
        ["field counts.stated.total"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_is_refused_naming_file_and_field(
    tmp_path: Path, shipped_data: Data, case: str
) -> None:
    mutate, expected = CASES[case]
    mutate(shipped_data)
    message = refused(write(tmp_path, shipped_data))
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_activity_count_mismatch_after_removing_one(tmp_path: Path, shipped_data: Data) -> None:
    """Metadata that no longer matches the content: one activity dropped, counts unchanged."""
    del shipped_data["domains"][2]["focus_areas"][1]["activities"][0]
    message = refused(write(tmp_path, shipped_data))
    assert "counts.enumerated" in message
    assert "35" in message


def test_counts_are_optional(tmp_path: Path, shipped_data: Data) -> None:
    del shipped_data["counts"]
    assert load_framework(write(tmp_path, shipped_data)).counts is None


def test_unknown_preset_for_a_file_names_the_file(tmp_path: Path, shipped_data: Data) -> None:
    path = write(tmp_path, shipped_data)
    with pytest.raises(FrameworkError, match="unknown industry preset 'retail'") as info:
        load_framework(path, preset="retail")
    assert str(info.value).startswith(f"{path}: ")


# Property: no malformed document leaks anything but FrameworkError ---------------------------


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*path, i))]
    return [(path, node)]


def _nodes(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        out += [p for k, v in node.items() for p in _nodes(v, (*path, k))]
    elif isinstance(node, list):
        out += [p for i, v in enumerate(node) for p in _nodes(v, (*path, i))]
    return out


SHIPPED: Data = json.loads(
    (resources.files("sec_desktop") / "resources" / "frameworks" / "sec-v2.json").read_text("utf-8")
)
LEAVES = _leaves(SHIPPED)

_containers = st.one_of(
    st.lists(st.integers(-3, 3), max_size=2),
    st.dictionaries(st.sampled_from(["id", "label", "low", "x"]), st.integers(), max_size=2),
)
NOT_TEXT = st.one_of(
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    _containers,
)
NOT_NUMBER = st.one_of(st.text(max_size=6), st.booleans(), st.none(), _containers)
ANY_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-200, 200),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=8),
        st.sampled_from(["strategy", TECH_PLANNING, "x.y.z", "default"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["id", "label", "low", "high", "source"]), inner),
    ),
    max_leaves=6,
)


def _wrong_type_for(value: Any) -> st.SearchStrategy[Any]:
    if isinstance(value, str):
        return NOT_TEXT
    assert isinstance(value, int | float) and not isinstance(value, bool)
    return NOT_NUMBER


def _replace(data: Data, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), count=st.integers(1, 3))
def test_wrong_type_leaves_raise_only_framework_error(
    tmp_path: Path, data: st.DataObject, count: int
) -> None:
    doc = copy.deepcopy(SHIPPED)
    for _ in range(count):
        path, original = data.draw(st.sampled_from(LEAVES), label="leaf")
        doc = _replace(doc, path, data.draw(_wrong_type_for(original), label="value"))
    target = write(tmp_path, doc, "mutated.json")
    # A leaf of the wrong type always breaks the schema: refused, never a KeyError/TypeError.
    with pytest.raises(FrameworkError) as info:
        load_framework(target)
    assert str(info.value).startswith(f"{target}: field ")


@settings(max_examples=200, deadline=None, database=None)
@given(data=st.data())
def test_any_value_anywhere_raises_only_framework_error(data: st.DataObject) -> None:
    doc = copy.deepcopy(SHIPPED)
    for _ in range(data.draw(st.integers(1, 3), label="count")):
        paths = _nodes(doc)
        path = data.draw(st.sampled_from(paths), label="path")
        doc = _replace(doc, path, data.draw(ANY_JSON, label="value"))
    try:
        fw = framework_from_data(doc, "fuzzed.json")
    except FrameworkError as exc:
        assert str(exc).startswith("fuzzed.json: ")
    else:
        assert isinstance(fw, Framework)
        for node in fw.walk():
            assert node.id.startswith(f"{node.parent_id}.") or node.parent_id is None
