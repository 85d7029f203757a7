"""The commands for teams and organisations, each in its own module, registered at once
(so that main.py names them in one line)."""

from __future__ import annotations

from mistakes.cli import export, history, web
from mistakes.cli.export import AddCommand


def register(command: AddCommand) -> None:
    export.register(command)
    web.register(command)
    history.register(command)
