"""``mistakes export``: the folder as a static site, JSON Lines, an OpenSearch bulk file or
CSV. Thin: the work is in mistakes.export."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from mistakes.cli.commands import Handler, open_set
from mistakes.domain.text import visible
from mistakes.export.opensearch import DEFAULT_INDEX
from mistakes.export.run import FORMATS, export_folders
from mistakes.services.entries import UsageError

AddCommand = Callable[[str, str, Handler], argparse.ArgumentParser]


def register(command: AddCommand) -> None:
    p = command(
        "export",
        "write the entries as a static HTML site, JSON Lines, an OpenSearch bulk file or CSV",
        cmd_export,
    )
    p.add_argument("--format", "-f", required=True, choices=FORMATS)
    p.add_argument(
        "--out",
        "-o",
        required=True,
        metavar="PATH",
        help="a folder for html; a file otherwise ('-': standard output)",
    )
    p.add_argument(
        "--mapping", metavar="FILE", help="opensearch: also write the index mapping (JSON) here"
    )
    p.add_argument(
        "--index",
        default=DEFAULT_INDEX,
        help=f"opensearch: the index name (default {DEFAULT_INDEX})",
    )


def cmd_export(args: argparse.Namespace) -> int:
    folders = open_set(args)  # every folder: each entry names its folder when several
    if args.out == "-" and args.format == "html":
        raise UsageError("--format html writes a folder: give --out FOLDER")
    out = None if args.out == "-" else Path(args.out)
    mapping = Path(args.mapping) if args.mapping else None
    done, text = export_folders(folders, args.format, out, mapping=mapping, index=args.index)
    for problem in done.problems:
        print(f"mistakes: warning: {visible(str(problem))}; not exported", file=sys.stderr)
    for note in done.notes:
        print(f"mistakes: {visible(note)}", file=sys.stderr)
    if out is None:
        sys.stdout.write(text)
    else:
        where = " and ".join(visible(str(p)) for p in (out, mapping) if p is not None)
        print(f"exported {done.entries} entries to {where}", file=sys.stderr)
    return 0
