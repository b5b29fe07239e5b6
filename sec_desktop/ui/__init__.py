"""The Qt user interface: tray, picker, dashboard, settings."""
