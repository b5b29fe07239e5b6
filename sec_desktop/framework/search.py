"""Fuzzy search over the whole SEC hierarchy, for the picker's search box. No Qt here.

Every word of a query must match the node: a prefix of a word of its label, of a synonym, or
of an ancestor's label ("sec inc" finds Security & Compliance > Incident response); weaker
matches (acronyms, letters in order from a word start, one or two typos) still count, but
score lower. Everything that does not depend on the query is computed once per framework, so
a keystroke costs well under a millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sec_desktop.framework.model import Framework, Node

# Words a CTO types for an activity that its label does not contain. Only ids that exist in
# the framework are used, so a custom or older framework simply gets fewer synonyms.
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "strategy.technology-planning.emerging-technology-evaluation": (
        "ai",
        "llm",
        "research",
        "proof of concept",
        "poc",
        "spike",
        "tech radar",
    ),
    "strategy.technology-planning.business-tech-alignment": (
        "architecture",
        "exec offsite",
        "tech strategy",
    ),
    "strategy.technology-planning.okr-management": (
        "okrs",
        "goals",
        "objectives",
        "key results",
        "quarterly planning",
    ),
    "strategy.technology-planning.innovation-prioritization": ("hackathon", "r&d", "ideas"),
    "strategy.market-positioning.competitive-differentiation": (
        "competitors",
        "competitive analysis",
    ),
    "strategy.market-positioning.strategic-exit-preparation": ("m&a", "acquisition", "exit"),
    "strategy.partnership-strategy.data-licensing-negotiation": ("contracts", "legal"),
    "strategy.partnership-strategy.community-partnerships": (
        "open source",
        "meetup",
        "conference talk",
    ),
    "strategy.partnership-strategy.strategic-alliances": ("partners", "vendor partnership"),
    "strategy.stakeholder-management.ceo-advisory": ("exec meeting", "leadership team"),
    "strategy.stakeholder-management.board-communications": (
        "board deck",
        "board meeting",
        "board prep",
    ),
    "strategy.stakeholder-management.investor-relations": (
        "fundraising",
        "investors",
        "due diligence",
    ),
    "execution.data-and-infrastructure.data-source-diversification": ("data vendors",),
    "execution.data-and-infrastructure.multi-platform-integration": ("integrations", "api"),
    "execution.data-and-infrastructure.infrastructure-scalability": (
        "scaling",
        "capacity",
        "cloud",
        "aws",
        "kubernetes",
        "k8s",
    ),
    "execution.security-and-compliance.risk-assessment": (
        "threat model",
        "risk register",
        "pentest",
    ),
    "execution.security-and-compliance.regulatory-compliance": (
        "soc2",
        "soc 2",
        "iso 27001",
        "gdpr",
        "hipaa",
        "audit",
    ),
    "execution.security-and-compliance.incident-response": (
        "outage",
        "on-call",
        "oncall",
        "postmortem",
        "pager",
        "firefighting",
    ),
    "execution.security-and-compliance.security-tooling": ("siem", "edr", "sso", "mfa"),
    "execution.security-and-compliance.data-governance": (
        "data privacy",
        "retention",
        "access review",
    ),
    "execution.product-and-engineering-delivery.product-roadmap-execution": (
        "product review",
        "delivery",
    ),
    "execution.product-and-engineering-delivery.project-management": (
        "sprint",
        "jira",
        "status update",
    ),
    "execution.product-and-engineering-delivery.ci-cd-management": (
        "pipeline",
        "deploy",
        "release",
        "build",
    ),
    "execution.product-and-engineering-delivery.technical-debt-reduction": (
        "tech debt",
        "refactoring",
        "migration",
    ),
    "execution.product-and-engineering-delivery.quality-assurance": ("qa", "testing", "bugs"),
    "execution.business-operations.revenue-optimization": ("pricing", "sales"),
    "execution.business-operations.customer-success-metrics": (
        "customers",
        "customer call",
        "churn",
        "nps",
    ),
    "execution.business-operations.team-scaling": ("org design", "headcount", "reorg", "budget"),
    "culture.team-development.talent-acquisition": (
        "hiring",
        "recruiting",
        "interviews",
        "candidates",
    ),
    "culture.team-development.technical-mentorship": ("mentoring", "coaching", "pairing"),
    "culture.team-development.performance-management": (
        "1on1",
        "one on one",
        "reviews",
        "feedback",
    ),
    "culture.team-development.team-training-programs": (
        "onboarding",
        "lunch and learn",
        "workshop",
    ),
    "culture.team-development.team-rituals-and-practices": (
        "standup",
        "retro",
        "retrospective",
        "all-hands",
    ),
    "culture.personal-development.skill-development": ("learning", "reading", "course"),
    "culture.personal-development.cto-peer-engagement": ("peer group", "networking"),
    "culture.personal-development.executive-education": ("exec coach", "leadership course"),
}

# How well one query word matches one phrase (a label, a synonym, a description).
EXACT_WORD = 12.0
WORD_PREFIX = 10.0
JOINED_PREFIX = 9.0  # "cicd" runs over the words "ci" "cd"; "okrman" over "okr" "management"
ACRONYM = 7.0  # "tdr": Technical debt reduction
IN_ORDER = 5.0  # letters in order from a word start: "mgmt", "incdnt"
TYPO = 4.0  # one or two letters wrong, missing, extra or swapped: "incidnet"
DESCRIPTION_MATCHES = (EXACT_WORD, WORD_PREFIX)  # descriptions are prose: prefixes only

# How much a phrase's match counts, by where the phrase sits relative to the node.
OWN_LABEL = 1.0
SYNONYM = 0.8
PARENT_LABEL = 0.6
GRANDPARENT_LABEL = 0.5
OWN_DESCRIPTION = 0.3
EXACT_ID_SCORE = 100.0
WHOLE_LABEL_BONUS = 3.0  # the query is the label, word for word

# Query words seen recently keep their phrase scores (the last word changes per keystroke).
WORD_CACHE_SIZE = 256

_WORD_SPLIT = re.compile(r"[^0-9a-z]+")


def tokens(text: str) -> tuple[str, ...]:
    """Lower-case words of `text`; punctuation separates ("CI/CD" -> "ci", "cd")."""
    return tuple(t for t in _WORD_SPLIT.split(text.casefold()) if t)


def typo_limit(word: str) -> int:
    """How many edits a query word may be off by: none when short, then one, then two."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def near_prefix(word: str, token: str, limit: int) -> bool:
    """Whether `word` is at most `limit` edits (insert, delete, change, swap of neighbours)
    from the whole of `token` or from a beginning of it, since the user may still be typing.
    """
    if limit == 0 or len(token) < len(word) - limit:
        return False
    token = token[: len(word) + limit]
    # Changes and insertions bring letters the token lacks; most tokens fail here, cheaply.
    if sum(1 for c in word if c not in token) > limit:
        return False
    # Optimal string alignment distance of `word` against every beginning of `token` at once:
    # the last row holds the distance to token[:j] for each j. Only the band |i - j| <= limit
    # can stay within the limit, so only it is computed; cells outside it read as over.
    over = limit + 1
    width = len(token)
    previous2: list[int] = []
    previous = [j if j <= limit else over for j in range(width + 1)]
    for i in range(1, len(word) + 1):
        char = word[i - 1]
        current = [i if i <= limit else over] + [over] * width
        row_best = current[0]
        for j in range(max(1, i - limit), min(width, i + limit) + 1):
            best = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != token[j - 1])
            )
            if i > 1 and j > 1 and char == token[j - 2] and word[i - 2] == token[j - 1]:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
            row_best = min(row_best, best)
        if row_best > limit:
            return False
        previous2, previous = previous, current
    low, high = max(0, len(word) - limit), min(width, len(word) + limit)
    return min(previous[low : high + 1]) <= limit


def token_score(word: str, token: str, *, typos: bool) -> float:
    """How well one query word matches one word of a phrase on its own; 0 when it does not."""
    if token == word:
        return EXACT_WORD
    if token.startswith(word):
        return WORD_PREFIX
    # Letters in order within the word, from its first letter: "mgmt", "incdnt".
    if word[0] == token[0] and len(word) > 1:
        position = 1
        for char in word[1:]:
            position = token.find(char, position) + 1
            if position == 0:
                break
        else:
            return IN_ORDER
    return TYPO if typos and near_prefix(word, token, typo_limit(word)) else 0.0


def vocabulary_scores(
    word: str, vocabulary: Mapping[str, Sequence[str]]
) -> tuple[dict[str, float], bool]:
    """`token_score` of one query word against the framework's words, by first letter.

    Exact, prefix and in-order matches all start with the word's first letter, so only the
    words sharing it are scored; the rest score 0. A query word that begins some word of the
    framework is taken as typed; only one that begins none is read as a typo and compared with
    every word, which keeps a keystroke cheap and typo noise out of the ranking. Returns the
    scores of the words compared, and whether typos were allowed.
    """
    same_start = vocabulary.get(word[0], ())
    scores = {t: token_score(word, t, typos=False) for t in same_start}
    limit = typo_limit(word)
    if not limit or any(t.startswith(word) for t in same_start):
        return scores, False
    letters = set(word)
    shortest = len(word) - limit
    for group in vocabulary.values():
        for token in group:
            if scores.get(token, 0.0) >= TYPO or len(token) < shortest:
                continue
            # Distinct letters the token's beginning lacks: a cheap bound on the edits.
            if len(letters.difference(token[: len(word) + limit])) > limit:
                continue
            if near_prefix(word, token, limit):
                scores[token] = TYPO
    return scores, True


@dataclass(frozen=True)
class Phrase:
    """A label, synonym or description as words, with what matching it needs precomputed."""

    words: tuple[str, ...]
    prose: bool = False

    @property
    def acronym(self) -> str:
        return "".join(t[0] for t in self.words)

    @property
    def joined_from(self) -> tuple[tuple[str, str], ...]:
        """(word, the phrase's words run together from that word on), but the last word."""
        return tuple((t, "".join(self.words[i:])) for i, t in enumerate(self.words[:-1]))


def phrase_score(
    word: str,
    phrase: Phrase,
    token_scores: Mapping[str, float],
    acronym: str | None = None,
    joined_from: Sequence[tuple[str, str]] | None = None,
) -> float:
    """How well one query word matches one phrase, from its words' scores; 0 when it does not."""
    best = max(token_scores.get(t, 0.0) for t in phrase.words)
    if phrase.prose:
        return best if best in DESCRIPTION_MATCHES else 0.0
    if best >= JOINED_PREFIX:
        return best
    for token, joined in phrase.joined_from if joined_from is None else joined_from:
        if len(word) > len(token) and word.startswith(token) and joined.startswith(word):
            return JOINED_PREFIX
    if len(word) >= 2 and (phrase.acronym if acronym is None else acronym).startswith(word):
        return max(best, ACRONYM)
    return best


@dataclass(frozen=True)
class SearchHit:
    """A node that matches every word of a query, and how well (higher is better)."""

    node: Node
    score: float


class ActivitySearch:
    """The framework's nodes indexed for search; build once, query on every keystroke."""

    def __init__(
        self, framework: Framework, synonyms: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        self.framework = framework
        chosen = SYNONYMS if synonyms is None else synonyms
        phrases: dict[tuple[tuple[str, ...], bool], int] = {}

        def phrase_id(text: str, *, prose: bool = False) -> int | None:
            words = tokens(text)
            if not words:
                return None
            return phrases.setdefault((words, prose), len(phrases))

        # Per node: (phrase index, weight) for each phrase that speaks for it.
        self._nodes: list[tuple[Node, tuple[tuple[int, float], ...], tuple[str, ...]]] = []
        for node in framework.walk():
            if node.hidden:
                continue  # hidden by the user: kept for reports, never offered
            weighted: list[tuple[int | None, float]] = [(phrase_id(node.label), OWN_LABEL)]
            weighted += [(phrase_id(s), SYNONYM) for s in chosen.get(node.id, ())]
            weighted.append((phrase_id(node.description, prose=True), OWN_DESCRIPTION))
            ancestors = framework.ancestors(node.id)[1:]
            for ancestor, weight in zip(ancestors, (PARENT_LABEL, GRANDPARENT_LABEL), strict=False):
                weighted.append((phrase_id(ancestor.label), weight))
            kept = tuple((p, w) for p, w in weighted if p is not None)
            self._nodes.append((node, kept, tokens(node.label)))
        self._phrases = [
            (phrase, phrase.acronym, phrase.joined_from, frozenset(t[0] for t in phrase.words))
            for phrase in (Phrase(words, prose) for words, prose in phrases)
        ]
        self._vocabulary: dict[str, list[str]] = {}
        for token in sorted({t for words, _ in phrases for t in words}):
            self._vocabulary.setdefault(token[0], []).append(token)
        self._word_scores: dict[str, list[float]] = {}

    def _scores_for(self, word: str) -> list[float]:
        cached = self._word_scores.get(word)
        if cached is None:
            by_token, typos = vocabulary_scores(word, self._vocabulary)
            # A phrase none of whose words share the query word's first letter can only
            # match through a typo.
            cached = [
                phrase_score(word, phrase, by_token, acronym, joined)
                if typos or word[0] in initials
                else 0.0
                for phrase, acronym, joined, initials in self._phrases
            ]
            if len(self._word_scores) >= WORD_CACHE_SIZE:
                self._word_scores.clear()
            self._word_scores[word] = cached
        return cached

    def search(
        self,
        query: str,
        usage: Callable[[str], float] | None = None,
        limit: int | None = None,
    ) -> list[SearchHit]:
        """Nodes matching every word of `query`, best first.

        Ties in match quality go to the higher `usage(node_id)`, then to document order. An
        empty query matches nothing: what to show then is the usage ranking's business.
        """
        words = tokens(query)
        if not words:
            return []
        stripped = query.strip()
        per_word = [self._scores_for(w) for w in words]
        hits: list[tuple[float, float, int, Node]] = []
        for order, (node, weighted, label_words) in enumerate(self._nodes):
            if node.id == stripped:
                hits.append((EXACT_ID_SCORE, 0.0, order, node))
                continue
            total = 0.0
            for scores in per_word:
                best = max(scores[p] * w for p, w in weighted)
                if best <= 0:
                    break
                total += best
            else:
                if words == label_words:
                    total += WHOLE_LABEL_BONUS
                hits.append((total, usage(node.id) if usage else 0.0, order, node))
        hits.sort(key=lambda h: (-h[0], -h[1], h[2]))
        if limit is not None:
            hits = hits[:limit]
        return [SearchHit(node, score) for score, _, _, node in hits]
