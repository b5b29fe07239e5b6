"""The user's own benchmark profile: bands they edit, kept in the data folder so it travels
with the data (`<data_dir>/profiles/custom.json`, written atomically, private to the user).

A file that can't be used is reported and left where it is; the framework's own profiles keep
working without it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from sec_desktop.framework.model import Band, BenchmarkProfile, Framework, Level
from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir

CUSTOM_PROFILE_ID = "custom"
PROFILES_DIR = "profiles"
CUSTOM_PROFILE_FILE = "custom.json"
FILE_FORMAT = "sec-desktop/profile"
FILE_VERSION = 1
DEFAULT_LABEL = "Custom"
CUSTOM_SOURCE = "Your own target, set in the custom profile"
CUSTOM_SECTION = "Custom profile"
MAX_LABEL_CHARS = 80


class CustomProfileError(ValueError):
    """A custom profile that can't be used; the message names the file or field and why."""


def custom_profile_path(data_dir: Path) -> Path:
    return data_dir / PROFILES_DIR / CUSTOM_PROFILE_FILE


def _percent(value: Any, field: str) -> float:
    # bool is an int to Python, but `true` is not a percentage.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CustomProfileError(f"{field} must be a number of percent, not {value!r}")
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 100.0:
        raise CustomProfileError(f"{field} is {value!r}; it must be between 0 and 100 (%)")
    return number


def make_custom_profile(
    framework: Framework,
    bands_percent: Mapping[str, tuple[float, float]],
    *,
    label: str = DEFAULT_LABEL,
    description: str = "",
) -> BenchmarkProfile:
    """A custom profile from (low, high) percentages per domain or focus-area id, validated.

    Raises CustomProfileError naming the field: an unknown id, an activity, a value outside
    0-100, or a low above its high.
    """
    label = label.strip() or DEFAULT_LABEL
    if len(label) > MAX_LABEL_CHARS:
        raise CustomProfileError(f"label is longer than {MAX_LABEL_CHARS} characters")
    bands: dict[str, Band] = {}
    for node_id, pair in bands_percent.items():
        field = f"bands.{node_id}"
        if node_id not in framework:
            raise CustomProfileError(f"{field}: there is no domain or focus area {node_id!r}")
        if framework[node_id].level is Level.ACTIVITY:
            raise CustomProfileError(
                f"{field}: {framework[node_id].label} is an activity; bands are for domains "
                "and focus areas only"
            )
        try:
            raw_low, raw_high = pair
        except (TypeError, ValueError) as exc:
            raise CustomProfileError(f"{field} must be a pair of low and high") from exc
        low = _percent(raw_low, f"{field}.low")
        high = _percent(raw_high, f"{field}.high")
        if low > high:
            raise CustomProfileError(
                f"{field}: low ({low:g}%) is above high ({high:g}%) for {framework[node_id].label}"
            )
        bands[node_id] = Band(low / 100.0, high / 100.0, CUSTOM_SOURCE, CUSTOM_SECTION)
    return BenchmarkProfile(CUSTOM_PROFILE_ID, label, description, bands)


def _from_document(doc: Any, framework: Framework) -> BenchmarkProfile:
    if not isinstance(doc, dict):
        raise CustomProfileError("the file must hold a JSON object")
    if doc.get("format") != FILE_FORMAT:
        raise CustomProfileError(f"field format must be {FILE_FORMAT!r}, not {doc.get('format')!r}")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise CustomProfileError(f"field version must be a whole number, not {version!r}")
    if version > FILE_VERSION:
        raise CustomProfileError(
            f"a newer SEC Desktop wrote it (version {version}); update the app to use it"
        )
    label = doc.get("label", DEFAULT_LABEL)
    if not isinstance(label, str):
        raise CustomProfileError(f"field label must be text, not {label!r}")
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise CustomProfileError(f"field description must be text, not {description!r}")
    raw_bands = doc.get("bands")
    if not isinstance(raw_bands, dict):
        raise CustomProfileError("field bands must be an object of domain and focus-area ids")
    pairs: dict[str, tuple[float, float]] = {}
    for node_id, raw in raw_bands.items():
        if not isinstance(raw, dict) or not {"low", "high"} <= raw.keys():
            raise CustomProfileError(f"field bands.{node_id} must be an object with low and high")
        pairs[node_id] = (raw["low"], raw["high"])
    return make_custom_profile(framework, pairs, label=label, description=description)


def load_custom_profile(data_dir: Path, framework: Framework) -> BenchmarkProfile | None:
    """The saved custom profile, None when there is none; CustomProfileError when it is bad."""
    path = custom_profile_path(data_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CustomProfileError(f"{path} can't be read ({exc.strerror or exc})") from exc
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise CustomProfileError(f"{path} is not valid JSON ({exc})") from exc
    try:
        return _from_document(doc, framework)
    except CustomProfileError as exc:
        raise CustomProfileError(f"{path}: {exc}") from exc


def profile_document(profile: BenchmarkProfile) -> dict[str, Any]:
    """The file form: percentages like the framework file, with the format name and version."""
    return {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "label": profile.label,
        "description": profile.description,
        "bands": {
            node_id: {"low": round(band.low * 100, 4), "high": round(band.high * 100, 4)}
            for node_id, band in profile.bands.items()
        },
    }


def _free_name(path: Path) -> Path:
    """`path`, or `path-1`, `path-2`...: an earlier kept copy is never replaced."""
    candidate, suffix = path, 1
    while candidate.exists() or candidate.is_symlink():
        candidate = path.with_name(f"{path.name}-{suffix}")
        suffix += 1
    return candidate


def save_custom_profile(
    data_dir: Path, profile: BenchmarkProfile, framework: Framework | None = None
) -> Path:
    """Write the custom profile atomically (0600); validated first, so a bad one writes nothing.

    With `framework`, the band ids are checked against it too. A present file that can't be
    read as a profile is kept beside as `custom.json.unreadable` (numbered if that is taken)
    rather than overwritten.
    """
    for node_id, band in profile.bands.items():
        field = f"bands.{node_id}"
        _percent(band.low * 100, f"{field}.low")
        _percent(band.high * 100, f"{field}.high")
        if band.low > band.high:
            raise CustomProfileError(
                f"{field}: low ({band.low * 100:g}%) is above high ({band.high * 100:g}%)"
            )
    doc = profile_document(profile)
    if framework is not None:
        _from_document(doc, framework)
    path = custom_profile_path(data_dir)
    ensure_private_dir(data_dir)
    ensure_private_dir(path.parent)
    if path.exists():
        try:
            previous = orjson.loads(path.read_bytes())
            readable = isinstance(previous, dict) and previous.get("format") == FILE_FORMAT
        except (orjson.JSONDecodeError, OSError):
            readable = False
        if not readable:
            path.replace(_free_name(path.with_name(f"{CUSTOM_PROFILE_FILE}.unreadable")))
    atomic_write_bytes(path, orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    return path


def profiles_for(
    framework: Framework, data_dir: Path, problems: list[str] | None = None
) -> dict[str, BenchmarkProfile]:
    """The framework's profiles, plus "custom" when the data folder holds a usable one.

    A custom profile that can't be used is left out and its message appended to `problems`.
    """
    profiles = dict(framework.profiles)
    try:
        custom = load_custom_profile(data_dir, framework)
    except CustomProfileError as exc:
        if problems is not None:
            problems.append(f"the custom profile is not used: {exc}")
        return profiles
    if custom is not None:
        profiles[CUSTOM_PROFILE_ID] = custom
    return profiles


def opening_profile_id(profiles: Mapping[str, BenchmarkProfile], saved: str | None) -> str:
    """The profile a view opens on: the one saved in the settings (the career stage chosen at
    orientation) while it exists, else the framework's "default", else the first."""
    if saved and saved in profiles:
        return saved
    return "default" if "default" in profiles else next(iter(profiles))


__all__ = [
    "CUSTOM_PROFILE_ID",
    "CustomProfileError",
    "custom_profile_path",
    "load_custom_profile",
    "make_custom_profile",
    "opening_profile_id",
    "profile_document",
    "profiles_for",
    "save_custom_profile",
]
