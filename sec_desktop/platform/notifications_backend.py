"""Which notification server with buttons macOS and Windows use; Linux asks its session's
notification server instead (`DesktopNotifications.open`). No Qt here."""

from __future__ import annotations

from sec_desktop.platform.notifications import NotificationsUnavailable
from sec_desktop.platform.notifications_native import NativeNoticeServer


def native_backend_problem(platform: str) -> str | None:
    """Why prompts can't come as notifications with buttons on this OS (None: they can)."""
    if platform == "darwin":
        from sec_desktop.platform.notifications_macos import bundle_problem

        return bundle_problem()
    if platform == "win32":
        from sec_desktop.platform.notifications_windows import toasts_problem

        return toasts_problem()
    return f"no notification backend with buttons for {platform}"


def open_native_server(platform: str) -> NativeNoticeServer:
    """The macOS or Windows server; NotificationsUnavailable says why not."""
    problem = native_backend_problem(platform)
    if problem is not None:
        raise NotificationsUnavailable(problem)
    if platform == "darwin":
        from sec_desktop.platform.notifications_macos import MacNoticeServer

        return MacNoticeServer.open()
    from sec_desktop.platform.notifications_windows import WindowsToastServer

    return WindowsToastServer.open()


__all__ = ["native_backend_problem", "open_native_server"]
