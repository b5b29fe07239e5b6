"""Ordered rules that map imported records to SEC activities.

A rule is a case-insensitive regular expression searched in some fields of a record; the
first rule that matches decides: an activity, or `skip` to leave the record out on purpose.
After the rules files come the words of the one vocabulary (`PhraseRules`): the user's
aliases, the shipped phrases and the activities' labels, found as whole words in a record.
Rules files are TOML (`[[rule]]` tables) or JSON (a list, or `{"rules": [...]}`); every
error names the file, the rule's number and its line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sec_desktop.framework import AmbiguousActivity, Framework, Level, UnknownActivity
from sec_desktop.framework.vocabulary import Vocabulary
from sec_desktop.framework.words import stem, stems, tokens
from sec_desktop.interop.records import (
    RULE_FIELDS,
    ImportedRecord,
    ImportFileError,
    JsonPositions,
)

DEFAULT_RULES_NAME = "import-rules.toml"
_KEYS = frozenset(("pattern", "activity", "skip", "fields", "formats"))
_TOML_RULE_HEADER = re.compile(r"^\s*\[\[\s*rules?\s*\]\]")
# A TOML file may start with [[rule]]; a JSON one with { or with [ and then { or ].
_JSON_START = re.compile(r"^\s*(\{|\[\s*[{\]])")


class RuleError(ValueError):
    """A rules file that can't be used; the message names the file, rule and line."""


@dataclass(frozen=True)
class Rule:
    """One mapping rule; `activity` is a framework id, None when the rule skips."""

    pattern: re.Pattern[str]
    fields: tuple[str, ...]
    activity: str | None
    origin: str
    formats: tuple[str, ...] = ()

    @property
    def skip(self) -> bool:
        return self.activity is None

    def matches(self, record: ImportedRecord) -> bool:
        if self.formats and record.tool not in self.formats:
            return False
        search = self.pattern.search
        return any(search(value) for name in self.fields for value in record.field_values(name))


# How sure a phrase is, when several are found in one record: the user's own words first.
ALIAS_PRIORITY, LABEL_PRIORITY, PHRASE_PRIORITY = 3, 2, 1
MAX_PHRASE_WORDS = 6
VOCABULARY_ORIGIN = "the vocabulary"


class PhraseRules:
    """The vocabulary as one rule: a record maps to the activity whose phrase it contains
    (whole words; plurals and -ing forms count), the user's aliases first, then the longest
    phrase. Two activities found equally sure leave the record unmapped, for the user to
    map, rather than guessed."""

    def __init__(self, framework: Framework, vocabulary: Vocabulary) -> None:
        found: dict[tuple[str, ...], dict[str, tuple[int, str]]] = {}

        def add(activity: str, phrase: str, priority: int) -> None:
            key = stems(tokens(phrase))
            if key and len(key) <= MAX_PHRASE_WORDS:
                kept = found.setdefault(key, {})
                if kept.get(activity, (0, ""))[0] < priority:
                    kept[activity] = (priority, phrase)

        for activity, phrase, is_alias in vocabulary.phrases(framework):
            add(activity, phrase, ALIAS_PRIORITY if is_alias else PHRASE_PRIORITY)
        for node in framework.of_level(Level.ACTIVITY):
            add(node.id, node.label, LABEL_PRIORITY)
        # A phrase two activities share at the same priority says nothing: left out.
        self._phrases: dict[tuple[str, ...], tuple[int, str, str]] = {}
        for key, by_activity in found.items():
            top = max(p for p, _ in by_activity.values())
            best = [(a, phrase) for a, (p, phrase) in by_activity.items() if p == top]
            if len(best) == 1:
                self._phrases[key] = (top, best[0][0], best[0][1])
        self._rules: dict[tuple[str, str], Rule] = {}
        # Exports repeat the same tags, projects and words thousands of times: each text is
        # searched for phrases once, each word stemmed once.
        self._hits_in: dict[str, tuple[tuple[str, tuple[int, int, str]], ...]] = {}
        self._stems: dict[str, str] = {}

    def _hits(self, value: str) -> tuple[tuple[str, tuple[int, int, str]], ...]:
        """(activity, (priority, words, phrase)) of each phrase found in one text."""
        hits = self._hits_in.get(value)
        if hits is None:
            known = self._stems
            words = tuple(
                known[t] if t in known else known.setdefault(t, stem(t)) for t in tokens(value)
            )
            found = []
            for size in range(1, min(len(words), MAX_PHRASE_WORDS) + 1):
                for start in range(len(words) - size + 1):
                    hit = self._phrases.get(words[start : start + size])
                    if hit is not None:
                        priority, activity, phrase = hit
                        found.append((activity, (priority, size, phrase)))
            hits = self._hits_in[value] = tuple(found)
        return hits

    def match(self, record: ImportedRecord) -> Rule | None:
        # Per activity: the phrases found, as (priority, words, phrase).
        found: dict[str, set[tuple[int, int, str]]] = {}
        for name in RULE_FIELDS:
            for value in record.field_values(name):
                for activity, hit in self._hits(value):
                    found.setdefault(activity, set()).add(hit)
        if not found:
            return None

        def sureness(phrases: set[tuple[int, int, str]]) -> tuple[int, int, int]:
            priority, size, _ = max(phrases)
            return priority, size, len(phrases)

        ranked = sorted(found.items(), key=lambda item: sureness(item[1]), reverse=True)
        if len(ranked) > 1 and sureness(ranked[0][1]) == sureness(ranked[1][1]):
            return None
        activity, phrases = ranked[0]
        phrase = max(phrases)[2]
        rule = self._rules.get((activity, phrase))
        if rule is None:
            pattern = re.compile(r"\b" + re.escape(phrase) + r"\b", re.IGNORECASE)
            rule = Rule(pattern, RULE_FIELDS, activity, f"{VOCABULARY_ORIGIN}: {phrase!r}")
            self._rules[(activity, phrase)] = rule
        return rule


class RuleSet:
    """Rules in order; the first that matches a record decides."""

    def __init__(self, rules: Sequence[Rule | PhraseRules]) -> None:
        self.rules = tuple(rules)
        # Exports repeat the same project, tags and titles many times: match each once.
        self._memo: dict[tuple[object, ...], Rule | None] = {}

    def __len__(self) -> int:
        return len(self.rules)

    def match(self, record: ImportedRecord) -> Rule | None:
        key = (
            record.tool,
            record.project,
            record.client,
            record.task,
            record.tags,
            record.title,
            record.description,
        )
        if key in self._memo:
            return self._memo[key]
        found: Rule | None = None
        for rule in self.rules:
            if isinstance(rule, PhraseRules):
                found = rule.match(record)
                if found is not None:
                    break
            elif rule.matches(record):
                found = rule
                break
        self._memo[key] = found
        return found


def _resolve_activity(value: Any, framework: Framework, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}: activity must be an activity id or label")
    if value in framework:
        return value
    try:
        return framework.resolve(value).id
    except AmbiguousActivity as exc:
        listed = ", ".join(n.id for n in exc.candidates[:5])
        raise RuleError(f"{where}: activity {value!r} is ambiguous ({listed}, ...)") from exc
    except UnknownActivity as exc:
        hint = f"; did you mean {exc.suggestions[0].id}?" if exc.suggestions else ""
        raise RuleError(
            f"{where}: activity {value!r} is not in the framework{hint} "
            "(`sec-desktop framework` lists them)"
        ) from exc


def _text_list(value: Any, key: str, where: str, allowed: Iterable[str] | None) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: {key} must be a list of names")
    if allowed is not None:
        allowed = tuple(allowed)
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise RuleError(
                f"{where}: {key} has {', '.join(map(repr, unknown))}; "
                f"choose from {', '.join(allowed)}"
            )
    return tuple(value)


def make_rule(
    doc: Any, framework: Framework, where: str, formats: Iterable[str] | None = None
) -> Rule:
    """One rule from its table; `where` ("file, rule 3 (line 12)") starts every error."""
    if not isinstance(doc, dict):
        raise RuleError(f"{where}: a rule must be a table of pattern and activity (or skip)")
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise RuleError(
            f"{where}: unknown key {', '.join(map(repr, unknown))}; a rule has pattern, "
            "activity or skip, and optionally fields and formats"
        )
    pattern = doc.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise RuleError(f"{where}: pattern must be a non-empty regular expression")
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise RuleError(
            f"{where}: pattern {pattern!r} is not a regular expression ({exc})"
        ) from exc
    skip = doc.get("skip", False)
    if not isinstance(skip, bool):
        raise RuleError(f"{where}: skip must be true or false")
    if skip and "activity" in doc:
        raise RuleError(f"{where}: give either activity or skip = true, not both")
    if not skip and "activity" not in doc:
        raise RuleError(f"{where}: the rule needs an activity (or skip = true)")
    activity = None if skip else _resolve_activity(doc["activity"], framework, where)
    fields = (
        _text_list(doc["fields"], "fields", where, RULE_FIELDS) if "fields" in doc else RULE_FIELDS
    )
    chosen_formats = (
        _text_list(doc["formats"], "formats", where, formats) if "formats" in doc else ()
    )
    return Rule(compiled, fields, activity, where, chosen_formats)


def _toml_rules(text: str, label: str) -> list[tuple[Any, int | None]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{label}: it is not valid TOML ({exc})") from exc
    except ValueError:  # Python's limit on the digits of an int
        raise RuleError(f"{label}: it holds a number too long to read") from None
    except RecursionError:
        raise RuleError(f"{label}: its arrays or tables are nested too deeply to read") from None
    unknown = sorted(set(doc) - {"rule", "rules"})
    if unknown:
        raise RuleError(
            f"{label}: unknown top-level key {', '.join(map(repr, unknown))}; "
            "write each rule as a [[rule]] table"
        )
    tables = doc.get("rule", doc.get("rules", []))
    if not isinstance(tables, list):
        raise RuleError(f"{label}: write each rule as a [[rule]] table")
    header_lines = [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if _TOML_RULE_HEADER.match(line)
    ]
    lines: list[int | None] = (
        list(header_lines) if len(header_lines) == len(tables) else [None] * len(tables)
    )
    return list(zip(tables, lines, strict=True))


def _json_rule_items(walker: JsonPositions, label: str) -> list[tuple[Any, int | None]]:
    if not walker.text.lstrip().startswith("{"):
        return [(doc, line) for line, doc in walker.array_items(0)]
    found: list[tuple[Any, int | None]] = []
    for key, pos in walker.object_members(0):
        if key != "rules":
            raise RuleError(
                f"{label}, line {walker.line_at(pos)}: unknown key {key!r}; "
                'a JSON rules file is a list, or {"rules": [...]}'
            )
        found = [(doc, line) for line, doc in walker.array_items(pos)]
    return found


def _json_rules(text: str, label: str) -> list[tuple[Any, int | None]]:
    walker = JsonPositions(text, Path(label))
    try:
        items = _json_rule_items(walker, label)
        walker.finish()
    except ImportFileError as exc:
        # Its message already starts with the file and line.
        raise RuleError(str(exc)) from exc
    return items


def load_rules(
    path: Path, framework: Framework, formats: Iterable[str] | None = None
) -> list[Rule]:
    """The rules of a TOML or JSON file (by its content), each checked against the framework."""
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise RuleError(f"{label}: the rules file does not exist") from exc
    except UnicodeDecodeError as exc:
        raise RuleError(f"{label}: the rules file is not UTF-8 text") from exc
    except OSError as exc:
        raise RuleError(f"{label}: the rules file can't be read ({exc.strerror or exc})") from exc
    return rules_from_text(text, label, framework, formats)


def rules_from_text(
    text: str, label: str, framework: Framework, formats: Iterable[str] | None = None
) -> list[Rule]:
    """Rules from a file's text: JSON when it is a list or object of rules, TOML otherwise."""
    is_json = label.lower().endswith(".json") or _JSON_START.match(text) is not None
    docs = _json_rules(text, label) if is_json else _toml_rules(text, label)
    known_formats = tuple(formats) if formats is not None else None
    rules = []
    for number, (doc, line) in enumerate(docs, start=1):
        where = f"{label}, rule {number}" + (f" (line {line})" if line else "")
        rules.append(make_rule(doc, framework, where, known_formats))
    return rules


def default_rules(
    framework: Framework,
    formats: Iterable[str] | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[Rule | PhraseRules]:
    """The rules shipped with the app (`resources/import-rules.toml`), then the vocabulary:
    `vocabulary` with the user's aliases, or the shipped words alone."""
    text = (resources.files("sec_desktop") / "resources" / DEFAULT_RULES_NAME).read_text("utf-8")
    shipped: list[Rule | PhraseRules] = list(
        rules_from_text(text, DEFAULT_RULES_NAME, framework, formats)
    )
    return [*shipped, PhraseRules(framework, vocabulary or Vocabulary())]
