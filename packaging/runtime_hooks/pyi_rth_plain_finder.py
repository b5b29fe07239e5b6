"""Run-time hook: a bundle without a module archive imports through Python's own finder.

The spec builds with noarchive: every module is a .pyc file in the bundle folder and
PyInstaller's archive (PYZ) is empty. PyInstaller's path finder still stands in front of
every folder on sys.path and every package's path, looks each module up in that empty
archive (formatting its trace messages on the way) and only then asks Python's FileFinder,
which finds it. That is pure overhead on each of the few hundred imports of a start, so the
finder is taken out of the import system here, before the app imports anything; Python then
finds the same files itself. With a non-empty archive (a build without noarchive) nothing
changes.
"""

# ruff: noqa
# mypy: ignore-errors


def _pyi_rthook():
    import sys

    import pyimod02_importers

    archive = pyimod02_importers.pyz_archive
    if archive is None or archive.toc:
        return
    hook = pyimod02_importers.PyiFrozenFinder.path_hook
    sys.path_hooks[:] = [entry for entry in sys.path_hooks if entry != hook]
    for path, finder in list(sys.path_importer_cache.items()):
        if isinstance(finder, pyimod02_importers.PyiFrozenFinder):
            # Made again by the remaining hooks (FileFinder) the next time the path is used.
            del sys.path_importer_cache[path]


_pyi_rthook()
del _pyi_rthook
