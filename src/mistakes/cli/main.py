"""``mistakes``: the command line. Thin: parsing here, work in mistakes.services."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from mistakes import __version__
from mistakes.cli import stats
from mistakes.domain.errors import MistakesError
from mistakes.domain.text import visible

if TYPE_CHECKING:
    from mistakes.cli.commands import Handler, RunApp

DESCRIPTION = """\
Write up mistakes, incidents and post-mortems from a template, and find past ones.
With no command, opens the terminal app on the entries folder."""

EPILOG = """\
The entries folder is --dir, else $MISTAKES_DIR, else ./mistakes (created on first write).
--dir may be given several times (or folders = [...] in the config): search, similar, list,
stats, todo and check work over all of them, new writes to the first (or new --in NAME).
REF is an entry's number (7 or 007), its file name or stem, or a path; FOLDER:REF
(payments:7) names the folder when several have that entry.
Run 'mistakes COMMAND --help' for a command's options."""


def _positive(text: str) -> int:
    """A whole number of at least 1 (``--limit 0`` or ``-1`` is a usage error, exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (not {value})")
    return value


def _add_common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--dir",
        "-d",
        metavar="FOLDER",
        action="append",
        dest="dir" if top else "command_dir",
        default=default,
        help="the entries folder; repeat it to work over several, NAME=FOLDER names one",
    )
    parser.add_argument(
        "--template", metavar="FILE", default=default, help="use this template file"
    )


def _add_in(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--in",
        dest="in_folder",
        metavar="NAME",
        help="with several folders: write to this one (default: the first)",
    )


class _Run:
    """A handler of ``mistakes.cli.commands``, imported when its command runs: a one-shot
    ``list`` or ``search`` does not load what ``new``, ``capture`` or ``import`` need."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, args: argparse.Namespace) -> int:
        from mistakes.cli import commands

        handler: Handler = getattr(commands, self.name)
        return handler(args)


Register = Callable[[Callable[[str, str, "Handler"], argparse.ArgumentParser]], None]

GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # the commands registered by a module of their own: (module, function, names)
    "teams": ("mistakes.cli.teams", "register", ("export", "serve", "history", "renumber")),
    "links": ("mistakes.cli.links", "add_parsers", ("link", "unlink", "todo", "done", "undo")),
}
"""Modules imported only to build the parser of one of their commands (or every parser,
for ``--help`` and mistakes in the command line)."""

MAIN_COMMANDS = (
    "new",
    "capture",
    "seen",
    "list",
    "stats",
    "show",
    "set",
    "check",
    "search",
    "similar",
    "reindex",
    "mcp",
    "import",
)
"""The commands whose parsers are built here (in this order)."""

_VALUE_OPTIONS = ("--dir", "--template")


def command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names, when it is plainly one of the commands (read past the
    options before it); None otherwise (no command, ``--``, anything unusual): then every
    parser is built, and argparse says what is wrong as it always did."""
    words = iter(argv)
    for word in words:
        if word == "--":
            return None
        if word.startswith("-"):
            if word in ("-h", "--version") or (len(word) > 2 and "--help".startswith(word)):
                return None  # the whole program's help names every command
            if "=" in word or word == "--ascii":
                continue
            if word == "-d" or (
                word.startswith("--")
                and len(word) > 2
                and any(option.startswith(word) for option in _VALUE_OPTIONS)
            ):
                next(words, None)  # its value
                continue
            if word.startswith("-d") and not word.startswith("--"):
                continue  # -dFOLDER
            return None  # an option this reading does not know: argparse decides
        known = word in MAIN_COMMANDS or any(word in g[2] for g in GROUPS.values())
        return word if known else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; ``only``: just that command's parser among the
    subcommands (what one run needs: the other commands' modules are not imported)."""
    parser = argparse.ArgumentParser(
        prog="mistakes",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mistakes {__version__}")
    parser.set_defaults(handler=None)
    _add_common(parser, top=True)
    parser.add_argument(
        "--ascii",
        action="store_true",
        help="the app draws with ASCII only (as on the Linux console; also MISTAKES_ASCII=1)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
        if only is not None and name != only:  # not this run's command: built, not added
            return argparse.ArgumentParser(add_help=False)
        p = sub.add_parser(name, help=help_text, description=help_text)
        _add_common(p, top=False)
        p.set_defaults(handler=handler)
        return p

    p = command("new", "write a new entry and print its path", _Run("cmd_new"))
    p.add_argument("--title", "-t", help="the entry's title")
    p.add_argument("--severity", "-s")
    p.add_argument("--status")
    p.add_argument("--reporter", "-r")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="date encountered (default: today)")
    p.add_argument("--tag", action="append", default=[], metavar="TAG", help="repeatable")
    p.add_argument(
        "--section",
        action="append",
        default=[],
        metavar="NAME=TEXT",
        help="text of a section, by key or title (repeatable), e.g. 'What Happened=...'",
    )
    p.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any template field, e.g. environment.os=... (repeatable)",
    )
    p.add_argument("--stdin", metavar="SECTION", help="read this section's text from stdin")
    p.add_argument(
        "--no-env", action="store_true", help="do not fill in the environment automatically"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="--status resolved even when Root Cause Analysis or The Fix is empty",
    )
    p.add_argument("--json", action="store_true", help="print the new entry as JSON")
    _add_in(p)

    p = command(
        "capture", "run a command; if it fails, record its output as an entry", _Run("cmd_capture")
    )
    p.add_argument("--title", "-t", help="default: the command and its exit code")
    p.add_argument("--severity", "-s")
    p.add_argument("--tag", action="append", default=[], metavar="TAG")
    p.add_argument(
        "--lines", type=_positive, default=100, help="lines of output kept (default 100)"
    )
    p.add_argument("--always", action="store_true", help="record even when the command succeeds")
    p.add_argument("--into", metavar="SECTION", help="section for the output")
    p.add_argument("--json", action="store_true", help="print the entry as JSON on stderr")
    p.add_argument(
        "--seen-before",
        metavar="REF",
        help="if it fails, record an occurrence of REF instead of a new entry",
    )
    _add_in(p)
    p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD [ARGS...]")

    p = command(
        "seen",
        "record that an entry's mistake happened again (appends to its Occurrences)",
        _Run("cmd_seen"),
    )
    p.add_argument("ref", metavar="REF")
    p.add_argument("--note", help="what happened this time (default: none)")
    p.add_argument("--stdin", action="store_true", help="the note is the first error line of stdin")
    p.add_argument("--reopen", action="store_true", help="a Resolved entry goes back to Active")
    p.add_argument("--json", action="store_true", help="print the entry as JSON")

    stats.add_list(command)
    stats.add_stats(command)

    p = command("show", "print an entry", _Run("cmd_show"))
    p.add_argument("ref", metavar="REF")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--raw",
        action="store_true",
        help="the file's bytes as they are (control characters too); default: made visible",
    )

    p = command(
        "set",
        "change fields or sections of an entry: FIELD=VALUE (tags+=x, tags-=x)",
        _Run("cmd_set"),
    )
    p.add_argument("ref", metavar="REF")
    p.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")
    p.add_argument(
        "--force",
        action="store_true",
        help="set status=resolved even when Root Cause Analysis or The Fix is empty",
    )
    p.add_argument("--json", action="store_true")

    p = command(
        "check",
        "validate every entry file; exit 1 with 'path:line: message' lines",
        _Run("cmd_check"),
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="also report Resolved entries whose root cause or fix is not written, and exit 1 "
        "on warnings too (what looks like a secret in an entry)",
    )
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--fix",
        action="store_true",
        help="point links to a renamed entry at its new file (found by number)",
    )

    p = command(
        "search",
        "ranked full-text search (see 'Query language' in the README)",
        _Run("cmd_search"),
    )
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("--fields", action="store_true", help="list the fields a query can use")
    p.add_argument("--limit", "-n", type=_positive, default=10, help="at most N results")
    p.add_argument("--json", action="store_true")

    p = command(
        "similar",
        "past entries most like an entry, or a traceback/log on stdin",
        _Run("cmd_similar"),
    )
    p.add_argument("ref", nargs="?", metavar="REF")
    p.add_argument("--stdin", action="store_true", help="read a traceback or log from stdin")
    p.add_argument("--limit", "-n", type=_positive, default=5, help="at most N results")
    p.add_argument("--json", action="store_true")

    command("reindex", "rebuild the search index from the files", _Run("cmd_reindex"))

    p = command(
        "mcp",
        "serve the entries to coding agents: a Model Context Protocol server over stdio",
        _Run("cmd_mcp"),
    )
    p.add_argument(
        "--allow-write",
        action="store_true",
        help="offer the tools that write (new); default: read-only",
    )

    p = command(
        "import",
        "make entries of hand-written Markdown logs (files or folders); nothing is lost",
        _Run("cmd_import"),
    )
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--dry-run", "-n", action="store_true", help="write nothing; show the plan")
    p.add_argument("--json", action="store_true", help="one object per source file")

    for module, function, names in GROUPS.values():  # export, serve, ...; link, todo, ...
        if only is None or only in names:
            register: Register = getattr(importlib.import_module(module), function)
            register(command)

    return parser


def main(argv: Sequence[str] | None = None, run_app: RunApp | None = None) -> int:
    """The command line. ``run_app`` opens the terminal app (no command given); the
    launcher passes it, so that this package never imports the UI."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_named(args_list))
    args = parser.parse_args(args_list)
    # --dir after the command name wins over --dir before it (as with one folder)
    args.dir = getattr(args, "command_dir", None) or args.dir
    if args.command == "capture" and args.cmd and args.cmd[0] == "--":
        args.cmd = args.cmd[1:]
    try:
        if args.handler is None:
            if run_app is None:
                print("mistakes: the terminal app is not installed here", file=sys.stderr)
                return 2
            if args.ascii:
                os.environ["MISTAKES_ASCII"] = "1"  # read by the app; beats the config
            dirs = args.dir or []
            # one folder as a string, as always; several as a list
            folder = dirs[0] if len(dirs) == 1 else (dirs or None)
            return run_app(folder, getattr(args, "template", None))
        handler: Handler = args.handler
        return handler(args)
    except MistakesError as exc:
        from mistakes.services.entries import UsageError

        print(f"mistakes: {visible(str(exc))}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    except BrokenPipeError:
        # the reader went away (`mistakes list | head`): not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        # what the storage layer did not name itself: still one line, never a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"mistakes: {visible(where + (exc.strerror or str(exc)))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
