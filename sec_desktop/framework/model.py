"""The SEC taxonomy as immutable objects: domains, focus areas, activities, benchmark bands."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import IntEnum


class Level(IntEnum):
    """Depth in the SEC hierarchy; time tagged at a level counts at that level and above."""

    DOMAIN = 1
    FOCUS_AREA = 2
    ACTIVITY = 3

    @property
    def noun(self) -> str:
        return {1: "domain", 2: "focus area", 3: "activity"}[self.value]


@dataclass(frozen=True)
class Node:
    """One item of the tree. `id` is a stable slug path; `label` is for display only."""

    id: str
    label: str
    level: Level
    parent_id: str | None
    description: str = ""
    preset: str | None = None  # the industry preset that added this activity, if any
    # Hidden by the user (framework/customization.py): still counted in reports, left out of
    # pickers and the mindmap.
    hidden: bool = False


@dataclass(frozen=True)
class Band:
    """A benchmark range as fractions of tracked time, with the sentence it comes from."""

    low: float
    high: float
    source: str
    section: str = ""
    # The profile's own suggested share inside the band, when it names one; a plan is
    # pre-filled from it, or from the band's midpoint without it.
    target: float | None = None

    def contains(self, share: float) -> bool:
        return self.low - SHARE_EPSILON <= share <= self.high + SHARE_EPSILON


# Shares are floats computed from seconds; a share that is the band edge up to rounding is on it.
SHARE_EPSILON = 1e-9


@dataclass(frozen=True)
class BenchmarkProfile:
    id: str
    label: str
    description: str
    bands: Mapping[str, Band]


@dataclass(frozen=True)
class Preset:
    """An industry preset: extra activities the framework document gives as examples."""

    id: str
    label: str
    source: str
    activities: tuple[Node, ...]


@dataclass(frozen=True)
class Counts:
    stated: Mapping[str, int]
    enumerated: Mapping[str, int]
    note: str


class AmbiguousActivity(LookupError):
    def __init__(self, query: str, candidates: list[Node]) -> None:
        super().__init__(query)
        self.query = query
        self.candidates = candidates


class UnknownActivity(LookupError):
    def __init__(self, query: str, suggestions: list[Node]) -> None:
        super().__init__(query)
        self.query = query
        self.suggestions = suggestions


@dataclass(frozen=True)
class Framework:
    """A loaded framework: the tree in document order, its profiles and its presets."""

    id: str
    name: str
    version: str
    nodes: Mapping[str, Node]
    profiles: Mapping[str, BenchmarkProfile]
    presets: Mapping[str, Preset]
    counts: Counts | None = None
    active_preset: str | None = None
    _children: Mapping[str | None, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        *,
        id: str,  # noqa: A002 - mirrors the data field
        name: str,
        version: str,
        nodes: Iterable[Node],
        profiles: Mapping[str, BenchmarkProfile],
        presets: Mapping[str, Preset],
        counts: Counts | None = None,
        active_preset: str | None = None,
    ) -> Framework:
        ordered = {node.id: node for node in nodes}
        children: dict[str | None, list[str]] = {}
        for node in ordered.values():
            children.setdefault(node.parent_id, []).append(node.id)
        return cls(
            id=id,
            name=name,
            version=version,
            nodes=ordered,
            profiles=profiles,
            presets=presets,
            counts=counts,
            active_preset=active_preset,
            _children={k: tuple(v) for k, v in children.items()},
        )

    def with_preset(self, preset_id: str | None) -> Framework:
        """This framework with an industry preset's activities added (or none)."""
        if preset_id is None:
            return self
        if preset_id not in self.presets:
            known = ", ".join(sorted(self.presets))
            raise KeyError(f"unknown industry preset {preset_id!r} (known: {known})")
        merged = [n for n in self.nodes.values() if n.preset is None]
        # Insert each preset activity after the last activity of its focus area.
        for activity in self.presets[preset_id].activities:
            parent = activity.parent_id
            last = max(
                (i for i, n in enumerate(merged) if parent in (n.id, n.parent_id)),
                default=len(merged) - 1,
            )
            merged.insert(last + 1, activity)
        return Framework.build(
            id=self.id,
            name=self.name,
            version=self.version,
            nodes=merged,
            profiles=self.profiles,
            presets=self.presets,
            counts=self.counts,
            active_preset=preset_id,
        )

    # Navigation -------------------------------------------------------------------------

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.nodes

    def __getitem__(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def children(self, node_id: str | None) -> list[Node]:
        """Direct children in document order; `None` gives the domains."""
        return [self.nodes[c] for c in self._children.get(node_id, ())]

    @property
    def domains(self) -> list[Node]:
        return self.children(None)

    def of_level(self, level: Level) -> list[Node]:
        return [n for n in self.nodes.values() if n.level is level]

    def ancestors(self, node_id: str) -> list[Node]:
        """The node and its ancestors, the node first and its domain last."""
        chain: list[Node] = []
        current: str | None = node_id
        while current is not None:
            node = self.nodes[current]
            chain.append(node)
            current = node.parent_id
        return chain

    def at_level(self, node_id: str, level: Level) -> Node | None:
        """The ancestor (or the node itself) at `level`; None when tagged above that level."""
        for node in self.ancestors(node_id):
            if node.level is level:
                return node
        return None

    def path_label(self, node_id: str, sep: str = " > ") -> str:
        return sep.join(n.label for n in reversed(self.ancestors(node_id)))

    def walk(self) -> Iterator[Node]:
        """Every node depth-first in document order."""

        def visit(parent: str | None) -> Iterator[Node]:
            for child in self.children(parent):
                yield child
                yield from visit(child.id)

        yield from visit(None)

    # Lookup -----------------------------------------------------------------------------

    def resolve(self, query: str) -> Node:
        """Find one node by id, label or fragment, case-insensitively.

        Tiers, first with any hit wins: exact id, exact label, every word of the query in the
        label, every word in the full path ("sec inc" -> Security & Compliance > Incident
        response). More than one hit in the winning tier is ambiguous.
        """
        text = " ".join(query.split()).casefold()
        if not text:
            raise UnknownActivity(query, [])
        if query in self.nodes:
            return self.nodes[query]
        words = text.split()
        tiers: list[Callable[[Node], bool]] = [
            lambda n: n.id.casefold() == text,
            lambda n: n.label.casefold() == text,
            lambda n: all(w in n.label.casefold() for w in words),
            lambda n: all(w in self.path_label(n.id).casefold() for w in words),
        ]
        for matches in tiers:
            hits = [n for n in self.nodes.values() if matches(n)]
            if len(hits) == 1:
                return hits[0]
            if hits:
                raise AmbiguousActivity(query, hits)
        labels = {n.label.casefold(): n for n in self.nodes.values()}
        close = difflib.get_close_matches(text, list(labels), n=5, cutoff=0.5)
        raise UnknownActivity(query, [labels[c] for c in close])
