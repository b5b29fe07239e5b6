"""The user's own benchmark profile: bands they edit, kept in the data folder so it travels
with the data.

It is shared records (`sec_desktop.store.shared_records`, kind "custom-profile"): `label`,
`description` and one `band/<domain or focus-area id>` each, so a band changed on one device
and another changed on a second device both survive a sync. The single file of earlier
versions (`<data_dir>/profiles/custom.json`) is read until this device migrates it into its
records; it is then kept aside, never deleted.

A file or record that can't be used is reported and left where it is; the framework's own
profiles keep working without it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from sec_desktop.framework.loader import load_framework
from sec_desktop.framework.model import Band, BenchmarkProfile, Framework, Level
from sec_desktop.store.atomic import ensure_private_dir, keep_aside
from sec_desktop.store.hlc import HybridClock, Stamp
from sec_desktop.store.shared_records import (
    DELETE,
    Merged,
    RecordsChanged,
    RecordSet,
    SharedRecords,
    SharedRecordsError,
    adopt_legacy,
    read_records,
)

CUSTOM_PROFILE_ID = "custom"
PROFILES_DIR = "profiles"
CUSTOM_PROFILE_FILE = "custom.json"
FILE_FORMAT = "sec-desktop/profile"
FILE_VERSION = 1
DEFAULT_LABEL = "Custom"
CUSTOM_SOURCE = "Your own target, set in the custom profile"
CUSTOM_SECTION = "Custom profile"
MAX_LABEL_CHARS = 80
PROFILE_KIND = "custom-profile"
LABEL_KEY, DESCRIPTION_KEY, BAND = "label", "description", "band/"
MIGRATED_FILE_INFIX = ".migrated-"


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


def _load_legacy(
    data_dir: Path, framework: Framework, source: Path | None = None
) -> BenchmarkProfile | None:
    """The single file of earlier versions (or `source`, a file of its form); None when
    absent; CustomProfileError when bad."""
    path = source or custom_profile_path(data_dir)
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


@dataclass(frozen=True)
class ProfileSnapshot:
    """The custom profile as read (None when there is none), with the winning stamp per
    record (what a save is based on), the concurrent edits each beat, and the problems."""

    profile: BenchmarkProfile | None
    stamps: Mapping[str, Stamp] = field(default_factory=dict)
    conflicts: Mapping[str, Merged] = field(default_factory=dict)
    problems: Sequence[str] = ()
    legacy: bool = False


def profile_records(profile: BenchmarkProfile) -> dict[str, Any]:
    """The profile as shared records: its label, its description and one record per band."""
    records: dict[str, Any] = {LABEL_KEY: profile.label, DESCRIPTION_KEY: profile.description}
    for node_id, band in profile.bands.items():
        records[BAND + node_id] = {
            "low": round(band.low * 100, 4),
            "high": round(band.high * 100, 4),
        }
    return records


def _profile_from_records(
    records: RecordSet, framework: Framework
) -> tuple[BenchmarkProfile | None, list[str]]:
    values = records.values()
    problems = [
        f"the custom profile's records in {path} are not used: {reason}"
        for path, reason in records.problems.items()
    ]
    if LABEL_KEY not in values:
        return None, problems
    label, description = values[LABEL_KEY], values.get(DESCRIPTION_KEY, "")
    if not isinstance(label, str):
        problems.append(f"the custom profile's label {label!r} is not text; the default is used")
        label = DEFAULT_LABEL
    if not isinstance(description, str):
        description = ""
    pairs: dict[str, tuple[float, float]] = {}
    for key, value in values.items():
        if not key.startswith(BAND):
            continue
        node_id = key[len(BAND) :]
        if not isinstance(value, dict) or not {"low", "high"} <= value.keys():
            problems.append(
                f"the custom profile's band {node_id!r} is not used: it must be an object with "
                "low and high"
            )
            continue
        try:
            make_custom_profile(framework, {node_id: (value["low"], value["high"])})
        except CustomProfileError as exc:
            problems.append(f"the custom profile's band {node_id!r} is not used: {exc}")
            continue
        pairs[node_id] = (value["low"], value["high"])
    return make_custom_profile(framework, pairs, label=label, description=description), problems


def _snapshot(records: RecordSet, data_dir: Path, framework: Framework) -> ProfileSnapshot:
    if not records.merged:
        legacy = _load_legacy(data_dir, framework)  # CustomProfileError when bad
        if legacy is not None:
            problems = [
                f"the custom profile's records in {path} are not used: {reason}"
                for path, reason in records.problems.items()
            ]
            return ProfileSnapshot(legacy, problems=problems, legacy=True)
    profile, problems = _profile_from_records(records, framework)
    return ProfileSnapshot(profile, records.stamps(), records.conflicts(), problems)


def read_custom_profile(data_dir: Path, framework: Framework) -> ProfileSnapshot:
    """Every device's custom-profile records merged; CustomProfileError when there are none
    and the old single file is bad."""
    return _snapshot(read_records(data_dir, PROFILE_KIND), data_dir, framework)


def load_custom_profile(data_dir: Path, framework: Framework) -> BenchmarkProfile | None:
    """The saved custom profile, None when there is none; CustomProfileError when it is bad.

    A band record this device can't use is left out (`read_custom_profile` names it).
    """
    return read_custom_profile(data_dir, framework).profile


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


def migrate_custom_profile(
    data_dir: Path,
    device_id: str,
    framework: Framework,
    *,
    now: datetime | None = None,
    clock: HybridClock | None = None,
    source: Path | None = None,
) -> str | None:
    """Move `profiles/custom.json` of earlier versions into this device's records.

    `source`: another file of that form to merge the same way (a sync engine's conflict copy
    of it); it is left where it is for the caller to set aside.

    Read once; each record no device has yet is written as this device's (one a device
    already wrote is newer than the file); the file is kept aside as
    `custom.json.migrated-<time>`. A file that can't be used stays (see `profiles_for`).
    Returns a sentence saying what was done, or None.
    """
    try:
        legacy = _load_legacy(data_dir, framework, source)
    except CustomProfileError:
        return None
    if legacy is None:
        return None
    records = SharedRecords(data_dir, PROFILE_KIND, device_id, clock)
    changes = adopt_legacy(records, profile_records(legacy))
    if source is not None:
        return f"{len(changes)} custom-profile record(s) from {source.name} were added."
    path = custom_profile_path(data_dir)
    kept = keep_aside(path, now or datetime.now(UTC), MIGRATED_FILE_INFIX)
    return (
        f"Your custom profile was moved from {path.name} into records every device merges; "
        f"the old file is kept as {kept.name}."
    )


class CustomProfileConflict(CustomProfileError):
    """Bands the caller changed were changed meanwhile (on another device); nothing was
    saved. `current` is what is saved now, to show before the user decides again."""

    def __init__(self, keys: Sequence[str], current: ProfileSnapshot, framework: Framework) -> None:
        names = []
        for key in keys:
            node_id = key[len(BAND) :] if key.startswith(BAND) else None
            if node_id is None:
                names.append(f"the profile's {key}")
            else:
                names.append(framework[node_id].label if node_id in framework else node_id)
        super().__init__(
            f"{', '.join(names)} changed on another device while this was open; nothing was "
            "saved, so that change is kept: look at it and set yours again if you still want it"
        )
        self.keys = list(keys)
        self.current = current


def save_custom_profile(
    data_dir: Path,
    profile: BenchmarkProfile,
    framework: Framework | None = None,
    *,
    device_id: str,
    based_on: ProfileSnapshot | None = None,
    clock: HybridClock | None = None,
    now: datetime | None = None,
) -> ProfileSnapshot:
    """Save the custom profile as this device's records; validated first, so a bad one
    writes nothing. Returns what is saved now.

    With `framework`, the band ids are checked against it too. Only records that differ from
    `based_on` (what the caller read; by default what is saved now) are written, so a band
    another device changed is kept; with `based_on`, a record changed meanwhile refuses the
    save with CustomProfileConflict. A legacy file is migrated first, or kept beside as
    `custom.json.unreadable` (numbered if that is taken) when it can't be read.
    """
    for node_id, band in profile.bands.items():
        field_name = f"bands.{node_id}"
        _percent(band.low * 100, f"{field_name}.low")
        _percent(band.high * 100, f"{field_name}.high")
        if band.low > band.high:
            raise CustomProfileError(
                f"{field_name}: low ({band.low * 100:g}%) is above high ({band.high * 100:g}%)"
            )
    doc = profile_document(profile)
    check = framework if framework is not None else load_framework()
    if framework is not None:
        _from_document(doc, framework)
    path = custom_profile_path(data_dir)
    if path.exists():
        ensure_private_dir(data_dir)
        if migrate_custom_profile(data_dir, device_id, check, now=now, clock=clock) is None:
            path.replace(_free_name(path.with_name(f"{CUSTOM_PROFILE_FILE}.unreadable")))
    records = SharedRecords(data_dir, PROFILE_KIND, device_id, clock)
    after = profile_records(profile)
    stale_check = based_on is not None and not based_on.legacy
    if based_on is not None and stale_check:
        before_profile = based_on.profile
    else:
        before_profile = _profile_from_records(records.read(), check)[0]
    before = profile_records(before_profile) if before_profile is not None else {}
    changes: dict[str, Any] = {k: v for k, v in after.items() if before.get(k) != v}
    changes.update({k: DELETE for k in before if k not in after})
    # Only the bands are guarded: a label or description another device wrote meanwhile is
    # not worth refusing a save for (the later one wins, the other stays in the records).
    expect = (
        {k: based_on.stamps.get(k) for k in changes if k.startswith(BAND)}
        if based_on and stale_check
        else None
    )
    try:
        saved = records.write(changes, expect=expect)
    except RecordsChanged as exc:
        current = _snapshot(exc.current, data_dir, check)
        raise CustomProfileConflict(exc.keys, current, check) from exc
    except SharedRecordsError as exc:
        raise CustomProfileError(f"the custom profile was not saved: {exc}") from exc
    return _snapshot(saved, data_dir, check)


def profiles_for(
    framework: Framework, data_dir: Path, problems: list[str] | None = None
) -> dict[str, BenchmarkProfile]:
    """The framework's profiles, plus "custom" when the data folder holds a usable one.

    A custom profile that can't be used is left out and its message appended to `problems`.
    """
    profiles = dict(framework.profiles)
    try:
        snapshot = read_custom_profile(data_dir, framework)
    except CustomProfileError as exc:
        if problems is not None:
            problems.append(f"the custom profile is not used: {exc}")
        return profiles
    if problems is not None:
        problems.extend(snapshot.problems)
    custom = snapshot.profile
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
    "PROFILE_KIND",
    "CustomProfileConflict",
    "CustomProfileError",
    "ProfileSnapshot",
    "custom_profile_path",
    "load_custom_profile",
    "make_custom_profile",
    "migrate_custom_profile",
    "opening_profile_id",
    "profile_document",
    "profile_records",
    "profiles_for",
    "read_custom_profile",
    "save_custom_profile",
]
