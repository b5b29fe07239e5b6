"""`sec-desktop framework`: the SEC tree with ids, and the benchmark profiles."""

from __future__ import annotations

import argparse
from typing import Any

import orjson

from sec_desktop.cli.base import EXIT_OK, Context
from sec_desktop.framework import Framework, Level, Node


def _node_json(fw: Framework, node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {"id": node.id, "label": node.label, "level": node.level.name.lower()}
    if node.description:
        out["description"] = node.description
    if node.preset:
        out["preset"] = node.preset
    kids = fw.children(node.id)
    if kids:
        key = "focus_areas" if node.level is Level.DOMAIN else "activities"
        out[key] = [_node_json(fw, k) for k in kids]
    return out


def cmd_framework(ctx: Context, args: argparse.Namespace) -> int:
    fw = ctx.framework
    profiles = [
        {
            "id": p.id,
            "label": p.label,
            "description": p.description,
            "bands": {
                k: {"low": b.low, "high": b.high, "source": b.source} for k, b in p.bands.items()
            },
        }
        for p in fw.profiles.values()
    ]
    if args.format == "json":
        doc = {
            "id": fw.id,
            "name": fw.name,
            "version": fw.version,
            "preset": fw.active_preset,
            "counts": (
                {
                    "stated": dict(fw.counts.stated),
                    "enumerated": dict(fw.counts.enumerated),
                    "note": fw.counts.note,
                }
                if fw.counts
                else None
            ),
            "domains": [_node_json(fw, d) for d in fw.domains],
            "profiles": profiles,
            "presets": [{"id": p.id, "label": p.label} for p in fw.presets.values()],
        }
        ctx.out.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
        return EXIT_OK
    n_fa = len(fw.of_level(Level.FOCUS_AREA))
    n_act = len(fw.of_level(Level.ACTIVITY))
    ctx.out.write(
        f"{fw.name} {fw.version}: {len(fw.domains)} domains, {n_fa} focus areas, "
        f"{n_act} activities"
        + (f" (industry preset: {fw.presets[fw.active_preset].label})" if fw.active_preset else "")
        + "\n"
    )
    if fw.counts and fw.counts.note:
        ctx.out.write(f"Note: {fw.counts.note}\n")
    ctx.out.write("\n")
    for node in fw.walk():
        indent = "  " * (node.level.value - 1)
        ctx.out.write(f"{indent}{node.label}  [{node.id}]\n")
    ctx.out.write("\nBenchmark profiles:\n")
    for p in fw.profiles.values():
        bands = ", ".join(
            f"{fw[k].label} {b.low * 100:g}-{b.high * 100:g}%" for k, b in p.bands.items()
        )
        ctx.out.write(f"  {p.id}: {p.label}. {bands}\n")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p_fw = sub.add_parser("framework", help="show the SEC tree with ids and benchmark profiles")
    p_fw.add_argument("--format", choices=("text", "json"), default="text")
    p_fw.set_defaults(handler=cmd_framework)
