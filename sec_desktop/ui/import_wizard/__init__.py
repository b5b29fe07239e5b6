"""The import wizard: choose a file from another time tracker, preview what it would add,
map the rows no rule maps, then import (`wizard.ImportWizard`)."""
