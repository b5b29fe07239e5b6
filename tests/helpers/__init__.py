"""What many test modules share: an entry factory, framework ids, a fake clock, test keychains
and a loader for scripts outside the package. Imported as `tests.helpers.<module>`."""
