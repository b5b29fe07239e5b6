"""The weekly review window.

Its names load on first use: the tray imports this package's nudge and notice at start, and
the window (with the review's analytics and charts) only when it opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sec_desktop.ui.review.window import ReviewSources, ReviewWindow

__all__ = ["ReviewSources", "ReviewWindow"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sec_desktop.ui.review import window

        return getattr(window, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
