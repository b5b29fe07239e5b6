"""A JSON list written one element a line (as `timew export` writes it) is read line by line
with orjson; whatever the text, the elements, their lines and the errors are the walk's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sec_desktop.interop import ImportFileError
from sec_desktop.interop.records import JsonPositions

PATH = Path("list.json")
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def _read(text: str) -> tuple[list[tuple[int, Any]], int] | str:
    """The elements and where the list ended, or the error's message."""
    walker = JsonPositions(text, PATH)
    try:
        items = list(walker.array_items(0))
        walker.finish()
    except ImportFileError as exc:
        return str(exc)
    return items, walker.end


def _walked(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[int, Any]], int] | str:
    with monkeypatch.context() as patch:
        patch.setattr(JsonPositions, "_one_element_per_line", lambda self, pos: None)
        return _read(text)


def _same(a: object, b: object) -> bool:
    # -0.0 == 0.0 and the walk's ints equal orjson's: compare the JSON each decodes to.
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(values, max_size=6),
    ascii_only=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n"]),
    blank_lines=st.booleans(),
)
def test_a_list_one_element_a_line_reads_as_the_walk_reads_it(
    items: list[Any], ascii_only: bool, newline: str, blank_lines: bool
) -> None:
    lines = [json.dumps(item, ensure_ascii=ascii_only) for item in items]
    joiner = f",{newline}{newline if blank_lines else ''}"
    text = f"[{newline}{joiner.join(lines)}{newline}]{newline}"
    with pytest.MonkeyPatch.context() as monkeypatch:
        walked = _walked(text, monkeypatch)
    assert _same(_read(text), walked)


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.sampled_from(
            [
                "[",
                "]",
                "],",
                '{"a": 1},',
                '{"a": 1}',
                '{"a": 1} ,',
                '{"a": 1},,',
                '{"a": NaN},',
                '{"a": 1e999},',
                '{"a": "\\ud800"},',
                '{"a": "\\ud83d\\ude00"},',
                '{"a": 12345678901234567890123},',
                '{"a": "tab\there"},',
                "\f{},",
                "",
                "  ",
                "[{}],",
                "x",
            ]
        ),
        max_size=8,
    )
)
def test_any_text_gives_the_walks_elements_or_its_error(lines: list[str]) -> None:
    text = "\n".join(lines)
    with pytest.MonkeyPatch.context() as monkeypatch:
        walked = _walked(text, monkeypatch)
    assert _same(_read(text), walked)


def test_an_export_is_read_line_by_line_with_its_lines() -> None:
    text = '[\n{"start":"20260302T080000Z"},\n\n{"start":"20260302T090000Z"}\n]\n'
    walker = JsonPositions(text, PATH)
    listed = walker._one_element_per_line(0)  # noqa: SLF001 - the fast path is taken
    assert listed == [(2, {"start": "20260302T080000Z"}), (4, {"start": "20260302T090000Z"})]
    assert walker.end == len(text) - 1


def test_a_bad_line_is_named_as_the_walk_names_it() -> None:
    text = '[\n{"start":"20260302T080000Z"},\n{"start": 20260302T090000Z},\n{}\n]\n'
    with pytest.raises(ImportFileError, match=r"list\.json, line 3: it is not valid JSON"):
        list(JsonPositions(text, PATH).array_items(0))
