"""pytest plugin: after failing tests, the past entries each failure matches.

Registered through the ``pytest11`` entry point, and off unless asked for::

    pytest --mistakes             # the folder of mistake_dir in the ini file, else
                                  # $MISTAKES_DIR, else ./mistakes
    pytest --mistakes=DIR         # this folder (write the "="; a word after a bare
                                  # --mistakes is taken as the folder, as with --cov)
    [pytest] mistakes_dir = docs/mistakes   # on for every run (relative to the ini file)
    pytest -p no:mistakes         # off, whatever the ini file says

With it on, the terminal summary gets a "seen before" section: for each failure whose
traceback is like a past entry, ``seen before: 019 Title… fix: …`` lines. It never
changes an outcome or the exit code; each distinct failure (same place, same message) is
looked up once; the folder's index is opened once per session; anything that goes wrong
in here is one line in that section, never an error of the run.

Off, this module is all that loads: no ``mistakes`` package beyond ``mistakes/__init__``,
no search, no YAML (an installed package must not slow anyone's test run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for the type checker only
    import pytest
    from _pytest.terminal import TerminalReporter

    from mistakes.services.lookup import FailureLookup

_PLUGIN_NAME = "mistakes-seen-before"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mistakes", "past mistakes (the mistakes package)")
    group.addoption(
        "--mistakes",
        action="store",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        dest="mistakes_dir",
        help="after failures, show the past mistake entries each one matches (seen before: "
        "NNN Title… fix: …). DIR: the entries folder (write --mistakes=DIR); default: "
        "mistakes_dir of the ini file, else $MISTAKES_DIR, else ./mistakes",
    )
    parser.addini(
        "mistakes_dir",
        "the mistake entries folder (relative to this file): turns on the 'seen before' "
        "lines after failing tests, as --mistakes does",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    wanted, folder = _folder(config)
    if wanted:
        config.pluginmanager.register(SeenBefore(folder), _PLUGIN_NAME)


def _folder(config: pytest.Config) -> tuple[bool, str | None]:
    """(on, the folder: None for $MISTAKES_DIR / ./mistakes)."""
    option = config.getoption("mistakes_dir", None)
    ini = str(config.getini("mistakes_dir") or "").strip()
    if ini and config.inipath is not None:
        ini = str(config.inipath.parent / ini)
    if option is not None:
        return True, (option or ini or None)
    if ini:
        return True, ini
    return False, None


class SeenBefore:
    """The plugin's work when it is on (registered by :func:`pytest_configure`)."""

    def __init__(self, folder: str | None) -> None:
        self.folder = folder
        self.lookup: FailureLookup | None = None

    def pytest_terminal_summary(self, terminalreporter: TerminalReporter) -> None:
        try:
            self._summary(terminalreporter)
        except Exception as exc:  # never the run's problem: one line, and on
            terminalreporter.write_line(
                f"mistakes: past failures not looked up ({type(exc).__name__}: {exc})",
                yellow=True,
            )

    def pytest_unconfigure(self) -> None:
        try:
            if self.lookup is not None:
                self.lookup.close()
        except Exception:  # closing a read-only index: nothing the user can do
            pass

    def _summary(self, reporter: TerminalReporter) -> None:
        failures: dict[object, tuple[str, list[str]]] = {}  # distinct failure -> text, ids
        for kind in ("failed", "error"):
            for report in reporter.stats.get(kind, []):
                text = str(getattr(report, "longreprtext", "") or "")
                if not text.strip():
                    continue
                key = _failure_key(report, text)
                failures.setdefault(key, (text, []))[1].append(str(report.nodeid))
        if not failures:
            return
        from mistakes.services.lookup import FailureLookup

        if self.lookup is None:

            def building(message: str) -> None:
                reporter.write_line(f"mistakes: {message}")

            self.lookup = FailureLookup(self.folder, on_build=building)
        shown: list[tuple[list[str], list[str]]] = []
        for text, nodeids in failures.values():
            lines = self.lookup.seen_before(text)
            if lines:
                shown.append((nodeids, lines))
        if not shown:
            return
        reporter.write_sep("=", "seen before (mistakes)")
        for nodeids, lines in shown:
            more = f" (and {len(nodeids) - 1} more like it)" if len(nodeids) > 1 else ""
            reporter.write_line(f"{nodeids[0]}{more}")
            for line in lines:
                reporter.write_line(f"    {line}")


def _failure_key(report: Any, text: str) -> object:
    """The same failure: the same crash place and message (a parametrised test failing the
    same way for every parameter is one lookup), else the same text."""
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    if crash is not None:
        return (str(crash.path), int(crash.lineno), str(crash.message))
    return text
