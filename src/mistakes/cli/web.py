"""``mistakes serve``: the same app in a browser, through textual-serve (the optional
extra ``mistakes[web]``). Each browser tab runs the app in its own process on the
folder chosen here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mistakes.cli.commands import open_set
from mistakes.cli.export import AddCommand
from mistakes.domain.errors import MistakesError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class WebMissing(MistakesError):
    """textual-serve is not installed."""


def register(command: AddCommand) -> None:
    p = command(
        "serve",
        "run the app in a browser (textual-serve; local only unless --host says otherwise)",
        cmd_serve,
    )
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})")
    p.add_argument("--port", "-p", type=int, default=DEFAULT_PORT, help=f"({DEFAULT_PORT})")


def app_command(folder: Path | list[tuple[str, Path]], template: str | None) -> str:
    """The shell command textual-serve starts for each browser tab: this Python, this
    package, the folder (and template) resolved now, so the server's cwd does not matter.
    ``folder``: one folder, or several as (name, path) (``--dir NAME=PATH`` each)."""
    words = [sys.executable, "-m", "mistakes"]
    if isinstance(folder, Path):
        words += ["--dir", str(folder.resolve())]
    else:
        for name, root in folder:
            words += ["--dir", f"{name}={root.resolve()}"]
    if template:
        words += ["--template", str(Path(template).expanduser().resolve())]
    import shlex  # serve only

    return shlex.join(words)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    import ipaddress  # serve only

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    folders = open_set(args)  # a bad folder or template fails here, not in the browser
    try:
        from textual_serve.server import Server
    except ImportError:
        raise WebMissing("serve needs textual-serve: pip install 'mistakes[web]'") from None
    if not _is_loopback(args.host):
        print(
            f"mistakes: warning: serving on {args.host}: anyone who can reach it can read and "
            "change the entries (there is no login)",
            file=sys.stderr,
        )
    where = [(f.name, f.root) for f in folders] if folders.several else folders.first.root
    command = app_command(where, getattr(args, "template", None))
    Server(command, host=args.host, port=args.port, title="mistakes").serve()
    return 0
