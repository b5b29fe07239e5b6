"""The benchmark profile picker and the custom profile's band editor.

It holds the profiles (the framework's, plus the user's custom one from the data folder) and
the chosen one, and says when the choice changes, so the verdicts can be recomputed.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from sec_desktop.framework import Band, BenchmarkProfile, Framework
from sec_desktop.framework.custom_profile import (
    CUSTOM_PROFILE_ID,
    CustomProfileConflict,
    CustomProfileError,
    ProfileSnapshot,
    make_custom_profile,
    opening_profile_id,
    profiles_for,
    read_custom_profile,
    save_custom_profile,
)
from sec_desktop.ui.dashboard.dialogs import BandEditorDialog
from sec_desktop.ui.dashboard.entries import EditRefused
from sec_desktop.ui.dashboard.widgets import combo_box


class ProfilePicker(QWidget):
    """The profile box and the "Edit bands" button; `problems` says why a custom profile is
    not offered."""

    profileChanged = Signal()

    def __init__(
        self,
        framework: Framework,
        data_dir: Path,
        parent: QWidget | None = None,
        *,
        profile_id: str | None = None,
        device_id: str,
    ) -> None:
        """`profile_id`: the saved career stage to open on, when it still exists; `device_id`
        writes the custom profile's records as this device's."""
        super().__init__(parent)
        self.framework = framework
        self.data_dir = data_dir
        self.device_id = device_id
        self._band_base: ProfileSnapshot | None = None
        self.problems: list[str] = []
        self.profiles: dict[str, BenchmarkProfile] = profiles_for(
            framework, data_dir, self.problems
        )
        self.profile_id = opening_profile_id(self.profiles, profile_id)

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        profile_label = QLabel("Pro&file:")
        self.profile_box = combo_box("Benchmark profile")
        self.profile_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        profile_label.setBuddy(self.profile_box)
        self._fill_profiles()
        self.profile_box.activated.connect(
            lambda index: self.set_profile(str(self.profile_box.itemData(index)))
        )
        self.edit_bands_button = QPushButton("Edit &bands\u2026")
        self.edit_bands_button.setAccessibleName("Edit custom bands")
        self.edit_bands_button.clicked.connect(self.open_band_editor)
        for widget in (profile_label, self.profile_box, self.edit_bands_button):
            row.addWidget(widget)
        self._sync()

    @property
    def profile(self) -> BenchmarkProfile:
        return self.profiles[self.profile_id]

    def _fill_profiles(self) -> None:
        self.profile_box.blockSignals(True)
        self.profile_box.clear()
        for profile_id, profile in self.profiles.items():
            self.profile_box.addItem(profile.label, profile_id)
            self.profile_box.setItemData(
                self.profile_box.count() - 1, profile.description, Qt.ItemDataRole.ToolTipRole
            )
        self.profile_box.blockSignals(False)

    def _sync(self) -> None:
        """Show the chosen profile in the box without re-triggering it."""
        self.profile_box.blockSignals(True)
        index = self.profile_box.findData(self.profile_id)
        if index >= 0:
            self.profile_box.setCurrentIndex(index)
        self.profile_box.blockSignals(False)

    def set_profile(self, profile_id: str) -> None:
        if profile_id not in self.profiles:
            raise ValueError(f"unknown profile {profile_id!r}")
        self.profile_id = profile_id
        self._sync()
        self.profileChanged.emit()

    def open_band_editor(self) -> BandEditorDialog:
        """The custom profile's band editor, starting from the custom or the shown profile."""
        # What the editor starts from, read now: its save refuses to write over a band
        # another device changes while it is open.
        self._band_base = None
        with contextlib.suppress(CustomProfileError):  # an unusable old file: kept aside at save
            self._band_base = read_custom_profile(self.data_dir, self.framework)
        start = self.profiles.get(CUSTOM_PROFILE_ID, self.profile)
        if self._band_base is not None and self._band_base.profile is not None:
            start = self._band_base.profile
        dialog = BandEditorDialog(
            self.framework, dict(start.bands), self.save_custom_bands, self.window()
        )
        dialog.open()
        return dialog

    def save_custom_bands(self, bands: dict[str, Band]) -> None:
        """Validate and save the custom profile, then show it; refused input changes nothing."""
        try:
            profile = make_custom_profile(
                self.framework,
                {node_id: (b.low * 100, b.high * 100) for node_id, b in bands.items()},
                description="Bands you set yourself.",
            )
            self._band_base = save_custom_profile(
                self.data_dir,
                profile,
                self.framework,
                device_id=self.device_id,
                based_on=self._band_base,
            )
        except CustomProfileConflict as exc:
            # Told once: saving again is the user's choice, made knowing the other change.
            self._band_base = exc.current
            raise EditRefused(f"{exc}; press OK again to save yours over it") from exc
        except CustomProfileError as exc:
            raise EditRefused(str(exc)) from exc
        except OSError as exc:
            raise EditRefused(f"the custom profile could not be saved ({exc})") from exc
        self.problems.clear()
        self.profiles = profiles_for(self.framework, self.data_dir, self.problems)
        self._fill_profiles()
        self.set_profile(CUSTOM_PROFILE_ID)
