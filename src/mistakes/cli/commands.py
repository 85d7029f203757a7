"""What each command does, on top of mistakes.services."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mistakes.cli.output import hit_json, is_tty, print_hits, print_json
from mistakes.domain.entry import new_entry
from mistakes.domain.errors import MistakesError
from mistakes.domain.occurrences import seen_count
from mistakes.domain.template import FieldKind
from mistakes.domain.text import visible
from mistakes.services.answers import seen_before_line
from mistakes.services.entries import (
    Assignment,
    EntryService,
    ResolveRefused,
    UsageError,
    parse_assignment,
    record,
)
from mistakes.services.folders import FolderSet, open_folders

if TYPE_CHECKING:  # what one command needs is imported when it runs (a one-shot costs less)
    from mistakes.services.folder_search import FolderSearch
    from mistakes.services.importer import SourceResult
    from mistakes.services.recurrence import Recurrence
    from mistakes.services.search import SearchService
    from mistakes.storage.folder import Problem, StoredEntry

RunApp = Callable[[str | list[str] | None, str | None], int]
"""Opens the app: the folder (a list when several were given) and the template."""
Handler = Callable[[argparse.Namespace], int]


def open_set(args: argparse.Namespace) -> FolderSet:
    """Every folder the command works over (``--dir`` repeated, the config's ``folders``)."""
    return open_folders(getattr(args, "dir", None), getattr(args, "template", None))


def open_service(args: argparse.Namespace) -> EntryService:
    """The folder a command writes to: the first one, or ``--in NAME``."""
    return open_set(args).service(getattr(args, "in_folder", None))


def service_for(args: argparse.Namespace, ref: str) -> tuple[EntryService, str]:
    """The service of the folder ``ref`` (``FOLDER:REF`` or REF) is in, and the REF to give
    it: with one folder, REF as given (less a ``FOLDER:`` prefix); with several, the
    entry's file name in its folder (a bare REF several folders have is a usage error)."""
    folders = open_set(args)
    if not folders.several:
        _named, bare = folders.split_ref(ref)
        return folders.service(), bare
    item, path = folders.resolve(ref)
    name = path.name if path.parent.resolve() == item.root.resolve() else str(path)
    return folders.service(item.name), name


def ref_services(args: argparse.Namespace, *refs: str) -> tuple[EntryService, list[str]]:
    """:func:`service_for` for entries that must be in one folder (``link A B``)."""
    found = [service_for(args, ref) for ref in refs]
    roots = {service.root.resolve() for service, _ref in found}
    if len(roots) > 1:
        raise UsageError(
            f"{' and '.join(refs)} are in different folders; links join entries of one folder"
        )
    return found[0][0], [ref for _service, ref in found]


def _warn_problems(problems: list[object]) -> None:
    for problem in problems:
        print(f"mistakes: warning: {visible(str(problem))}", file=sys.stderr)


# -- new ---------------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    service = open_service(args)
    if not (args.title or "").strip():
        raise UsageError("new needs --title")
    kinds: Counter[str] = Counter()  # the secrets masked, said once
    sections = []
    for text in args.section:
        name, sep, value = text.partition("=")
        if not sep:
            raise UsageError(f"--section takes NAME=TEXT, not '{text}'")
        sections.append((name, _masked(value, kinds)))
    fields = []
    for text in args.field:
        assignment = parse_assignment(text)
        if service.writes_text(assignment.name):  # --field 'What Happened=...' is a section
            assignment.value = _masked(assignment.value, kinds)
        fields.append(f"{assignment.name}{assignment.op}{assignment.value}")
    values = {
        name: getattr(args, name)
        for name in ("severity", "status", "reporter", "date")
        if getattr(args, name) is not None
    }
    entry = service.compose(
        args.title, values=values, tags=args.tag, fields=fields, sections=sections
    )
    if args.stdin:
        spec = service.template.section_named(args.stdin)
        if spec is None:
            raise UsageError(f"no section '{args.stdin}' in the template")
        if is_tty(sys.stdin):
            print(f"(reading {spec.title} from standard input; end with Ctrl-D)", file=sys.stderr)
        text = _masked(sys.stdin.read(), kinds)
        entry.sections[spec.key] = service.section_text(spec.key, text)
    service.fill_reporter(entry)
    if not args.no_env:
        service.fill_environment(entry)
    try:  # Resolved from the start asks what `set status=resolved` asks, and keeps the day
        stored = service.create(entry, gate=True, force=args.force)
    except ResolveRefused as exc:
        raise ResolveRefused(
            None, exc.missing, hint="give them with --section, or --force"
        ) from None
    _say_masked(_summary(kinds))
    _index_saved(service, stored)
    if args.json:
        print_json(record(stored, service.template))
    else:
        print(visible(str(stored.path)))
    return 0


def _say(message: str) -> None:
    print(f"mistakes: {visible(message)}", file=sys.stderr)


def _masked(text: str, kinds: Counter[str]) -> str:
    """``text`` with its secrets masked (counted in ``kinds``); detect-secrets is loaded
    only when there is text to look at."""
    if not text.strip():
        return text
    from mistakes.services.secrets import mask_secrets

    found = mask_secrets(text)
    kinds.update(found.kinds)
    return found.text


def _summary(kinds: Counter[str]) -> str:
    from mistakes.services.secrets import Masked

    return Masked("", kinds).summary() if kinds else ""


def _say_masked(summary: str) -> None:
    """One line on stderr when secrets were masked before the entry was written."""
    if summary:
        _say(f"{summary} before writing the entry (as [REDACTED:kind])")


def _search_service(service: EntryService) -> SearchService:
    """The index of the folder; a wait for another process's lock is said on stderr (who
    holds it), so a command never sits silent."""
    from mistakes.services.search import SearchService

    return SearchService(service.folder, on_wait=_say)


def _folder_search(folders: FolderSet) -> FolderSearch:
    """The indexes of every folder, searched as one (lock waits said on stderr)."""
    from mistakes.services.folder_search import FolderSearch

    return FolderSearch(folders, on_wait=_say)


def _index_saved(service: EntryService, *saved: StoredEntry) -> None:
    """Keep the search index (where there is one) in step with saves; never fail a save."""
    try:
        search = _search_service(service)
        for stored in saved:
            search.saved(stored)
        search.close()
    except Exception as exc:  # the file is saved: the index catches up on the next search
        print(f"mistakes: warning: the search index was not updated ({exc})", file=sys.stderr)


# -- capture -------------------------------------------------------------------------------------


def cmd_capture(args: argparse.Namespace) -> int:
    from mistakes.services import capture
    from mistakes.services.recurrence import first_error_line, record_occurrence
    from mistakes.services.secrets import Masked, mask_secrets

    if not args.cmd:
        raise UsageError("capture needs a command: mistakes capture -- CMD [ARGS...]")
    service = open_service(args)  # fail on a bad folder or template before running anything
    recur = None
    if args.seen_before:  # a typo fails now, before the command runs
        service, seen_ref = service_for(args, args.seen_before)
        recur = service.get(seen_ref)
    template = service.template
    into = _capture_section(service, args.into, ("error_messages",))
    steps = _capture_section(service, None, ("steps_to_reproduce",), fallback=into)
    # check every option before running anything: a typo must not cost a second run
    entry = new_entry(template, args.title or "captured")
    if args.severity:
        service.assign(entry, Assignment("severity", "=", args.severity))
    if args.tag:
        if template.tags_field is None:
            raise UsageError("the template has no tags field")
        service.assign(entry, Assignment(template.tags_field.key, "=", ",".join(args.tag)))
    result = capture.run(list(args.cmd), echo=capture.stdout_binary())
    if result.exit_code == 0 and not args.always:
        print(
            "mistakes: the command succeeded; nothing recorded (--always records anyway)",
            file=sys.stderr,
        )
        return 0
    # what the command printed, and its command line, may hold keys and passwords
    kinds: Counter[str] = Counter()

    def masked(text: str) -> str:
        found = mask_secrets(text)
        kinds.update(found.kinds)
        return found.text

    if recur is not None:
        # the entry as it is now: the command may have run for a while
        done = record_occurrence(
            service,
            service.folder.load(recur.path),
            note=masked(first_error_line(result.output_tail)),
            cwd=result.cwd,
        )
        _say_masked(Masked("", kinds).summary())
        _index_saved(service, done.stored)
        _say_recorded(done)
        return result.exit_code
    if not args.title:
        # masked before it is cut; counted once, in Steps to Reproduce below
        command_line = mask_secrets(result.command_line).text
        title = capture.default_title(result, command_line=command_line)
        service.assign(entry, Assignment("title", "=", title))
    output = masked(result.output_section(args.lines))
    if steps == into:
        entry.sections[into] = f"{masked(result.steps_section())}\n\n{output}"
    else:
        entry.sections[into] = output
        entry.sections[steps] = masked(result.steps_section())
    _say_masked(Masked("", kinds).summary())
    service.fill_reporter(entry)
    service.fill_environment(entry, cwd=result.cwd)
    stored = service.create(entry)
    _index_saved(service, stored)
    print(f"mistakes: recorded {visible(str(stored.path))}", file=sys.stderr)
    if args.json:
        print_json(record(stored, template), stream=sys.stderr)
    if result.exit_code != 0:
        _print_seen_before(args, service, result.output_tail, exclude=stored.path.name)
    return result.exit_code


SEEN_BEFORE_LIMIT = 3


def _print_seen_before(
    args: argparse.Namespace, service: EntryService, text: str, exclude: str
) -> None:
    """After a failure is recorded: the past entries that looked like it, with their fix
    (one line each, from the shared ``similar`` lookup and formatter), from every folder.
    Never fails the command: the index may be busy or missing."""
    try:
        folders = open_set(args)
        search = _folder_search(folders)
        search.open()
        into = folders.of_path(service.root / exclude).name
        hits = search.similar(text, SEEN_BEFORE_LIMIT, exclude=exclude, exclude_folder=into)
        search.close()
    except (MistakesError, OSError) as exc:
        print(f"mistakes: warning: past entries not looked up ({exc})", file=sys.stderr)
        return
    for hit in hits:
        line = seen_before_line(hit)
        if hit.folder:  # several folders: payments:005
            line = line.replace("seen before: ", f"seen before: {hit.folder}:", 1)
        print(f"mistakes: {line}", file=sys.stderr)
    if hits:
        first = hits[0]
        best = f"{first.folder}:{first.number:03d}" if first.folder else f"{first.number:03d}"
        print(
            f"mistakes: the same mistake? 'mistakes seen {best}' records it there "
            f"(and 'capture --seen-before {best}' next time)",
            file=sys.stderr,
        )


def _say_recorded(done: Recurrence) -> None:
    _say_masked(done.masked)
    count = seen_count(done.stored.entry)
    times = "1 occurrence" if count == 1 else f"{count} occurrences"
    print(
        f"mistakes: recorded an occurrence of {visible(str(done.stored.path))} ({times} in all)",
        file=sys.stderr,
    )
    if done.warning:
        hint = "" if done.reopened else " (--reopen sets it back to active)"
        print(f"mistakes: warning: {visible(done.warning)}{hint}", file=sys.stderr)


# -- seen ----------------------------------------------------------------------------------------


def cmd_seen(args: argparse.Namespace) -> int:
    from mistakes.services.recurrence import first_error_line, record_occurrence

    service, ref = service_for(args, args.ref)
    if args.stdin and args.note is not None:
        raise UsageError("seen takes --note or --stdin, not both")
    stored = service.get(ref)
    note = args.note or ""
    if args.stdin:
        if is_tty(sys.stdin):
            print("(paste the error or log; end with Ctrl-D)", file=sys.stderr)
        note = first_error_line(sys.stdin.read())
    for hint in service.editing_hints(stored):
        print(f"mistakes: warning: {visible(hint)}; saving anyway", file=sys.stderr)
    done = record_occurrence(service, stored, note=note, reopen=args.reopen)
    _index_saved(service, done.stored)
    _say_recorded(done)
    if args.json:
        print_json(record(done.stored, service.template))
    else:
        print(visible(str(done.stored.path)))
    return 0


def _capture_section(
    service: EntryService, name: str | None, keys: tuple[str, ...], fallback: str | None = None
) -> str:
    template = service.template
    if name:
        spec = template.section_named(name)
        if spec is None:
            raise UsageError(f"no section '{name}' in the template")
        return spec.key
    for key in keys:
        if template.section(key) is not None:
            return key
    if fallback:
        return fallback
    code = [s for s in template.leaves() if s.hint_is_code]
    return (code or list(template.leaves()))[0].key


# -- show ----------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace) -> int:
    service, ref = service_for(args, args.ref)
    stored = service.get(ref)
    for line, message in stored.document.problems:
        print(f"mistakes: warning: {visible(f'{stored.path}:{line}: {message}')}", file=sys.stderr)
    if args.json:
        from mistakes.services.links import show_record
        from mistakes.services.listing import existing_index

        # backlinks from the index (when the folder was indexed before), in step first
        notices: list[str] = []
        index = existing_index(service.folder, on_wait=_say, notices=notices)
        for notice in notices:
            _say(notice)
        try:
            print_json(show_record(service, stored, index))
        finally:
            if index is not None:
                index.close()
        return 0
    if args.raw:  # the bytes as read, for scripts and diffs
        sys.stdout.flush()
        sys.stdout.buffer.write(stored.document.encode())
        sys.stdout.buffer.flush()
        return 0
    # to a terminal or a pipe alike (`show 7 | less -R` must not run escapes either)
    text = stored.document.text().lstrip("\ufeff")
    text = "\n".join(visible(line.rstrip("\r")) for line in text.split("\n"))
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


# -- set -------------------------------------------------------------------------------------------


def cmd_set(args: argparse.Namespace) -> int:
    service, ref = service_for(args, args.ref)
    stored = service.get(ref)
    for hint in service.editing_hints(stored):
        print(f"mistakes: warning: {visible(hint)}; saving anyway", file=sys.stderr)
    entry = stored.entry.copy()
    kinds: Counter[str] = Counter()
    for text in args.assignments:
        assignment = parse_assignment(text)
        spec = service.template.field_named(assignment.name)
        if spec is not None and spec.kind is FieldKind.TEXT:
            assignment.value = assignment.value.strip()
        if service.writes_text(assignment.name):  # 'The Fix=...': a section, as new masks
            assignment.value = _masked(assignment.value, kinds)
        service.assign(entry, assignment)
    try:
        saved = service.save(stored, entry, force=args.force)
    except ResolveRefused as exc:
        raise ResolveRefused(exc.path, exc.missing, hint="write them first, or --force") from None
    _say_masked(_summary(kinds))
    if saved is not stored:
        _index_saved(service, saved)
    if args.json:
        print_json(record(saved, service.template))
    else:
        shown = visible(str(saved.path))
        print(shown if saved is not stored else f"{shown} (unchanged)")
    return 0


# -- check -----------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from mistakes.cli.links import fix_links, link_problems

    folders = open_set(args)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    count = 0
    for item in folders:  # every folder, each with its own template and links
        service = EntryService(item.folder)
        if getattr(args, "fix", False):
            fix_links(service)
        with service.folder.read_once():  # parsed, for links and for secrets: one read
            problems += service.check(strict=args.strict) + link_problems(service)
            # secrets already in the files are warnings: the file reads fine, and failing
            # every CI run on an old entry would teach people to skip check; --strict fails
            # on them too
            warnings += service.secret_warnings()
        count += len(service.folder.paths())
    problems.sort(key=lambda p: (str(p.path), p.line))
    if args.json:
        print_json(
            [
                {
                    "path": str(p.path),
                    **({"folder": folders.of_path(p.path).name} if folders.several else {}),
                    "line": p.line,
                    "message": p.message,
                    "warning": warning,
                }
                for warning, found in ((False, problems), (True, warnings))
                for p in found
            ]
        )
    else:
        for problem in sorted([*problems, *warnings], key=lambda p: (str(p.path), p.line)):
            print(visible(str(problem)))  # messages quote values from the file
        summary = f"{count} entries checked, {len(problems)} problems"
        if warnings:
            summary += f", {len(warnings)} possible secrets"
        print(summary, file=sys.stderr)
    return 1 if problems or (args.strict and warnings) else 0


# -- search ----------------------------------------------------------------------------------------


def _progress(label: str) -> Callable[[int, int], None] | None:
    if not is_tty(sys.stderr):
        return None
    width = 30

    def show(done: int, total: int) -> None:
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r{label} [{bar}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _open_search(folders: FolderSet) -> FolderSearch:
    search = _folder_search(folders)
    report = search.open(progress=_progress("indexing"))
    for notice in report.notices:
        _say(notice)
    _warn_problems(list(report.problems))
    return search


def cmd_search(args: argparse.Namespace) -> int:
    folders = open_set(args)
    if args.fields:
        from mistakes.search.index import query_fields

        print("\n".join(f"{name}:" for name in query_fields(folders.first.folder.template)))
        return 0
    if not args.query:
        raise UsageError("search needs a QUERY (or --fields)")
    search = _open_search(folders)
    text = " ".join(args.query)
    limit = args.limit
    results = search.search(text, limit, snippets=limit)
    if results.notice:
        print(f"mistakes: {visible(results.notice)}", file=sys.stderr)
    if args.json:
        print_json([hit_json(hit) for hit in results.hits])
    else:
        print_hits(results.hits)
        if not results.hits:
            print("no matches", file=sys.stderr)
    search.close()
    return 0


def cmd_similar(args: argparse.Namespace) -> int:
    folders = open_set(args)
    if args.stdin == bool(args.ref):
        raise UsageError("similar takes either REF or --stdin")
    exclude = exclude_folder = None
    if args.stdin:
        if is_tty(sys.stdin):
            print("(paste a traceback or log; end with Ctrl-D)", file=sys.stderr)
        text = sys.stdin.read()
    else:
        service, ref = service_for(args, args.ref)
        stored = service.get(ref)
        exclude = stored.path.name
        exclude_folder = folders.of_path(stored.path).name if folders.several else None
        entry = stored.entry
        from mistakes.search.similar import error_query

        text = error_query(entry.sections, "\n".join([entry.title, *entry.sections.values()]))
    search = _open_search(folders)
    hits = search.similar(text, args.limit, exclude=exclude, exclude_folder=exclude_folder)
    if args.json:
        print_json([{**hit_json(hit), "reason": hit.reason} for hit in hits])
    else:
        print_hits(hits, reasons=True)
        if not hits:
            print("No close matches", file=sys.stderr)
    search.close()
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    search = _folder_search(open_set(args))
    started = time.monotonic()
    report = search.reindex(progress=_progress("indexing"))
    for notice in report.notices:
        _say(notice)
    _warn_problems(list(report.problems))
    seconds = time.monotonic() - started
    print(f"indexed {report.added} entries in {seconds:.1f} s", file=sys.stderr)
    search.close()
    return 0


# -- mcp ---------------------------------------------------------------------------------------

MCP_MISSING = "the MCP server needs the mcp package: pip install 'mistakes[mcp]'"


def cmd_mcp(args: argparse.Namespace) -> int:
    folders = open_set(args)  # a bad folder or template is said before serving
    try:
        import mcp.server.mcpserver  # noqa: F401  (the optional extra mistakes[mcp])
    except ImportError as exc:
        missing = (exc.name or "").split(".")[0] in ("mcp", "mcp_types")
        _say(MCP_MISSING if missing else f"{MCP_MISSING} (it did not load: {exc})")
        return 1
    from mistakes.cli.mcp_server import serve

    return serve(folders, allow_write=args.allow_write)


# -- import ------------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    if not args.paths:
        raise UsageError("import needs a file or a folder: mistakes import PATH...")
    from mistakes.services.importer import Importer

    service = open_service(args)
    results = Importer(service).run([Path(p) for p in args.paths], dry_run=args.dry_run)
    stored = [s for r in results for s in r.stored]
    if stored:
        _index_saved(service, *stored)
    if args.json:
        print_json([r.to_json() for r in results])
    else:
        for result in results:
            _print_import(result, dry_run=args.dry_run)
    entries = sum(len(r.written) for r in results)
    read = sum(1 for r in results if r.report is not None)
    verb = "would write" if args.dry_run else "wrote"
    incomplete = sum(r.resolved_incomplete for r in results)
    also = f" ({incomplete} Resolved without a root cause or fix)" if incomplete else ""
    print(f"{read} files read, {verb} {entries} entries{also}", file=sys.stderr)
    unreadable = [r for r in results if r.report is None]
    return 1 if unreadable and not entries else 0


def _print_import(result: SourceResult, *, dry_run: bool) -> None:
    report = result.report
    if report is None:
        for warning in result.warnings:
            print(f"mistakes: warning: {visible(warning)}", file=sys.stderr)
        return
    count = len(report.entries)
    print(f"{visible(str(result.source))}: {count} {'entry' if count == 1 else 'entries'}")
    mark = "~" if dry_run else "+"
    for item, path in zip(report.entries, result.written, strict=False):
        lines = f"lines {item.start_line}-{item.end_line}"
        print(f"  {mark} {path.name}  ({lines})")
    mapped = result.to_json()["mapped"]
    if mapped:
        pairs = [f"{visible(label)} -> {_target_name(target)}" for label, target in mapped.items()]
        print("  mapped: " + "; ".join(pairs))
    if report.unmapped:
        print("  kept as extra sections: " + ", ".join(visible(t) for t in report.unmapped))
    for skipped in report.skipped:
        print(f"  skipped {skipped.lines}: {visible(skipped.reason)}")
    for kept in report.kept:
        print(f"  kept {kept.lines}: {visible(kept.reason)}")
    if result.resolved:
        print(
            f"  resolved: {result.resolved}, {result.resolved_with_day} with the day it was "
            f"resolved; {result.resolved_incomplete} without a root cause or fix "
            "(check --strict lists them)"
        )
    for warning in result.warnings:
        print(f"  warning: {visible(warning)}")


def _target_name(target: str) -> str:
    kind, _, key = target.partition(":")
    if kind == "section":
        return key
    if kind == "field":
        return f"field {key}"
    if kind == "extra_field":
        return f"frontmatter {key}"
    if kind == "extra":
        return "extra section"
    return kind
