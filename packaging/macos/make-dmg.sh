#!/usr/bin/env bash
# Package the menubar app built by packaging/sec_desktop.spec, build/dist/SEC Desktop.app,
# into build/installers/sec-desktop-<version>-macos-<arch>.dmg: the app beside a link to
# /Applications, so installing it is one drag. Runs on macOS, from any folder.
#
# Environment:
#   PYTHON                         the Python that reads sec_desktop.__version__
#                                  (default: .venv/bin/python if present, else python3)
#   SEC_DESKTOP_CODESIGN_IDENTITY  when set, the .app's signature is verified and the disk
#                                  image is signed with this identity too (the spec signs the app)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP="$ROOT/build/dist/SEC Desktop.app"
APP_EXE="$APP/Contents/MacOS/sec-desktop"
INFO_PLIST="$APP/Contents/Info.plist"
OUT_DIR="$ROOT/build/installers"
PLISTBUDDY=/usr/libexec/PlistBuddy

die() {
  printf 'make-dmg: %s\n' "$*" >&2
  exit 1
}

[ "$(uname -s)" = Darwin ] || die "disk images are made with hdiutil, which needs macOS"
[ -x "$APP_EXE" ] || die "$APP_EXE is missing; build the app first:
  pyinstaller --noconfirm --distpath build/dist --workpath build/pyinstaller packaging/sec_desktop.spec"

if [ -z "${PYTHON:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then
    PYTHON="$ROOT/.venv/bin/python"
  else
    PYTHON=python3
  fi
fi
VERSION="$(cd "$ROOT" && "$PYTHON" -c 'import sec_desktop; print(sec_desktop.__version__)')" ||
  die "could not read the version with $PYTHON"
[ -n "$VERSION" ] || die "$PYTHON printed an empty version"

plist_value() {
  "$PLISTBUDDY" -c "Print :$1" "$INFO_PLIST" 2>/dev/null || printf 'missing'
}

# A menubar app: no Dock icon or app menu (LSUIElement), and no App Nap, which would hold
# back the prompt timers while the app sits idle (NSAppSleepDisabled).
for key in LSUIElement NSAppSleepDisabled; do
  value="$(plist_value "$key")"
  [ "$value" = true ] ||
    die "$key is '$value' in $INFO_PLIST, not true: build the app with packaging/sec_desktop.spec"
done
bundle_version="$(plist_value CFBundleShortVersionString)"
[ "$bundle_version" = "$VERSION" ] ||
  die "the app is version '$bundle_version' but the source is $VERSION: rebuild the app"

archs="$(lipo -archs "$APP_EXE")" || die "lipo could not read the architectures of $APP_EXE"
case "$archs" in
  arm64) ARCH=arm64 ;;
  x86_64) ARCH=x86_64 ;;
  *arm64*x86_64* | *x86_64*arm64*) ARCH=universal2 ;;
  *) die "unexpected architectures in $APP_EXE: $archs" ;;
esac

if [ -n "${SEC_DESKTOP_CODESIGN_IDENTITY:-}" ]; then
  codesign --verify --deep --strict --verbose=2 "$APP" ||
    die "the signature of $APP does not verify"
fi

STAGE="$(mktemp -d "${TMPDIR:-/tmp}/sec-desktop-dmg.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
# ditto keeps the bundle's symlinks, extended attributes and signature as they are.
ditto "$APP" "$STAGE/SEC Desktop.app"
ln -s /Applications "$STAGE/Applications"

mkdir -p "$OUT_DIR"
DMG="$OUT_DIR/sec-desktop-$VERSION-macos-$ARCH.dmg"
# hdiutil now and then fails with "Resource busy" on busy machines (CI runners among them);
# another try a few seconds later succeeds.
for attempt in 1 2 3; do
  if hdiutil create -volname "SEC Desktop" -srcfolder "$STAGE" -ov -format UDZO "$DMG"; then
    break
  fi
  [ "$attempt" -lt 3 ] || die "hdiutil could not create $DMG"
  printf 'make-dmg: hdiutil failed; trying again\n' >&2
  sleep 5
done

if [ -n "${SEC_DESKTOP_CODESIGN_IDENTITY:-}" ]; then
  codesign --sign "$SEC_DESKTOP_CODESIGN_IDENTITY" --timestamp "$DMG"
fi

printf '%s\n' "$DMG"
