"""The one vocabulary of the picker, `sec-desktop log` and the import: the everyday words of the
role per activity, the user's own aliases, and what the user's searches have taught. No Qt.

- The shipped words are `resources/vocabulary.toml` (activity id -> phrases).
- The user's words are `aliases.json` in the data folder, so they travel with the entries:
  aliases ("board deck" -> an activity id), added with `sec-desktop alias add` or when a search
  that matched nothing was answered, and learnt searches (a search text -> the activity it led
  to last), so that the same text finds that activity first next time.

`ActivitySearch` (framework/search.py) ranks with these words; `interop/rules.py` maps
imported rows with them. A faulty `aliases.json` is reported with its line and left alone:
nothing is written over it until it is fixed.
"""

from __future__ import annotations

import functools
import json
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sec_desktop.framework.model import Framework
from sec_desktop.framework.words import tokens
from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir

VOCABULARY_FILE = "vocabulary.toml"
ALIASES_FILE = "aliases.json"
FILE_FORMAT = "sec-desktop/aliases"
FILE_VERSION = 1
MAX_PHRASE_CHARS = 100
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
    """The contents of `aliases.json`: aliases (phrase as typed -> activity id) and learnt
    searches (phrase key -> activity id, the most recently used last)."""

    aliases: dict[str, str] = field(default_factory=dict)
    learned: dict[str, str] = field(default_factory=dict)

    def alias_for(self, key: str) -> str | None:
        for phrase, activity in self.aliases.items():
            if phrase_key(phrase) == key:
                return activity
        return None

    def to_document(self) -> dict[str, Any]:
        return {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "aliases": dict(sorted(self.aliases.items(), key=lambda kv: phrase_key(kv[0]))),
            "learned": self.learned,
        }


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
    """`aliases.json` in a data folder. Every change re-reads the file first and writes it
    atomically, so the app and the command line can both change it without losing a word."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / ALIASES_FILE

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

    def _write(self, words: UserWords) -> None:
        ensure_private_dir(self.data_dir)
        data = json.dumps(words.to_document(), indent=2, ensure_ascii=False) + "\n"
        atomic_write_bytes(self.path, data.encode("utf-8"))

    def change(self, edit: Any) -> UserWords:
        """Apply `edit(words)` to the file's current contents and save; returns the result."""
        words = self.read()
        edit(words)
        self._write(words)
        return words


@dataclass(frozen=True)
class Alias:
    phrase: str
    activity: str


class Vocabulary:
    """The shipped phrases with the user's aliases and learnt searches of one data folder.

    `version` changes whenever the aliases do, so a search index knows to rebuild. A faulty
    aliases file leaves `problem` set and the shipped words working; learning is then off,
    so the file is never overwritten before the user has fixed it.
    """

    def __init__(
        self,
        shipped: Mapping[str, tuple[str, ...]] | None = None,
        alias_file: AliasFile | None = None,
    ) -> None:
        self.shipped = shipped_phrases() if shipped is None else shipped
        self.alias_file = alias_file
        self.problem: str | None = None
        self.version = 0
        self._user = UserWords()
        self._stamp: tuple[int, int] | None = None
        self.reload()

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> Vocabulary:
        return cls(alias_file=AliasFile(data_dir))

    def reload(self) -> None:
        """Read the aliases file again (another process may have changed it)."""
        self.problem = None
        if self.alias_file is not None:
            self._stamp = self.alias_file.stamp()
            try:
                self._user = self.alias_file.read()
            except VocabularyError as exc:
                self.problem = f"Your aliases are not used: {exc}"
                self._user = UserWords()
        self.version += 1

    def refresh(self) -> None:
        """Reload if the aliases file changed since it was read (`sec-desktop alias add` while
        the app runs); a stat, cheap enough for every search."""
        if self.alias_file is not None and self.alias_file.stamp() != self._stamp:
            self.reload()

    # reading --------------------------------------------------------------------------------

    def aliases(self) -> list[Alias]:
        return [Alias(p, a) for p, a in self._user.aliases.items()]

    def phrases(self, framework: Framework) -> Iterator[tuple[str, str, bool]]:
        """(activity id, phrase, is the user's alias) for every phrase naming a node of
        `framework`; ids it lacks are skipped, not dropped from the files."""
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

    def _change(self, edit: Any, *, aliases_changed: bool = True) -> None:
        if self.alias_file is None:
            edit(self._user)
        elif self.problem is not None:
            raise VocabularyError(self.problem)
        else:
            self._user = self.alias_file.change(edit)
            self._stamp = self.alias_file.stamp()
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

        def edit(words: UserWords) -> None:
            for old in [p for p in words.aliases if phrase_key(p) == key]:
                del words.aliases[old]
            words.aliases[cleaned] = activity
            # The alias is the newer word on this text; a learnt search must not outrank it.
            words.learned.pop(key, None)

        self._change(edit)

    def remove_alias(self, phrase: str) -> str | None:
        """Forget the alias `phrase`; returns the activity it named, None if there was none."""
        key = phrase_key(phrase)
        removed: list[str] = []

        def edit(words: UserWords) -> None:
            for old in [p for p in words.aliases if phrase_key(p) == key]:
                removed.append(words.aliases.pop(old))

        if self._user.alias_for(key) is None:
            return None
        self._change(edit)
        return removed[0] if removed else None

    def learn(self, text: str, activity: str) -> bool:
        """Remember that a search for `text` led to `activity`: it ranks first for that text
        next time. Returns whether anything changed; a no-op while the file is faulty."""
        key = phrase_key(text)
        if not key or len(text) > MAX_PHRASE_CHARS or self.problem is not None:
            return False
        learned = self._user.learned
        if learned.get(key) == activity and next(reversed(learned)) == key:
            return False

        def edit(words: UserWords) -> None:
            words.learned.pop(key, None)
            words.learned[key] = activity
            while len(words.learned) > MAX_LEARNED:
                del words.learned[next(iter(words.learned))]

        self._change(edit, aliases_changed=False)
        return True
