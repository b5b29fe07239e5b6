"""The requests a later launch sends to the running app, declared once: the CLI makes a
subcommand of each, the instance server refuses any other, and the app has one handler for
each. Free of Qt, so the command line's parser reads it without loading Qt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class IpcCommand:
    """One request the running app answers."""

    # As sent over the socket.
    name: str
    # The `sec-desktop` subcommand that sends it.
    cli_word: str
    # With no app running, the launch starts one (which then does the command).
    starts_app: bool
    help: str


COMMANDS: tuple[IpcCommand, ...] = (
    IpcCommand(
        "raise", "tray", starts_app=True, help="start the tray app (what `sec-desktop` alone does)"
    ),
    IpcCommand(
        "prompt",
        "prompt",
        starts_app=True,
        help="ask what you are doing now (starts the app if needed)",
    ),
    IpcCommand(
        "dashboard",
        "dashboard",
        starts_app=True,
        help="open the dashboard of the running app (starts it if needed)",
    ),
    IpcCommand(
        "settings",
        "settings",
        starts_app=True,
        help="open the settings of the running app (starts it if needed)",
    ),
    IpcCommand(
        "status",
        "status",
        starts_app=False,
        help="show the running app's state and the open questions",
    ),
    IpcCommand("quit", "quit", starts_app=False, help="stop the running app"),
)
COMMAND_NAMES = frozenset(command.name for command in COMMANDS)
BY_CLI_WORD = {command.cli_word: command for command in COMMANDS}

# What a launcher hands the process it starts so that its window may take the focus: a Wayland
# xdg-activation token, or an X11 startup-notification id. A later launch passes them on,
# since the running app, not the launch, raises the window.
ACTIVATION_ENV = ("XDG_ACTIVATION_TOKEN", "DESKTOP_STARTUP_ID")
ACTIVATION_FIELD = "activation"


def launch_activation(env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The request's activation field: the launcher's tokens found in `env` (none: empty)."""
    tokens = {name: env[name] for name in ACTIVATION_ENV if env.get(name)}
    return {ACTIVATION_FIELD: tokens} if tokens else {}


# A prompt asked with this field true (`sec-desktop prompt --keyboard`, what a desktop key
# binding runs) takes the keyboard at once: the key press was the user asking, not typing
# meant for another window.
TAKE_KEYBOARD = "take_keyboard"
