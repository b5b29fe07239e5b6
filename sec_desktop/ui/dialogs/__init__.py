"""The app's dialogs: settings, customizing the framework, and the first-run orientation."""
