"""`sec-desktop alias`: the user's own words for activities, kept in the data folder (one
record per phrase, merged across devices) and used by the picker, `sec-desktop log` and the
import alike."""

from __future__ import annotations

import argparse
import json

from sec_desktop.cli.base import EXIT_OK, CliError, Context, resolve_activity, utf8_text
from sec_desktop.framework.vocabulary import Vocabulary, VocabularyError, phrase_key


def _vocabulary(ctx: Context) -> Vocabulary:
    vocabulary = ctx.workspace.vocabulary
    if vocabulary.problem:
        # The workspace's copy of the message is not needed: this one stops the command.
        ctx.workspace.problems.clear()
        raise CliError(vocabulary.problem.removeprefix("Your aliases are not used: "))
    return vocabulary


def cmd_alias_add(ctx: Context, args: argparse.Namespace) -> int:
    utf8_text(args.phrase, "the phrase")
    utf8_text(args.activity, "the activity")
    fw = ctx.framework
    vocabulary = _vocabulary(ctx)
    node = fw[args.activity] if args.activity in fw else resolve_activity(fw, args.activity)
    key = phrase_key(args.phrase)
    before = next((a for a in vocabulary.aliases() if phrase_key(a.phrase) == key), None)
    shipped = [
        a
        for a, phrases in vocabulary.shipped.items()
        if a in fw and a != node.id and any(phrase_key(p) == key for p in phrases)
    ]
    try:
        vocabulary.add_alias(args.phrase, node.id)
    except VocabularyError as exc:
        raise CliError(str(exc)) from exc
    ctx.out.write(f"{args.phrase!r} now means {fw.path_label(node.id)} [{node.id}]")
    if before is not None and before.activity != node.id:
        ctx.out.write(f" (it meant {before.activity})")
    elif shipped:
        ctx.out.write(f" (instead of {fw[shipped[0]].label}, as the shipped words have it)")
    ctx.out.write(".\n")
    return EXIT_OK


def cmd_alias_remove(ctx: Context, args: argparse.Namespace) -> int:
    vocabulary = _vocabulary(ctx)
    try:
        removed = vocabulary.remove_alias(args.phrase)
    except VocabularyError as exc:
        raise CliError(str(exc)) from exc
    if removed is None:
        raise CliError(f"there is no alias {args.phrase!r} (`sec-desktop alias list` lists them)")
    ctx.out.write(f"Removed the alias {args.phrase!r} (it meant {removed}).\n")
    return EXIT_OK


def cmd_alias_list(ctx: Context, args: argparse.Namespace) -> int:
    fw = ctx.framework
    vocabulary = _vocabulary(ctx)
    aliases = sorted(vocabulary.aliases(), key=lambda a: phrase_key(a.phrase))
    if args.format == "json":
        doc = [
            {"phrase": a.phrase, "activity": a.activity, "in_framework": a.activity in fw}
            for a in aliases
        ]
        ctx.out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not aliases:
        ctx.out.write("No aliases yet; add one with `sec-desktop alias add PHRASE ACTIVITY`.\n")
        return EXIT_OK
    width = max(len(a.phrase) for a in aliases)
    for alias in aliases:
        if alias.activity in fw:
            where = f"{fw.path_label(alias.activity)} [{alias.activity}]"
        else:
            where = f"{alias.activity} (not in the framework in use: kept, not used)"
        ctx.out.write(f"{alias.phrase:<{width}}  {where}\n")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p_alias = sub.add_parser(
        "alias",
        help="your own words for activities (used by the picker, log and import)",
        description="Aliases are kept in the data folder, so they travel with your entries "
        "and those added on each device are kept on all. Yours win over the shipped words.",
    )
    alias_sub = p_alias.add_subparsers(dest="alias_command", metavar="ACTION", required=True)
    p_add = alias_sub.add_parser("add", help="make PHRASE mean ACTIVITY")
    p_add.add_argument("phrase", metavar="PHRASE", help='e.g. "board deck" or "1:1 with Ana"')
    p_add.add_argument("activity", metavar="ACTIVITY", help="an activity id, label or fragment")
    p_add.set_defaults(handler=cmd_alias_add)
    p_list = alias_sub.add_parser("list", help="list your aliases")
    p_list.add_argument("--format", choices=("text", "json"), default="text")
    p_list.set_defaults(handler=cmd_alias_list)
    p_remove = alias_sub.add_parser("remove", help="forget an alias")
    p_remove.add_argument("phrase", metavar="PHRASE")
    p_remove.set_defaults(handler=cmd_alias_remove)
