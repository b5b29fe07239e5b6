"""SEC Desktop: where a technology leader's time goes, against the SEC framework."""

APP_NAME = "SEC Desktop"
APP_ID = "io.github.secdesktop.SecDesktop"
# The folder name under the platform's per-user data and config locations.
APP_DIR_NAME = "sec-desktop"
__version__ = "0.1.0"
