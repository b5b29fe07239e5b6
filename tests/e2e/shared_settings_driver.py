"""Changes to the shared settings made the way the app makes them, run as a device's own
process in the end-to-end tests (the command line has no verbs for the framework editor):
`python -m tests.e2e.shared_settings_driver rename|hide|band|show ...`.

It uses the real library against the device's data folder and device id, exactly what the
Customize dialog and the band editor call, and prints the merged result as JSON for `show`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import orjson

from sec_desktop.framework import load_framework
from sec_desktop.framework.custom_profile import (
    load_custom_profile,
    make_custom_profile,
    read_custom_profile,
    save_custom_profile,
)
from sec_desktop.framework.customization import (
    apply_customization,
    read_customization,
    save_customization,
)
from sec_desktop.store import device_id
from sec_desktop.store.shared_records import SharedRecords


def main(argv: list[str]) -> int:
    data_dir = Path(os.environ["SEC_DESKTOP_DATA_DIR"])
    device = device_id(Path(os.environ["SEC_DESKTOP_CONFIG_DIR"]))
    base = load_framework()
    verb, *rest = argv
    if verb in ("rename", "hide"):
        opened = read_customization(data_dir, base)
        custom = opened.customization
        changed = (
            custom.rename(base, rest[0], rest[1])
            if verb == "rename"
            else custom.set_hidden(base, rest[0], True)
        )
        save_customization(data_dir, changed, base, device_id=device, based_on=opened)
    elif verb == "band":
        opened = read_custom_profile(data_dir, base)
        bands = {
            k: (b.low * 100, b.high * 100)
            for k, b in (opened.profile.bands.items() if opened.profile else ())
        }
        bands[rest[0]] = (float(rest[1]), float(rest[2]))
        profile = make_custom_profile(base, bands)
        save_custom_profile(data_dir, profile, base, device_id=device, based_on=opened)
    elif verb == "records-as":  # a clone of another device id writing its records file
        SharedRecords(data_dir, "customization", rest[0]).write({rest[1]: rest[2]})
    elif verb == "show":
        snapshot = read_customization(data_dir, base)
        framework = apply_customization(base, snapshot.customization)
        profile = load_custom_profile(data_dir, base)
        print(
            orjson.dumps(
                {
                    "labels": {n.id: n.label for n in framework.nodes.values()},
                    "hidden": sorted(n.id for n in framework.nodes.values() if n.hidden),
                    "bands": {
                        k: [round(b.low * 100, 2), round(b.high * 100, 2)]
                        for k, b in (profile.bands.items() if profile else ())
                    },
                    "problems": list(snapshot.problems),
                    "conflicts": sorted(snapshot.conflicts),
                }
            ).decode()
        )
    else:
        print(f"unknown verb {verb!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
