"""``link``, ``unlink``, ``todo``, ``done`` and ``undo``: links between entries and the
follow-ups of every entry, on top of mistakes.services.links and .followups."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mistakes.cli.commands import _index_saved, open_set, ref_services, service_for
from mistakes.cli.output import print_json
from mistakes.domain.links import LINK_TYPES
from mistakes.domain.text import one_line, visible
from mistakes.services.entries import EntryService, UsageError
from mistakes.services.folders import with_folder

if TYPE_CHECKING:  # what one command needs is imported when it runs
    from mistakes.services.links import LinkService
    from mistakes.storage.folder import Problem, StoredEntry

Command = Callable[..., argparse.ArgumentParser]


def add_parsers(command: Command) -> None:
    """The commands of this module, added with main.py's ``command(name, help, handler)``."""
    p = command(
        "link",
        "link two entries, in both files (Related Issues): A -> B and the inverse B -> A",
        cmd_link,
    )
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument(
        "--as",
        dest="link_type",
        choices=LINK_TYPES,
        default="related",
        help="the link's type (default related); B gets the inverse "
        "(has-duplicate, causes, has-recurrence, related)",
    )
    p = command("unlink", "remove the links between two entries, from both files", cmd_unlink)
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")

    p = command(
        "todo",
        "the open follow-up items of every entry, oldest entry first",
        cmd_todo,
    )
    p.add_argument("--tag", action="append", default=[], help="entries with all these tags")
    p.add_argument("--severity", "-s", action="append", default=[], help="any of these")
    p.add_argument("--all", action="store_true", help="done items too")
    p.add_argument("--json", action="store_true")
    for name, verb in (("done", "tick"), ("undo", "untick")):
        p = command(
            name,
            f"{verb} follow-up item N of an entry (N as 'mistakes todo' numbers it)",
            cmd_done if name == "done" else cmd_undo,
        )
        p.add_argument("ref", metavar="REF")
        p.add_argument("item", metavar="N", type=int)
        p.add_argument("--json", action="store_true")


def _say(message: str) -> None:
    print(f"mistakes: {visible(message)}", file=sys.stderr)


def _links(service: EntryService) -> LinkService:
    from mistakes.services.links import LinkService

    return LinkService(service)


def _index(service: EntryService, *saved: StoredEntry) -> None:
    _index_saved(service, *saved)


# -- links -----------------------------------------------------------------------------------


def cmd_link(args: argparse.Namespace) -> int:
    service, (a, b) = ref_services(args, args.a, args.b)
    links = _links(service)
    before = [service.get(a), service.get(b)]
    saved = links.link(a, b, args.link_type)
    _report_writes(service, before, saved)
    return 0


def cmd_unlink(args: argparse.Namespace) -> int:
    service, (a, b) = ref_services(args, args.a, args.b)
    links = _links(service)
    before = [service.get(a), service.get(b)]
    saved, kept = links.unlink(a, b)
    for note in kept:
        print(f"mistakes: warning: {visible(note)}", file=sys.stderr)
    _report_writes(service, before, saved)
    return 0


def _report_writes(
    service: EntryService, before: list[StoredEntry], saved: list[StoredEntry]
) -> None:
    changed = [s for old, s in zip(before, saved, strict=True) if s.digest != old.digest]
    if changed:
        _index(service, *changed)
    for old, new in zip(before, saved, strict=True):
        shown = visible(str(new.path))
        print(shown if new.digest != old.digest else f"{shown} (unchanged)")


def link_problems(service: EntryService) -> list[Problem]:
    """``check``'s problems with links: a link to a file that is gone or renamed."""
    links = _links(service)
    return links.problems(links.may_dangle())


def fix_links(service: EntryService) -> None:
    """``check --fix``: point links at the renamed file with the same number."""
    links = _links(service)
    fixed = links.fix(links.may_dangle())
    paths = sorted({f.path for f in fixed})
    if paths:
        _index(service, *(service.folder.load(p) for p in paths))
    for item in fixed:
        where = visible(f"{item.path}:{item.line}")
        print(f"fixed {where}: {visible(item.new.strip())}", file=sys.stderr)


# -- follow-ups -------------------------------------------------------------------------------


def cmd_todo(args: argparse.Namespace) -> int:
    from mistakes.services.folder_views import folder_followups

    folders = open_set(args)
    if all(item.folder.template.checklist is None for item in folders):
        raise UsageError("the template has no follow-up checklist")
    notices: list[str] = []
    # each folder served from its index (when indexed before), brought in step first
    named, problems = folder_followups(
        folders,
        tags=args.tag,
        severities=args.severity,
        include_done=args.all,
        on_wait=_say,
        notices=notices,
    )
    for notice in notices:
        _say(notice)
    for problem in problems:
        print(f"mistakes: warning: {visible(str(problem))}", file=sys.stderr)
    if args.json:
        sys.stdout.write(flat_objects_json([with_folder(item.to_json(), n) for n, item in named]))
        return 0
    items = [item for _name, item in named]
    current = None
    entries = 0
    for name, item in named:
        if item.path != current:
            current = item.path
            entries += 1
            severity = f"  ({one_line(item.severity)})" if item.severity else ""
            label = f"{one_line(name)}:" if name else ""
            print(f"{label}{item.number:03d}  {one_line(item.title)}{severity}")
        mark = "x" if item.done else " "
        print(f"  {item.item:>2}. [{mark}] {one_line(item.text)}")
    what = "items" if args.all else "open items"
    print(f"{len(items)} {what} in {entries} entries", file=sys.stderr)
    return 0


def flat_objects_json(objects: list[dict[str, Any]]) -> str:
    """``print_json``'s text (``json.dump(..., indent=2, ensure_ascii=False)`` and a line
    break) of a list of objects whose values are strings, numbers, booleans or null, put
    together from each value's JSON: ``json`` indents in Python, about five times slower
    (``todo --json`` prints tens of thousands of items). Each string is quoted by the
    function ``json`` itself uses with ``ensure_ascii=False`` (no encoder per value) and
    each key once."""
    if not objects:
        return "[]\n"
    scalar = (str, int, bool, type(None))
    plain = all(
        isinstance(k, str) and isinstance(v, scalar) for obj in objects for k, v in obj.items()
    )
    if not plain:
        return json.dumps(objects, ensure_ascii=False, indent=2) + "\n"
    quote = json.encoder.encode_basestring  # what json.dumps(str, ensure_ascii=False) does
    keys: dict[str, str] = {}

    def value(item: str | int | bool | None) -> str:
        if isinstance(item, str):
            return quote(item)
        if item is None:
            return "null"
        if item is True:
            return "true"
        if item is False:
            return "false"
        return int.__repr__(item)  # as json: an int (or a subclass) by its int value

    def line(key: str, item: str | int | bool | None) -> str:
        head = keys.get(key)
        if head is None:
            head = keys[key] = f"    {quote(key)}: "
        return head + value(item)

    parts = [
        "  {\n" + ",\n".join([line(key, item) for key, item in obj.items()]) + "\n  }"
        if obj
        else "  {}"
        for obj in objects
    ]
    return "[\n" + ",\n".join(parts) + "\n]\n"


def _tick(args: argparse.Namespace, done: bool) -> int:
    service, ref = service_for(args, args.ref)
    before = service.get(ref)
    from mistakes.services.followups import set_done

    saved, item = set_done(service, ref, args.item, done)
    if saved.digest != before.digest:
        _index(service, saved)
    if args.json:
        print_json(item.to_json())
        return 0
    mark = "x" if item.done else " "
    print(f"{visible(str(item.path))}:{item.line}: [{mark}] {one_line(item.text)}")
    return 0


def cmd_done(args: argparse.Namespace) -> int:
    return _tick(args, True)


def cmd_undo(args: argparse.Namespace) -> int:
    return _tick(args, False)
