"""Words of what a user types, for matching it against the framework's words. No Qt here.

`tokens` splits text into lower-case words; `stem` folds the endings English adds to a word
("interviews", "interviewing", "interviewed" -> one stem) so a typed form matches a listed one.
"""

from __future__ import annotations

import re

_WORD_SPLIT = re.compile(r"[^0-9a-z]+")
# Endings folded by `stem`, longest first; ("ies", "y") turns "policies" into "policy".
_ENDINGS = (("ies", "y"), ("ing", ""), ("ed", ""), ("s", ""))
# Words ending in these keep their "s": "analysis", "status", "process".
_KEEP_S = ("is", "us", "ss")
MIN_STEM_CHARS = 3

# Words that say nothing about the activity: dropped from a query that has other words.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "with",
        "w",
        "on",
        "in",
        "at",
        "by",
        "from",
        "about",
        "my",
        "our",
        "their",
        "his",
        "her",
        "me",
        "we",
        "some",
        "this",
        "that",
        "these",
        "those",
        "re",
        "via",
        "per",
        "into",
    ]
)


def tokens(text: str) -> tuple[str, ...]:
    """Lower-case words of `text`; punctuation separates ("CI/CD" -> "ci", "cd")."""
    return tuple(t for t in _WORD_SPLIT.split(text.casefold()) if t)


def stem(word: str) -> str:
    """`word` without a plural, -ing or -ed ending and a final e or doubled letter, so that
    "hire", "hires", "hiring" and "hired" share a stem ("hir"). Not a linguist's stemmer:
    both sides of a comparison go through it, which is all matching needs."""
    if len(word) <= MIN_STEM_CHARS or not word.isalpha():
        return word
    base = word
    for ending, replacement in _ENDINGS:
        if not base.endswith(ending) or len(base) - len(ending) < MIN_STEM_CHARS:
            continue
        if ending == "s" and base.endswith(_KEEP_S):
            continue
        base = base[: -len(ending)] + replacement
        break
    if base.endswith("e") and len(base) > MIN_STEM_CHARS:
        base = base[:-1]
    if len(base) > MIN_STEM_CHARS and base[-1] == base[-2] and base[-1] != "s":
        base = base[:-1]
    return base


def stems(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(stem(w) for w in words)


def content_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """`words` without the stopwords, unless nothing else is left."""
    kept = tuple(w for w in words if w not in STOPWORDS)
    return kept or words
