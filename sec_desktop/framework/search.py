"""Search over the whole SEC hierarchy with the one vocabulary, for the picker's search box,
`sec-desktop log` and the no-match suggestions. No Qt here.

A query is ranked in tiers, the first with a hit decides the top of the list:
1. a search the user made before: the activity it led to (`Vocabulary.learn`);
2. an exact id, then the whole query as an alias of the user's, a label, or a phrase of the
   shipped vocabulary ("board deck", "1:1", "hire");
3. every word of the query matching the node: a word or its stem, a prefix of a word of its
   label, alias or phrase, or of an ancestor's label ("sec inc" finds Security & Compliance >
   Incident response); weaker matches (acronyms, letters in order, one or two typos) score
   lower, so exact > prefix > fuzzy;
4. when no node matches every word: nodes matching some of them by word or phrase ("writing
   the postmortem doc"), the rarer the word across the framework, the more it counts.
Nothing in any tier: `closest` offers the nearest activities by spelling.

Everything that does not depend on the query is computed once per framework and vocabulary,
so a keystroke costs well under a millisecond.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sec_desktop.framework.model import Framework, Level, Node
from sec_desktop.framework.vocabulary import Vocabulary, phrase_key
from sec_desktop.framework.words import STOPWORDS, content_words, stem, stems, tokens

__all__ = ["ActivitySearch", "NoMatch", "SearchHit", "near_prefix", "tokens"]

# A hit below this score matched only some of the query's words (tier 2) or fuzzily (tier 1).
ALL_WORDS_SCORE = 1_000.0

# How well one query word matches one phrase (a label, a synonym, a description).
EXACT_WORD = 12.0
SAME_STEM = 11.0  # "interviewing" for "interview", "hiring" for "hire"
WORD_PREFIX = 10.0
JOINED_PREFIX = 9.0  # "cicd" runs over the words "ci" "cd"; "okrman" over "okr" "management"
ACRONYM = 7.0  # "tdr": Technical debt reduction
IN_ORDER = 5.0  # letters in order from a word start: "mgmt", "incdnt"
TYPO = 4.0  # one or two letters wrong, missing, extra or swapped: "incidnet"
DESCRIPTION_MATCHES = (EXACT_WORD, WORD_PREFIX)  # descriptions are prose: prefixes only

# How much a phrase's match counts, by where the phrase sits relative to the node.
OWN_LABEL = 1.0
USER_ALIAS = 1.0
SYNONYM = 0.8  # a phrase of the shipped vocabulary
PARENT_LABEL = 0.6
GRANDPARENT_LABEL = 0.5
OWN_DESCRIPTION = 0.3
WHOLE_LABEL_BONUS = 3.0  # the query is the label, word for word

# Tiers, as a base added to the score so that scores sort like the ranking. Word matches
# total far below WHOLE_PHRASE for any query a person types (12 points a word).
LEARNED_SCORE = 10_000.0
EXACT_ID_SCORE = 5_000.0
ALIAS_PHRASE = 3_000.0
LABEL_PHRASE = 2_500.0
WHOLE_PHRASE = 2_000.0  # the query is a phrase of the vocabulary, word for word (or stem)
# Partial matches (tier 4) count only good word matches, and a phrase of the node found
# whole in the query on top; each word weighs by how few nodes it speaks for.
PARTIAL_MIN_WORD = WORD_PREFIX
PREFIX_IN_PARTIAL = 0.5
CONTAINED_PHRASE_BONUS = 4.0  # per word of a multi-word phrase found whole in the query
MAX_PHRASE_WORDS = 6
# Closest activities by spelling, for a query nothing matches.
CLOSEST_COUNT = 5
CLOSEST_CUTOFF = 0.5

# Query words seen recently keep their phrase scores (the last word changes per keystroke).
WORD_CACHE_SIZE = 256


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


def token_score(
    word: str,
    token: str,
    *,
    typos: bool,
    word_stem: str | None = None,
    token_stem: str | None = None,
) -> float:
    """How well one query word matches one word of a phrase on its own; 0 when it does not."""
    if token == word:
        return EXACT_WORD
    if len(word) > 2 and (word_stem or stem(word)) == (token_stem or stem(token)):
        return SAME_STEM
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
    word: str,
    vocabulary: Mapping[str, Sequence[str]],
    token_stems: Mapping[str, str] | None = None,
) -> tuple[dict[str, float], bool]:
    """`token_score` of one query word against the framework's words, by first letter.

    Exact, prefix and in-order matches all start with the word's first letter, so only the
    words sharing it are scored; the rest score 0. A query word that begins (or shares the
    stem of) some word of the framework is taken as typed; only one that begins none is read
    as a typo, and compared with the words starting with its first or second letter (a typo
    in the first letter, other than a swap with the second, is rare, and checking every word
    of the vocabulary would cost a keystroke too much). Returns the scores of the words
    compared, and whether typos were allowed.
    """
    same_start = vocabulary.get(word[0], ())
    word_stem = stem(word)
    stems_of = token_stems or {}
    scores = {
        t: token_score(word, t, typos=False, word_stem=word_stem, token_stem=stems_of.get(t))
        for t in same_start
    }
    limit = typo_limit(word)
    if not limit or any(s >= WORD_PREFIX for s in scores.values()):
        return scores, False
    letters = set(word)
    shortest = len(word) - limit
    for initial in dict.fromkeys(word[:2]):
        for token in vocabulary.get(initial, ()):
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
    best = 0.0
    for token in phrase.words:
        score = token_scores.get(token, 0.0)
        if score > best:  # noqa: PLR1730 - on every keystroke; max() costs a call
            best = score
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
    """A node that matches a query, and how well (higher is better; see the tiers above)."""

    node: Node
    score: float


@dataclass(frozen=True)
class NoMatch:
    """What to offer when a query matches nothing: the activities closest to it by spelling
    (best first, maybe none) and every focus area, so the answer is never a dead end."""

    closest: tuple[Node, ...]
    focus_areas: tuple[Node, ...]


@dataclass(frozen=True)
class _Link:
    """A phrase speaking for a node: its label, an ancestor's label or its description
    (structural), or a phrase of the vocabulary or an alias (`vocab`)."""

    node: int
    weight: float
    vocab: bool


# Per query word: node -> (weighted, raw) of its best structural phrase, and node -> the
# vocabulary phrases the word matches, phrase -> (weighted, raw).
_WordHits = tuple[dict[int, tuple[float, float]], dict[int, dict[int, tuple[float, float]]]]

TIER_LEARNED, TIER_WHOLE, TIER_ALL_WORDS, TIER_SOME_WORDS, TIER_FUZZY = 5, 4, 3, 2, 1
TIER_BASE = {TIER_ALL_WORDS: 1_000.0, TIER_SOME_WORDS: 500.0, TIER_FUZZY: 0.0}
STRONG_WORD = ACRONYM  # below it (letters in order, typos) a word only matches fuzzily
COMPLETE_PHRASE = 1.25  # a phrase all of whose words are in the query counts this much more
STOPWORD_RARITY = 0.25
MIN_PARTIAL_WORD_CHARS = 2


def _reading_tier(
    strong_words: bool, every_word: bool, total: float, partial: float, complete: bool
) -> tuple[int, float]:
    """The tier and score of one reading of a query (see `ActivitySearch._best_reading`)."""
    if strong_words and total:
        return TIER_ALL_WORDS, total
    if partial:
        return TIER_SOME_WORDS, partial * (COMPLETE_PHRASE if complete else 1.0)
    if every_word and total:
        return TIER_FUZZY, total
    return 0, 0.0


class ActivitySearch:
    """The framework's nodes and the vocabulary indexed for search; build once, query on every
    keystroke. The index is rebuilt by itself when the user's aliases change."""

    def __init__(self, framework: Framework, vocabulary: Vocabulary | None = None) -> None:
        self.framework = framework
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary()
        self._build()

    def _build(self) -> None:
        self._built_version = self.vocabulary.version
        phrases: dict[tuple[tuple[str, ...], bool], int] = {}
        links: list[list[_Link]] = []
        # Whole-query lookups: stems of a phrase -> (tier score, node index).
        self._whole: dict[tuple[str, ...], list[tuple[float, int]]] = {}

        def link(
            text: str,
            node_index: int,
            weight: float,
            *,
            vocab: bool = False,
            prose: bool = False,
            whole: float = 0.0,
        ) -> None:
            words = tokens(text)
            if not words:
                return
            index = phrases.setdefault((words, prose), len(phrases))
            if index == len(links):
                links.append([])
            links[index].append(_Link(node_index, weight, vocab))
            if whole:
                self._whole.setdefault(stems(words), []).append((whole, node_index))

        by_node: dict[str, list[tuple[str, bool]]] = {}
        for activity, phrase, is_alias in self.vocabulary.phrases(self.framework):
            by_node.setdefault(activity, []).append((phrase, is_alias))
        self._nodes: list[Node] = []
        self._by_id: dict[str, int] = {}
        for node in self.framework.walk():
            if node.hidden:
                continue  # hidden by the user: kept for reports, never offered
            index = len(self._nodes)
            self._nodes.append(node)
            self._by_id[node.id] = index
            link(node.label, index, OWN_LABEL, whole=LABEL_PHRASE)
            for phrase, is_alias in by_node.get(node.id, ()):
                weight, whole = (USER_ALIAS, ALIAS_PHRASE) if is_alias else (SYNONYM, WHOLE_PHRASE)
                link(phrase, index, weight, vocab=True, whole=whole)
            link(node.description, index, OWN_DESCRIPTION, prose=True)
            ancestors = self.framework.ancestors(node.id)[1:]
            for ancestor, weight in zip(ancestors, (PARENT_LABEL, GRANDPARENT_LABEL), strict=False):
                link(ancestor.label, index, weight)
        self._index_phrases(phrases, links)

    def _index_phrases(
        self, phrases: dict[tuple[tuple[str, ...], bool], int], links: list[list[_Link]]
    ) -> None:
        self._phrases = [Phrase(words, prose) for words, prose in phrases]
        self._links = [tuple(entries) for entries in links]
        self._prepared = [(p.acronym, p.joined_from) for p in self._phrases]
        self._phrase_stems = [frozenset(stems(p.words)) for p in self._phrases]
        self._vocabulary: dict[str, list[str]] = {}
        self._token_stems: dict[str, str] = {}
        for token in sorted({t for words, _ in phrases for t in words}):
            self._vocabulary.setdefault(token[0], []).append(token)
            self._token_stems[token] = stem(token)
        self._phrases_with: dict[str, list[int]] = {}
        self._by_acronym: dict[str, list[int]] = {}
        for index, phrase in enumerate(self._phrases):
            for token in set(phrase.words):
                self._phrases_with.setdefault(token, []).append(index)
            if len(phrase.words) >= 2:
                self._by_acronym.setdefault(phrase.acronym[:2], []).append(index)
        # How many nodes each word stem speaks for (label, alias or phrase): a word that
        # speaks for one node says more about the query than one that speaks for ten.
        spoken: dict[str, set[int]] = {}
        for (words, prose), index in phrases.items():
            if not prose:
                for word in words:
                    spoken.setdefault(stem(word), set()).update(k.node for k in links[index])
        total = max(len(self._nodes), 1)
        self._rarity = {w: math.log(1 + total / len(n)) for w, n in spoken.items()}
        self._rarity_default = math.log(1 + total)
        self._word_hits: dict[str, _WordHits] = {}

    def _refresh(self) -> None:
        self.vocabulary.refresh()
        if self.vocabulary.version != self._built_version:
            self._build()

    def _hits_for(self, word: str) -> _WordHits:
        cached = self._word_hits.get(word)
        if cached is None:
            by_token, _ = vocabulary_scores(word, self._vocabulary, self._token_stems)
            # Only phrases that can score: with a word the query word matches, an acronym
            # it begins, or a word it runs on from ("okrman" from "okr").
            phrases_with = self._phrases_with
            candidates: set[int] = set()
            for token, score in by_token.items():
                if score:
                    candidates.update(phrases_with[token])
            if len(word) >= 2:
                candidates.update(self._by_acronym.get(word[:2], ()))
                for end in range(1, len(word)):
                    candidates.update(phrases_with.get(word[:end], ()))
            structural: dict[int, tuple[float, float]] = {}
            vocab: dict[int, dict[int, tuple[float, float]]] = {}
            for index in candidates:
                acronym, joined = self._prepared[index]
                raw = phrase_score(word, self._phrases[index], by_token, acronym, joined)
                if raw <= 0:
                    continue
                for found in self._links[index]:
                    weighted = raw * found.weight
                    if found.vocab:
                        vocab.setdefault(found.node, {})[index] = (weighted, raw)
                    elif weighted > structural.get(found.node, (0.0, 0.0))[0]:
                        structural[found.node] = (weighted, raw)
            cached = (structural, vocab)
            if len(self._word_hits) >= WORD_CACHE_SIZE:
                self._word_hits.clear()
            self._word_hits[word] = cached
        return cached

    def known_word_share(self, query: str) -> float:
        """The share of the query's content words (all its words when it has none) that
        strongly match some phrase on their own: 0.1 for a line of noise with one
        lucky prefix in it, 1.0 when every word means something here."""
        words = tokens(query)
        content = [w for w in words if w not in STOPWORDS] or list(words)
        if not content:
            return 0.0
        self._refresh()

        def known(word: str) -> bool:
            if len(word) < MIN_PARTIAL_WORD_CHARS and word.isalpha():
                return False  # a lone letter begins too many words to mean one
            structural, vocab = self._hits_for(word)
            return any(raw >= STRONG_WORD for _, raw in structural.values()) or any(
                raw >= STRONG_WORD for phrases in vocab.values() for _, raw in phrases.values()
            )

        return sum(1 for w in content if known(w)) / len(content)

    def search(
        self,
        query: str,
        usage: Callable[[str], float] | None = None,
        limit: int | None = None,
    ) -> list[SearchHit]:
        """Nodes matching `query`, best first (see the tiers in the module's docstring).

        Ties in match quality go to the higher `usage(node_id)`, then to document order. An
        empty query matches nothing: what to show then is the usage ranking's business.
        """
        words = tokens(query)
        if not words:
            return []
        self._refresh()
        scored: dict[int, float] = {}

        def offer(index: int, score: float) -> None:
            if score > scored.get(index, 0.0):
                scored[index] = score

        learned = self.vocabulary.learned(query)
        if learned is not None and learned in self._by_id:
            offer(self._by_id[learned], LEARNED_SCORE)
        stripped = query.strip()
        if stripped in self._by_id:
            offer(self._by_id[stripped], EXACT_ID_SCORE)
        for tier_score, index in self._whole.get(stems(words), ()):
            offer(index, tier_score)
        for index, score in self._word_matches(words).items():
            offer(index, score)

        def order(item: tuple[int, float]) -> tuple[float, float, int]:
            used = usage(self._nodes[item[0]].id) if usage else 0.0
            return (-item[1], -used, item[0])

        hits = sorted(scored.items(), key=order)
        if limit is not None:
            hits = hits[:limit]
        return [SearchHit(self._nodes[index], score) for index, score in hits]

    def _word_matches(self, words: tuple[str, ...]) -> dict[int, float]:
        """Tiers 3 and 4 (and fuzzy matches of every word below them): per node, the best
        reading of the query by its structural phrases plus at most one vocabulary phrase, so
        words scattered over unrelated phrases of a node do not add up."""
        per_word = [self._hits_for(w) for w in words]
        optional = [w in STOPWORDS for w in words]
        if all(optional):
            optional = [False] * len(words)
        rarity = [
            # A lone letter beside other words ("zzqx c") is the start of too many words to
            # count as a partial match; alone, it still lists what it begins. Digits count
            # ("1-1 with Sarah").
            0.0
            if len(w) < MIN_PARTIAL_WORD_CHARS and w.isalpha()
            else self._rarity.get(stem(w), self._rarity_default) * (STOPWORD_RARITY if o else 1.0)
            for w, o in zip(words, optional, strict=True)
        ]
        query_stems = frozenset(stems(words))
        nodes: set[int] = set()
        for structural, vocab in per_word:
            nodes.update(structural)
            nodes.update(vocab)
        out: dict[int, float] = {}
        for node in nodes:
            tier, score = self._best_reading(node, per_word, optional, rarity, query_stems)
            if tier:
                out[node] = TIER_BASE[tier] + score
        return out

    def _readings_to_try(
        self, vocab: Sequence[dict[int, tuple[float, float]] | None]
    ) -> set[int | None]:
        """The readings worth trying: none, each word's best phrase (the shortest among
        equals, the likelier to be complete), and every phrase more than one word hits."""
        candidates: set[int | None] = {None}
        seen: set[int] = set()
        phrases = self._phrases
        for hits in vocab:
            if not hits:
                continue
            scored = hits
            candidates.add(max(scored, key=lambda p: (scored[p][0], -len(phrases[p].words))))
            if len(vocab) > 1:
                candidates.update(seen.intersection(scored))
                seen.update(scored)
        return candidates

    def _best_reading(
        self,
        node: int,
        per_word: Sequence[_WordHits],
        optional: Sequence[bool],
        rarity: Sequence[float],
        query_stems: frozenset[str],
    ) -> tuple[int, float]:
        """(tier, score) of the query read by the node's structural phrases and at most one
        of its vocabulary phrases, the best such reading. Written for speed: it runs for
        every node a keystroke's words touch."""
        structural = [s.get(node) for s, _ in per_word]
        vocab = [v.get(node) for _, v in per_word]
        candidates = self._readings_to_try(vocab)
        best_tier, best_score = 0, 0.0
        count = len(per_word)
        for phrase in candidates:
            every_word = strong = True
            total = partial = 0.0
            for i in range(count):
                found = structural[i]
                if phrase is not None:
                    hits = vocab[i]
                    own = hits.get(phrase) if hits else None
                    if own is not None and (found is None or own[0] > found[0]):
                        found = own
                if found is None:
                    if not optional[i]:
                        every_word = False
                    continue
                weighted, raw = found
                total += weighted
                if raw < STRONG_WORD:
                    strong = False
                elif raw >= PARTIAL_MIN_WORD:
                    # Labels and phrases count alike here; ancestors and descriptions less.
                    counted = raw if raw >= SAME_STEM else raw * PREFIX_IN_PARTIAL
                    place = 1.0 if weighted >= raw * SYNONYM else weighted / raw
                    partial += counted * place * rarity[i]
            complete = phrase is not None and self._phrase_stems[phrase] <= query_stems
            tier, score = _reading_tier(every_word and strong, every_word, total, partial, complete)
            if tier > best_tier or (tier == best_tier and score > best_score):
                best_tier, best_score = tier, score
        return best_tier, best_score

    def closest(self, query: str, count: int = CLOSEST_COUNT) -> list[Node]:
        """Activities whose label, alias or phrase is spelt most like `query` (or like one of
        its words), best first; for a query nothing matches."""
        self._refresh()
        key = phrase_key(query)
        if not key:
            return []
        texts: dict[str, set[int]] = {}
        for phrase, found in zip(self._phrases, self._links, strict=True):
            if phrase.prose:
                continue
            for link in found:
                if link.weight >= SYNONYM and self._nodes[link.node].level is Level.ACTIVITY:
                    texts.setdefault(" ".join(phrase.words), set()).add(link.node)
        candidates = list(texts)
        best: dict[int, float] = {}
        probes = [key, *[w for w in content_words(tuple(key.split())) if len(w) > 2]]
        for probe in dict.fromkeys(probes):
            matcher = difflib.SequenceMatcher(b=probe, autojunk=False)
            for text in candidates:
                matcher.set_seq1(text)
                if matcher.real_quick_ratio() < CLOSEST_CUTOFF:
                    continue
                if matcher.quick_ratio() < CLOSEST_CUTOFF:
                    continue
                ratio = matcher.ratio()
                if ratio >= CLOSEST_CUTOFF:
                    for node_index in texts[text]:
                        best[node_index] = max(best.get(node_index, 0.0), ratio)
        ranked = sorted(best, key=lambda i: (-best[i], i))[:count]
        return [self._nodes[i] for i in ranked]

    def no_match(self, query: str, count: int = CLOSEST_COUNT) -> NoMatch:
        """The closest activities and every focus area, for a query that matched nothing."""
        areas = tuple(n for n in self._nodes if n.level is Level.FOCUS_AREA)
        return NoMatch(tuple(self.closest(query, count)), areas)
