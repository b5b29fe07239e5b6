"""The weekly review window."""

from sec_desktop.ui.review.window import ReviewSources, ReviewWindow

__all__ = ["ReviewSources", "ReviewWindow"]
