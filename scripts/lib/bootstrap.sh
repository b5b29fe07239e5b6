# Shared set-up for scripts/run and scripts/test: system packages (when root), a .venv with
# the project installed. Idempotent: a second run only checks stamps and exits quickly.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '%s\n' "$*" >&2; }

# Qt's xcb/offscreen platforms and fonts, and libXss for input idle. For the tests: the X
# server, tray host and input tools of the end-to-end tests; the Secret Service.
RUNTIME_DEBS=(
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
  fonts-dejavu-core libxss1 libwayland-cursor0 libgssapi-krb5-2 libssl3
)
# The installers: strip (binutils) for PyInstaller, patchelf to drop the build machine's
# library paths from the bundle, dpkg-shlibdeps (dpkg-dev) for the .deb's Depends, and the
# validators the build runs (desktop-file-utils, appstream, lintian).
BUILD_DEBS=(binutils patchelf dpkg-dev desktop-file-utils appstream lintian)
# trayer: a real system tray host; timewarrior: fixtures from the real tool; gnome-keyring and
# dbus: a real Secret Service for the keyring tests; sway and wtype: a headless Wayland
# compositor and its virtual keyboard for the Wayland idle test; syncthing and faketime: two
# devices syncing one data folder, one with a slow clock; at-spi2-core: the AT-SPI bus the
# screen-reader test queries, as Orca does.
TEST_DEBS=(xvfb xauth xdotool x11-utils trayer timewarrior gnome-keyring dbus dbus-x11 libsecret-tools
  sway wtype syncthing faketime at-spi2-core)

# dunst: a real notification server for the weekly review's nudge and the prompt notifications.
TEST_DEBS+=(dunst)

# grim: screenshots of the sway session (shortcut, no-tray and Wayland desktop tests); waybar:
# a StatusNotifierItem tray host on sway.
TEST_DEBS+=(grim waybar)

find_python() {
  local candidate
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

missing_debs() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$pkg"
  done
}

ensure_debs() {
  command -v dpkg-query >/dev/null 2>&1 || return 0  # not Debian: the README lists them
  local missing
  mapfile -t missing < <(missing_debs "$@")
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "Missing Debian packages: ${missing[*]}"
    say "Install them with: sudo apt-get install ${missing[*]}"
    return 1
  fi
  say "Installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  # $1: "" for the app, "dev" for the app plus the test and lint tools.
  local extra="${1:-}" python stamp wanted
  if [ ! -x "$VENV/bin/python" ]; then
    python="$(find_python)" || {
      ensure_debs python3 python3-venv
      python="$(find_python)" || { say "Python 3.11 or newer is needed."; return 1; }
    }
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      ensure_debs python3-venv
      "$python" -m venv "$VENV"
    fi
  fi
  wanted="$(sha256sum < "$ROOT/pyproject.toml" | cut -c1-16)-${extra:-app}"
  stamp="$VENV/.installed-$wanted"
  # A dev install also serves the app; an app-only install doesn't serve the tests.
  if [ -e "$stamp" ] || { [ -z "$extra" ] && compgen -G "$VENV/.installed-${wanted%-app}-dev" >/dev/null; }; then
    return 0
  fi
  say "Installing SEC Desktop${extra:+ with its $extra tools} into .venv ..."
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT${extra:+[$extra]}"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
}
