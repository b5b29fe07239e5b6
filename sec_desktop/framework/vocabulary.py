"""The one vocabulary of the picker, `sec-desktop log` and the import: the everyday words of the
role per activity, the user's own aliases, and what the user's searches have taught. No Qt.

- The shipped words are `resources/vocabulary.toml` (activity id -> phrases).
- The user's words travel with the entries, in the data folder: aliases ("board deck" -> an
  activity id), added with `sec-desktop alias add` or when a search that matched nothing was
  answered, and learnt searches (a search text -> the activity it led to last), so that the
  same text finds that activity first next time. They are shared records
  (`sec_desktop.store.shared_records`, kind "vocabulary"), one per phrase (`alias/<phrase>`,
  `learned/<phrase>`), so words taught on two devices both survive a sync: each device writes
  only its own small file.
- The single `aliases.json` of earlier versions is read until this device migrates it into
  its records (on its first change); it is then kept aside as `aliases.json.migrated-<time>`.

`ActivitySearch` (framework/search.py) ranks with these words; `interop/rules.py` maps
imported rows with them. A faulty `aliases.json` is reported with its line and left alone:
nothing is written until it is fixed. A record another device wrote that can't be used is
skipped and named in `Vocabulary.notices`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sec_desktop.framework.model import Framework
from sec_desktop.framework.words import tokens
from sec_desktop.store.atomic import keep_aside
from sec_desktop.store.hlc import HybridClock
from sec_desktop.store.shared_records import (
    DELETE,
    RecordsChanged,
    RecordSet,
    SharedRecords,
    SharedRecordsError,
    adopt_legacy,
    read_records,
    shared_dir,
)

VOCABULARY_FILE = "vocabulary.toml"
ALIASES_FILE = "aliases.json"
FILE_FORMAT = "sec-desktop/aliases"
FILE_VERSION = 1
MIGRATED_FILE_INFIX = ".migrated-"
VOCABULARY_KIND = "vocabulary"
ALIAS_KEY, LEARNED_KEY = "alias/", "learned/"
MAX_PHRASE_CHARS = 100
MAX_RECORD_KEY_CHARS = 300  # shared_records.MAX_KEY_CHARS: a longer legacy phrase is not kept
# Learnt searches kept, the least recently used dropped first: typed prefixes pile up.
MAX_LEARNED = 2000


class VocabularyError(ValueError):
    """A vocabulary or aliases file that can't be used; the message names the file and what
    is wrong (with the line where there is one)."""


def phrase_key(text: str) -> str:
    """What a phrase is matched by: its lower-case words, one space apart ("1:1" -> "1 1")."""
    return " ".join(tokens(text))


@functools.cache
def shipped_phrases() -> Mapping[str, tuple[str, ...]]:
    """The shipped vocabulary: activity id -> its phrases, in file order."""
    text = (resources.files("sec_desktop") / "resources" / VOCABULARY_FILE).read_text("utf-8")
    return phrases_from_toml(text, f"shipped {VOCABULARY_FILE}")


def phrases_from_toml(text: str, where: str) -> dict[str, tuple[str, ...]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise VocabularyError(f"{where}: is not valid TOML ({exc})") from exc
    table = doc.get("activities")
    if not isinstance(table, dict) or set(doc) != {"activities"}:
        raise VocabularyError(f"{where}: needs one [activities] table and nothing else")
    out: dict[str, tuple[str, ...]] = {}
    for activity, phrases in table.items():
        if not isinstance(phrases, list) or not all(
            isinstance(p, str) and phrase_key(p) for p in phrases
        ):
            raise VocabularyError(f"{where}: {activity!r} must be a list of phrases")
        out[activity] = tuple(phrases)
    return out


@dataclass
class UserWords:
    """The user's words: aliases (phrase as typed -> activity id) and learnt searches (phrase
    key -> activity id, the most recently learnt last); `skipped` names records not used."""

    aliases: dict[str, str] = field(default_factory=dict)
    learned: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def alias_for(self, key: str) -> str | None:
        for phrase, activity in self.aliases.items():
            if phrase_key(phrase) == key:
                return activity
        return None

    def to_records(self) -> dict[str, Any]:
        """The shared records holding these words: one per phrase."""
        records: dict[str, Any] = {
            f"{LEARNED_KEY}{key}": activity for key, activity in self.learned.items()
        }
        for phrase, activity in self.aliases.items():
            records[f"{ALIAS_KEY}{phrase_key(phrase)}"] = {"phrase": phrase, "activity": activity}
        return records


def _text_map(doc: Mapping[str, Any], name: str, where: str) -> dict[str, str]:
    raw = doc.get(name, {})
    if not isinstance(raw, dict):
        raise VocabularyError(
            f'{where}: "{name}" must be an object of phrase to activity id, '
            f"not {type(raw).__name__}"
        )
    out: dict[str, str] = {}
    for phrase, activity in raw.items():
        if not isinstance(activity, str) or not activity:
            raise VocabularyError(
                f'{where}: "{name}" entry {phrase!r} must name an activity id (text), '
                f"not {activity!r}"
            )
        if not phrase_key(phrase):
            raise VocabularyError(f'{where}: "{name}" entry {phrase!r} has no words')
        out[phrase] = activity
    return out


def user_words_from_text(text: str, where: str) -> UserWords:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VocabularyError(
            f"{where}: is not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError as exc:  # lists within lists, thousands deep
        raise VocabularyError(f"{where}: is nested too deeply to be an aliases file") from exc
    if not isinstance(doc, dict):
        raise VocabularyError(f'{where}: must be an object with "aliases" and "learned"')
    if doc.get("format", FILE_FORMAT) != FILE_FORMAT:
        raise VocabularyError(f'{where}: "format" is {doc.get("format")!r}, not {FILE_FORMAT!r}')
    version = doc.get("version", FILE_VERSION)
    if not isinstance(version, int) or version > FILE_VERSION:
        raise VocabularyError(
            f'{where}: "version" {version!r} is newer than this app reads ({FILE_VERSION}); '
            "update the app"
        )
    unknown = sorted(set(doc) - {"format", "version", "aliases", "learned"})
    if unknown:
        raise VocabularyError(f"{where}: unknown key {', '.join(map(repr, unknown))}")
    learned = _text_map(doc, "learned", where)
    return UserWords(
        aliases=_text_map(doc, "aliases", where),
        learned={phrase_key(k): v for k, v in learned.items()},
    )


class AliasFile:
    """The single `aliases.json` of earlier versions, read until this device migrates it."""

    def __init__(self, data_dir: Path, path: Path | None = None) -> None:
        self.data_dir = data_dir
        self.path = path or data_dir / ALIASES_FILE  # or a sync engine's conflict copy of it

    def stamp(self) -> tuple[int, int] | None:
        """The file's modification time and size, to notice a change cheaply; None if absent."""
        try:
            info = self.path.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

    def read(self) -> UserWords:
        """What the file holds; empty when there is none. Raises VocabularyError."""
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return UserWords()
        except UnicodeDecodeError as exc:
            raise VocabularyError(f"{self.path}: is not UTF-8 text (byte {exc.start})") from exc
        except OSError as exc:
            raise VocabularyError(f"{self.path}: can't be read ({exc.strerror or exc})") from exc
        return user_words_from_text(text, str(self.path))

    def keep_aside(self, now: datetime) -> Path:
        """Move the file to `aliases.json.migrated-<time>` (never over an earlier one)."""
        return keep_aside(self.path, now, MIGRATED_FILE_INFIX)


def _alias_from_record(key: str, value: Any) -> tuple[str, str] | None:
    if not isinstance(value, dict):
        return None
    phrase, activity = value.get("phrase"), value.get("activity")
    if not (isinstance(phrase, str) and isinstance(activity, str) and activity):
        return None
    return (phrase, activity) if f"{ALIAS_KEY}{phrase_key(phrase)}" == key else None


def words_from_records(records: RecordSet, legacy: UserWords | None = None) -> UserWords:
    """The user's words in merged `records`, over those of a not yet migrated legacy file (a
    phrase any device has a record for, a deletion included, is the record's). A record that
    can't be used is named in `skipped`, with the device that wrote it, and left out."""
    words = UserWords()
    legacy_items = legacy.to_records() if legacy is not None else {}
    items = [(k, v, "") for k, v in legacy_items.items() if k not in records.merged]
    live = sorted((m.winner.stamp, k) for k, m in records.merged.items() if not m.winner.deleted)
    # Learnt searches oldest first: the legacy file's in its order, then by clock stamp.
    items.extend((k, records.merged[k].winner.value, stamp.device) for stamp, k in live)
    for key, value, device in items:
        if key.startswith(LEARNED_KEY):
            text = key.removeprefix(LEARNED_KEY)
            if isinstance(value, str) and value and phrase_key(text) == text:
                words.learned[text] = value
            else:
                words.skipped.append(
                    f"the learnt search {text!r} from device {device} names no activity id"
                )
    for key, value, device in sorted(items, key=lambda item: item[0]):
        if key.startswith(ALIAS_KEY):
            alias = _alias_from_record(key, value)
            if alias is None:
                words.skipped.append(
                    f"the alias {key.removeprefix(ALIAS_KEY)!r} from device {device} needs a "
                    "phrase and an activity id"
                )
            else:
                words.aliases[alias[0]] = alias[1]
        elif not key.startswith(LEARNED_KEY):
            words.skipped.append(f"the record {key!r} from device {device} is of no known kind")
    return words


def _words(merged: RecordSet, legacy: UserWords) -> UserWords:
    words = words_from_records(merged, legacy)
    for path, why in merged.problems.items():
        words.skipped.append(f"{path} can't be read ({why})")
    return words


class UserWordStore:
    """The user's words in one data folder: the shared records of every device, and the legacy
    `aliases.json` until it is migrated. This process writes as `device_id` only (None: it
    only reads). Each change writes one small per-device file under the records' lock, so two
    processes of one device (the app and the command line) never lose each other's words.
    """

    def __init__(
        self, data_dir: Path, device_id: str | None = None, clock: HybridClock | None = None
    ) -> None:
        self.data_dir = data_dir
        self.legacy = AliasFile(data_dir)
        self.folder = shared_dir(data_dir, VOCABULARY_KIND)
        self.records = (
            SharedRecords(data_dir, VOCABULARY_KIND, device_id, clock)
            if device_id is not None
            else None
        )

    def stamp(self) -> tuple[object, ...]:
        """Every file's modification time and size, to notice a change cheaply (a stat each)."""
        files: list[tuple[str, int, int]] = []
        try:
            with os.scandir(self.folder) as found:
                for item in found:
                    if item.name.startswith("."):  # a lock or a save's temp file, not words
                        continue
                    info = item.stat(follow_symlinks=False)
                    files.append((item.name, info.st_mtime_ns, info.st_size))
        except OSError:
            pass
        return self.legacy.stamp(), tuple(sorted(files))

    def _merged(self) -> RecordSet:
        if self.records is not None:
            return self.records.read()
        return read_records(self.data_dir, VOCABULARY_KIND)

    def read(self) -> UserWords:
        """The words every device taught, merged; raises VocabularyError when the legacy file
        can't be used (nothing is written until it is fixed)."""
        legacy = self.legacy.read()
        return _words(self._merged(), legacy)

    def write(self, changes: Mapping[str, Any], now: datetime | None = None) -> UserWords:
        """Record `changes` (record key -> value, or DELETE) as this device's; the words now.

        A legacy file is migrated first: each of its words no device has a record for yet
        becomes this device's record, and the file is kept aside.
        """
        if self.records is None:
            raise VocabularyError("your words can't be saved: this device has no id here")
        try:
            legacy = self.legacy.read()
            if self.legacy.stamp() is not None:
                self._migrate(self.records, legacy, now or datetime.now(UTC))
                legacy = UserWords()
            merged = self.records.write(changes)
        except SharedRecordsError as exc:
            raise VocabularyError(f"your words were not saved: {exc}") from exc
        return _words(merged, legacy)

    def migrate(self, now: datetime, source: Path | None = None) -> str | None:
        """Move the legacy file's words, or those of `source` (a conflict copy of it, left
        where it is for the caller to set aside), into this device's records; a sentence
        saying what was done, None when there was nothing to move. Raises VocabularyError
        when the file can't be used."""
        if self.records is None:
            raise VocabularyError("your words can't be saved: this device has no id here")
        legacy = AliasFile(self.data_dir, source) if source is not None else self.legacy
        if legacy.stamp() is None:
            return None
        words = legacy.read()
        try:
            if source is None:
                self._migrate(self.records, words, now)
                return (
                    f"Your words were moved from {ALIASES_FILE} into records every device merges."
                )
            before = set(self.records.read().merged)
            self._migrate(self.records, words, now, keep_aside=False)
        except SharedRecordsError as exc:
            raise VocabularyError(f"your words were not saved: {exc}") from exc
        added = len(set(self.records.read().merged) - before)
        return f"{added} word(s) from {source.name} were added to the records"

    def _migrate(
        self, records: SharedRecords, legacy: UserWords, now: datetime, *, keep_aside: bool = True
    ) -> None:
        wanted = {k: v for k, v in legacy.to_records().items() if len(k) <= MAX_RECORD_KEY_CHARS}
        try:
            # Only where no record is: a word recorded meanwhile (by the app, say) stands.
            adopt_legacy(records, wanted)
        except RecordsChanged as exc:
            raise VocabularyError(
                f"{self.legacy.path}: could not be moved into the records while they kept "
                "changing; nothing was lost, try again"
            ) from exc
        if keep_aside:
            with contextlib.suppress(FileNotFoundError):  # another process kept it aside first
                self.legacy.keep_aside(now)


@dataclass(frozen=True)
class Alias:
    phrase: str
    activity: str


class Vocabulary:
    """The shipped phrases with the user's aliases and learnt searches of one data folder.

    `version` changes whenever the aliases do, so a search index knows to rebuild. A faulty
    aliases file leaves `problem` set and the shipped words working; learning is then off,
    so the file is never overwritten before the user has fixed it. `notices` names records
    that were skipped (another device's that can't be used); the rest apply.
    """

    def __init__(
        self,
        shipped: Mapping[str, tuple[str, ...]] | None = None,
        user_words: UserWordStore | None = None,
    ) -> None:
        self.shipped = shipped_phrases() if shipped is None else shipped
        self.user_words = user_words
        self.problem: str | None = None
        self.notices: list[str] = []
        self.version = 0
        self._user = UserWords()
        self._stamp: tuple[object, ...] | None = None
        self.reload()

    @classmethod
    def for_data_dir(
        cls, data_dir: Path, device_id: str | None = None, clock: HybridClock | None = None
    ) -> Vocabulary:
        """The vocabulary of `data_dir`; it saves words as `device_id` (None: read only)."""
        return cls(user_words=UserWordStore(data_dir, device_id, clock))

    def reload(self) -> None:
        """Read the user's words again (another process or device may have changed them)."""
        self.problem = None
        if self.user_words is not None:
            self._stamp = self.user_words.stamp()
            try:
                self._use(self.user_words.read())
            except VocabularyError as exc:
                self.problem = f"Your aliases are not used: {exc}"
                self._use(UserWords())
        self.version += 1

    def _use(self, words: UserWords) -> None:
        self._user = words
        self.notices = [f"Some of your words are not used: {what}" for what in words.skipped]

    def refresh(self) -> None:
        """Reload if the user's words changed since they were read (`sec-desktop alias add`
        while the app runs, a sync); a stat per file, cheap enough for every search."""
        if self.user_words is not None and self.user_words.stamp() != self._stamp:
            self.reload()

    # reading --------------------------------------------------------------------------------

    def aliases(self) -> list[Alias]:
        return [Alias(p, a) for p, a in self._user.aliases.items()]

    def phrases(self, framework: Framework) -> Iterator[tuple[str, str, bool]]:
        """(activity id, phrase, is the user's alias) for every phrase naming a node of
        `framework`; ids it lacks are skipped, not dropped from the records."""
        for alias in self.aliases():
            if alias.activity in framework:
                yield alias.activity, alias.phrase, True
        for activity, phrases in self.shipped.items():
            if activity in framework:
                for phrase in phrases:
                    yield activity, phrase, False

    def learned(self, text: str) -> str | None:
        """The activity a search for `text` last led to, if any."""
        key = phrase_key(text)
        return self._user.learned.get(key) if key else None

    # changing -------------------------------------------------------------------------------

    def _change(self, changes: dict[str, Any], *, aliases_changed: bool = True) -> None:
        if self.user_words is None:
            _apply(self._user, changes)
        elif self.problem is not None:
            raise VocabularyError(self.problem)
        else:
            self._use(self.user_words.write(changes))
            self._stamp = self.user_words.stamp()
        if aliases_changed:
            self.version += 1

    def add_alias(self, phrase: str, activity: str) -> None:
        """Make `phrase` name `activity` (replacing what it named before)."""
        key = phrase_key(phrase)
        if not key:
            raise VocabularyError(f"the alias {phrase!r} has no words")
        if len(phrase) > MAX_PHRASE_CHARS:
            raise VocabularyError(f"the alias is longer than {MAX_PHRASE_CHARS} characters")
        cleaned = " ".join(phrase.split())
        # The alias is the newer word on this text; a learnt search must not outrank it (a
        # deletion of what no device learnt writes nothing).
        self._change(
            {
                f"{ALIAS_KEY}{key}": {"phrase": cleaned, "activity": activity},
                f"{LEARNED_KEY}{key}": DELETE,
            }
        )

    def remove_alias(self, phrase: str) -> str | None:
        """Forget the alias `phrase`; returns the activity it named, None if there was none."""
        key = phrase_key(phrase)
        self.refresh()
        removed = self._user.alias_for(key)
        if removed is None:
            return None
        self._change({f"{ALIAS_KEY}{key}": DELETE})
        return removed

    def learn(self, text: str, activity: str) -> bool:
        """Remember that a search for `text` led to `activity`: it ranks first for that text
        next time. Returns whether anything changed: nothing is written when the text already
        leads there, nor while the aliases file is faulty. Beyond MAX_LEARNED, the searches
        learnt longest ago are forgotten."""
        key = phrase_key(text)
        if not key or len(text) > MAX_PHRASE_CHARS or self.problem is not None:
            return False
        if self._user.learned.get(key) == activity:
            return False
        changes: dict[str, Any] = {f"{LEARNED_KEY}{key}": activity}
        surplus = len(self._user.learned) + (key not in self._user.learned) - MAX_LEARNED
        for oldest in [k for k in self._user.learned if k != key][: max(0, surplus)]:
            changes[f"{LEARNED_KEY}{oldest}"] = DELETE
        self._change(changes, aliases_changed=False)
        return True


def _apply(words: UserWords, changes: Mapping[str, Any]) -> None:
    """`changes` (record key -> value or DELETE) applied to words kept in memory only."""
    for key, value in changes.items():
        if key.startswith(LEARNED_KEY):
            text = key.removeprefix(LEARNED_KEY)
            words.learned.pop(text, None)
            if value is not DELETE:
                words.learned[text] = value
        else:
            phrase_text = key.removeprefix(ALIAS_KEY)
            for old in [p for p in words.aliases if phrase_key(p) == phrase_text]:
                del words.aliases[old]
            if value is not DELETE:
                words.aliases[value["phrase"]] = value["activity"]
