"""Platform glue: single instance, start at login, idle and sleep; one module per concern."""
