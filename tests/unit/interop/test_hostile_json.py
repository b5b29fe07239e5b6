"""JSON and TOML built to break a parser (nesting thousands deep, numbers thousands of digits
long) and Watson times at the edges of what a date can hold: each is refused with the file,
the line where it can tell, and a reason, never an unexpected error."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sec_desktop.framework import load_framework
from sec_desktop.interop import ImportFileError, plan_import
from sec_desktop.interop.rules import RuleError, rules_from_text
from sec_desktop.store import EntryStore
from tests.helpers.ids import CUSTOMER

from .conftest import BERLIN, NOW
from .test_fuzz import FUZZ, run_import

JSON_FORMATS = ("timewarrior", "watson", "sec-json")
DEEP = 100_000
LONG_DIGITS = 5_000


def _in_a_document(fmt: str, item_text: str) -> str:
    """`item_text` as the one element of the format's list, on line 3."""
    if fmt == "sec-json":
        return '{"format": "sec-desktop/export", "version": 1,\n"entries": [\n' + item_text + "]}"
    return "[\n\n" + item_text + "]"


def _refusal(tmp_path, fmt: str, text: str, zone=BERLIN) -> ImportFileError:
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    store = EntryStore(tmp_path / "data", "test-laptop", clock=lambda: NOW)
    try:
        with pytest.raises(ImportFileError) as caught:
            plan_import(
                path,
                fmt,
                store=store,
                framework=load_framework(),
                zone=zone,
                now=NOW,
                default_activity=CUSTOMER,
            )
    finally:
        store.close()
    assert not list((tmp_path / "data").rglob("*.json"))
    return caught.value


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_deep_nesting_is_refused_with_its_line(tmp_path, fmt: str) -> None:
    error = _refusal(tmp_path, fmt, _in_a_document(fmt, "[" * DEEP + "]" * DEEP))
    assert error.line == 3
    assert "nested too deeply" in error.reason


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_a_deep_document_itself_is_refused(tmp_path, fmt: str) -> None:
    error = _refusal(tmp_path, fmt, "\n" + "{" * DEEP)
    assert error.reason


@pytest.mark.parametrize("fmt", JSON_FORMATS)
@pytest.mark.parametrize("sign", ["", "-"])
def test_a_number_of_thousands_of_digits_is_refused_with_its_line(
    tmp_path, fmt: str, sign: str
) -> None:
    number = sign + "9" * LONG_DIGITS
    error = _refusal(tmp_path, fmt, _in_a_document(fmt, '{"id": "a",\n"start": ' + number + "}"))
    assert error.line == 4
    assert f"{LONG_DIGITS:,} digits" in error.reason


def test_a_long_version_number_in_the_sec_json_header_is_refused(tmp_path) -> None:
    text = '{"format": "sec-desktop/export",\n"version": ' + "9" * LONG_DIGITS + ', "entries": []}'
    error = _refusal(tmp_path, "sec-json", text)
    assert error.line == 2
    assert "digits" in error.reason


@pytest.mark.parametrize(
    "frame",
    [
        # Inside the year range written with its offset, outside it in UTC.
        {
            "id": "a",
            "project": "p",
            "start": "0001-01-01T00:00:00+05:00",
            "stop": "2026-01-01T00:00:00+00:00",
        },
        {
            "id": "a",
            "project": "p",
            "start": "2026-01-01T00:00:00+00:00",
            "stop": "9999-12-31T23:59:59-05:00",
        },
        # Before Watson existed, and before the Unix epoch its frames file counts from.
        {
            "id": "a",
            "project": "p",
            "start": "1969-12-31T23:00:00+00:00",
            "stop": "2026-01-01T00:00:00+00:00",
        },
        [-1, 1_700_000_000, "p", "a", []],
        [1_700_000_000, 1e400, "p", "a", []],
    ],
)
def test_watson_times_out_of_range_are_refused_with_their_line(tmp_path, frame) -> None:
    error = _refusal(tmp_path, "watson", "[\n" + json.dumps(frame) + "\n]")
    assert error.line == 2
    assert "out of range" in error.reason


hostile_json = st.one_of(
    st.integers(1_000, 30_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1_000, 30_000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
    st.integers(4_301, 20_000).map(lambda digits: "7" * digits),
    st.integers(4_301, 20_000).map(lambda digits: "-1" + "0" * digits),
    st.integers(400, 5_000).map(lambda digits: "1" + "0" * digits + ".5e99999"),
    st.from_regex(r"\A\\u[dD][89a-fA-F][0-9a-fA-F]{2}\Z").map(lambda escape: f'"x{escape}"'),
)


@pytest.mark.parametrize("fmt", JSON_FORMATS)
@FUZZ
@given(value=hostile_json, as_start=st.booleans())
def test_hostile_values_anywhere(fmt: str, value: str, as_start: bool) -> None:
    item = '{"id": "a", "start": ' + value + "}" if as_start else value
    run_import(_in_a_document(fmt, item).encode(), fmt)


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("rules.toml", "a = " + "[" * DEEP + "]" * DEEP, "nested too deeply"),
        ("rules.toml", "a = " + "{b = " * 5_000 + "1" + "}" * 5_000, "nested too deeply"),
        ("rules.toml", "a = " + "9" * LONG_DIGITS, "number too long"),
        ("rules.json", "[" * DEEP + "]" * DEEP, "nested too deeply"),
        ("rules.json", '[{"activity": ' + "9" * LONG_DIGITS + "}]", "5,000 digits"),
    ],
)
def test_hostile_rules_files_are_refused(name: str, text: str, says: str) -> None:
    with pytest.raises(RuleError, match=says) as caught:
        rules_from_text(text, name, load_framework())
    assert str(caught.value).startswith(name)


LONE = "\\ud800"  # a JSON escape of half a UTF-16 pair


@pytest.mark.parametrize(
    ("fmt", "item"),
    [
        ("watson", '[1700000000, 1700000600, "p' + LONE + '", "a", []]'),
        ("watson", '{"id": "a", "project": "p", "tags": ["x\\udfff"],\n"start": 1}'),
        (
            "timewarrior",
            '{"start": "20260101T000000Z", "end": "20260101T010000Z",\n"annotation": "x\\uDC00y"}',
        ),
        ("sec-json", '{"id": "' + LONE + '"}'),
        ("sec-json", '{"note": "ok \\ud83d\\ude00",\n"extra": {"k' + LONE + '": 1}}'),
    ],
)
def test_a_lone_surrogate_escape_is_refused_with_its_line(tmp_path, fmt: str, item: str) -> None:
    text = _in_a_document(fmt, item)
    error = _refusal(tmp_path, fmt, text)
    escape_line = next(
        number
        for number, line in enumerate(text.splitlines(), 1)
        if "\\u" in line and "\\ud83d" not in line
    )
    assert error.line == escape_line
    assert "half of a character pair" in error.reason


def test_a_surrogate_pair_is_one_character_and_imports(tmp_path) -> None:
    path = tmp_path / "frames.json"
    path.write_text('[[1700000000, 1700000600, "launch \\ud83d\\ude80", "a", ["\\uD83C\\uDF89"]]]')
    store = EntryStore(tmp_path / "data", "test-laptop", clock=lambda: NOW)
    try:
        plan = plan_import(
            path,
            "watson",
            store=store,
            framework=load_framework(),
            zone=BERLIN,
            now=NOW,
            default_activity=CUSTOMER,
        )
    finally:
        store.close()
    assert [e.labels for e in plan.new_entries] == [("\N{PARTY POPPER}",)]


def test_numbers_up_to_100_digits_are_read(tmp_path) -> None:
    """The limit is on digits: 100 are read (and then judged as a time), 101 are not."""
    read = _refusal(tmp_path, "watson", "[\n[-0." + "1" * 98 + 'e-5, 1, "p", "a", []]]')
    assert "out of range" in read.reason
    refused = _refusal(tmp_path, "watson", "[\n[" + "1" * 101 + ', 1, "p", "a", []]]')
    assert refused.reason == "a number has 101 digits; at most 100 are read"
