"""Fixtures for the framework tests: the shipped JSON and the framework document, parsed.

The document is the source of truth the shipped framework file is checked against; the
project keeps a copy in `docs/sec-framework-v2.md`, and SEC_FRAMEWORK_DOC may point at a newer
one. A missing document fails the tests, it does not skip them: a cross-check that silently
stops checking is worse than none.
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DOC = REPO_ROOT / "docs" / "sec-framework-v2.md"


@dataclass(frozen=True)
class FrameworkDocument:
    """What the tests need from the markdown document, parsed from its text."""

    text: str
    # Markdown emphasis removed, so sentences can be searched as plain text.
    plain: str
    domains: dict[str, str]  # Level 1: label -> description
    focus_areas: dict[str, dict[str, str]]  # Level 2: domain label -> {label: description}
    activities: dict[tuple[str, str], list[str]]  # Level 3: (domain, focus area) -> labels
    stated: dict[str, int]  # "**Strategy** (4 focus areas, 16 activities)" -> {"Strategy": 16}
    stated_total: tuple[int, int]  # (focus areas, activities) of "**Total Framework**"
    presets: dict[str, tuple[str, str, str]]  # "FinTech" -> (domain, focus area, activity)
    role_evolution: dict[str, tuple[int, int]]  # domain label -> (from %, to %)

    def section(self, heading: str) -> str:
        """The plain text under `heading` up to the next heading of the same or a higher level."""
        return _between(self.plain, heading)


def _plain(text: str) -> str:
    return text.replace("**", "").replace("_", "")


def _between(text: str, heading: str) -> str:
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", text, flags=re.MULTILINE)
    assert match, f"the document has no heading {heading!r}"
    level = len(match.group(1))
    rest = text[match.end() :]
    stop = re.search(rf"^#{{1,{level}}} ", rest, flags=re.MULTILINE)
    return rest[: stop.start()] if stop else rest


def parse_document(text: str) -> FrameworkDocument:
    domains = {
        m.group(1): m.group(2).strip()
        for m in re.finditer(
            r"^\*\*(\w+)\*\* - (.+)$",
            _between(text, "Level 1: Primary Domains (Strategic Categories)"),
            flags=re.MULTILINE,
        )
    }

    focus_areas: dict[str, dict[str, str]] = {}
    level2 = _between(text, "Level 2: Focus Areas (Tactical Categories)")
    for block in re.split(r"^#### ", level2, flags=re.MULTILINE)[1:]:
        title, _, body = block.partition("\n")
        domain = title.removesuffix(" Domain").strip()
        focus_areas[domain] = {
            m.group(1): m.group(2).strip()
            for m in re.finditer(r"^- \*\*(.+?)\*\* - (.+)$", body, flags=re.MULTILINE)
        }

    activities: dict[tuple[str, str], list[str]] = {}
    current: tuple[str, str] | None = None
    for raw_line in _between(text, "Level 3: Specific Activities (Operational Tags)").splitlines():
        line = raw_line.strip()
        header = re.fullmatch(r"\*\*([^.*]+)\.([^*]+):\*\*", line)
        if header:
            current = (header.group(1).strip(), header.group(2).strip())
            assert current not in activities, f"{current} is listed twice"
            activities[current] = []
        elif line.startswith("- "):
            assert current is not None, f"bullet {line!r} before any focus-area header"
            activities[current].append(line[2:].strip())

    structure = _between(text, "Three Primary Domains")
    stated = {
        m.group(1): int(m.group(3))
        for m in re.finditer(
            r"^\*\*(\w+)\*\* \((\d+) focus areas, (\d+) activities\)$",
            structure,
            flags=re.MULTILINE,
        )
    }
    total = re.search(r"\*\*Total Framework\*\*: (\d+) focus areas, (\d+) activities", structure)
    assert total, "the document states no framework total"

    presets = {
        m.group(1): (m.group(2), m.group(3), m.group(4))
        for m in re.finditer(
            r'^\*\*(\w+) CTO\*\*: (\w+)\.(.+?) → "(.+)"$',
            _between(text, "Industry Customization"),
            flags=re.MULTILINE,
        )
    }

    role_evolution: dict[str, tuple[int, int]] = {}
    for m in re.finditer(
        r"^- \*\*.+?\*\*: (.+) \((\d+)% → (\d+)%\)$",
        _between(text, "Role Evolution Tracking"),
        flags=re.MULTILINE,
    ):
        named = [d for d in domains if re.search(rf"\b{d}\b", m.group(1))]
        assert len(named) == 1, f"can't tell which domain {m.group(0)!r} is about"
        role_evolution[named[0]] = (int(m.group(2)), int(m.group(3)))

    return FrameworkDocument(
        text=text,
        plain=_plain(text),
        domains=domains,
        focus_areas=focus_areas,
        activities=activities,
        stated=stated,
        stated_total=(int(total.group(1)), int(total.group(2))),
        presets=presets,
        role_evolution=role_evolution,
    )


@pytest.fixture(scope="session")
def document() -> FrameworkDocument:
    path = Path(os.environ.get("SEC_FRAMEWORK_DOC") or DEFAULT_DOC)
    if not path.is_file():
        pytest.fail(f"the framework document {path} is missing (set SEC_FRAMEWORK_DOC)")
    return parse_document(path.read_text("utf-8"))


@pytest.fixture(scope="session")
def _shipped_json_text() -> str:
    return (resources.files("sec_desktop") / "resources" / "frameworks" / "sec-v2.json").read_text(
        "utf-8"
    )


@pytest.fixture
def shipped_data(_shipped_json_text: str) -> dict[str, Any]:
    """A fresh deep copy of the shipped framework JSON, for a test to mutate."""
    return copy.deepcopy(json.loads(_shipped_json_text))
