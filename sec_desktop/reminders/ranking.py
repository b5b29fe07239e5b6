"""Which activities the picker offers first: recent and frequent ones, near this time of day.

`UsageRanking` keeps the answers of the last four weeks and scores each activity by
frecency (every answer counts, newer ones more), by how often it was the answer at about
this time of day (more so on this weekday), and by how recently it was last chosen. The
scoring is a pure function of the answers and the moment asked about; no Qt here.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sec_desktop.framework.model import Framework, Level
from sec_desktop.framework.search import ActivitySearch, NoMatch
from sec_desktop.framework.vocabulary import Vocabulary, VocabularyError
from sec_desktop.store.entry import Entry
from sec_desktop.timefmt import system_zone

# Sources whose entries the user answered in person; "repeat the last answer" means one of
# these, never a calendar import that happens to end later.
log = logging.getLogger(__name__)

ANSWER_SOURCES = frozenset({"ping", "prompt", "timer", "manual"})
DEFAULT_WINDOW = timedelta(days=28)
MINUTES_PER_DAY = 24 * 60
PICKER_CHOICES = 9


@dataclass(frozen=True)
class RankingWeights:
    """How the parts of an activity's score are blended; the defaults suit a working week."""

    # An answer's weight halves every `half_life` back from the moment asked about.
    half_life: timedelta = timedelta(days=7)
    # An answer given within `time_of_day_width_min` of this time of day counts up to
    # (1 + time_of_day) times, and (1 + time_of_day * (1 + same_weekday)) on this weekday.
    time_of_day: float = 1.5
    same_weekday: float = 1.0
    time_of_day_width_min: float = 75.0
    # The k-th most recent distinct activity gets recent / k on top (shares sum to 1).
    recent: float = 0.15
    recent_count: int = 4


DEFAULT_WEIGHTS = RankingWeights()


@dataclass(frozen=True)
class Answer:
    """One answer: the activity, when its span ended (UTC) and its local time of day."""

    activity: str
    at: datetime
    minute_of_day: int
    weekday: int
    source: str = "prompt"

    @classmethod
    def of(cls, activity: str, at: datetime, tz: tzinfo, source: str = "prompt") -> Answer:
        if at.utcoffset() is None:
            raise ValueError(f"Answer time must be aware, got {at!r}")
        local = at.astimezone(tz)
        return cls(
            activity=activity,
            at=at.astimezone(UTC),
            minute_of_day=local.hour * 60 + local.minute,
            weekday=local.weekday(),
            source=source,
        )


def time_of_day_closeness(a_min: int, b_min: int, width_min: float) -> float:
    """1 at the same minute of the day, falling linearly to 0 at `width_min` apart (circular)."""
    gap = abs(a_min - b_min) % MINUTES_PER_DAY
    gap = min(gap, MINUTES_PER_DAY - gap)
    return max(0.0, 1.0 - gap / width_min)


def usage_scores(
    answers: Sequence[Answer],
    at: datetime,
    tz: tzinfo,
    weights: RankingWeights = DEFAULT_WEIGHTS,
) -> dict[str, float]:
    """Score per activity for a prompt about the moment `at`; higher means offer it first.

    Frecency and time-of-day affinity are normalised to shares of all answers' weight, so
    the recency bonus means the same with a week of answers as with a month.
    """
    if not answers:
        return {}
    local = at.astimezone(tz)
    minute, weekday = local.hour * 60 + local.minute, local.weekday()
    half_life_s = weights.half_life.total_seconds()
    raw: dict[str, float] = {}
    total = 0.0
    for answer in answers:
        age_s = abs((at - answer.at).total_seconds())
        weight = math.exp2(-age_s / half_life_s)
        closeness = time_of_day_closeness(
            minute, answer.minute_of_day, weights.time_of_day_width_min
        )
        if closeness:
            same_day = weights.same_weekday if answer.weekday == weekday else 0.0
            weight *= 1.0 + weights.time_of_day * closeness * (1.0 + same_day)
        raw[answer.activity] = raw.get(answer.activity, 0.0) + weight
        total += weight
    scores = {activity: value / total for activity, value in raw.items()}
    for rank, activity in enumerate(recent_activities(answers, weights.recent_count), start=1):
        scores[activity] += weights.recent / rank
    return scores


def recent_activities(answers: Sequence[Answer], count: int) -> list[str]:
    """The last `count` distinct activities answered, the latest first."""
    out: list[str] = []
    for answer in sorted(answers, key=lambda a: a.at, reverse=True):
        if answer.activity not in out:
            out.append(answer.activity)
            if len(out) == count:
                break
    return out


def cold_start_order(framework: Framework) -> list[str]:
    """Activities to offer before there is any history: one per focus area in turn, so the
    first nine span the whole framework rather than the first focus area."""
    per_area = [
        [a.id for a in framework.children(f.id) if not a.hidden]
        for f in framework.of_level(Level.FOCUS_AREA)
    ]
    out: list[str] = []
    for depth in range(max((len(a) for a in per_area), default=0)):
        out += [area[depth] for area in per_area if depth < len(area)]
    return out


def answers_from_entries(entries: Iterable[Entry]) -> list[Answer]:
    """The answers entries stand for; deleted ones are left out. Time of day is read in each
    entry's own zone, so a habit (the 09:30 standup) survives travel."""
    return [
        Answer.of(e.activity, e.end, ZoneInfo(e.tz), e.source) for e in entries if not e.is_deleted
    ]


class UsageRanking:
    """The answers of the last four weeks and what they say to offer first.

    Build it from the store's recent entries at start (`UsageRanking(framework, entries,
    now=now)`) and `record` the entries each answer saves, so it stays current without
    reading the store again.
    """

    def __init__(
        self,
        framework: Framework,
        entries: Iterable[Entry] = (),
        *,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        window: timedelta = DEFAULT_WINDOW,
        weights: RankingWeights = DEFAULT_WEIGHTS,
        search: ActivitySearch | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.framework = framework
        self.tz: tzinfo = tz or system_zone()
        self.window = window
        self.weights = weights
        # The search index is built at its first use (the picker's first keystroke or the app's
        # warm-up once its tray icon shows), not with the ranking.
        self._search = search
        self._vocabulary = vocabulary
        self._fallback = cold_start_order(framework)
        self._answers: list[Answer] = []
        # Scores for the last moment asked about: the picker asks on every keystroke.
        self._cached: tuple[datetime, dict[str, float]] | None = None
        self._add(answers_from_entries(entries), now)

    @property
    def search(self) -> ActivitySearch:
        if self._search is None:
            self._search = ActivitySearch(self.framework, self._vocabulary)
        return self._search

    @classmethod
    def from_answers(
        cls,
        framework: Framework,
        answers: Iterable[Answer],
        *,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        window: timedelta = DEFAULT_WINDOW,
        weights: RankingWeights = DEFAULT_WEIGHTS,
        search: ActivitySearch | None = None,
    ) -> UsageRanking:
        ranking = cls(framework, now=now, tz=tz, window=window, weights=weights, search=search)
        ranking._add(list(answers), now)
        return ranking

    def _add(self, answers: Sequence[Answer], now: datetime | None = None) -> None:
        """Take `answers` in, keep time order, and forget those older than the window."""
        self._cached = None
        if not answers:
            return
        previous = self._answers[-1].at if self._answers else answers[0].at
        in_order = True
        for answer in answers:
            in_order = in_order and answer.at >= previous
            previous = answer.at
        self._answers.extend(answers)
        if not in_order:
            self._answers.sort(key=lambda a: a.at)
        newest = max(self._answers[-1].at, now) if now else self._answers[-1].at
        since = newest - self.window
        if self._answers[0].at <= since:
            self._answers = [a for a in self._answers if a.at > since]

    @property
    def answers(self) -> tuple[Answer, ...]:
        return tuple(self._answers)

    def record(self, entries: Iterable[Entry]) -> None:
        """Count the entries an answer just saved."""
        self._add(answers_from_entries(entries))

    def record_answer(self, activity_id: str, at: datetime, source: str = "prompt") -> None:
        """Count one answer given without an entry at hand (the span it tags ended at `at`)."""
        self._add([Answer.of(activity_id, at, self.tz, source)])

    def last_answer(self) -> str | None:
        """The activity most recently answered in person (ping, prompt, timer, manual), or of
        the latest entry of any source when there is none; None without history."""
        known = [a for a in self._answers if a.activity in self.framework]
        for answer in reversed(known):
            if answer.source in ANSWER_SOURCES:
                return answer.activity
        return known[-1].activity if known else None

    def scores(self, at: datetime | None = None) -> dict[str, float]:
        """Usage score per activity id for a prompt about `at` (default: the latest answer)."""
        moment = at or (self._answers[-1].at if self._answers else datetime.now(UTC))
        if self._cached is None or self._cached[0] != moment:
            self._cached = (moment, usage_scores(self._answers, moment, self.tz, self.weights))
        return dict(self._cached[1])

    def top(
        self, n: int = PICKER_CHOICES, at: datetime | None = None, exclude: Collection[str] = ()
    ) -> list[str]:
        """The `n` activities to offer on an empty search box, best first.

        Used ones by score; then, while there is room, the cold-start order, so the list is
        always full.
        """
        scores = self.scores(at)
        used = sorted(
            (
                a
                for a in scores
                if a in self.framework and not self.framework[a].hidden and a not in exclude
            ),
            key=lambda a: -scores[a],
        )
        out = used[:n]
        for activity in self._fallback:
            if len(out) >= n:
                break
            if activity not in scores and activity not in exclude:
                out.append(activity)
        return out

    def rank(
        self,
        query: str,
        n: int = PICKER_CHOICES,
        at: datetime | None = None,
        exclude: Collection[str] = (),
    ) -> list[str]:
        """What to list for `query`: `top` when it is blank, otherwise the search matches,
        best match first and equal matches by usage. `exclude` applies to `top` only: a
        typed query always shows what it matches."""
        if not query.strip():
            return self.top(n, at, exclude)
        scores = self.scores(at)
        hits = self.search.search(query, usage=lambda i: scores.get(i, 0.0), limit=n)
        return [h.node.id for h in hits]

    def no_match(self, query: str) -> NoMatch:
        """For a query `rank` finds nothing for: the closest activities and the focus areas."""
        return self.search.no_match(query)

    def learn(self, query: str, activity_id: str) -> bool:
        """The search `query` led to `activity_id`: rank it first for that text next time
        (saved with the user's words in the data folder). A failure to save is logged, not raised:
        the answer itself is what must not be lost."""
        try:
            return self.search.vocabulary.learn(query, activity_id)
        except (VocabularyError, OSError):
            log.warning("could not remember the search %r", query, exc_info=True)
            return False

    def remember_alias(self, phrase: str, activity_id: str) -> bool:
        """Keep `phrase` as the user's alias of `activity_id` (a search that matched nothing
        was answered with it); logged, not raised, when it can't be saved."""
        try:
            self.search.vocabulary.add_alias(phrase, activity_id)
        except (VocabularyError, OSError):
            log.warning("could not save the alias %r", phrase, exc_info=True)
            return False
        return True
