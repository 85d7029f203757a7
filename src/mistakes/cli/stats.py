"""``list`` and ``stats``: views across entries, served from the search index.

Registered by :func:`add_list` and :func:`add_stats` (``cli/main.py``); what a command
needs is imported when it runs, so that other commands do not pay for it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mistakes.cli.output import seen_mark
from mistakes.domain.text import one_line, visible

if TYPE_CHECKING:
    from mistakes.domain.template import Template
    from mistakes.services.listing import Listed, Listing
    from mistakes.services.stats import Stats

Handler = Callable[[argparse.Namespace], int]
Command = Callable[[str, str, Handler], argparse.ArgumentParser]


def _say(message: str) -> None:
    print(f"mistakes: {visible(message)}", file=sys.stderr)


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _listing(
    args: argparse.Namespace, *, records: bool, bare: bool = False
) -> tuple[Listing, Template, Callable[[Path], str]]:
    """Every folder's entries from its index (synced first), with warnings said; the
    template (the first folder's) and each entry's folder name ("" with one folder)."""
    from mistakes.services.folder_views import folder_listing, folder_namer
    from mistakes.services.folders import open_folders

    folders = open_folders(getattr(args, "dir", None), getattr(args, "template", None))
    for item in folders:
        if not item.root.is_dir():
            print(f"mistakes: no entries yet in {item.root}", file=sys.stderr)
    listing = folder_listing(folders, records=records, bare=bare, on_wait=_say)
    for notice in listing.notices:
        _say(notice)
    for problem in listing.problems:
        print(f"mistakes: warning: {visible(str(problem))}", file=sys.stderr)
    return listing, folders.first.folder.template, folder_namer(folders)


def _write_bytes(parts: Iterable[bytes | memoryview]) -> None:
    """UTF-8 text as it is (tens of MB for ``list --json``: no decoding and encoding
    again), or decoded where stdout has no bytes underneath."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(b"".join(parts).decode("utf-8", "surrogatepass"))
        return
    buffer.writelines(parts)
    buffer.flush()


# -- list --------------------------------------------------------------------------------------


def add_list(command: Command) -> None:
    p = command("list", "list entries (by number, or --sort)", cmd_list)
    p.add_argument("--severity", "-s", action="append", default=[])
    p.add_argument("--status", action="append", default=[])
    p.add_argument("--tag", action="append", default=[], help="entries with all these tags")
    p.add_argument(  # the keys are checked when the command runs (SORTS: not imported here)
        "--sort",
        default="number",
        metavar="KEY",
        help="number (default), date (oldest first), severity (most severe first), "
        "seen (most often seen again first)",
    )
    p.add_argument("--json", action="store_true")


def _shown(text: str) -> str:
    # printable text (no control, format or line-break character) is shown as it is
    return text if text.isprintable() else one_line(text)


def entry_rows(
    entries: list[Listed], stream: TextIO, folder_of: Callable[[Path], str] | None = None
) -> list[str]:
    """One line per entry: number, date, severity, status, title (fits the terminal).
    ``folder_of``: an entry's folder name from its folder's path, put before the number
    (``payments:005``) when there are several folders."""
    tty = _is_tty(stream)
    width = shutil.get_terminal_size((80, 24)).columns if tty else 0
    rows = []
    number_width = max([3, *(len(str(e.number)) for e in entries)])
    labels = [f"{_shown(folder_of(e.root))}:" if folder_of else "" for e in entries]
    label_width = max([0, *(len(label) for label in labels)])
    # printable text (no control, format or line-break character) is shown as it is
    # (_shown, written out: 40,000 calls at 10,000 entries)
    for entry, label in zip(entries, labels, strict=True):
        number = f"{label}{entry.number:0{number_width}d}"  # payments:005 (several folders)
        date, severity, status = entry.date, entry.severity, entry.status
        date = date if date.isprintable() else one_line(date)
        severity = severity if severity.isprintable() else one_line(severity)
        status = status if status.isprintable() else one_line(status)
        head = (
            f"{number:<{label_width + number_width}}  {date[:10]:<10}  "
            f"{severity[:8]:<8}  {status[:13]:<13}  "
        )
        # to a pipe as well: `list | head` in a terminal must not run a title's escapes
        title = entry.title
        if not title.isprintable():
            title = one_line(title)
        if entry.seen:
            title = seen_mark(entry.seen) + title
        if tty:
            room = width - len(head) - 1
            if room <= 0:
                title = ""
            elif len(title) > room:
                title = title[: room - 1] + "…"
        rows.append(head + title)
    return rows


def cmd_list(args: argparse.Namespace) -> int:
    from mistakes.services.entries import UsageError
    from mistakes.services.listing import SORTS, Filters, bare_json_parts, json_parts, sort_rows

    if args.sort not in SORTS:
        raise UsageError(f"--sort takes one of: {', '.join(SORTS)} (not '{args.sort}')")
    filters = Filters(args.severity, args.status, args.tag)
    # every entry's object, by number: no entry's facts are needed (see load_listing)
    bare = args.json and args.sort == "number" and not filters.given()
    listing, template, folder_of = _listing(args, records=args.json, bare=bare)
    if listing.bare is not None:
        _write_bytes(bare_json_parts(listing.bare))
        return 0
    shown = filters.apply(listing.entries, template)
    several = bool(shown) and bool(folder_of(shown[0].root))
    if args.sort != "number" or several:  # several folders: by number across them
        shown = sort_rows(shown, args.sort, template)
    if args.json:
        if several:
            from mistakes.services.folder_views import named_json_parts

            _write_bytes(named_json_parts(shown, folder_of))
        else:
            _write_bytes(json_parts(shown))
        return 0
    rows = entry_rows(shown, sys.stdout, folder_of if several else None)
    sys.stdout.write("".join(row + "\n" for row in rows))
    return 0


# -- stats -------------------------------------------------------------------------------------


def add_stats(command: Command) -> None:
    p = command(
        "stats",
        "counts by severity, status, tag and month; time to resolve; recurring entries",
        cmd_stats,
    )
    p.add_argument("--since", metavar="YYYY-MM-DD", default="", help="entries dated from then")
    p.add_argument(
        "--by",
        choices=["severity", "status", "tag", "month"],
        action="append",
        default=[],
        help="only this table (repeatable; default: all); --json always has all",
    )
    p.add_argument("--json", action="store_true")


def _days(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"


def stats_text(stats: Stats, tables: list[str]) -> str:
    """The plain table ``mistakes stats`` prints on a terminal (or a pipe)."""
    since = f" since {stats.since}" if stats.since else ""
    lines = [
        f"{'entries' + since:<24}{stats.entries:>7}",
        f"{'open':<24}{stats.open:>7}",
        f"{'resolved':<24}{stats.resolved:>7}",
        f"{'days to resolve':<24}median {_days(stats.median_days)}, p90 {_days(stats.p90_days)}"
        f" ({len(stats.resolve_days)} entries with a resolved date)",
        f"{'follow-ups':<24}{stats.follow_ups_open} open, {stats.follow_ups_done} done",
    ]
    for name in tables:
        counts = stats.by(name)
        lines += ["", f"by {name}"]
        if not counts:
            lines.append("  (none)")
        width = max([10, *(len(_shown(k)) for k in counts)])
        lines += [f"  {_shown(key):<{width}}{count:>7}" for key, count in counts.items()]
    if len(tables) == 4 and stats.most_recurring:
        lines += ["", "most recurring"]
        for item in stats.most_recurring:
            number = f"{_shown(item['folder'])}:" if item.get("folder") else ""
            number += f"{item['number']:03d}"  # payments:005 with several folders
            lines.append(f"  {number}  seen {item['seen']:>3}  {_shown(item['title'])}")
    return "\n".join(lines) + "\n"


def cmd_stats(args: argparse.Namespace) -> int:
    import json

    from mistakes.services.entries import UsageError
    from mistakes.services.stats import BY, compute

    listing, template, folder_of = _listing(args, records=False)
    try:
        stats = compute(listing.entries, template, since=args.since, folder_of=folder_of)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        json.dump(stats.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    tables = [name for name in BY if name in args.by] if args.by else list(BY)
    sys.stdout.write(stats_text(stats, tables))
    return 0
