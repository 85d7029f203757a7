"""The ``mistakes`` console script: the command line, or the terminal app with no command.

The CLI and the UI are independent layers; this launcher is the one place that knows both,
and it imports Textual only when the app is asked for.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from mistakes.cli.main import command_named
from mistakes.cli.main import main as cli_main

READ_ONLY = frozenset({"search", "list", "stats", "show", "todo", "similar"})
"""Commands that write nothing: their process may end without Python's teardown."""


def in_browser() -> bool:
    """Started by ``mistakes serve`` (textual-serve names its driver): no terminal needed."""
    return os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver")


def run_app(folder: str | list[str] | None, template: str | None) -> int:
    if not (in_browser() or (sys.stdin.isatty() and sys.stdout.isatty())):
        print(
            "mistakes: the app needs a terminal; in scripts use the commands "
            "(see 'mistakes --help')",
            file=sys.stderr,
        )
        return 2
    term = os.environ.get("TERM", "")
    if term in ("dumb", "unknown") and not in_browser():
        print(
            f"mistakes: TERM={term} cannot show the full-screen app; use the commands "
            "(mistakes list, search, show, new; see 'mistakes --help'), or set TERM "
            "(e.g. TERM=xterm-256color)",
            file=sys.stderr,
        )
        return 2
    from mistakes.ui.app import make_app  # only the app loads textual

    app = make_app(folder, template)
    app.run()
    return app.return_code or 0


def leave_at_once(code: int) -> None:
    """End a one-shot process now, its output flushed, without Python's teardown (freeing
    every module and the index's objects one by one: 30-60 ms of a 0.2-0.3 s ``search``,
    paid after the answer is printed). Returns, for the usual exit, when a thread is still
    at work or the output cannot be flushed (a closed pipe: the usual exit deals with it)."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """The console script (and ``python -m mistakes``): ``argv`` None reads the process's
    own arguments, and a command that writes nothing ends the process at once."""
    code = cli_main(argv, run_app=run_app)
    if argv is None and command_named(sys.argv[1:]) in READ_ONLY:
        leave_at_once(code)
    return code
