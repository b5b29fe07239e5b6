"""The command-line shell: `sec-desktop COMMAND`, one module per command group over the core.

`main` parses and dispatches; `base` holds what every command shares (the context, errors and
exit codes). The commands that start or talk to the tray app (`gui`) are the only ones that may
load Qt, and only inside their handlers.
"""
