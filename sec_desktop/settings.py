"""The user's settings: declared once, validated, saved atomically in the config folder.

Each setting is one field of `Settings`: `field(default=..., metadata=spec(...))`, the spec
carrying its kind, label, group, help and extra check. `SPECS`, the defaults, loading,
validation and the settings dialog all come from those declarations, so adding a setting is
one declaration. The file is `<config_dir>/settings.json`:
`{"format": "sec-desktop-settings", "version": 1, "settings": {key: value}}`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, Generic, TypeVar

import orjson

from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir, keep_aside
from sec_desktop.store.paths import DEFAULT_BACKUPS_KEPT as DEFAULT_KEEP

SETTINGS_FILE = "settings.json"
SETTINGS_FORMAT = "sec-desktop-settings"
SETTINGS_VERSION = 1
BAD_FILE_INFIX = ".bad-"

T = TypeVar("T")


class SettingsError(ValueError):
    """A setting that breaks a rule; `key` names it and the message says what is wrong."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


# Kinds: how a value is checked, stored in JSON and edited -----------------------------------


class Kind(ABC, Generic[T]):
    """The type of a setting: checks a Python value and converts it to and from JSON.

    `check` and `from_json` raise TypeError or ValueError with a message that reads after
    the field's label ("Interval: must be between 5 and 240").
    """

    @abstractmethod
    def check(self, value: Any) -> T:
        """The value as this kind stores it; TypeError or ValueError when it doesn't fit."""

    def to_json(self, value: T) -> Any:
        return value

    def from_json(self, raw: Any) -> T:
        return self.check(raw)


@dataclass(frozen=True)
class Choice(Kind[str]):
    """One of a few fixed strings; `options` pairs each value with its label."""

    options: tuple[tuple[str, str], ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.options)

    def check(self, value: Any) -> str:
        if value not in self.values:
            allowed = ", ".join(repr(v) for v in self.values)
            raise ValueError(f"must be one of {allowed}, not {value!r}")
        return str(value)


@dataclass(frozen=True)
class IntRange(Kind[int]):
    minimum: int
    maximum: int
    unit: str = ""

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"must be a whole number, not {value!r}")
        if not self.minimum <= value <= self.maximum:
            unit = f" {self.unit}" if self.unit else ""
            raise ValueError(f"must be between {self.minimum} and {self.maximum}{unit}")
        return value


@dataclass(frozen=True)
class Flag(Kind[bool]):
    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise TypeError(f"must be true or false, not {value!r}")
        return value


WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Weekdays(Kind[frozenset[int]]):
    """Days of the week as numbers, 0 = Monday; stored as a sorted list."""

    def check(self, value: Any) -> frozenset[int]:
        if not isinstance(value, (set, frozenset, list, tuple)):
            raise TypeError(f"must be a list of weekday numbers 0-6, not {value!r}")
        days = list(value)
        if any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise ValueError(f"must hold weekday numbers 0 (Monday) to 6 (Sunday), not {days!r}")
        return frozenset(days)

    def to_json(self, value: frozenset[int]) -> Any:
        return sorted(value)


TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class TimeOfDay(Kind[time]):
    """A wall-clock time to the minute; stored as "HH:MM"."""

    def check(self, value: Any) -> time:
        if not isinstance(value, time) or value.tzinfo is not None:
            raise ValueError(f"must be a local time of day, not {value!r}")
        if value.second or value.microsecond:
            raise ValueError("must be a whole minute")
        return value

    def to_json(self, value: time) -> Any:
        return f"{value.hour:02d}:{value.minute:02d}"

    def from_json(self, raw: Any) -> time:
        match = TIME_PATTERN.match(raw) if isinstance(raw, str) else None
        if match is None:
            raise ValueError(f"must be a time as HH:MM (00:00 to 23:59), not {raw!r}")
        return time(int(match[1]), int(match[2]))


@dataclass(frozen=True)
class IntChoices(Kind[tuple[int, ...]]):
    """A few distinct whole numbers in a range, kept in ascending order."""

    minimum: int
    maximum: int
    min_count: int
    max_count: int
    unit: str = ""

    def check(self, value: Any) -> tuple[int, ...]:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"must be a list of numbers, not {value!r}")
        numbers = list(value)
        if any(isinstance(n, bool) or not isinstance(n, int) for n in numbers):
            raise ValueError(f"must hold whole numbers only, not {numbers!r}")
        if not self.min_count <= len(numbers) <= self.max_count:
            raise ValueError(f"needs {self.min_count} to {self.max_count} values")
        if len(set(numbers)) != len(numbers):
            raise ValueError("has the same value twice")
        unit = f" {self.unit}" if self.unit else ""
        for n in numbers:
            if not self.minimum <= n <= self.maximum:
                raise ValueError(f"{n} is not between {self.minimum} and {self.maximum}{unit}")
        return tuple(sorted(numbers))

    def to_json(self, value: tuple[int, ...]) -> Any:
        return list(value)


@dataclass(frozen=True)
class OptionalFolder(Kind["Path | None"]):
    """An absolute folder path, or None for the platform's default."""

    def check(self, value: Any) -> Path | None:
        if value is None:
            return None
        if not isinstance(value, Path):
            raise TypeError(f"must be a folder path, not {value!r}")
        if not value.is_absolute():
            raise ValueError(f"must be an absolute path, not {str(value)!r}")
        return value

    def to_json(self, value: Path | None) -> Any:
        return None if value is None else str(value)

    def from_json(self, raw: Any) -> Path | None:
        if raw is None:
            return None
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"must be a folder path or null, not {raw!r}")
        return self.check(Path(raw))


SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class Slug(Kind["str | None"]):
    """An id such as a benchmark profile or preset name; None allowed when `optional`."""

    optional: bool = False

    def check(self, value: Any) -> str | None:
        if value is None and self.optional:
            return None
        if not isinstance(value, str) or not SLUG_PATTERN.match(value):
            raise ValueError(f"must be an id of lower-case letters, digits and -, not {value!r}")
        return value


@dataclass(frozen=True)
class Text(Kind[str]):
    """One line of free text, trimmed; empty allowed, at most `max_chars` characters."""

    max_chars: int = 80

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"must be text, not {value!r}")
        text = value.strip()
        if any(ch in text for ch in "\r\n\t") or not text.isprintable():
            raise ValueError("must be one line of text without control characters")
        if len(text) > self.max_chars:
            raise ValueError(f"is {len(text)} characters long; at most {self.max_chars} fit")
        return text


# Modifiers in the order a shortcut is written; Super is the Windows/logo key (Command on a Mac).
SHORTCUT_MODIFIERS = ("Ctrl", "Alt", "Shift", "Super")
SHORTCUT_MODIFIER_ALIASES = {
    "ctrl": "Ctrl", "control": "Ctrl", "alt": "Alt", "shift": "Shift",
    "super": "Super", "meta": "Super", "win": "Super", "logo": "Super", "mod4": "Super",
}  # fmt: skip
# Keys a global shortcut may end in: ones every keyboard layout has in the same place.
SHORTCUT_KEYS = (
    *(chr(c) for c in range(ord("A"), ord("Z") + 1)),
    *(str(d) for d in range(10)),
    *(f"F{n}" for n in range(1, 13)),
    "Space",
)


@dataclass(frozen=True)
class KeyCombo:
    """A global shortcut: modifiers (in `SHORTCUT_MODIFIERS` order) and one key."""

    modifiers: tuple[str, ...]
    key: str

    def __str__(self) -> str:
        return "+".join((*self.modifiers, self.key))


def parse_key_combo(text: str) -> KeyCombo:
    """ "Ctrl+Alt+Space" (any case, Meta/Win for Super) as a KeyCombo; ValueError says why not."""
    parts = [p.strip() for p in text.split("+")]
    if not text.strip() or any(not p for p in parts):
        raise ValueError(f"{text!r} is not a shortcut such as Ctrl+Alt+Space")
    *mods, key = parts
    modifiers: set[str] = set()
    for name in mods:
        canonical = SHORTCUT_MODIFIER_ALIASES.get(name.lower())
        if canonical is None:
            raise ValueError(f"{name!r} is not a modifier; use {', '.join(SHORTCUT_MODIFIERS)}")
        modifiers.add(canonical)
    key = next((k for k in SHORTCUT_KEYS if k.lower() == key.lower()), key)
    if key not in SHORTCUT_KEYS:
        raise ValueError(
            f"{key!r} can't end a global shortcut; use a letter, digit, F1-F12 or Space"
        )
    # A letter with Shift alone or nothing would swallow ordinary typing in every program.
    if not modifiers & {"Ctrl", "Alt", "Super"} and not key.startswith("F"):
        raise ValueError(f"{text} needs Ctrl, Alt or Super, or it takes keys you type")
    return KeyCombo(tuple(m for m in SHORTCUT_MODIFIERS if m in modifiers), key)


class Shortcut(Kind[str]):
    """A global shortcut written as "Ctrl+Alt+Space" (normalised), or "" for none."""

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"must be text, not {value!r}")
        return str(parse_key_combo(value)) if value.strip() else ""


# Specs ---------------------------------------------------------------------------------------

GROUP_PROMPTS = "Prompts"
GROUP_HOURS = "Working hours"
GROUP_AWAY = "Away and snooze"
GROUP_GENERAL = "General"
GROUP_ORDER = (GROUP_PROMPTS, GROUP_HOURS, GROUP_AWAY, GROUP_GENERAL)


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its key, kind, default and how the dialog presents it.

    `validator` is an extra rule beyond the kind's (None or a message). `applies_when`
    names another setting and the values for which this one matters, so the dialog can
    grey it out otherwise. Settings with `shown=False` are kept but not in the dialog.
    """

    key: str
    kind: Kind[Any]
    default: Any
    label: str
    group: str
    help: str
    validator: Callable[[Any], str | None] | None = None
    applies_when: tuple[str, frozenset[str]] | None = None
    shown: bool = True

    def validate(self, value: Any) -> Any:
        """The checked (normalised) value, or SettingsError naming this setting."""
        try:
            checked = self.kind.check(value)
        except (TypeError, ValueError) as exc:
            raise SettingsError(self.key, f"{self.label}: {exc}.") from None
        problem = self.validator(checked) if self.validator else None
        if problem:
            raise SettingsError(self.key, f"{self.label}: {problem}.")
        return checked

    def from_json(self, raw: Any) -> Any:
        try:
            value = self.kind.from_json(raw)
        except (TypeError, ValueError) as exc:
            raise SettingsError(self.key, f"{self.label}: {exc}.") from None
        return self.validate(value)


_SPEC_KEY = "sec_desktop.setting"


def spec(
    kind: Kind[Any],
    label: str,
    group: str,
    help: str,  # noqa: A002 - the spec's own word for it
    *,
    validator: Callable[[Any], str | None] | None = None,
    applies_when: tuple[str, Iterable[str]] | None = None,
    shown: bool = True,
) -> dict[str, SettingSpec]:
    """The metadata that makes a `Settings` field a setting; key and default come from the
    field itself (`field(default=..., metadata=spec(...))`)."""
    applies = None if applies_when is None else (applies_when[0], frozenset(applies_when[1]))
    return {_SPEC_KEY: SettingSpec("", kind, None, label, group, help, validator, applies, shown)}


PROMPT_MODES = (
    ("interval", "Every few minutes"),
    ("random", "Random samples (TagTime)"),
    ("timer-only", "Only when a timer runs"),
)

# How a prompt asks; "notification*" fall back to the picker where notifications lack buttons.
PROMPT_SURFACES = (
    ("picker", "The picker window"),
    ("notification", "A notification"),
    ("notification-then-picker", "A notification, then the picker"),
)


# The weekly review's day: a weekday (0 = Monday in `REVIEW_WEEKDAYS`' order) or off.
REVIEW_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REVIEW_DAYS = (
    ("off", "Off"),
    *zip(
        REVIEW_WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    ),
)


def _no_folder_file(folder: Path | None) -> str | None:
    if folder is not None and folder.exists() and not folder.is_dir():
        return f"{str(folder)!r} is a file, not a folder"
    return None


def _some_day(days: frozenset[int]) -> str | None:
    return None if days else "pick at least one day"


@dataclass(frozen=True)
class Settings:
    """Every setting, validated on construction: an instance is always a valid set."""

    prompt_mode: str = field(
        default="interval",
        metadata=spec(
            Choice(PROMPT_MODES),
            "Prompt mode",
            GROUP_PROMPTS,
            "When to ask what you are doing: on a fixed interval, at random moments that "
            "sample your day (each answer stands for the gap before it), or only to check a "
            "running timer.",
        ),
    )
    interval_minutes: int = field(
        default=30,
        metadata=spec(
            IntRange(5, 240, "minutes"),
            "Interval",
            GROUP_PROMPTS,
            "Minutes between prompts; an answer covers the time since the previous one, at "
            "most this long. With timers only: how often to ask whether the timer is right.",
            applies_when=("prompt_mode", ("interval", "timer-only")),
        ),
    )
    random_mean_gap_minutes: int = field(
        default=45,
        metadata=spec(
            IntRange(5, 240, "minutes"),
            "Average gap",
            GROUP_PROMPTS,
            "Mean minutes between random prompts. At 45 the prompts follow TagTime's universal "
            "schedule, the same on every device.",
            applies_when=("prompt_mode", ("random",)),
        ),
    )
    random_seed: int = field(
        default=11193462,
        metadata=spec(
            IntRange(1, 2147483646),
            "Random seed",
            GROUP_PROMPTS,
            "Seed of the random schedule; TagTime's by default.",
            shown=False,
        ),
    )
    prompt_surface: str = field(
        default="picker",
        metadata=spec(
            Choice(PROMPT_SURFACES),
            "Ask with",
            GROUP_PROMPTS,
            "How a prompt asks: the picker window, or a notification with buttons for the "
            "last answer, the top two suggestions and Other\u2026 (the picker). Where the "
            "desktop's notifications have no buttons, and after an absence, the picker asks.",
        ),
    )
    notification_wait_minutes: int = field(
        default=5,
        metadata=spec(
            IntRange(1, 60, "minutes"),
            "Picker after",
            GROUP_PROMPTS,
            "Minutes an unanswered notification waits before the picker opens for it (at "
            "once when it is dismissed).",
            applies_when=("prompt_surface", ("notification-then-picker",)),
        ),
    )
    open_picker_shortcut: str = field(
        default="Ctrl+Alt+Space",
        metadata=spec(
            Shortcut(),
            "Shortcut",
            GROUP_PROMPTS,
            "Opens the prompt from any program, to log what you are doing now. Empty: none.",
        ),
    )
    work_days: frozenset[int] = field(
        default=frozenset(range(5)),
        metadata=spec(
            Weekdays(),
            "Working days",
            GROUP_HOURS,
            "Days on which prompts may come.",
            validator=_some_day,
        ),
    )
    work_start: time = field(
        default=time(9, 0),
        metadata=spec(TimeOfDay(), "Start", GROUP_HOURS, "No prompts before this time."),
    )
    work_end: time = field(
        default=time(18, 0),
        metadata=spec(
            TimeOfDay(),
            "End",
            GROUP_HOURS,
            "No prompts after this time; the last one of the day covers the time up to it.",
        ),
    )
    snooze_minutes: tuple[int, ...] = field(
        default=(5, 15, 60),
        metadata=spec(
            IntChoices(1, 480, 1, 3, "minutes"),
            "Snooze lengths",
            GROUP_AWAY,
            "One to three lengths in minutes that Snooze offers, such as 5, 15, 60.",
        ),
    )
    idle_minutes: int = field(
        default=10,
        metadata=spec(
            IntRange(1, 120, "minutes"),
            "Idle after",
            GROUP_AWAY,
            "Minutes without keyboard or mouse input that count as away. Away time is never "
            "booked as work.",
        ),
    )
    review_day: str = field(
        default="mon",
        metadata=spec(
            Choice(REVIEW_DAYS),
            "Weekly review",
            GROUP_HOURS,
            "The day a notification offers last week's review; if missed, once later that week.",
        ),
    )
    review_time: time = field(
        default=time(9, 0),
        metadata=spec(
            TimeOfDay(),
            "Review at",
            GROUP_HOURS,
            "Local time.",
            applies_when=("review_day", REVIEW_WEEKDAYS),
        ),
    )
    start_at_login: bool = field(
        default=False,
        metadata=spec(
            Flag(), "Start at login", GROUP_GENERAL, "Start SEC Desktop when you log in."
        ),
    )
    data_dir: Path | None = field(
        default=None,
        metadata=spec(
            OptionalFolder(),
            "Data folder",
            GROUP_GENERAL,
            "Where entries are kept; empty means the default folder. Entries already saved "
            "in another folder are not moved.",
            validator=_no_folder_file,
        ),
    )
    backups_kept: int = field(
        default=DEFAULT_KEEP,
        metadata=spec(
            IntRange(1, 365, "backups"),
            "Daily backups kept",
            GROUP_GENERAL,
            "How many daily backups of your data this computer keeps, in its settings folder. "
            "The newest one that reads back whole is always kept.",
        ),
    )
    user_name: str = field(
        default="",
        metadata=spec(
            Text(),
            "Your name",
            GROUP_GENERAL,
            "Printed on the one-page PDF report; kept on this computer only.",
        ),
    )
    company: str = field(
        default="",
        metadata=spec(
            Text(),
            "Company",
            GROUP_GENERAL,
            "Printed on the one-page PDF report; kept on this computer only.",
        ),
    )
    benchmark_profile: str = field(
        default="default",
        metadata=spec(
            Slug(), "Benchmark profile", GROUP_GENERAL, "Bands to compare with.", shown=False
        ),
    )
    view_period: str = field(
        default="week",
        metadata=spec(
            Choice(
                (("week", "Week"), ("month", "Month"), ("quarter", "Quarter"), ("year", "Year"))
            ),
            "Period shown",
            GROUP_GENERAL,
            "The period the dashboard and the mindmap open on; the last one picked in either.",
            shown=False,
        ),
    )
    industry_preset: str | None = field(
        default=None,
        metadata=spec(
            Slug(optional=True), "Industry preset", GROUP_GENERAL, "Extra activities.", shown=False
        ),
    )
    first_run_done: bool = field(
        default=False,
        metadata=spec(
            Flag(), "First run done", GROUP_GENERAL, "The welcome was shown.", shown=False
        ),
    )

    def __post_init__(self) -> None:
        for spec in SPECS:
            checked = spec.validate(getattr(self, spec.key))
            object.__setattr__(self, spec.key, checked)
        for key, message in cross_field_problems(self):
            raise SettingsError(key, message)

    def replace(self, **changes: Any) -> Settings:
        """A copy with `changes`, validated like any other."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return {spec.key: spec.kind.to_json(getattr(self, spec.key)) for spec in SPECS}


def _collect_specs() -> tuple[SettingSpec, ...]:
    specs = []
    for f in dataclasses.fields(Settings):
        declared = f.metadata[_SPEC_KEY]
        specs.append(dataclasses.replace(declared, key=f.name, default=f.default))
    return tuple(specs)


SPECS: tuple[SettingSpec, ...] = _collect_specs()
SPEC_BY_KEY: Mapping[str, SettingSpec] = {spec.key: spec for spec in SPECS}


def cross_field_problems(values: Any) -> list[tuple[str, str]]:
    """Rules that involve two settings, as (key at fault, message); `values` has the keys
    as attributes (a Settings, or the dialog's current values)."""
    problems = []
    if values.work_end <= values.work_start:
        problems.append(("work_end", "End: must be after the start of the working day."))
    return problems


def defaults() -> Settings:
    return Settings()


# Loading and saving ------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsProblem:
    """Something wrong with the settings file; `key` is None when the whole file is at fault."""

    key: str | None
    message: str


@dataclass(frozen=True)
class SettingsLoad:
    settings: Settings
    problems: tuple[SettingsProblem, ...] = ()
    kept_aside: Path | None = None  # where the faulty file was moved, if it was


def settings_path(config_dir: Path) -> Path:
    return config_dir / SETTINGS_FILE


def _document_problem(document: Any, name: str) -> str | None:
    """What makes a parsed settings file unusable as a whole, if anything."""
    if not isinstance(document, dict):
        return f"{name} does not hold a JSON object."
    if document.get("format") != SETTINGS_FORMAT:
        return f"{name} is not a SEC Desktop settings file (format field)."
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return f"{name} has no valid version number (version field)."
    if version > SETTINGS_VERSION:
        return (
            f"{name} was written by a newer SEC Desktop (version {version}; "
            f"this one reads up to {SETTINGS_VERSION})."
        )
    if not isinstance(document.get("settings"), dict):
        return f"{name} has no settings object (settings field)."
    return None


def _read_document(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The file's `settings` object, or None and what is wrong with the file."""
    try:
        document = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        return None, f"{path.name} is not valid JSON ({exc})."
    problem = _document_problem(document, path.name)
    if problem:
        return None, problem
    values: dict[str, Any] = document["settings"]
    return values, None


def configured_value(config_dir: Path, key: str) -> Any:
    """One saved setting, read without side effects (for the CLI, which must agree with the
    app); None when it is not set, or the file or the value can't be read."""
    try:
        values, _ = _read_document(settings_path(config_dir))
    except OSError:
        return None
    if values is None or key not in values:
        return None
    try:
        return SPEC_BY_KEY[key].from_json(values[key])
    except SettingsError:
        return None


def configured_backups_kept(config_dir: Path) -> int:
    """How many daily backups to keep, as the settings say (the default when unset)."""
    kept = configured_value(config_dir, "backups_kept")
    return kept if isinstance(kept, int) else DEFAULT_KEEP


def configured_data_dir(config_dir: Path) -> Path | None:
    """The data folder chosen in the settings, or None."""
    chosen = configured_value(config_dir, "data_dir")
    return chosen if isinstance(chosen, Path) else None


def settings_file_problems(config_dir: Path) -> list[str]:
    """What `load_settings` would find wrong with the saved file, found without moving or
    rewriting anything (for `doctor`); empty when the file is fine or absent."""
    path = settings_path(config_dir)
    try:
        values, file_problem = _read_document(path)
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [f"{path} can't be read: {exc.strerror or exc}."]
    if values is None:
        return [file_problem or f"{path.name} can't be used."]
    problems, chosen = [], {}
    for spec in SPECS:
        if spec.key in values:
            try:
                chosen[spec.key] = spec.from_json(values[spec.key])
            except SettingsError as exc:
                problems.append(str(exc))
    try:
        Settings(**chosen)
    except SettingsError as exc:
        problems.append(str(exc))
    return problems


def load_settings(config_dir: Path, *, now: datetime | None = None) -> SettingsLoad:
    """The saved settings, or the defaults; a faulty file is moved aside, never lost.

    A file that can't be read gives the defaults. A single bad value falls back to its
    default and the others are kept; the original file is moved aside as
    `settings.json.bad-<time>` and the repaired settings are saved in its place.
    """
    path = settings_path(config_dir)
    now = now or datetime.now(UTC)
    try:
        values, file_problem = _read_document(path)
    except FileNotFoundError:
        return SettingsLoad(defaults())
    except OSError as exc:
        return SettingsLoad(
            defaults(), (SettingsProblem(None, f"{path} can't be read: {exc.strerror}."),)
        )
    if values is None:
        kept = keep_aside(path, now, BAD_FILE_INFIX)
        message = f"{file_problem} It was moved to {kept.name}; the defaults are in use."
        return SettingsLoad(defaults(), (SettingsProblem(None, message),), kept)

    problems: list[SettingsProblem] = []
    chosen: dict[str, Any] = {}
    for spec in SPECS:
        if spec.key not in values:
            continue  # a setting added after the file was written: its default
        try:
            chosen[spec.key] = spec.from_json(values[spec.key])
        except SettingsError as exc:
            problems.append(SettingsProblem(spec.key, f"{exc} The default is in use."))
    try:
        settings = Settings(**chosen)
    except SettingsError as exc:
        # Two values that are fine alone but not together: both go back to their defaults.
        for key in (exc.key, *_partners(exc.key)):
            chosen.pop(key, None)
        problems.append(SettingsProblem(exc.key, f"{exc} The default is in use."))
        settings = Settings(**chosen)
    if not problems:
        return SettingsLoad(settings)
    kept = keep_aside(path, now, BAD_FILE_INFIX)
    save_settings(config_dir, settings)
    return SettingsLoad(settings, tuple(problems), kept)


def _partners(key: str) -> tuple[str, ...]:
    return {"work_end": ("work_start",), "work_start": ("work_end",)}.get(key, ())


def save_settings(config_dir: Path, settings: Settings) -> None:
    """Write the settings atomically; keys this version doesn't know are carried over."""
    path = settings_path(config_dir)
    ensure_private_dir(config_dir)
    unknown: dict[str, Any] = {}
    with contextlib.suppress(OSError):
        values, _ = _read_document(path)
        if values is not None:
            unknown = {k: v for k, v in values.items() if k not in SPEC_BY_KEY}
    document = {
        "format": SETTINGS_FORMAT,
        "version": SETTINGS_VERSION,
        "settings": {**unknown, **settings.to_json()},
    }
    atomic_write_bytes(path, orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")


def settings_from_values(values: Mapping[str, Any], base: Settings | None = None) -> Settings:
    """`base` (or the defaults) with `values` (Python values, by key) applied and checked."""
    unknown = set(values) - set(SPEC_BY_KEY)
    if unknown:
        raise SettingsError(sorted(unknown)[0], f"unknown setting {sorted(unknown)[0]!r}.")
    return (base or defaults()).replace(**values)
