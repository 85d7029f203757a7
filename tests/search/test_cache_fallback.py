"""A cache directory that cannot be used: search, similar and reindex still work, on a private
temporary index, with a one-line warning (they crashed with tracebacks)."""

from __future__ import annotations

import gc
import io
import os
import sys
from pathlib import Path

import pytest

from mistakes.cli.main import main
from mistakes.domain.template import Template
from mistakes.search.index import index_dir_for
from mistakes.services.config import user_cache_dir
from mistakes.services.search import SearchService
from mistakes.storage.folder import EntryFolder
from tests.conftest import Result
from tests.search.test_similar import TRACEBACK_005


@pytest.fixture
def cli(samples_copy: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def run(*args: str, stdin: str | None = None) -> Result:
        old = sys.stdin
        if stdin is not None:
            sys.stdin = io.StringIO(stdin)
        try:
            code = main(["--dir", str(samples_copy), *args])
        finally:
            sys.stdin = old
        gc.collect()  # the command's index is gone: its temporary directory with it
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def _paths(result: Result) -> list[str]:
    assert result.code == 0, result.err
    return [hit["path"] for hit in result.json]


@pytest.fixture
def expected(cli) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """What search and similar answer with a usable cache."""
    return {
        "search": _paths(cli("search", "--json", "connection pool")),
        "similar": _paths(cli("similar", "--json", "--stdin", stdin=TRACEBACK_005)),
    }


def _check(cli, expected: dict[str, list[str]], why: str) -> None:  # type: ignore[no-untyped-def]
    search = cli("search", "--json", "connection pool")
    assert _paths(search) == expected["search"]
    assert "temporary index" in search.err and why in search.err
    assert len(search.err.strip().splitlines()) == 1, search.err
    assert "Traceback" not in search.err
    similar = cli("similar", "--json", "--stdin", stdin=TRACEBACK_005)
    assert _paths(similar) == expected["similar"]
    assert "temporary index" in similar.err
    reindex = cli("reindex")
    assert reindex.code == 0, reindex.err
    assert "indexed 24 entries" in reindex.err
    assert "temporary index" in reindex.err  # reindex says where it built, too
    assert "Traceback" not in reindex.err


def test_xdg_cache_home_naming_a_file(
    cli, expected: dict[str, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_file = tmp_path / "not-a-directory"
    a_file.write_text("x", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(a_file))
    _check(cli, expected, "not-a-directory")
    assert a_file.read_text("utf-8") == "x"


def test_a_lock_path_that_cannot_be_opened(
    cli, expected: dict[str, list[str]], samples_copy: Path
) -> None:
    directory = index_dir_for(samples_copy, user_cache_dir())
    lock = directory.with_name(directory.name + ".lock")
    lock.unlink()
    lock.mkdir()  # a directory where the lock file goes
    _check(cli, expected, lock.name)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_cache_owned_by_someone_else_is_not_used(
    cli, expected: dict[str, list[str]], samples_copy: Path
) -> None:
    directory = index_dir_for(samples_copy, user_cache_dir())
    before = {p: p.stat().st_mtime_ns for p in directory.parent.rglob("*")}
    os.chown(directory.parent, 4242, 4242)
    _check(cli, expected, "owned by user 4242")
    after = {p: p.stat().st_mtime_ns for p in directory.parent.rglob("*")}
    assert after == before  # nothing written in a directory someone else controls


def test_the_temporary_index_is_removed_when_done(
    samples_copy: Path, template: Template, tmp_path: Path
) -> None:
    a_file = tmp_path / "cache-file"
    a_file.write_text("x", "utf-8")
    service = SearchService(EntryFolder(samples_copy, template), a_file)
    report = service.open()
    assert report.notices[:1] == [service.warning]
    assert "temporary index" in service.warning
    temporary = service.index.dir.parent
    assert temporary.is_dir() and service.search("deadlock").hits
    assert not str(temporary).startswith(str(a_file))
    service.close()
    del service, report
    gc.collect()
    assert not temporary.exists()


def test_a_private_cache_is_used_without_a_warning(
    samples_copy: Path, template: Template, tmp_path: Path
) -> None:
    service = SearchService(EntryFolder(samples_copy, template), tmp_path / "cache")
    assert service.warning == ""
    assert service.open().notices == []
    assert service.index.dir == index_dir_for(samples_copy, tmp_path / "cache")
    service.close()


def test_an_oversized_entry_is_refused_from_its_size_not_read(samples_copy: Path) -> None:
    """A sparse 2 GiB file named like an entry cost 2 GiB of memory in `search` (the sync
    read it whole before refusing it): it is refused from its stat, and reported. The
    command runs under a 1.5 GiB address-space limit, which reading it whole breaks."""
    import resource
    import subprocess

    big = samples_copy / "099-huge.md"
    with big.open("wb") as handle:
        handle.truncate(2 << 30)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))

    run = subprocess.run(
        [sys.executable, "-m", "mistakes", "--dir", str(samples_copy), "search", "--json", "pool"],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "099-huge.md" in run.stderr and "Traceback" not in run.stderr
    assert "099-huge.md" not in run.stdout and "005-" in run.stdout
