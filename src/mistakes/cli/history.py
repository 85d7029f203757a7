"""``mistakes history`` (who changed an entry, from git) and ``mistakes renumber``."""

from __future__ import annotations

import argparse
import sys

from mistakes.cli.commands import open_service
from mistakes.cli.export import AddCommand
from mistakes.cli.output import print_json
from mistakes.domain.text import one_line, visible
from mistakes.services import git


def register(command: AddCommand) -> None:
    p = command("history", "who changed an entry and when (git log --follow)", cmd_history)
    p.add_argument("ref", metavar="REF")
    p.add_argument("--json", action="store_true")


def cmd_history(args: argparse.Namespace) -> int:
    service = open_service(args)
    stored = service.get(args.ref)
    changes = git.history(stored.path)
    if args.json:
        print_json([c.to_json() for c in changes])
    else:
        for change in changes:
            print(one_line(change.line()))
    if not changes:
        print(f"mistakes: {visible(str(stored.path))}: not committed yet", file=sys.stderr)
    return 0
