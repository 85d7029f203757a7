"""Errors the user can act on: one line naming the file, exit 1, never a traceback, and the
entry as it was. Root ignores permissions, so a read-only folder is simulated by making
the calls fail with EROFS/EACCES as the kernel would for another user."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from mistakes.services.config import ConfigError, validate_keymap
from tests.cli.test_cli import no_traceback, snapshot, write_entry


@pytest.fixture
def entry(cwd: Path) -> Path:
    return write_entry(cwd / "mistakes", "001-pool.md", title="Pool exhausted")


def _no_space(monkeypatch: pytest.MonkeyPatch) -> None:
    def write(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", write)


def _read_only(monkeypatch: pytest.MonkeyPatch, error: int) -> None:
    """Creating a file in the folder fails, as in a read-only folder (or file system)."""
    real_open = os.open

    def open_(path: str | Path, flags: int, *args: int) -> int:
        if flags & os.O_CREAT:
            raise OSError(error, os.strerror(error), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_)


def test_set_on_a_full_disk(run, cwd: Path, entry: Path, monkeypatch) -> None:
    before = snapshot(entry.parent)
    _no_space(monkeypatch)
    result = run("set", "1", "status=investigating")
    assert result.code == 1
    assert result.err == (
        f"mistakes: {Path('mistakes') / entry.name}: not saved: No space left on device "
        "(the file is unchanged)\n"
    )
    assert snapshot(entry.parent) == before


def test_new_on_a_full_disk(run, cwd: Path, entry: Path, monkeypatch) -> None:
    before = snapshot(entry.parent)
    _no_space(monkeypatch)
    result = run("new", "--title", "Another one", "--no-env")
    assert result.code == 1
    assert result.err == (
        f"mistakes: {Path('mistakes') / '002-another-one.md'}: not written: "
        "No space left on device\n"
    )
    assert snapshot(entry.parent) == before


@pytest.mark.parametrize("error", [errno.EROFS, errno.EACCES])
@pytest.mark.parametrize("command", [["set", "1", "status=investigating"], ["new", "-t", "Two"]])
def test_read_only_folder(run, entry: Path, monkeypatch, error: int, command: list[str]) -> None:
    before = snapshot(entry.parent)
    _read_only(monkeypatch, error)
    result = run(*command, "--no-env") if command[0] == "new" else run(*command)
    assert result.code == 1
    assert result.err.startswith("mistakes: mistakes")
    assert os.strerror(error) in result.err
    assert result.err.count("\n") == 1 and no_traceback(result.err)
    assert snapshot(entry.parent) == before


def test_read_only_folder_message_for_set(run, entry: Path, monkeypatch) -> None:
    _read_only(monkeypatch, errno.EROFS)
    result = run("set", "1", "status=investigating")
    assert result.err == (
        f"mistakes: {Path('mistakes') / entry.name}: not saved: Read-only file system "
        "(the file is unchanged)\n"
    )


def test_a_folder_that_cannot_be_created(run, cwd: Path, monkeypatch) -> None:
    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", mkdir)
    result = run("new", "-t", "First", "--no-env")
    assert result.code == 1
    assert result.err == "mistakes: mistakes: cannot write a new entry: Permission denied\n"


def test_a_failed_folder_fsync_is_reported(run, entry: Path, monkeypatch) -> None:
    real = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, "Input/output error")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = run("set", "1", "status=investigating")
    assert result.code == 1
    assert result.err == (
        "mistakes: mistakes: written, but syncing the folder failed (Input/output error); "
        "the change may not survive a crash\n"
    )


def test_set_warns_when_the_entry_is_open_in_vim(run, entry: Path) -> None:
    (entry.parent / f".{entry.name}.swp").write_bytes(b"b0VIM 9.0")
    result = run("set", "1", "status=investigating")
    assert result.code == 0
    assert result.err == (
        f"mistakes: warning: {entry.name} is being edited in vim (swap file .{entry.name}.swp); "
        "saving anyway\n"
    )
    assert "status: investigating" in entry.read_text()


# -- configuration typos ------------------------------------------------------------------------


def test_unknown_user_config_key_is_an_error(run, cwd: Path, isolated_home: Path) -> None:
    config = isolated_home / ".config" / "mistakes" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('# mine\ndirs = "~/m"\n\n[keymap]\nsave = "f5"\n')
    result = run("list")
    assert result.code == 1
    assert result.err == (
        f"mistakes: {config}:2: unknown setting 'dirs' "
        "(known: dir, template, ascii, keymap, resolved_requires, reporters, folders)\n"
    )


def test_unknown_folder_config_key_is_an_error(run, entry: Path) -> None:
    (entry.parent / ".mistakes.toml").write_text('\ntemplte = "bug.md"\n')
    result = run("list")
    assert result.code == 1
    assert result.err == (
        f"mistakes: {Path('mistakes') / '.mistakes.toml'}:2: unknown setting 'templte' "
        "(known: template, resolved_requires)\n"
    )


def test_validate_keymap_names_the_unknown_id(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('dir = "x"\n\n[keymap]\nsave = "f5"\n"saev" = "f6"\n')
    validate_keymap({"save": "f5"}, {"save", "quit"}, config)
    with pytest.raises(ConfigError) as info:
        validate_keymap({"save": "f5", "saev": "f6"}, {"save", "quit"}, config)
    assert str(info.value) == f"{config}:5: [keymap] names no binding 'saev' (known: quit, save)"


def test_an_unreadable_folder_is_one_line(run, entry: Path, monkeypatch) -> None:
    def scandir(path: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "scandir", scandir)
    for command in (["list"], ["check"], ["show", "1"]):
        result = run(*command)
        assert result.code == 1, command
        assert result.err == "mistakes: mistakes: Permission denied\n", command


def test_ascii_in_the_user_config_must_be_true_or_false(
    run, cwd: Path, isolated_home: Path
) -> None:
    config = isolated_home / ".config" / "mistakes" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('ascii = "yes"\n')
    result = run("list")
    assert result.code == 1
    assert result.err == f"mistakes: {config}: 'ascii' is true or false\n"
    config.write_text("ascii = true\n")
    assert run("list").code == 0
