"""Every importer, fed random and mangled files: a result or a clear error, never a crash,
and never a partial write.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sec_desktop.framework import load_framework
from sec_desktop.interop import ImportFileError, apply_plan, plan_import
from sec_desktop.store import EntryStore
from tests.helpers.ids import CUSTOMER

from .conftest import BERLIN, FIXTURES, NOW

FRAMEWORK = load_framework()
FIXTURE_OF = {
    "toggl": "toggl-detailed.csv",
    "timewarrior": "timewarrior-export.json",
    "watson": "watson-frames.json",
    "tagtime": "tagtime.log",
    "ics": "calendar.ics",
    "sec-json": None,
}
# A longer hunt: SEC_DESKTOP_FUZZ_EXAMPLES=2000 (each importer ran 1,500 clean when written).
FUZZ = settings(
    max_examples=int(os.environ.get("SEC_DESKTOP_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def run_import(content: bytes, fmt: str) -> None:
    """Import `content` into a fresh data folder; on error, nothing may have been written."""
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        source = root / "input"
        source.write_bytes(content)
        data_dir = root / "data"
        store = EntryStore(data_dir, "fuzz-dev", clock=lambda: NOW)
        try:
            plan = plan_import(
                source,
                fmt,
                store=store,
                framework=FRAMEWORK,
                zone=BERLIN,
                now=NOW,
                default_activity=CUSTOMER,
                overlap_policy="keep",
            )
        except ImportFileError as exc:
            message = str(exc)
            assert message.startswith(str(source))
            assert exc.reason
            assert not list(data_dir.rglob("*.json")), "an import that failed wrote a file"
            return
        finally:
            store.close()
        store = EntryStore(data_dir, "fuzz-dev", clock=lambda: NOW)
        try:
            saved = apply_plan(plan, store)
            assert saved == len(plan.new_entries)
            assert len(store.entries()) == len({e.id for e in plan.new_entries})
        finally:
            store.close()


def _mangle(data: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes:
    for position, length, insert in cuts:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + length :]
    return data


mangles = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 40), st.binary(max_size=12)),
    min_size=1,
    max_size=4,
)
formats = st.sampled_from(sorted(FIXTURE_OF))


@FUZZ
@given(fmt=formats, content=st.binary(max_size=400))
def test_random_bytes(fmt: str, content: bytes) -> None:
    run_import(content, fmt)


@FUZZ
@given(fmt=formats, content=st.text(max_size=400))
def test_random_text(fmt: str, content: str) -> None:
    run_import(content.encode("utf-8"), fmt)


@pytest.mark.parametrize("fmt", [f for f, name in FIXTURE_OF.items() if name])
@FUZZ
@given(cuts=mangles)
def test_mangled_real_files(fmt: str, cuts) -> None:
    original = (FIXTURES / FIXTURE_OF[fmt]).read_bytes()  # type: ignore[operator]
    run_import(_mangle(original, cuts), fmt)


# Files that once hung, crashed or misled an import, one folder per format: each must give a
# result or a clear error, quickly, as they are and mangled.
HOSTILE_FILES = sorted(p for p in (FIXTURES / "hostile").glob("*/*") if p.is_file())


def _hostile_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", HOSTILE_FILES, ids=_hostile_id)
def test_hostile_files(path: Path) -> None:
    run_import(path.read_bytes(), path.parent.name)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", HOSTILE_FILES, ids=_hostile_id)
@FUZZ
@given(cuts=mangles)
def test_mangled_hostile_files(path: Path, cuts) -> None:
    run_import(_mangle(path.read_bytes(), cuts), path.parent.name)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["20260302T080000Z", "2026-03-02T09:00:00+01:00", "board", 1772438400]),
    lambda children: (
        st.lists(children, max_size=6)
        | st.dictionaries(
            st.sampled_from(["id", "start", "end", "stop", "tags", "project", "annotation", "x"]),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@pytest.mark.parametrize("fmt", ["timewarrior", "watson", "sec-json"])
@FUZZ
@given(items=st.lists(json_values, max_size=6))
def test_structured_json(fmt: str, items) -> None:
    document = {"format": "sec-desktop/export", "version": 1, "entries": items}
    payload = document if fmt == "sec-json" else items
    run_import(json.dumps(payload).encode(), fmt)
