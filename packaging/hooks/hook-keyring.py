"""PyInstaller hook for keyring: its backends are found through package metadata.

keyring loads its backends from the `keyring.backends` entry points of its own dist-info, and
imports their modules by name. A bundle without that metadata, or without those modules, has
no backend at all: notes then stay unencrypted everywhere. So this hook copies keyring's
metadata, collects every backend module, and adds what each OS's backend imports lazily.
Put `packaging/hooks` in the spec's `hookspath`; it takes precedence over the contrib hook.
"""

import sys

from PyInstaller.utils.hooks import collect_submodules, copy_metadata

datas = copy_metadata("keyring")
hiddenimports = collect_submodules("keyring.backends")

if sys.platform.startswith("linux"):
    # Secret Service over D-Bus: secretstorage drives it through jeepney (pure Python).
    hiddenimports += collect_submodules("secretstorage") + collect_submodules("jeepney")
elif sys.platform == "win32":
    # The Windows Credential Manager backend goes through pywin32-ctypes.
    hiddenimports += collect_submodules("win32ctypes")
# macOS: keyring.backends.macOS talks to the Security framework with ctypes; nothing extra.

# Python < 3.12: keyring reads entry points with the importlib_metadata backport.
if sys.version_info < (3, 12):
    hiddenimports += ["importlib_metadata"]
