"""The ``mistakes`` console script: the command line, or the terminal app with no command.

The CLI and the UI are independent layers; this launcher is the one place that knows both,
and it imports Textual only when the app is asked for.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from mistakes.cli.main import main as cli_main


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


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, run_app=run_app)
