"""``mistakes history`` (who changed an entry, from git) and ``mistakes renumber`` (a
number two branches both used; ``git mv`` in a repository)."""

from __future__ import annotations

import argparse
import sys

from mistakes.cli.commands import service_for
from mistakes.cli.export import AddCommand
from mistakes.cli.output import print_json
from mistakes.domain.text import one_line, visible


def register(command: AddCommand) -> None:
    p = command("history", "who changed an entry and when (git log --follow)", cmd_history)
    p.add_argument("ref", metavar="REF")
    p.add_argument("--json", action="store_true")

    p = command(
        "renumber",
        "give an entry whose number another entry shares the next free number",
        cmd_renumber,
    )
    p.add_argument("ref", metavar="REF", help="the entry's file name or stem (042-slug)")
    p.add_argument("--json", action="store_true")


def cmd_history(args: argparse.Namespace) -> int:
    service, ref = service_for(args, args.ref)
    stored = service.get(ref)
    from mistakes.services import git  # what one command needs, when it runs

    changes = git.history(stored.path)
    if args.json:
        print_json([c.to_json() for c in changes])
    else:
        for change in changes:
            print(one_line(change.line()))
    if not changes:
        print(f"mistakes: {visible(str(stored.path))}: not committed yet", file=sys.stderr)
    return 0


def cmd_renumber(args: argparse.Namespace) -> int:
    service, ref = service_for(args, args.ref)
    from mistakes.services.renumber import renumber

    done = renumber(service, ref)
    if args.json:
        print_json(done.to_json())
        return 0
    how = "git mv" if done.with_git else "renamed"
    print(visible(f"{done.old.name} -> {done.new.name} ({how})"))
    for stored in done.rewritten:
        if stored.path != done.new:
            print(visible(f"  links rewritten in {stored.path.name}"))
    for path, count in done.ambiguous:
        links = "link" if count == 1 else "links"
        print(
            visible(
                f"mistakes: warning: {path.name}: {count} number-only {links} to "
                f"{done.number:03d} left as written (either entry could be meant)"
            ),
            file=sys.stderr,
        )
    if done.with_git and done.rewritten:
        print(
            "mistakes: the rewritten links are not staged (git add, then commit)", file=sys.stderr
        )
    return 0
