"""Where no activation token can be had, a clear error names why (the app then marks the
window urgent instead). tests/e2e/test_wayland_desktop.py gets real tokens from sway."""

from __future__ import annotations

from pathlib import Path

import pytest

from sec_desktop.platform.xdg_activation import ActivationError, activation_token
from tests.unit.platform.test_idle_wayland_wire import (
    MakeCompositor,
    compositor_for,  # noqa: F401 - the fixture
    env_for,
    runtime,  # noqa: F401 - the fixture
)


def test_no_compositor(tmp_path: Path) -> None:
    env = {"XDG_RUNTIME_DIR": str(tmp_path), "WAYLAND_DISPLAY": "wayland-9"}
    with pytest.raises(ActivationError, match="no Wayland compositor at"):
        activation_token(env, "io.example.App")


def test_a_compositor_without_xdg_activation(
    compositor_for: MakeCompositor,  # noqa: F811
    runtime: Path,  # noqa: F811
) -> None:
    compositor_for(["wl_seat", "org_kde_kwin_idle"])
    with pytest.raises(ActivationError, match="offers no xdg_activation_v1"):
        activation_token(env_for(runtime), "io.example.App")
