"""A later launch passes its launcher's activation token to the running app, which holds it
in its environment (where Qt's Wayland plugin takes it) only while that request is handled."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sec_desktop.platform.ipc_commands import TAKE_KEYBOARD, launch_activation
from sec_desktop.platform.single_instance import InstanceServer, server_name
from sec_desktop.store.paths import DATA_DIR_ENV
from sec_desktop.ui.activation import launcher_activation

TOKENS = ("XDG_ACTIVATION_TOKEN", "DESKTOP_STARTUP_ID")
LAUNCHERS_GIFT = "abc123"
OWN_LAUNCHERS_GIFT = "from-my-own-launcher"


@pytest.fixture(autouse=True)
def no_tokens_around(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in TOKENS:
        monkeypatch.delenv(name, raising=False)


def received_from_launch(
    qtbot: QtBot, tmp_path: Path, args: tuple[str, ...], env: dict[str, str]
) -> list[dict[str, object]]:
    """What a real `sec-desktop ARGS` launch sends to a running app's instance server."""
    data = tmp_path / "data"
    server = InstanceServer(server_name(data))
    server.listen()
    received: list[dict[str, object]] = []
    server.requested.connect(lambda command, message: received.append(message))
    child = subprocess.Popen(
        [sys.executable, "-m", "sec_desktop", *args],
        env={**os.environ, DATA_DIR_ENV: str(data), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Events flow until the launch has its reply and exits, as in a running app.
        qtbot.waitUntil(lambda: child.poll() is not None, timeout=20000)
        _, err = child.communicate()
        assert child.returncode == 0, err
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
        server.close()
    return received


def test_the_launch_sends_the_tokens_it_was_given(qtbot: QtBot, tmp_path: Path) -> None:
    tokens = {"XDG_ACTIVATION_TOKEN": "wl-token-1", "DESKTOP_STARTUP_ID": "host-1_TIME42"}
    received = received_from_launch(qtbot, tmp_path, ("dashboard",), tokens)
    assert received == [
        {
            "command": "dashboard",
            "activation": {
                "XDG_ACTIVATION_TOKEN": "wl-token-1",
                "DESKTOP_STARTUP_ID": "host-1_TIME42",
            },
        }
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("prompt", "--keyboard"), {"command": "prompt", TAKE_KEYBOARD: True}),
        (("prompt",), {"command": "prompt"}),
    ],
)
def test_prompt_keyboard_asks_the_running_app_to_take_the_keyboard(
    qtbot: QtBot, tmp_path: Path, args: tuple[str, ...], expected: dict[str, object]
) -> None:
    assert received_from_launch(qtbot, tmp_path, args, {}) == [expected]


def test_no_token_no_field() -> None:
    assert launch_activation({"PATH": "/bin", "XDG_ACTIVATION_TOKEN": ""}) == {}


def test_the_token_is_in_the_environment_only_while_the_request_is_handled() -> None:
    message = {"command": "dashboard", "activation": {"XDG_ACTIVATION_TOKEN": LAUNCHERS_GIFT}}
    with launcher_activation(message):
        assert os.environ["XDG_ACTIVATION_TOKEN"] == LAUNCHERS_GIFT
        assert "DESKTOP_STARTUP_ID" not in os.environ
    assert "XDG_ACTIVATION_TOKEN" not in os.environ


def test_a_request_without_a_token_leaves_the_apps_own_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_ACTIVATION_TOKEN", OWN_LAUNCHERS_GIFT)
    with launcher_activation({"command": "prompt"}):
        assert os.environ["XDG_ACTIVATION_TOKEN"] == OWN_LAUNCHERS_GIFT
    assert os.environ["XDG_ACTIVATION_TOKEN"] == OWN_LAUNCHERS_GIFT


@pytest.mark.parametrize(
    "bad",
    [42, "", "line\nbreak", "x" * 513, ["list"]],
    ids=["number", "empty", "control-char", "too-long", "list"],
)
def test_a_malformed_token_is_never_used(bad: object) -> None:
    message = {"command": "dashboard", "activation": {"XDG_ACTIVATION_TOKEN": bad}}
    with launcher_activation(message):
        assert "XDG_ACTIVATION_TOKEN" not in os.environ
