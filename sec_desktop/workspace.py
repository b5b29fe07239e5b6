"""The one wiring of settings, framework and store, used by both shells.

A `Workspace` is what a data folder and a config folder mean together: this machine's settings,
the framework as the user customized it (with the industry preset), this device's id and the
entry store. The command line, the tray app and the standalone dashboard open their store here,
so they read the same entries with the same id index and load the framework the same way.
Each part is built on first use: `sec-desktop report` never pays for what it doesn't read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sec_desktop.framework import Framework, FrameworkError, load_framework
from sec_desktop.framework.custom_profile import migrate_custom_profile
from sec_desktop.framework.customization import load_user_framework, migrate_customization
from sec_desktop.settings import Settings, configured_value, load_settings
from sec_desktop.store import EntryStore, device_id, utc_now
from sec_desktop.store.paths import clock_state_path, id_index_path
from sec_desktop.store.shared_records import SharedRecordsError

if TYPE_CHECKING:  # loaded when first asked for: a report uses no vocabulary
    from sec_desktop.framework.vocabulary import Vocabulary
    from sec_desktop.store.notes_crypto import NoteKeySource


class Workspace:
    """Settings, framework, device and store of one data folder on this machine.

    `preset` is an industry preset asked for explicitly (the command line's `--preset`);
    without one, the preset chosen in the settings is used. (The tray app keeps its own order,
    the saved setting first, and passes the preset to `load_framework`.) `cipher` is where the
    store gets the notes key when a note must be sealed or opened. Problems met while loading
    (a faulty settings or customization file, an unknown preset) are collected in `problems`
    for the shell to show; none of them stops the workspace from opening.
    """

    def __init__(
        self,
        data_dir: Path,
        config_dir: Path,
        *,
        preset: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        cipher: NoteKeySource | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.config_dir = config_dir
        self.preset = preset
        self.clock = clock
        self.cipher = cipher
        self.problems: list[str] = []

    @cached_property
    def settings(self) -> Settings:
        loaded = load_settings(self.config_dir, now=self.clock())
        self.problems.extend(f"Settings: {problem.message}" for problem in loaded.problems)
        return loaded.settings

    @cached_property
    def device(self) -> str:
        return device_id(self.config_dir, self.data_dir, self.problems)

    @cached_property
    def framework(self) -> Framework:
        return self.load_framework(self.industry_preset())

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The shipped words with this data folder's aliases and learnt searches."""
        from sec_desktop.framework.vocabulary import Vocabulary

        vocabulary = Vocabulary.for_data_dir(self.data_dir, self.device)
        if vocabulary.problem:
            self.problems.append(vocabulary.problem)
        self.problems.extend(vocabulary.notices)
        return vocabulary

    @cached_property
    def store(self) -> EntryStore:
        return self.open_store(self.data_dir)

    def industry_preset(self) -> str | None:
        """The preset asked for, else the one chosen in the settings (read without loading,
        and so without repairing, the whole settings file)."""
        if self.preset is not None:
            return self.preset
        if "settings" in self.__dict__:
            return self.settings.industry_preset
        chosen = configured_value(self.config_dir, "industry_preset")
        return chosen if isinstance(chosen, str) else None

    def load_framework(self, preset: str | None) -> Framework:
        """The shipped framework with `preset` and the user's customization, read afresh; if
        the customization can't be applied at all, the shipped framework (as the README
        promises: the problem is reported and the app and the command line keep working)."""
        try:
            framework, problems = load_user_framework(self.data_dir, preset)
        except FrameworkError as exc:
            self.problems.append(f"The framework could not be loaded as customized: {exc}")
            return load_framework()
        self.problems.extend(problems)
        return framework

    def migrate_shared_settings(self) -> list[str]:
        """Move the single settings files of earlier versions (framework changes, custom
        profile, encryption state) into this device's shared records, once; each old file is
        kept aside, never deleted. Returns what was done; a failure joins `problems` and the
        old file keeps being read."""
        # Here, not at the top: a command that reads no note loads no notes crypto.
        from sec_desktop.store.notes_crypto import migrate_marker

        preset = self.industry_preset()
        try:
            base = load_framework(preset=preset)
        except FrameworkError:
            base = load_framework()
        done: list[str] = []
        steps: list[Callable[[], str | None]] = [
            lambda: migrate_customization(self.data_dir, self.device, base, now=self.clock()),
            lambda: migrate_custom_profile(self.data_dir, self.device, base, now=self.clock()),
            lambda: migrate_marker(self.data_dir, self.device, self.clock()),
        ]
        for step in steps:
            try:
                message = step()
            except (OSError, SharedRecordsError) as exc:
                self.problems.append(f"Settings of an earlier version were not migrated: {exc}")
                continue
            if message is not None:
                done.append(message)
        return done

    def open_store(self, data_dir: Path) -> EntryStore:
        """This device's store on `data_dir`, with the id index this machine keeps for it."""
        return EntryStore(
            data_dir,
            self.device,
            clock=self.clock,
            cipher=self.cipher,
            id_index_path=id_index_path(self.config_dir, data_dir),
            clock_state_path=clock_state_path(self.config_dir, data_dir),
        )

    def use_data_dir(self, data_dir: Path, store: EntryStore) -> None:
        """Move to another data folder whose store the caller opened with `open_store` (the
        caller closes the old one once everything else has moved too)."""
        self.data_dir = data_dir
        self.__dict__["store"] = store
        self.__dict__.pop("vocabulary", None)  # the aliases travel with the data folder

    @property
    def framework_is_loaded(self) -> bool:
        return "framework" in self.__dict__

    @property
    def store_is_open(self) -> bool:
        return "store" in self.__dict__

    def close(self) -> None:
        """Close the store if it was opened; the rest holds no resources."""
        if self.store_is_open:
            self.store.close()
