"""A realistic year (or several) of a CTO's entries, for `sec-desktop demo` and benchmarks.

The year is planned first, then each day: public holidays and vacations with nothing tracked,
quarter-end board preparation, OKR planning, hiring pushes, a security audit before the SOC 2
renewal, budget season, a conference, and incidents that come in bursts (some at night or at
weekends), with one incident-heavy stretch that crowds out Strategy. A working day is a
timeline of fixed meetings (stand-up, 1:1s on fixed days, the weekly leadership meeting...)
and short tasks in between, drawn from weights that follow the season.

The timeline is then captured the way the app would: meetings come in from the calendar, tasks
from timers, forgotten-timer stretches from interval prompts, conference days by hand, and in
about one half-day in five, picked at random, from random pings alone (TagTime-like: a Poisson
schedule with a 45-minute mean gap; each answer stands for the time since the previous ping,
meetings included). Picking ping half-days at random makes the pings a fair sample of the
year's working time. Entries never overlap, so nothing is counted twice. The same seed gives
the same entries.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sec_desktop.framework import Framework
from sec_desktop.store import Entry

DEMO_DEVICE = "demo-laptop"
DAYS_PER_YEAR = 365

PING_MEAN_GAP_MIN = 45.0
PING_HALF_DAY_SHARE = 0.22
FORGOTTEN_TIMER_SHARE = 0.12  # stretches between meetings answered at interval prompts instead
PROMPT_INTERVAL_MIN = 30
# Answers given in a hurry: tagged at the focus area or only the domain.
PING_FOCUS_AREA_SHARE, PING_DOMAIN_SHARE = 0.15, 0.05
OTHER_FOCUS_AREA_SHARE, OTHER_DOMAIN_SHARE = 0.05, 0.01
TASK_NOTE_SHARE = 0.15
EVENING_CATCH_UP_SHARE = 0.35
# Segment kinds recorded by timer (or by hand) rather than from the calendar.
OFF_CALENDAR_KINDS = ("task", "incident", "evening", "catch-up")
OUT_OF_HOURS_KINDS = ("incident", "evening", "catch-up")

# Task lengths in minutes: many quick ones (a review, a reply), some blocks, a few deep ones.
TASK_LENGTHS_MIN = ((0.74, 2, 6), (0.21, 6, 18), (0.05, 18, 60))


EMERGING_TECH = "strategy.technology-planning.emerging-technology-evaluation"
ALIGNMENT = "strategy.technology-planning.business-tech-alignment"
OKR = "strategy.technology-planning.okr-management"
INNOVATION = "strategy.technology-planning.innovation-prioritization"
COMPETITIVE = "strategy.market-positioning.competitive-differentiation"
EXIT_PREP = "strategy.market-positioning.strategic-exit-preparation"
DATA_LICENSING = "strategy.partnership-strategy.data-licensing-negotiation"
COMMUNITY = "strategy.partnership-strategy.community-partnerships"
ALLIANCES = "strategy.partnership-strategy.strategic-alliances"
CEO = "strategy.stakeholder-management.ceo-advisory"
BOARD = "strategy.stakeholder-management.board-communications"
INVESTORS = "strategy.stakeholder-management.investor-relations"
DATA_SOURCES = "execution.data-and-infrastructure.data-source-diversification"
INTEGRATION = "execution.data-and-infrastructure.multi-platform-integration"
SCALABILITY = "execution.data-and-infrastructure.infrastructure-scalability"
RISK = "execution.security-and-compliance.risk-assessment"
COMPLIANCE = "execution.security-and-compliance.regulatory-compliance"
INCIDENT = "execution.security-and-compliance.incident-response"
SECURITY_TOOLS = "execution.security-and-compliance.security-tooling"
GOVERNANCE = "execution.security-and-compliance.data-governance"
ROADMAP = "execution.product-and-engineering-delivery.product-roadmap-execution"
PROJECTS = "execution.product-and-engineering-delivery.project-management"
CI_CD = "execution.product-and-engineering-delivery.ci-cd-management"
TECH_DEBT = "execution.product-and-engineering-delivery.technical-debt-reduction"
QUALITY = "execution.product-and-engineering-delivery.quality-assurance"
REVENUE = "execution.business-operations.revenue-optimization"
CUSTOMERS = "execution.business-operations.customer-success-metrics"
TEAM_SCALING = "execution.business-operations.team-scaling"
HIRING = "culture.team-development.talent-acquisition"
MENTORING = "culture.team-development.technical-mentorship"
PERFORMANCE = "culture.team-development.performance-management"
TRAINING = "culture.team-development.team-training-programs"
RITUALS = "culture.team-development.team-rituals-and-practices"
SKILLS = "culture.personal-development.skill-development"
PEERS = "culture.personal-development.cto-peer-engagement"
EDUCATION = "culture.personal-development.executive-education"

# Weights of the tasks between meetings in an ordinary week.
BASE_WEIGHTS: Mapping[str, float] = {
    EMERGING_TECH: 3.0,
    ALIGNMENT: 3.5,
    OKR: 1.5,
    INNOVATION: 2.0,
    COMPETITIVE: 1.5,
    EXIT_PREP: 0.15,
    DATA_LICENSING: 0.5,
    COMMUNITY: 0.5,
    ALLIANCES: 1.0,
    CEO: 1.5,
    BOARD: 0.8,
    INVESTORS: 0.6,
    DATA_SOURCES: 1.0,
    INTEGRATION: 2.0,
    SCALABILITY: 3.5,
    RISK: 2.5,
    COMPLIANCE: 1.8,
    INCIDENT: 1.0,
    SECURITY_TOOLS: 2.5,
    GOVERNANCE: 1.5,
    ROADMAP: 4.5,
    PROJECTS: 4.5,
    CI_CD: 2.0,
    TECH_DEBT: 2.5,
    QUALITY: 1.5,
    REVENUE: 0.8,
    CUSTOMERS: 1.5,
    TEAM_SCALING: 1.2,
    HIRING: 1.5,
    MENTORING: 2.5,
    PERFORMANCE: 1.2,
    TRAINING: 0.8,
    RITUALS: 0.8,
    SKILLS: 2.4,
    PEERS: 0.7,
    EDUCATION: 0.5,
}

STRATEGY_IDS = tuple(k for k in BASE_WEIGHTS if k.startswith("strategy."))

# How each season reweights the tasks (multipliers; unlisted activities keep their weight).
SEASON_WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "hiring": {HIRING: 4.0, TEAM_SCALING: 2.5, PERFORMANCE: 0.7},
    "board-prep": {BOARD: 9.0, INVESTORS: 2.5, CEO: 1.8, REVENUE: 1.5},
    "okr": {OKR: 6.0, ALIGNMENT: 1.8, INNOVATION: 1.5},
    "budget": {REVENUE: 4.0, TEAM_SCALING: 3.0, ALIGNMENT: 1.5},
    "audit": {COMPLIANCE: 6.0, RISK: 3.0, GOVERNANCE: 3.0, SECURITY_TOOLS: 1.5},
    "reviews": {PERFORMANCE: 5.0, MENTORING: 1.5},
    "incident-aftermath": {INCIDENT: 3.0, TECH_DEBT: 2.0, SCALABILITY: 2.0, QUALITY: 1.5},
    # A bad quarter: firefighting crowds out strategy and the team's growth.
    "incident-heavy": {
        **dict.fromkeys(STRATEGY_IDS, 0.4),
        INCIDENT: 2.0,
        SCALABILITY: 1.8,
        TECH_DEBT: 1.6,
        SKILLS: 0.5,
        MENTORING: 0.7,
    },
}

TASK_NOTES: Mapping[str, tuple[str, ...]] = {
    EMERGING_TECH: ("Read up on vector databases", "Evaluated an LLM gateway"),
    ALIGNMENT: ("Mapped Q-goals to platform work", "Prep for leadership meeting"),
    OKR: ("Drafted engineering OKRs", "OKR check-in scores"),
    SCALABILITY: ("Capacity plan for the database", "Reviewed autoscaling limits"),
    SECURITY_TOOLS: ("SIEM alert tuning", "Reviewed dependency scanner findings"),
    ROADMAP: ("Roadmap trade-offs with product", "Release scope for next sprint"),
    PROJECTS: ("Checked delivery dashboards", "Unblocked the payments migration"),
    TECH_DEBT: ("Reviewed the billing rewrite", "Deprecation plan for the old API"),
    HIRING: ("Screened CVs", "Wrote the staff engineer job ad"),
    MENTORING: ("Pairing on the event pipeline", "Design review feedback"),
    BOARD: ("Board deck: delivery metrics", "Board deck: security posture"),
    SKILLS: ("Course: engineering strategy", "Read 'An Elegant Puzzle'"),
}

INCIDENT_TITLES = (
    "payments API returning 5xx",
    "login outage after a certificate expired",
    "database failover",
    "suspicious access to the admin panel",
    "queue backlog delaying notifications",
    "data export job leaking memory",
    "CDN misconfiguration",
    "third-party SSO provider down",
)
DIRECT_REPORTS = ("Alex", "Priya", "Sam", "Jordan")


# A meeting in local minutes of its day: start, end, activity, title, labels.
Meeting = tuple[int, int, str, str, tuple[str, ...]]


@dataclass(frozen=True)
class Segment:
    """A stretch of the true timeline: what was done, and how it gets recorded."""

    start: datetime  # UTC
    end: datetime  # UTC
    activity: str
    kind: str  # meeting, task, incident, conference, evening, catch-up, lunch
    note: str | None = None
    labels: tuple[str, ...] = ()


@dataclass
class _Season:
    """The date ranges of one year's seasons and the days off."""

    days_off: set[date] = field(default_factory=set)
    # Away on vacation: incidents are someone else's to handle.
    vacation: set[date] = field(default_factory=set)
    ranges: dict[str, list[tuple[date, date]]] = field(default_factory=dict)
    board_days: set[date] = field(default_factory=set)
    conference_days: set[date] = field(default_factory=set)
    incident_days: dict[date, list[tuple[int, int, str]]] = field(default_factory=dict)

    def add(self, name: str, first: date, last: date) -> None:
        self.ranges.setdefault(name, []).append((first, last))

    def active(self, day: date) -> list[str]:
        return [name for name, spans in self.ranges.items() if any(a <= day <= b for a, b in spans)]


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous algorithm), for Good Friday and Easter Monday."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def public_holidays(year: int) -> set[date]:
    easter = easter_sunday(year)
    return {
        date(year, 1, 1),
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        date(year, 5, 1),
        date(year, 12, 24),
        date(year, 12, 25),
        date(year, 12, 26),
        date(year, 12, 31),
    }


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _quarter_end(day: date) -> date:
    month = 3 * ((day.month - 1) // 3) + 3
    next_first = date(day.year + (month == 12), month % 12 + 1, 1)
    return next_first - timedelta(days=1)


class DemoGenerator:
    """Builds the timeline and captures it as entries; one instance per call, seeded."""

    def __init__(
        self, framework: Framework, tz: ZoneInfo, seed: int, device: str = DEMO_DEVICE
    ) -> None:
        missing = [a for a in BASE_WEIGHTS if a not in framework]
        if missing:
            raise ValueError(f"the framework lacks the demo's activities: {', '.join(missing)}")
        self.framework = framework
        self.tz = tz
        self.device = device
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.entries: list[Entry] = []

    # Time helpers -----------------------------------------------------------------------

    def at(self, day: date, minute: float) -> datetime:
        """UTC instant of a local wall-clock minute of `day` (whole minutes)."""
        local = datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(minutes=int(minute))
        return local.astimezone(UTC)

    def uniform_min(self, low: float, high: float, grid: int = 5) -> int:
        return int(self.rng.uniform(low, high) // grid * grid)

    # The year plan ----------------------------------------------------------------------

    def plan(self, first: date, last: date, heavy: tuple[date, date]) -> _Season:
        rng = self.rng
        season = _Season()
        years = range(first.year, last.year + 1)
        for year in years:
            season.days_off |= public_holidays(year)
            summer = _monday(date(year, 7, 15) + timedelta(days=rng.randrange(0, 26)))
            season.vacation |= {summer - timedelta(days=2) + timedelta(days=i) for i in range(16)}
            season.vacation |= {date(year, 12, 24) + timedelta(days=i) for i in range(9)}
            season.days_off |= season.vacation
            for _ in range(4):  # long weekends
                day = date(year, 1, 1) + timedelta(days=rng.randrange(0, 360))
                season.days_off.add(day - timedelta(days=day.weekday()) + timedelta(days=4))
            for month in (3, 6, 9, 12):
                q_end = _quarter_end(date(year, month, 1))
                board = q_end - timedelta(days=7)
                board -= timedelta(days=(board.weekday() - 3) % 7)  # a Thursday
                season.board_days.add(board)
                season.add("board-prep", board - timedelta(days=20), board)
                q_start = q_end + timedelta(days=1)
                season.add("okr", q_end - timedelta(days=6), q_start + timedelta(days=10))
            season.add("budget", date(year, 10, 1), date(year, 11, 20))
            renewal = date(year, 6, 15)
            season.add("audit", renewal - timedelta(days=35), renewal)
            season.add("reviews", date(year, 1, 12), date(year, 1, 30))
            season.add("reviews", date(year, 7, 1), date(year, 7, 12))
            for _ in range(2):
                start = _monday(date(year, 1, 15) + timedelta(days=rng.randrange(0, 300)))
                season.add("hiring", start, start + timedelta(weeks=rng.randint(4, 7)))
            conference = _monday(date(year, 9, 8) + timedelta(days=rng.randrange(0, 35)))
            season.conference_days |= {conference + timedelta(days=i) for i in (1, 2, 3)}
        season.add("incident-heavy", *heavy)
        self.plan_incidents(season, first, last)
        return season

    def plan_incidents(self, season: _Season, first: date, last: date) -> None:
        """Incident bursts: a few a quarter, many in the heavy stretch; some out of hours."""
        rng = self.rng
        day = first
        while day <= last:
            heavy = "incident-heavy" in season.active(day)
            if rng.random() < (0.12 if heavy else 0.02) and day not in season.vacation:
                title = rng.choice(INCIDENT_TITLES)
                roll = rng.random()
                if roll < 0.6 and day.weekday() < 5:
                    start_min, length = self.uniform_min(9 * 60, 15 * 60), rng.randint(120, 300)
                elif roll < 0.85:
                    start_min, length = self.uniform_min(19 * 60, 21 * 60), rng.randint(60, 170)
                else:
                    start_min, length = self.uniform_min(60, 4 * 60), rng.randint(60, 180)
                season.incident_days.setdefault(day, []).append((start_min, length, title))
                # Follow-up on the next working days: mitigation, then the postmortem.
                follow = day
                for step in range(rng.randint(1, 3)):
                    follow += timedelta(days=1)
                    while follow.weekday() >= 5:
                        follow += timedelta(days=1)
                    length = rng.randint(60, 150) if step == 0 else rng.randint(45, 90)
                    if follow in season.vacation:
                        continue
                    season.incident_days.setdefault(follow, []).append(
                        (self.uniform_min(9 * 60 + 30, 14 * 60), length, f"follow-up: {title}")
                    )
                season.add("incident-aftermath", day, follow + timedelta(days=10))
            day += timedelta(days=1)

    # One day's timeline -----------------------------------------------------------------

    def fixed_meetings(self, day: date, season: _Season, active: list[str]) -> list[Segment]:
        """The calendar of a working day, in priority order (earlier ones win a clash)."""
        rng = self.rng
        out: list[Meeting] = []
        if day in season.board_days:
            out.append((13 * 60, 16 * 60, BOARD, "Board meeting", ("board",)))
        out.append((9 * 60 + 30, 9 * 60 + 45, PROJECTS, "Engineering stand-up", ()))
        out += self.weekly_meetings(day)
        out += self.season_meetings(day, active)
        if rng.random() < 0.25:
            start = self.uniform_min(10 * 60, 16 * 60, 30)
            activity = rng.choice((CUSTOMERS, ALLIANCES, DATA_LICENSING, COMPETITIVE, INTEGRATION))
            out.append((start, start + rng.choice((30, 45, 60)), activity, "External call", ()))
        return [
            Segment(self.at(day, s), self.at(day, e), act, "meeting", title, labels)
            for s, e, act, title, labels in out
        ]

    def weekly_meetings(self, day: date) -> list[Meeting]:
        """The recurring week: leadership and the CEO on Monday, 1:1s Tuesday and Thursday..."""
        wd = day.weekday()
        even_week = day.isocalendar().week % 2 == 0
        first_week = day.day <= 7
        out: list[Meeting] = []
        if wd == 0:
            out.append((10 * 60, 11 * 60, ALIGNMENT, "Leadership team meeting", ()))
            out.append((16 * 60, 16 * 60 + 45, CEO, "1:1 with the CEO", ("1:1",)))
            if even_week:
                out.append((14 * 60, 15 * 60, ROADMAP, "Roadmap review with product", ()))
        if wd in (1, 3):
            pair = DIRECT_REPORTS[:2] if wd == 1 else DIRECT_REPORTS[2:]
            for slot, name in zip((11 * 60, 14 * 60), pair, strict=True):
                activity = self.rng.choice((PERFORMANCE, MENTORING, MENTORING))
                out.append((slot, slot + 30, activity, f"1:1 with {name}", ("1:1",)))
        if wd == 2:
            out.append((14 * 60, 15 * 60, SCALABILITY, "Architecture review", ()))
            if first_week:
                out.append((12 * 60, 13 * 60 + 30, PEERS, "CTO peer group lunch", ()))
        if wd == 3 and not even_week:
            out.append((13 * 60 + 30, 14 * 60 + 15, RISK, "Security sync", ("security",)))
        if wd == 3 and first_week:
            out.append((16 * 60, 17 * 60, RITUALS, "All-hands", ()))
        if wd == 4 and even_week:
            out.append((15 * 60, 16 * 60, RITUALS, "Sprint demo and retro", ()))
        if wd == 4 and first_week:
            out.append((11 * 60, 11 * 60 + 30, INVESTORS, "Investor update call", ()))
        return out

    def season_meetings(self, day: date, active: list[str]) -> list[Meeting]:
        """Meetings only some weeks have: interviews, board deck reviews, auditors..."""
        rng = self.rng
        wd = day.weekday()
        out: list[Meeting] = []
        if "hiring" in active:
            for _ in range(rng.choice((1, 1, 2))):
                start = self.uniform_min(10 * 60, 16 * 60, 30)
                out.append((start, start + 60, HIRING, "Interview", ("hiring",)))
            if wd == 4:
                out.append((16 * 60, 16 * 60 + 30, HIRING, "Candidate debrief", ("hiring",)))
        if "board-prep" in active and wd in (1, 3):
            review = "Board deck review with CEO"
            out.append((15 * 60 + 30, 16 * 60 + 30, BOARD, review, ("board",)))
        if "okr" in active and wd == 2:
            out.append((10 * 60, 11 * 60 + 30, OKR, "OKR workshop", ("okr",)))
        if "budget" in active and wd == 1:
            out.append((15 * 60, 16 * 60, TEAM_SCALING, "Budget with the CFO", ("budget",)))
        if "audit" in active and wd in (1, 2, 3) and rng.random() < 0.6:
            start = self.uniform_min(10 * 60, 15 * 60, 30)
            length = rng.choice((60, 90, 120))
            out.append((start, start + length, COMPLIANCE, "SOC 2 auditor session", ("audit",)))
        return out

    def weights(self, active: Iterable[str]) -> tuple[list[str], list[float]]:
        weights = dict(BASE_WEIGHTS)
        for name in active:
            for activity, factor in SEASON_WEIGHTS.get(name, {}).items():
                weights[activity] *= factor
        return list(weights), list(weights.values())

    def task_length(self) -> int:
        roll = self.rng.random()
        for share, low, high in TASK_LENGTHS_MIN:
            if roll < share:
                return self.rng.randint(low, high)
            roll -= share
        return TASK_LENGTHS_MIN[-1][2]

    def fill(
        self, start: datetime, end: datetime, ids: list[str], weights: list[float]
    ) -> list[Segment]:
        """Tasks from `start` to `end`; a task of the same activity as the last extends it."""
        out: list[Segment] = []
        moment = start
        while moment < end:
            finish = min(end, moment + timedelta(minutes=self.task_length()))
            activity = self.rng.choices(ids, weights)[0]
            if out and out[-1].activity == activity:
                out[-1] = Segment(out[-1].start, finish, activity, "task")
            else:
                out.append(Segment(moment, finish, activity, "task"))
            moment = finish
        return out

    def incident_segments(self, day: date, plans: list[tuple[int, int, str]]) -> list[Segment]:
        """The day's incident work from its plans: (start minute, length, title)."""
        out = []
        for start_min, length, title in plans:
            start = self.at(day, start_min)
            end = start + timedelta(minutes=length)
            # Work in the evening stops at midnight; the rest is the next day's follow-up.
            end = min(end, self.at(day + timedelta(days=1), 0)) if start_min >= 12 * 60 else end
            if end > start:
                follow_up = title.startswith("follow-up")
                note = title[0].upper() + title[1:] if follow_up else f"Incident: {title}"
                out.append(Segment(start, end, INCIDENT, "incident", note, ("incident",)))
        return out

    def working_day(
        self, day: date, season: _Season
    ) -> tuple[list[Segment], datetime, datetime, datetime]:
        """The day's segments, its first and last minute of work, and when lunch begins."""
        rng = self.rng
        active = season.active(day)
        begin_min = self.uniform_min(8 * 60 + 15, 9 * 60 + 5)
        finish_min = (
            self.uniform_min(16 * 60 + 15, 17 * 60 + 30)
            if day.weekday() == 4
            else self.uniform_min(17 * 60 + 45, 19 * 60 + 5)
        )
        begin, finish = self.at(day, begin_min), self.at(day, finish_min)
        lunch_start = self.uniform_min(11 * 60 + 50, 12 * 60 + 40)
        lunch = (self.at(day, lunch_start), self.at(day, lunch_start + rng.choice((30, 45, 60))))
        placed: list[Segment] = []
        evening: list[Segment] = []
        for seg in self.incident_segments(day, season.incident_days.get(day, [])):
            if seg.start >= finish or seg.end <= begin:
                evening.append(seg)
            else:
                placed.append(
                    Segment(
                        max(seg.start, begin), seg.end, seg.activity, seg.kind, seg.note, seg.labels
                    )
                )
                finish = max(finish, seg.end)
        for meeting in self.fixed_meetings(day, season, active):
            clash = any(m.start < meeting.end and meeting.start < m.end for m in placed)
            if not clash and begin <= meeting.start and meeting.end <= finish:
                placed.append(meeting)
        if not any(m.start < lunch[1] and lunch[0] < m.end for m in placed):
            placed.append(Segment(lunch[0], lunch[1], "", "lunch"))
        placed.sort(key=lambda s: s.start)
        ids, weights = self.weights(active)
        timeline: list[Segment] = []
        cursor = begin
        for seg in placed:
            if seg.start > cursor:
                timeline.extend(self.fill(cursor, seg.start, ids, weights))
            timeline.append(seg)
            cursor = max(cursor, seg.end)
        if cursor < finish:
            timeline.extend(self.fill(cursor, finish, ids, weights))
        return timeline + evening, begin, finish, lunch[0]

    def conference_day(self, day: date) -> list[Segment]:
        blocks = (
            (9 * 60, 12 * 60 + 30, self.rng.choice((SKILLS, EMERGING_TECH)), "Conference talks"),
            (13 * 60 + 30, 17 * 60, PEERS, "Conference: CTO track and hallway"),
            (19 * 60, 21 * 60 + 30, PEERS, "Conference dinner"),
        )
        return [
            Segment(self.at(day, s), self.at(day, e), act, "conference", note, ("conference",))
            for s, e, act, note in blocks
        ]

    def evening_learning(self, day: date) -> list[Segment]:
        if self.rng.random() >= 0.12:
            return []
        start = self.at(day, self.uniform_min(20 * 60, 21 * 60 + 30))
        length = self.rng.choice((30, 45, 60, 90))
        activity = self.rng.choice((SKILLS, SKILLS, EDUCATION, EMERGING_TECH))
        return [Segment(start, start + timedelta(minutes=length), activity, "evening")]

    def evening_catch_up(self, day: date, active: list[str]) -> list[Segment]:
        """Some evenings: an hour of reviews, replies and approvals after dinner."""
        if self.rng.random() >= EVENING_CATCH_UP_SHARE:
            return []
        start = self.at(day, self.uniform_min(20 * 60 + 30, 21 * 60 + 30))
        end = start + timedelta(minutes=self.rng.choice((30, 45, 60, 75)))
        ids, weights = self.weights(active)
        return [
            Segment(s.start, s.end, s.activity, "catch-up")
            for s in self.fill(start, end, ids, weights)
        ]

    # Capture ----------------------------------------------------------------------------

    def coarsen(self, activity: str, focus_share: float, domain_share: float) -> str:
        roll = self.rng.random()
        if roll < domain_share:
            return activity.split(".", 1)[0]
        if roll < domain_share + focus_share:
            return activity.rsplit(".", 1)[0]
        return activity

    def emit(
        self,
        seg_start: datetime,
        seg_end: datetime,
        activity: str,
        source: str,
        *,
        note: str | None = None,
        labels: tuple[str, ...] = (),
    ) -> None:
        if seg_end <= seg_start:
            return
        logged = seg_end + timedelta(seconds=self.rng.randint(5, 1800))
        self.entries.append(
            Entry(
                id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
                start=seg_start,
                end=seg_end,
                tz=self.tz.key,
                activity=activity,
                source=source,
                device=self.device,
                created=logged,
                updated=logged,
                labels=labels,
                note=note,
            )
        )

    def capture_by_timer(self, timeline: list[Segment]) -> None:
        """Meetings from the calendar; tasks by timer, or by interval prompts when forgotten."""
        rng = self.rng
        i = 0
        while i < len(timeline):
            seg = timeline[i]
            if seg.kind == "lunch":
                i += 1
                continue
            if seg.kind == "meeting":
                self.emit(
                    seg.start, seg.end, seg.activity, "calendar", note=seg.note, labels=seg.labels
                )
                i += 1
                continue
            if seg.kind == "conference":
                self.emit(
                    seg.start, seg.end, seg.activity, "manual", note=seg.note, labels=seg.labels
                )
                i += 1
                continue
            # A stretch of tasks up to the next meeting or lunch.
            j = i
            while j < len(timeline) and timeline[j].kind in OFF_CALENDAR_KINDS:
                j += 1
            stretch = timeline[i:j]
            if rng.random() < FORGOTTEN_TIMER_SHARE and all(s.kind == "task" for s in stretch):
                self.capture_by_prompts(stretch)
            else:
                for task in stretch:
                    note = task.note
                    if (
                        note is None
                        and task.activity in TASK_NOTES
                        and rng.random() < TASK_NOTE_SHARE
                    ):
                        note = rng.choice(TASK_NOTES[task.activity])
                    activity = (
                        task.activity
                        if task.kind == "incident"
                        else self.coarsen(task.activity, OTHER_FOCUS_AREA_SHARE, OTHER_DOMAIN_SHARE)
                    )
                    source = "manual" if task.kind == "evening" else "timer"
                    self.emit(task.start, task.end, activity, source, note=note, labels=task.labels)
            i = j

    def capture_by_prompts(self, stretch: list[Segment]) -> None:
        """Interval prompts every 30 minutes; each answer names what filled most of its span."""
        start, end = stretch[0].start, stretch[-1].end
        moment = start
        while moment < end:
            until = min(end, moment + timedelta(minutes=PROMPT_INTERVAL_MIN))
            spent: dict[str, float] = {}
            for seg in stretch:
                overlap = (min(seg.end, until) - max(seg.start, moment)).total_seconds()
                if overlap > 0:
                    spent[seg.activity] = spent.get(seg.activity, 0.0) + overlap
            activity = max(spent, key=lambda a: spent[a])
            self.emit(
                moment,
                until,
                self.coarsen(activity, OTHER_FOCUS_AREA_SHARE * 2, OTHER_DOMAIN_SHARE),
                "prompt",
            )
            moment = until

    def capture_by_pings(self, timeline: list[Segment], begin: datetime, finish: datetime) -> None:
        """Random pings through the working day; each answer covers the gap since the last one.

        A ping at lunch is answered "away" and records nothing; a gap never covers lunch.
        """
        lunch = next((s for s in timeline if s.kind == "lunch"), None)
        day_work = [s for s in timeline if s.kind != "lunch" and s.start < finish and s.end > begin]
        previous = begin
        moment = begin
        while True:
            moment += timedelta(minutes=self.rng.expovariate(1.0 / PING_MEAN_GAP_MIN))
            moment = moment.replace(microsecond=0)
            if moment >= finish:
                break
            doing = next((s for s in day_work if s.start <= moment < s.end), None)
            if doing is None:  # at lunch
                previous = moment
                continue
            gap_start = previous
            if lunch is not None and gap_start < lunch.end <= moment:
                gap_start = lunch.end
            activity = self.coarsen(doing.activity, PING_FOCUS_AREA_SHARE, PING_DOMAIN_SHARE)
            self.emit(gap_start, moment, activity, "ping")
            previous = moment
        # Out-of-hours work (an evening incident) is recorded by timer even on a ping day.
        for seg in timeline:
            if seg.kind in OUT_OF_HOURS_KINDS and (seg.start >= finish or seg.end <= begin):
                self.emit(
                    seg.start,
                    seg.end,
                    seg.activity,
                    "manual" if seg.kind == "evening" else "timer",
                    note=seg.note,
                    labels=seg.labels,
                )

    # The whole span ---------------------------------------------------------------------

    def generate(self, first: date, last: date, heavy: tuple[date, date]) -> list[Entry]:
        season = self.plan(first, last, heavy)
        day = first
        while day <= last:
            self.one_day(day, season)
            day += timedelta(days=1)
        self.entries.sort(key=lambda e: (e.start, e.end, e.id))
        return self.entries

    def one_day(self, day: date, season: _Season) -> None:
        incidents = season.incident_days.get(day, [])
        if day in season.conference_days:
            self.capture_by_timer(self.conference_day(day))
            return
        if day.weekday() >= 5 or day in season.days_off:
            # Days off: nothing, unless an incident pulls the CTO in.
            segs = self.incident_segments(day, incidents)
            if day.weekday() == 6 and day not in season.vacation:
                segs += self.evening_learning(day)
            self.capture_by_timer(self.without_overlaps(segs))
            return
        timeline, begin, finish, noon = self.working_day(day, season)
        extra = self.evening_learning(day) + self.evening_catch_up(day, season.active(day))
        timeline = self.without_overlaps(timeline + extra)
        # Morning and afternoon are captured apart (split where the lunch break begins), so
        # the pings sample many half-days rather than a few whole days.
        split = next((s.start for s in timeline if noon <= s.start < finish), finish)
        halves = (
            (begin, split, [s for s in timeline if s.start < split]),
            (split, finish, [s for s in timeline if s.start >= split]),
        )
        for low, high, segments in halves:
            if self.rng.random() < PING_HALF_DAY_SHARE:
                self.capture_by_pings(segments, low, high)
            else:
                self.capture_by_timer(segments)

    @staticmethod
    def without_overlaps(timeline: list[Segment]) -> list[Segment]:
        """Sorted, with any segment that starts inside an earlier one trimmed or dropped."""
        out: list[Segment] = []
        for seg in sorted(timeline, key=lambda s: (s.start, s.end)):
            kept = seg
            if out and seg.start < out[-1].end:
                if seg.end <= out[-1].end:
                    continue
                kept = Segment(out[-1].end, seg.end, seg.activity, seg.kind, seg.note, seg.labels)
            out.append(kept)
        return out


def incident_heavy_stretch(chunk_last: date) -> tuple[date, date]:
    """The demo's bad stretch in each year: eight weeks ending a fortnight before its last day,
    so the newest weeks show Strategy squeezed and then recovering."""
    end = chunk_last - timedelta(days=14)
    return end - timedelta(weeks=8), end


def generate_demo_year(
    framework: Framework,
    last_day: date,
    tz: ZoneInfo,
    seed: int,
    *,
    years: int = 1,
    device: str = DEMO_DEVICE,
    progress: Callable[[int], None] | None = None,
) -> list[Entry]:
    """`years` x 365 days of entries ending on `last_day` (local), sorted by start.

    Deterministic for a seed: the same arguments give the same entries, ids included.
    `progress`, if given, is called with each finished year's number (1-based).
    """
    if years < 1:
        raise ValueError(f"years must be at least 1 (got {years})")
    entries: list[Entry] = []
    for index in range(years):
        chunk_last = last_day - timedelta(days=DAYS_PER_YEAR * (years - 1 - index))
        chunk_first = chunk_last - timedelta(days=DAYS_PER_YEAR - 1)
        generator = DemoGenerator(framework, tz, seed * 1_000 + index, device)
        entries.extend(
            generator.generate(chunk_first, chunk_last, incident_heavy_stretch(chunk_last))
        )
        if progress is not None:
            progress(index + 1)
    return entries


__all__ = ["DEMO_DEVICE", "generate_demo_year", "incident_heavy_stretch", "public_holidays"]
