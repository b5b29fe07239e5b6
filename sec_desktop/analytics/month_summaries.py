"""Per-month summaries of the merged entries, cached, so a report reads a few small files
instead of decoding every entry of the months its trend and comparison reach.

A summary holds, for the entries whose merged version starts in one month (the month file
they are stored in): their whole seconds per activity per local day of one zone, how many
entries begin their time on each day and how many run into it from an earlier day, the ping
answers per activity per day, and each entry's span for the coverage. From these the
dashboard's allocations, trend weeks, ping estimates and coverage come out exactly as from
the entries: sums of whole seconds are exact in floating point whatever their order. Where
they can't be, the report decodes the entries as before: a month holding a time with a
fraction of a second, an entry found in two months' summaries (versions in two months whose
moves log has not arrived yet, which a scan of both merges), and unknown activity ids with
equal time (`allocate()` lists those in the order the entries meet them).

The merge reads more than the month's own files: every device's file of the month, the
moves logs, and other months' files holding versions of moved entries. A summary records
the signature of each (and the list of each month's files), and any difference means it is
computed again. The cache lives in the config folder like the id index; a cache file that
is damaged, of another format or not matching its digest is ignored and rewritten.

A coverage (a sweep over every span of the months it reaches, the longest part of a year's
report) is kept beside the summaries, keyed by all it is computed from: the summaries'
digests, the level each of their activities counts at, the working hours, the span and the
unanswered away spans. A report asking again with nothing changed reads it back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import orjson

try:
    # hashlib's own BLAKE2 module, the same digests: hashlib would load OpenSSL (2-3 ms).
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

from sec_desktop.analytics.allocation import AllocationReport, allocation_from_totals
from sec_desktop.analytics.confidence import PING_SOURCE, SampleEstimate, estimates_from_pings
from sec_desktop.analytics.coverage import Coverage, coverage_of_columns, level_of
from sec_desktop.analytics.dashboard import EntryFigures, PeriodFigures, dashboard_span
from sec_desktop.analytics.periods import Period, local_midnight
from sec_desktop.framework import BenchmarkProfile, Framework, Level
from sec_desktop.store import Entry, EntryStore, shard_month
from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir
from sec_desktop.store.entry import MAX_ENTRY_SPAN
from sec_desktop.store.storage import file_signature

CACHE_FORMAT = "sec-desktop/month-summary"
CACHE_VERSION = 1
# The weekly trend's allocations carry no bands (analytics.trends does the same).
_NO_BANDS = BenchmarkProfile("none", "No bands", "", MappingProxyType({}))

Signature = tuple[int, int, int]


class NeedsEntries(Exception):
    """The summaries can't give a figure exactly as the entries would; decode the entries."""


@dataclass
class DaySums:
    """One local day: whole seconds per activity, entries whose time begins that day
    (`starts`) or runs into it from an earlier day (`carried`), and ping answers ending in
    it, per activity."""

    seconds: dict[str, int] = field(default_factory=dict)
    starts: int = 0
    carried: int = 0
    pings: dict[str, int] = field(default_factory=dict)

    def plus(self, other: DaySums) -> DaySums:
        self.add(other)
        return self

    def add(self, other: DaySums) -> None:
        for activity, secs in other.seconds.items():
            self.seconds[activity] = self.seconds.get(activity, 0) + secs
        for activity, count in other.pings.items():
            self.pings[activity] = self.pings.get(activity, 0) + count
        self.starts += other.starts
        self.carried += other.carried


@dataclass
class MonthSummary:
    """The entries stored in `month`, summarised for local days in `zone` (module docstring).

    `exact` is False when an entry holds a fraction of a second; the other figures are then
    empty. `id_hashes` let a report see an entry counted in two months (versions in two months
    without a moves log saying so), which only the entries can settle."""

    month: str
    zone: str
    exact: bool
    days: dict[int, DaySums]
    # Each entry's span for the coverage, flat: POSIX start, POSIX end and an index into
    # `span_activities`, decoded only for the months a coverage reaches.
    span_data: Sequence[int]
    span_activities: Sequence[str]
    id_hashes: list[int]
    # The digest of the cache file holding this summary ("" when not kept): it stands for the
    # spans in the key of a kept coverage.
    digest: str = ""

    def span_columns(self) -> tuple[Iterator[float], Iterator[float], Iterator[str]]:
        """The spans as columns: POSIX starts, POSIX ends, activity ids."""
        data, names = self.span_data, self.span_activities
        return map(float, data[0::3]), map(float, data[1::3]), map(names.__getitem__, data[2::3])


def _id_hash(entry_id: str) -> int:
    return int.from_bytes(blake2b(entry_id.encode(), digest_size=8).digest(), "big")


def _ping_day(end: datetime, tz: ZoneInfo) -> date:
    """The local day d with d's start < `end` <= its end: where a ping ending at `end` rang."""
    day = end.astimezone(tz).date()
    while local_midnight(day, tz) >= end:
        day -= timedelta(days=1)
    while local_midnight(day + timedelta(days=1), tz) < end:
        day += timedelta(days=1)
    return day


def summarise(month: str, entries: Iterable[Entry], tz: ZoneInfo) -> MonthSummary:
    """The summary of the merged `entries` that are stored in `month` (by their start)."""
    own = [e for e in entries if shard_month(e.start) == month]
    id_hashes = [_id_hash(e.id) for e in own]
    live = [e for e in own if not e.is_deleted]
    if any(e.start.microsecond or e.end.microsecond for e in live):
        return MonthSummary(month, tz.key, False, {}, [], [], id_hashes)
    days: dict[int, DaySums] = {}
    midnights: dict[date, datetime] = {}

    def midnight(day: date) -> datetime:
        moment = midnights.get(day)
        if moment is None:
            moment = midnights[day] = local_midnight(day, tz)
        return moment

    for entry in live:
        # From the day before the local start date: a day never begins after it, but the
        # loop then never misses the first day, whatever the zone does at midnight.
        day = entry.start.astimezone(tz).date() - timedelta(days=1)
        begun = False
        while (lo := midnight(day)) < entry.end:
            hi = midnight(day + timedelta(days=1))
            secs = (min(entry.end, hi) - max(entry.start, lo)).total_seconds()
            if secs > 0:
                sums = days.setdefault(day.toordinal(), DaySums())
                sums.seconds[entry.activity] = sums.seconds.get(entry.activity, 0) + int(secs)
                if begun:
                    sums.carried += 1
                else:
                    sums.starts += 1
                    begun = True
            day += timedelta(days=1)
        if entry.source == PING_SOURCE:
            sums = days.setdefault(_ping_day(entry.end, tz).toordinal(), DaySums())
            sums.pings[entry.activity] = sums.pings.get(entry.activity, 0) + 1
    names: dict[str, int] = {}
    span_data = [
        x
        for e in live
        for x in (
            int(e.start.timestamp()),
            int(e.end.timestamp()),
            names.setdefault(e.activity, len(names)),
        )
    ]
    return MonthSummary(month, tz.key, True, days, span_data, list(names), id_hashes)


# The cache file: a hex digest of the body, a newline, the body (JSON).


def _encode(summary: MonthSummary, sources: Mapping[str, Any]) -> bytes:
    activities: dict[str, int] = {}

    def index(activity: str) -> int:
        return activities.setdefault(activity, len(activities))

    days = [
        [
            ordinal,
            [x for a, s in sums.seconds.items() for x in (index(a), s)],
            sums.starts,
            sums.carried,
            [x for a, n in sums.pings.items() for x in (index(a), n)],
        ]
        for ordinal, sums in summary.days.items()
    ]
    data = summary.span_data
    spans = [
        x
        for i in range(0, len(data), 3)
        for x in (data[i], data[i + 1], index(summary.span_activities[data[i + 2]]))
    ]
    body = orjson.dumps(
        {
            "format": CACHE_FORMAT,
            "version": CACHE_VERSION,
            **sources,
            "month": summary.month,
            "zone": summary.zone,
            "exact": summary.exact,
            "ids": summary.id_hashes,
            "activities": list(activities),
            "days": days,
            "spans": spans,
        }
    )
    return blake2b(body, digest_size=16).hexdigest().encode() + b"\n" + body


def _decode(
    raw: bytes, fmt: str = CACHE_FORMAT, version: int = CACHE_VERSION
) -> dict[str, Any] | None:
    """The cache file's body, or None when it is damaged or of another format."""
    digest, _, body = raw.partition(b"\n")
    if blake2b(body, digest_size=16).hexdigest().encode() != digest:
        return None
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or doc.get("format") != fmt or doc.get("version") != version:
        return None
    return doc


def _summary_from(doc: Mapping[str, Any]) -> MonthSummary:
    """Raises TypeError, ValueError, KeyError or IndexError on a body of the wrong shape."""
    names = [str(a) for a in doc["activities"]]

    def pairs(flat: Sequence[Any]) -> dict[str, int]:
        return {names[flat[i]]: int(flat[i + 1]) for i in range(0, len(flat), 2)}

    days = {
        int(ordinal): DaySums(pairs(secs), int(starts), int(carried), pairs(pings))
        for ordinal, secs, starts, carried, pings in doc["days"]
    }
    spans, ids = doc["spans"], doc["ids"]
    # The digest matched, so these lists are as written; only their kind is checked here.
    if not isinstance(spans, list) or len(spans) % 3 or not isinstance(ids, list):
        raise TypeError("spans or ids of the wrong shape")
    return MonthSummary(
        str(doc["month"]), str(doc["zone"]), bool(doc["exact"]), days, spans, names, ids
    )


class SummaryCache:
    """Month summaries of one store's data folder, kept in `folder` (None: not kept)."""

    def __init__(self, store: EntryStore, folder: Path | None) -> None:
        self._store = store
        self._folder = folder

    def _path(self, month: str, zone: str) -> Path | None:
        if self._folder is None:
            return None
        return self._folder / zone.replace("/", "~") / f"{month}.json"

    def coverage_path(self, zone: str) -> Path | None:
        """Where coverages computed from this folder's summaries in `zone` are kept."""
        return self._path("coverage", zone)

    def _relative(self, path: Path) -> str:
        return path.relative_to(self._store.data_dir).as_posix()

    def summaries(self, first_month: str, last_month: str, tz: ZoneInfo) -> list[MonthSummary]:
        """The summary of every month from `first_month` to `last_month` that has files."""
        listing = self._store.shard_files_by_month()
        # A device without a moves log has moved nothing; one that writes its first log
        # adds a key, which no summary has.
        moves = {
            self._relative(p): signature
            for p in self._store.moves_log_paths()
            if (signature := file_signature(p)) is not None
        }
        out = []
        for month in sorted(m for m in listing if first_month <= m <= last_month):
            cached = self._load(month, tz.key, listing, moves)
            out.append(cached if cached is not None else self._build(month, tz, listing, moves))
        return out

    def _load(
        self,
        month: str,
        zone: str,
        listing: Mapping[str, list[Path]],
        moves: Mapping[str, Signature],
    ) -> MonthSummary | None:
        """The cached summary, if its sources are unchanged; None when it must be built."""
        path = self._path(month, zone)
        if path is None:
            return None
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        doc = _decode(raw)
        try:
            if doc is None or not self._sources_match(doc, listing, moves):
                return None
            summary = _summary_from(doc)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return None
        if (summary.month, summary.zone) != (month, zone):
            return None
        summary.digest = raw.partition(b"\n")[0].decode("ascii")
        return summary

    def _sources_match(
        self,
        doc: Mapping[str, Any],
        listing: Mapping[str, list[Path]],
        moves: Mapping[str, Signature],
    ) -> bool:
        """Whether every file the summary was made from is as it was, and no other file has
        come into any month it read."""
        if doc["data_dir"] != str(self._store.data_dir):
            return False
        recorded_moves = {k: tuple(v) for k, v in doc["moves"].items()}
        if recorded_moves != moves:
            return False
        for source_month, files in doc["sources"].items():
            if {self._relative(p) for p in listing.get(source_month, [])} != set(files):
                return False
            for relative, signature in files.items():
                if file_signature(self._store.data_dir / relative) != tuple(signature):
                    return False
        return True

    def _build(
        self,
        month: str,
        tz: ZoneInfo,
        listing: Mapping[str, list[Path]],
        moves: Mapping[str, Signature],
    ) -> MonthSummary:
        entries, read = self._store.read_month(month)
        summary = summarise(month, entries, tz)
        path = self._path(month, tz.key)
        # A file that could not be read, or a problem with any file read (an invalid entry, a
        # moves log that can't be read), leaves nothing to keep: the next report reads the
        # month again and warns again.
        read_relative = {self._relative(file) for file in read} | set(moves)
        if (
            path is None
            or any(signature is None for signature in read.values())
            or any(problem.path.as_posix() in read_relative for problem in self._store.problems)
        ):
            return summary
        month_of = {file: m for m, files in listing.items() for file in files}
        sources: dict[str, dict[str, list[int]]] = {month: {}}
        for file, signature in read.items():
            # Grouped as the listing groups them, so that the check finds the same sets.
            source_month = month_of.get(file, file.name[:7])
            sources.setdefault(source_month, {})[self._relative(file)] = list(signature or ())
        header = {
            "data_dir": str(self._store.data_dir),
            "moves": {k: list(v) for k, v in moves.items()},
            "sources": sources,
        }
        try:
            ensure_private_dir(path.parent.parent)
            ensure_private_dir(path.parent)
            encoded = _encode(summary, header)
            atomic_write_bytes(path, encoded)
            summary.digest = encoded.partition(b"\n")[0].decode("ascii")
        except OSError:
            pass  # a cache that can't be written costs a re-read, nothing else
        return summary


# Kept coverages: a hex digest of the body, a newline, the body (JSON), as for the summaries.
COVERAGE_FORMAT = "sec-desktop/kept-coverage"
COVERAGE_VERSION = 1
COVERAGES_KEPT = 16


def _read_coverages(path: Path) -> dict[str, list[str]]:
    """The kept coverages by key; none when the file is missing, damaged or of another format."""
    try:
        doc = _decode(path.read_bytes(), COVERAGE_FORMAT, COVERAGE_VERSION)
    except OSError:
        return {}
    kept = doc.get("kept") if doc is not None else None
    return kept if isinstance(kept, dict) else {}


def _coverage_values(coverage: Coverage) -> list[str]:
    # float.hex: each float read back exactly.
    figures = (
        coverage.working_seconds,
        coverage.tracked_seconds,
        coverage.share,
        coverage.tracked_outside_working_seconds,
        *(coverage.seconds_by_level[level] for level in Level),
        coverage.unanswered_away_seconds,
    )
    return [float(x).hex() for x in figures]


def _coverage_from(values: Sequence[Any]) -> Coverage:
    """Raises TypeError or ValueError on values of the wrong shape."""
    levels = list(Level)
    if not isinstance(values, list) or len(values) != 5 + len(levels):
        raise TypeError("a kept coverage of the wrong shape")
    working, tracked, share, outside, *by_level, away = map(float.fromhex, values)
    return Coverage(
        working_seconds=working,
        tracked_seconds=tracked,
        share=share,
        tracked_outside_working_seconds=outside,
        seconds_by_level=MappingProxyType(dict(zip(levels, by_level, strict=True))),
        unanswered_away_seconds=away,
    )


def _coverage_key(
    months: Sequence[MonthSummary],
    framework: Framework,
    working_intervals: Sequence[tuple[datetime, datetime]],
    span: tuple[datetime, datetime],
    unanswered_away: Sequence[tuple[datetime, datetime]],
) -> str:
    """Everything a coverage is computed from: the months' spans (by their summaries'
    digests), the level each of their activities counts at, and the intervals."""
    names = sorted({a for s in months for a in s.span_activities})
    body = orjson.dumps(
        [
            [[s.month, s.digest] for s in months],
            [[a, level_of(a, framework).value] for a in names],
            [[lo.timestamp(), hi.timestamp()] for lo, hi in working_intervals],
            [span[0].timestamp(), span[1].timestamp()],
            [[lo.timestamp(), hi.timestamp()] for lo, hi in unanswered_away],
        ]
    )
    return blake2b(body, digest_size=16).hexdigest()


class SummaryFigures:
    """The dashboard's figures from month summaries (analytics.dashboard.PeriodFigures).

    With a `coverage_file`, a coverage is kept there by everything it is computed from, and
    a report asking the same again (the usual case: nothing changed) reads it back."""

    def __init__(
        self,
        summaries: Sequence[MonthSummary],
        framework: Framework,
        coverage_file: Path | None = None,
    ) -> None:
        self._coverage_file = coverage_file
        if not all(s.exact for s in summaries):
            raise NeedsEntries("a month holds times with fractions of a second")
        ids = [h for s in summaries for h in s.id_hashes]
        if len(set(ids)) != len(ids):
            raise NeedsEntries("an entry has versions in two months without a moves log")
        self._framework = framework
        self._days: dict[int, DaySums] = {}
        # Most days are in one month's summary only: those are used as they are, and a day
        # that two months share is copied before it is added to.
        copied: set[int] = set()
        for summary in summaries:
            for ordinal, sums in summary.days.items():
                combined = self._days.get(ordinal)
                if combined is None:
                    self._days[ordinal] = sums
                    continue
                if ordinal not in copied:
                    combined = self._days[ordinal] = DaySums().plus(combined)
                    copied.add(ordinal)
                combined.add(sums)
        self._months = {s.month: s for s in summaries}

    def _range(self, period: Period) -> list[DaySums]:
        first, last = period.first.toordinal(), period.last.toordinal()
        return [d for o in range(first, last + 1) if (d := self._days.get(o)) is not None]

    def allocate(self, period: Period, profile: BenchmarkProfile) -> AllocationReport:
        days = self._range(period)
        first = self._days.get(period.first.toordinal())
        count = first.carried if first is not None else 0
        totals: dict[str, int] = {}
        for sums in days:
            count += sums.starts
            for activity, secs in sums.seconds.items():
                totals[activity] = totals.get(activity, 0) + secs
        unknown = [secs for activity, secs in totals.items() if activity not in self._framework]
        if len(set(unknown)) != len(unknown):
            # allocate() lists unknown ids with equal time in the order the entries meet them.
            raise NeedsEntries("two unknown activities have the same time")
        return allocation_from_totals(totals, count, self._framework, period, profile)

    def weekly_reports(self, weeks: Sequence[Period]) -> list[AllocationReport]:
        return [self.allocate(week, _NO_BANDS) for week in weeks]

    def estimates(self, period: Period, profile: BenchmarkProfile) -> dict[str, SampleEstimate]:
        pings: dict[str, int] = {}
        for sums in self._range(period):
            for activity, count in sums.pings.items():
                pings[activity] = pings.get(activity, 0) + count
        return estimates_from_pings(pings, self._framework, profile)

    def coverage(
        self,
        working_intervals: Sequence[tuple[datetime, datetime]],
        span: tuple[datetime, datetime],
        unanswered_away: Sequence[tuple[datetime, datetime]],
    ) -> Coverage:
        # Only the months whose entries can reach into the span: a year's coverage then
        # sweeps one year of entries, not the two years the comparison reads.
        first, last = shard_month(span[0] - MAX_ENTRY_SPAN), shard_month(span[1])
        months = [s for m, s in self._months.items() if first <= m <= last]
        path = self._coverage_file
        if path is None or not all(s.digest for s in months):
            return self._sweep(months, working_intervals, span, unanswered_away)
        key = _coverage_key(months, self._framework, working_intervals, span, unanswered_away)
        kept = _read_coverages(path)
        with contextlib.suppress(TypeError, ValueError):
            if key in kept:
                return _coverage_from(kept[key])
        result = self._sweep(months, working_intervals, span, unanswered_away)
        kept.pop(key, None)
        kept[key] = _coverage_values(result)
        recent = dict(list(kept.items())[-COVERAGES_KEPT:])
        body = orjson.dumps(
            {"format": COVERAGE_FORMAT, "version": COVERAGE_VERSION, "kept": recent}
        )
        try:
            ensure_private_dir(path.parent.parent)
            ensure_private_dir(path.parent)
            atomic_write_bytes(
                path, blake2b(body, digest_size=16).hexdigest().encode() + b"\n" + body
            )
        except OSError:
            pass  # a coverage that can't be kept is computed again, nothing else
        return result

    def _sweep(
        self,
        months: Sequence[MonthSummary],
        working_intervals: Sequence[tuple[datetime, datetime]],
        span: tuple[datetime, datetime],
        unanswered_away: Sequence[tuple[datetime, datetime]],
    ) -> Coverage:
        columns = [s.span_columns() for s in months]
        return coverage_of_columns(
            columns, self._framework, working_intervals, span, unanswered_away
        )


def summary_figures(
    store: EntryStore,
    framework: Framework,
    span: tuple[datetime, datetime],
    tz: ZoneInfo,
    folder: Path | None,
) -> SummaryFigures:
    """Figures for everything overlapping `span` (UTC), from the months `store.entries(*span)`
    would read. Raises NeedsEntries where only the entries give the exact figures."""
    # A zone read from a file has no name to key a cache by (ZoneInfo.from_file).
    cache = SummaryCache(store, folder if getattr(tz, "key", None) else None)
    first = shard_month(span[0] - MAX_ENTRY_SPAN)
    summaries = cache.summaries(first, shard_month(span[1]), tz)
    coverage_file = cache.coverage_path(tz.key) if getattr(tz, "key", None) else None
    return SummaryFigures(summaries, framework, coverage_file)


class _FiguresOrEntries:
    """Summary figures until one of them needs the entries; from then on the entries, loaded
    once. Figures already given stand: they equal what the entries give."""

    def __init__(self, summaries: SummaryFigures | None, load: Callable[[], EntryFigures]) -> None:
        self._summaries = summaries
        self._load = load
        self._entries: EntryFigures | None = None

    def _from_entries(self) -> EntryFigures:
        self._summaries = None
        if self._entries is None:
            self._entries = self._load()
        return self._entries

    def allocate(self, period: Period, profile: BenchmarkProfile) -> AllocationReport:
        if self._summaries is not None:
            with contextlib.suppress(NeedsEntries):
                return self._summaries.allocate(period, profile)
        return self._from_entries().allocate(period, profile)

    def weekly_reports(self, weeks: Sequence[Period]) -> list[AllocationReport]:
        if self._summaries is not None:
            with contextlib.suppress(NeedsEntries):
                return self._summaries.weekly_reports(weeks)
        return self._from_entries().weekly_reports(weeks)

    def estimates(self, period: Period, profile: BenchmarkProfile) -> dict[str, SampleEstimate]:
        if self._summaries is not None:
            with contextlib.suppress(NeedsEntries):
                return self._summaries.estimates(period, profile)
        return self._from_entries().estimates(period, profile)

    def coverage(
        self,
        working_intervals: Sequence[tuple[datetime, datetime]],
        span: tuple[datetime, datetime],
        unanswered_away: Sequence[tuple[datetime, datetime]],
    ) -> Coverage:
        if self._summaries is not None:
            with contextlib.suppress(NeedsEntries):
                return self._summaries.coverage(working_intervals, span, unanswered_away)
        return self._from_entries().coverage(working_intervals, span, unanswered_away)


def period_figures(
    store: EntryStore, framework: Framework, period: Period, folder: Path | None
) -> PeriodFigures:
    """What `dashboard_from()` needs for `period`: the month summaries (kept in `folder`), or
    the entries of `dashboard_span(period)` where only they give the exact numbers."""
    span = dashboard_span(period)

    def load() -> EntryFigures:
        return EntryFigures(store.entries(*span), framework)

    try:
        return _FiguresOrEntries(summary_figures(store, framework, span, period.tz, folder), load)
    except NeedsEntries:
        return _FiguresOrEntries(None, load)


__all__ = [
    "DaySums",
    "MonthSummary",
    "NeedsEntries",
    "SummaryCache",
    "SummaryFigures",
    "period_figures",
    "summarise",
    "summary_figures",
]
