"""Import from and export to other time trackers. No Qt here.

`plan_import` reads a whole file and maps it, writing nothing; `apply_plan` writes a plan
that accounts for every row. Exports for other tools are in `exports`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sec_desktop.lazy_names import lazy_getattr

# The names below load their module on first use (PEP 562): a CSV report needs `exports`
# alone, not every importer and the rules behind `plan_import`.
if TYPE_CHECKING:
    from sec_desktop.framework import Framework
    from sec_desktop.framework.vocabulary import Vocabulary
    from sec_desktop.interop.importers import ALIASES, FORMATS, parse_file
    from sec_desktop.interop.plan import (
        OVERLAP_POLICIES,
        ImportPlan,
        ImportWriteError,
        ImportWriter,
        UnmappedGroup,
        apply_plan,
        build_plan,
        import_entry_id,
        roll_back_unfinished_import,
        unfinished_import,
    )
    from sec_desktop.interop.records import (
        ImportedRecord,
        ImportFileError,
        ImportOptions,
        ParsedFile,
    )
    from sec_desktop.interop.rules import (
        PhraseRules,
        Rule,
        RuleError,
        RuleSet,
        default_rules,
        load_rules,
    )
    from sec_desktop.store.store import EntryStore

_MODULE_OF = {
    **dict.fromkeys(("ALIASES", "FORMATS", "parse_file"), "sec_desktop.interop.importers"),
    **dict.fromkeys(
        (
            "OVERLAP_POLICIES",
            "ImportPlan",
            "ImportWriteError",
            "ImportWriter",
            "UnmappedGroup",
            "apply_plan",
            "build_plan",
            "import_entry_id",
            "roll_back_unfinished_import",
            "unfinished_import",
        ),
        "sec_desktop.interop.plan",
    ),
    **dict.fromkeys(
        ("ImportedRecord", "ImportFileError", "ImportOptions", "ParsedFile"),
        "sec_desktop.interop.records",
    ),
    **dict.fromkeys(
        ("PhraseRules", "Rule", "RuleError", "RuleSet", "default_rules", "load_rules"),
        "sec_desktop.interop.rules",
    ),
}


__getattr__ = lazy_getattr(__name__, _MODULE_OF, globals())


__all__ = [
    "ALIASES",
    "FORMATS",
    "OVERLAP_POLICIES",
    "ImportFileError",
    "ImportOptions",
    "ImportPlan",
    "ImportWriteError",
    "ImportWriter",
    "ImportedRecord",
    "ParsedFile",
    "PhraseRules",
    "Rule",
    "RuleError",
    "RuleSet",
    "UnmappedGroup",
    "apply_plan",
    "build_plan",
    "default_rules",
    "import_entry_id",
    "load_rules",
    "parse_file",
    "plan_import",
    "roll_back_unfinished_import",
    "rule_set",
    "unfinished_import",
]


def rule_set(
    framework: Framework,
    rules_files: Sequence[Path] = (),
    *,
    use_defaults: bool = True,
    vocabulary: Vocabulary | None = None,
) -> RuleSet:
    """The user's rules files in order, then (unless turned off) the shipped defaults and the
    vocabulary (`vocabulary`, with the user's aliases, or the shipped words alone)."""
    from sec_desktop.interop.importers import FORMATS
    from sec_desktop.interop.rules import RuleSet, default_rules, load_rules

    rules: list[Rule | PhraseRules] = []
    for path in rules_files:
        rules += load_rules(path, framework, FORMATS)
    if use_defaults:
        rules += default_rules(framework, FORMATS, vocabulary)
    return RuleSet(rules)


def plan_import(
    path: Path,
    format_name: str,
    *,
    store: EntryStore,
    framework: Framework,
    zone: ZoneInfo,
    now: datetime,
    rules: RuleSet | None = None,
    default_activity: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    me: Sequence[str] = (),
    overlap_policy: str = "refuse",
) -> ImportPlan:
    """Read and map a whole file against the store; nothing is written.

    Raises ImportFileError (naming the line) for a file that can't be read in full.
    """
    from sec_desktop.interop.importers import parse_file
    from sec_desktop.interop.plan import build_plan
    from sec_desktop.interop.records import ImportOptions

    options = ImportOptions(zone=zone, now=now, start=start, end=end, me=tuple(me))
    parsed = parse_file(path, format_name, options)
    return build_plan(
        parsed,
        store=store,
        rules=rules if rules is not None else rule_set(framework),
        now=now,
        default_activity=default_activity,
        start=start,
        end=end,
        overlap_policy=overlap_policy,
    )
