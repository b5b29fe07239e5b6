"""Notes at rest: the OS keychain that holds the key (`keychain`), the passes that seal and
open this device's notes (`notes`), and the state the user sees (`state`)."""
