"""The cache of dataclass-generated code: same classes, compiled once, never trusted blindly."""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sec_desktop import codegen_cache
from sec_desktop.codegen_cache import CodegenCache, install, uninstall


@pytest.fixture
def cache_file(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "cache" / "generated.marshal"
    uninstall()


def make_classes() -> tuple[type, type]:
    @dataclasses.dataclass(frozen=True)
    class Span:
        start: int
        end: int = 0
        tags: tuple[str, ...] = ()

    @dataclasses.dataclass(order=True)
    class Mutable:
        name: str
        count: int = dataclasses.field(default=0, compare=False)

    return Span, Mutable


def behaviour(span: type, mutable: type) -> list[object]:
    a, b = span(1, 2, ("x",)), span(1, 2, ("x",))
    try:
        a.start = 5  # type: ignore[misc]
        frozen = "assigned"
    except dataclasses.FrozenInstanceError as exc:
        frozen = type(exc).__name__
    m = mutable("n")
    m.count = 3
    return [
        a == b,
        hash(a) == hash(b),
        repr(a),
        frozen,
        span(4).end,
        repr(m),
        mutable("a") < mutable("b"),
        mutable("a", 1) == mutable("a", 2),
        [f.name for f in dataclasses.fields(span)],
    ]


def test_classes_behave_as_without_the_cache_and_compile_once(cache_file: Path) -> None:
    plain = behaviour(*make_classes())
    first = install(cache_file)
    assert behaviour(*make_classes()) == plain
    assert first.added > 0
    first.save()
    assert cache_file.is_file()
    second = install(cache_file)
    assert behaviour(*make_classes()) == plain
    assert second.added == 0, "every generated text came from the file"
    assert second.used


def test_nothing_is_written_when_nothing_new_was_compiled(cache_file: Path) -> None:
    first = install(cache_file)
    make_classes()
    first.save()
    written = cache_file.stat().st_mtime_ns
    second = install(cache_file)
    make_classes()
    second.save()
    assert cache_file.stat().st_mtime_ns == written


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not marshal at all",
        marshal.dumps(("2.7.18 (another python)", {})),
        marshal.dumps((sys.version, ["a list, not a dict"])),
        marshal.dumps((sys.version, {"def f(): pass": "not code"})),
    ],
    ids=["empty", "garbage", "other-python", "wrong-shape", "not-code"],
)
def test_a_damaged_or_foreign_file_is_ignored_and_replaced(
    cache_file: Path, content: bytes
) -> None:
    cache_file.parent.mkdir(parents=True)
    cache_file.write_bytes(content)
    cache_file.chmod(0o600)
    cache = install(cache_file)
    assert cache.known == {}
    assert behaviour(*make_classes()) == behaviour(*_plain_classes())
    cache.save()
    assert CodegenCache(cache_file).known, "rewritten with good entries"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_file_others_can_write_is_not_loaded(cache_file: Path) -> None:
    first = install(cache_file)
    make_classes()
    first.save()
    cache_file.chmod(0o666)
    assert CodegenCache(cache_file).known == {}


def test_an_unwritable_folder_only_means_compiling_again(
    cache_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr("sec_desktop.store.atomic.atomic_write_bytes", refuse)
    cache = install(cache_file)
    make_classes()
    cache.save()  # no exception
    assert not cache_file.exists()


def test_the_app_keeps_the_cache_in_its_config_folder(isolated_dirs: dict[str, Path]) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(codegen_cache.__file__).parents[1]), env.get("PYTHONPATH")])
    )
    command = [sys.executable, "-m", "sec_desktop", "--tz", "UTC", "report", "--format", "json"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    (cached,) = (isolated_dirs["config"] / "cache").glob("generated-code-*.marshal")
    written = cached.stat().st_mtime_ns
    again = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert cached.stat().st_mtime_ns == written, "a second run compiled nothing new"


def _plain_classes() -> tuple[type, type]:
    uninstall()
    return make_classes()
