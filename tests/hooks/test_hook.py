"""mistakes.hook: uncaught exceptions (main thread and threads) and logged errors are
followed by the past entries they match; the original traceback is never hidden."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ENTRY, run

FAILS = """\
def read_staging(data):
    return data.decode("ascii")


read_staging(b"Jos\\xc3\\xa9 Garc\\xc3\\xada")
"""


def _program(project: Path, head: str, body: str = FAILS) -> Path:
    path = project / "prog.py"
    path.write_text(head + "\n" + body)
    return path


def test_an_uncaught_exception_is_followed_by_the_entry_it_matches(project: Path) -> None:
    plain = run([str(_program(project, "# the same line numbers\n#"))], project)
    hooked = run(
        [str(_program(project, "import mistakes.hook\nmistakes.hook.install(dir='entries')"))],
        project,
    )
    assert plain.returncode == hooked.returncode == 1
    usual = plain.stderr  # the usual traceback, whole and first
    assert hooked.stderr.startswith(usual), hooked.stderr
    after = hooked.stderr[len(usual) :].splitlines()
    assert after and all(line.startswith("seen before: ") for line in after)
    assert after[0].startswith(f"seen before: {ENTRY}")


def test_a_bare_import_installs_it_with_mistakes_dir(project: Path) -> None:
    result = run([str(_program(project, "import mistakes.hook"))], project, MISTAKES_DIR="entries")
    assert result.returncode == 1
    assert "UnicodeDecodeError: 'ascii' codec can't decode byte 0xc3" in result.stderr
    assert f"seen before: {ENTRY}" in result.stderr


def test_an_exception_in_a_thread_is_followed_by_the_entry(project: Path) -> None:
    body = (
        "import threading\n"
        "def work():\n"
        "    b'Jos\\xc3\\xa9'.decode('ascii')\n"
        "thread = threading.Thread(target=work, name='exporter')\n"
        "thread.start(); thread.join()\n"
        "print('main goes on')\n"
    )
    program = _program(project, "import mistakes.hook\nmistakes.hook.install(dir='entries')", body)
    result = run([str(program)], project)
    assert result.returncode == 0
    assert result.stdout == "main goes on\n"
    err = result.stderr
    assert err.startswith("Exception in thread exporter:\nTraceback (most recent call last):")
    error_line = "UnicodeDecodeError: 'ascii' codec can't decode byte 0xc3 in position 3"
    assert err.index(error_line) < err.index(f"seen before: {ENTRY}")


@pytest.mark.parametrize("broken", ["missing folder", "folder is a file", "bad config"])
def test_a_missing_or_broken_folder_leaves_the_traceback_exactly_as_it_was(
    project: Path, broken: str
) -> None:
    extra: dict[str, str] = {}
    folder = "no-such-folder"
    if broken == "folder is a file":
        folder = "afile"
        (project / "afile").write_text("not a folder\n")
    elif broken == "bad config":
        folder = "entries"
        (project / "config.toml").write_text("= = =\n")
        extra["MISTAKES_CONFIG"] = str(project / "config.toml")
    head = f"import mistakes.hook\nmistakes.hook.install(dir={folder!r})\n"
    plain = run([str(_program(project, "\n\n"))], project, **extra)
    hooked = run([str(_program(project, head))], project, **extra)
    assert hooked.returncode == plain.returncode == 1
    assert hooked.stderr == plain.stderr
    assert hooked.stderr.endswith(
        "UnicodeDecodeError: 'ascii' codec can't decode byte 0xc3 in position 3: "
        "ordinal not in range(128)\n"
    )


@pytest.fixture
def hook() -> Iterator[object]:
    """The module imported in this process (which installs it): put back afterwards."""
    import mistakes.hook

    yield mistakes.hook
    mistakes.hook.uninstall()
    mistakes.hook.close()


def test_the_logging_handler_adds_the_lines_for_errors_with_a_traceback(
    hook: object, samples_copy: Path
) -> None:
    import mistakes.hook

    stream = io.StringIO()
    logger = logging.getLogger("tests.hooks.export")
    logger.propagate = False
    handler = mistakes.hook.Handler(dir=samples_copy, stream=stream)
    logger.addHandler(handler)
    try:
        logger.error("no traceback here")
        try:
            b"Jos\xc3\xa9".decode("ascii")
        except UnicodeDecodeError:
            logger.warning("a warning with a traceback", exc_info=True)
            assert stream.getvalue() == ""
            logger.exception("export failed")
            logger.exception("export failed again")  # the same traceback: asked once
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith(f"seen before: {ENTRY}")
    assert len(lines) % 2 == 0 and lines[: len(lines) // 2] == lines[len(lines) // 2 :]
    [lookup] = mistakes.hook._State.lookups.values()
    assert lookup.lookups == 1


def test_the_handler_is_silent_when_the_folder_is_broken(
    hook: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mistakes.hook

    bad = tmp_path / "config.toml"
    bad.write_text("= = =\n")
    monkeypatch.setenv("MISTAKES_CONFIG", str(bad))
    stream = io.StringIO()
    handler = mistakes.hook.Handler(dir=tmp_path, stream=stream)
    try:
        raise KeyError("x")
    except KeyError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, None)
        record.exc_info = sys.exc_info()
    handler.handle(record)
    assert stream.getvalue() == ""
