"""Chart colours taken from the widget palette, so light and dark themes both stay readable."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

# Each pair is (light theme, dark theme). The verdict colours keep a 4.5:1 contrast for text
# on the theme's base colour; the verdict is always written in words beside them as well.
_VERDICT_COLOURS = {
    "below": ("#a85400", "#ffb454"),
    "within": ("#1b7a3a", "#6ad48a"),
    "above": ("#7040c0", "#c9a8ff"),
    "no_data": ("#5f6670", "#a7afba"),
}
_DOMAIN_COLOURS = {
    "strategy": ("#2f6db5", "#7fb0ff"),
    "execution": ("#0d7f74", "#4fd1c5"),
    "culture": ("#b0417a", "#f28cc0"),
}
_FALLBACK_DOMAIN = ("#5f6670", "#a7afba")
# Lightness of the window colour under which a palette counts as dark.
DARK_WINDOW_LIGHTNESS = 128


@dataclass(frozen=True)
class ChartTheme:
    """The colours one chart painting needs; build it with `from_palette`."""

    dark: bool
    text: QColor
    muted_text: QColor
    background: QColor
    grid: QColor
    band_fill: QColor
    band_edge: QColor
    highlight: QColor

    @classmethod
    def from_palette(cls, palette: QPalette) -> ChartTheme:
        window = palette.color(QPalette.ColorRole.Window)
        dark = window.lightness() < DARK_WINDOW_LIGHTNESS
        text = palette.color(QPalette.ColorRole.WindowText)
        muted = QColor(text)
        muted.setAlphaF(0.72)
        grid = QColor(text)
        grid.setAlphaF(0.16)
        band_fill = QColor("#3b4452" if dark else "#dfe4ec")
        band_edge = QColor("#8792a3" if dark else "#8a94a3")
        highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
        return cls(
            dark=dark,
            text=text,
            muted_text=muted,
            background=palette.color(QPalette.ColorRole.Base),
            grid=grid,
            band_fill=band_fill,
            band_edge=band_edge,
            highlight=highlight,
        )

    @classmethod
    def light(cls) -> ChartTheme:
        """The light theme regardless of the desktop's, for printed reports."""
        palette = QPalette(QColor("#f4f5f7"))
        palette.setColor(QPalette.ColorRole.Window, QColor("#ffffff"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#1d2228"))
        palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
        palette.setColor(QPalette.ColorRole.Highlight, QColor("#2f6db5"))
        return cls.from_palette(palette)

    def verdict_colour(self, status: str | None) -> QColor:
        pair = _VERDICT_COLOURS.get(status or "no_data", _VERDICT_COLOURS["no_data"])
        return QColor(pair[1] if self.dark else pair[0])

    def domain_colour(self, node_id: str) -> QColor:
        """The colour of the domain a node belongs to (ids start with their domain's id)."""
        pair = _DOMAIN_COLOURS.get(node_id.split(".", 1)[0], _FALLBACK_DOMAIN)
        return QColor(pair[1] if self.dark else pair[0])


def dark_palette() -> QPalette:
    """A dark palette for the dark-theme screenshots and tests (Fusion style colours)."""
    palette = QPalette()
    role = QPalette.ColorRole
    colours = {
        role.Window: "#2b2d31",
        role.WindowText: "#e8eaed",
        role.Base: "#1f2124",
        role.AlternateBase: "#2a2c30",
        role.ToolTipBase: "#2b2d31",
        role.ToolTipText: "#e8eaed",
        role.Text: "#e8eaed",
        role.Button: "#35373c",
        role.ButtonText: "#e8eaed",
        role.BrightText: "#ff6b6b",
        role.Highlight: "#3d7bd9",
        role.HighlightedText: "#ffffff",
        role.Link: "#7fb0ff",
        role.PlaceholderText: "#9aa0a6",
        role.Mid: "#4a4d52",
        role.Dark: "#1a1b1e",
        role.Light: "#4d5056",
        role.Midlight: "#3f4247",
        role.Shadow: "#000000",
    }
    for key, value in colours.items():
        palette.setColor(key, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for key in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, key, QColor("#7d8288"))
    return palette
