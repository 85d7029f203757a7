"""``mistakes mcp``: the entries folder as a Model Context Protocol server over stdio.

A coding agent asks "have we seen this error before, and how did we fix it?" with the
``similar`` tool, searches with ``search``, reads one entry with ``show`` (or the
``mistakes://NNN`` resource) instead of a whole log, lists open follow-ups with ``todo``
and, when the server runs with ``--allow-write``, records a new mistake with ``new``.

A thin layer: every tool calls the service the CLI command of the same name calls
(:class:`~mistakes.services.search.SearchService`, :class:`~mistakes.services.entries.
EntryService`) and answers with the JSON that command prints with ``--json``. Errors the
user could act on (a bad REF, an unknown field) come back as tool errors carrying the
CLI's message; the server itself never stops on them. The SDK serves the protocol on the
process's stdout and points file descriptor 1 at stderr meanwhile, so nothing else can
reach the wire; logs go to stderr.

With several folders (``--dir`` repeated, the config's ``folders``) the tools cover every
folder through the same services the CLI uses over them (:class:`~mistakes.services.
folder_search.FolderSearch`, :class:`~mistakes.services.folders.FolderSet`): each answer
names its folder (``folder``, as in the CLI's JSON), a REF may be ``FOLDER:REF``
(``payments:5``; a bare REF several folders have is an error that says so), URIs are
``mistakes://payments:005``, and ``new`` writes to the first folder unless ``folder``
names another.

This module imports the ``mcp`` package (the optional extra ``mistakes[mcp]``); only
``mistakes mcp`` imports this module.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp_types import Resource, ToolAnnotations

from mistakes import __version__
from mistakes.cli.output import hit_json
from mistakes.domain.errors import MistakesError
from mistakes.domain.naming import parse_entry_filename
from mistakes.search.searching import SearchIndex
from mistakes.search.similar import error_query
from mistakes.search.types import Hit, IndexUnavailable, SyncReport
from mistakes.services.entries import EntryService
from mistakes.services.folder_search import FolderSearch
from mistakes.services.folders import FolderSet, NamedFolder, default_name, with_folder
from mistakes.services.followups import open_followups
from mistakes.services.links import show_record
from mistakes.services.recurrence import first_error_line, record_occurrence
from mistakes.services.secrets import Masked, mask_secrets
from mistakes.services.watch import FolderWatch
from mistakes.storage.errors import RefError
from mistakes.storage.folder import StoredEntry

log = logging.getLogger("mistakes.mcp")

URI_PREFIX = "mistakes://"
WRITE_TOOLS = frozenset({"new", "seen"})
NO_CLOSE_MATCHES = "no close matches: this error is not in the log yet"

INSTRUCTIONS = """\
A log of past mistakes, incidents and post-mortems of this team, each with what \
happened, the error messages, the root cause and the fix.
Before you fix an error (a failing test, a traceback, a build or deploy failure), call \
`similar` with the error message or the traceback: when a past entry matches, its `fix` \
and `root_cause` tell you what worked last time. Use `search` for a topic (query \
language: words, "phrases", OR, NOT, tag:x, severity:high, fix:word), `show` or the \
resource mistakes://NNN to read one entry, `todo` for follow-up actions still open."""

SIMILAR_DESCRIPTION = """\
Call this first, before you fix an error: pass the error message, the traceback or the \
failing log exactly as you saw it (the whole traceback is better than one line). \
Returns the past entries about the same error, best first, each with `fix` (what \
solved it), `root_cause`, `reason` (why it matched: same exception, same error code, \
shared frames) and `uri` to read the whole entry. `matches` is empty and `message` says \
"no close matches" when the log has nothing like it: fix it yourself, then record it \
with `new` if the server allows writing. Or pass `ref` (an entry's number) for the \
entries most like that one."""

SEARCH_DESCRIPTION = """\
Full-text search of the mistakes log, ranked. The query language is the CLI's: words \
(all must match; stemmed), "exact phrase", a OR b, NOT word or -word, prefix*, typo~, \
fields such as tag:postgres severity:high status:active title:pool date:2026-03, and \
sections such as fix:restart root_cause:dns error_messages:timeouterror. Returns \
`results` (number, title, severity, status, date, score, the best matching section and \
a snippet with matches in **bold**, `fix`, `root_cause`, `uri`) and `notice` when part \
of the query could not be read. To ask "have we seen this error?", use `similar`."""

SHOW_DESCRIPTION = """\
One entry in full, as JSON: title, date, severity, status, tags, environment, every \
section of the template by title (What Happened, Error Messages, Why It Happened, The \
Fix, ...; "" when not written) and the follow-up checklist. `ref` is the entry's \
number (7 or 007) or its file name, as `similar` and `search` return them."""

NEW_DESCRIPTION = """\
Record a new mistake in the log and return its path and number. Call it after you fixed \
an error that `similar` did not know, so that the next person (or agent) finds the fix. \
`title`: one line naming the error (e.g. "Connection pool exhausted after deploy"). \
`severity`: critical, high, medium or low. `tags`: a few lower-case words. `sections`: \
the template's sections by title or key, e.g. {"What Happened": "...", "Error \
Messages": "the traceback", "Why It Happened": "...", "The Fix": "..."}. `fields`: \
other fields as {"status": "resolved", "environment.os": "..."} (resolved needs the \
root cause and the fix written: the sections Resolved requires). Environment details \
are filled in. `folder`: which folder to write to when the server has several (the \
first one when not given)."""

SEEN_DESCRIPTION = """\
Record that a past mistake happened again (call it when `similar` found the entry of the \
error you just hit, instead of `new`): appends one line to the entry's Occurrences (date, \
host, version, and `note` or the first error line of `error`). `reopen` sets a Resolved \
entry back to Active; `warning` says when a Resolved entry's fix did not hold. Secrets in \
the note are masked."""

TODO_DESCRIPTION = """\
The follow-up actions still open (unchecked items of the Follow-up Actions checklist), \
newest entry first: `entries` lists number, title, status, `uri` and the `open` items \
of at most `limit` entries; `entries_with_open_items` and `open_items` count them all. \
Pass `ref` for one entry's. Use it to find work promised after an incident and not \
done."""

T = TypeVar("T")


class MistakesServer(MCPServer[Any]):
    """The MCP server of the entries folders (one, or several: see the module docstring).

    Tools run in worker threads (the SDK runs plain functions so); the calls that use the
    index (or write) take turns, those that only read files (show, todo, resources) do
    not wait for them, nor for the first build of the index."""

    def __init__(
        self,
        service: EntryService | FolderSet,
        *,
        allow_write: bool,
        cache_root: Path | None = None,
    ) -> None:
        super().__init__(
            "mistakes",
            title="Mistakes log",
            version=__version__,
            instructions=INSTRUCTIONS,
            log_level="WARNING",
        )
        if isinstance(service, EntryService):
            folders = FolderSet([NamedFolder(default_name(service.root), service.folder)])
        else:
            folders, service = service, service.service()
        self.folders = folders
        self.service = service  # the first folder's: new entries go there unless told
        self._services = {item.name: EntryService(item.folder) for item in folders}
        self._services[folders.first.name] = service
        self.allow_write = allow_write
        # threaded: tools run in worker threads, so the index is built in this process
        # (forking a threaded process can hang) and a save never waits for another
        # process's lock (the next call's sync applies it)
        self.search_service = FolderSearch(folders, cache_root, threaded=True, on_wait=log.info)
        self.watches = [FolderWatch(item.root) for item in folders]
        self._opened = False
        self._lock = threading.Lock()
        read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)
        self.add_tool(
            self.similar, "similar", "Have we seen this error?", SIMILAR_DESCRIPTION, read_only
        )
        self.add_tool(self.search, "search", "Search the log", SEARCH_DESCRIPTION, read_only)
        self.add_tool(self.show, "show", "Read one entry", SHOW_DESCRIPTION, read_only)
        self.add_tool(self.todo, "todo", "Open follow-up actions", TODO_DESCRIPTION, read_only)
        if allow_write:
            writes = ToolAnnotations(
                read_only_hint=False, destructive_hint=False, idempotent_hint=False
            )
            self.add_tool(self.new, "new", "Record a new mistake", NEW_DESCRIPTION, writes)
            self.add_tool(self.seen, "seen", "It happened again", SEEN_DESCRIPTION, writes)
        self.resource(
            URI_PREFIX + "{ref}",
            name="entry",
            title="A mistakes log entry",
            description="One entry's Markdown file; ref is its number (mistakes://007), "
            "with its folder when the server has several (mistakes://payments:007).",
            mime_type="text/markdown",
        )(self.entry_markdown)

    # -- calls ---------------------------------------------------------------------------
    def _run(self, work: Callable[[], T], *, index: bool = True) -> T:
        """Run a tool's work; ``index``: it uses the index (or writes), so it waits for the
        calls before it (and for the first build). An error the user can act on comes back
        as a tool error with the message the CLI prints for it."""
        try:
            if not index:
                return work()
            with self._lock:
                return work()
        except MistakesError as exc:
            raise ToolError(str(exc)) from exc
        except OSError as exc:  # what the storage layer did not name itself, as the CLI says it
            where = f"{exc.filename}: " if exc.filename else ""
            raise ToolError(where + (exc.strerror or str(exc))) from exc

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        if name in WRITE_TOOLS and not self.allow_write:
            raise ToolError(
                f"'{name}' writes to the mistakes folder; this server is read-only "
                "(start it with 'mistakes mcp --allow-write')"
            )
        return await super().call_tool(name, arguments, context)

    def _entry(self, ref: str) -> StoredEntry:
        """The entry REF (``FOLDER:REF`` with several folders) names; only entries of the
        folders (a REF that is a path elsewhere is refused: the server reads no other
        file). A bare REF several folders have is an error naming them."""
        if not self.folders.several:
            folder = self.service.folder
            path = folder.resolve(self.folders.split_ref(ref)[1])
        else:
            item, path = self.folders.resolve(ref)
            folder = item.folder
        root = folder.root.resolve()
        if path.resolve().parent != root:  # checked before the file is read
            raise RefError(f"{ref}: not an entry of {root}")
        return folder.load(path)

    def _folder_of(self, stored: StoredEntry) -> str:
        """The name of the entry's folder; "" with one folder (answers as they always were)."""
        return self.folders.of_path(stored.path).name if self.folders.several else ""

    def _service_of(self, stored: StoredEntry) -> EntryService:
        return self._services[self.folders.of_path(stored.path).name]

    def _shown(self, stored: StoredEntry, index: SearchIndex | None = None) -> dict[str, Any]:
        """``show --json`` of the entry (from its folder's service; backlinks from ``index``,
        its folder's index, when given), ``folder`` after ``path`` when there are several
        folders."""
        record = show_record(self._service_of(stored), stored, index)
        return with_folder(record, self._folder_of(stored))

    def _searching(self) -> FolderSearch:
        """The index, in step with the folder: the first call opens (or builds) it, later
        ones apply the files written, pulled or deleted since (the app's policy: the
        folder's mtime at every call, a stat of every file now and then; see
        :class:`FolderWatch`)."""
        if not self._opened:
            for watch in self.watches:
                watch.prime()  # before the sync: a change meanwhile is seen next time
            self._note(self.search_service.ensure_open())
            self._opened = True
        elif any([watch.poll() for watch in self.watches]):  # every folder's, each time
            self._note(self.search_service.ensure_open())
        return self.search_service

    @staticmethod
    def _note(report: SyncReport) -> None:
        for notice in report.notices:
            log.info("%s", notice)
        for problem in report.problems:
            log.warning("%s", problem)

    # -- tools ---------------------------------------------------------------------------
    def similar(self, text: str = "", ref: str = "", limit: int = 5) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            if bool(text.strip()) == bool(ref.strip()):
                raise ToolError("similar takes either text (an error or a log) or ref")
            query, exclude, exclude_folder = text, None, None
            if ref.strip():
                stored = self._entry(ref)
                exclude, exclude_folder = stored.path.name, self._folder_of(stored) or None
                entry = stored.entry
                # as `mistakes similar REF`: its Error Messages, else its whole text
                query = error_query(
                    entry.sections, "\n".join([entry.title, *entry.sections.values()])
                )
            hits = self._searching().similar(
                query, _limit(limit), exclude=exclude, exclude_folder=exclude_folder
            )
            return {
                "matches": [_hit(hit, reason=True) for hit in hits],
                "message": f"{len(hits)} past entries match" if hits else self._no_match(),
            }

        return self._run(work)

    def _no_match(self) -> str:
        if self.allow_write:
            return f"{NO_CLOSE_MATCHES}; once you have fixed it, record it with the new tool"
        return NO_CLOSE_MATCHES

    def search(self, query: str, limit: int = 10) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            if not query.strip():
                raise ToolError("search needs a query")
            count = _limit(limit)
            results = self._searching().search(query, count, snippets=count)
            return {
                "query": query,
                "total": results.total,
                "results": [_hit(hit) for hit in results.hits],
                "notice": results.notice,
            }

        return self._run(work)

    def _built(self) -> bool:
        """An index was built for the folder before: show and todo use it (in step first);
        otherwise they read the files and wait for no first build."""
        return self._opened or self.search_service.exists()

    def _index_in_step(self, name: str) -> SearchIndex | None:
        """Folder NAME's index, every folder in step first; None when it cannot be used now."""
        try:
            return self._searching().service(name).index
        except IndexUnavailable as exc:  # busy or damaged: the files, as without an index
            log.info("%s; read the files instead", exc)
            return None

    def show(self, ref: str) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            stored = self._entry(ref)
            name = self.folders.of_path(stored.path).name
            index = self._index_in_step(name) if self._built() else None
            return self._shown(stored, index)

        return self._run(work, index=self._built())

    def todo(self, ref: str = "", limit: int = 20) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            count = _limit(limit)
            only = self._entry(ref) if ref.strip() else None
            items = []
            for name, service in self._services.items():  # every folder, as `todo` does
                if only is not None and self._service_of(only) is not service:
                    continue
                # the path `mistakes todo` takes: the index when built before, else the files
                index = self._index_in_step(name) if self._built() else None
                found, problems = open_followups(service, index=index, sync=False)
                for problem in problems:
                    log.warning("%s", problem)
                items += [(name if self.folders.several else "", item) for item in found]
            if only is not None:
                items = [(n, item) for n, item in items if item.path.name == only.path.name]
            groups: dict[Path, dict[str, Any]] = {}
            for folder, item in items:
                group = groups.setdefault(
                    item.path,
                    with_folder(
                        {
                            "number": item.number,
                            "title": item.title,
                            "severity": item.severity,
                            "path": str(item.path),
                            "uri": _uri(item.number, folder),
                            "open": [],
                            "items": [],  # open items' numbers, as `mistakes done REF N` takes
                        },
                        folder,
                    ),
                )
                group["open"].append(item.text)
                group["items"].append(item.item)
            newest = sorted(
                groups.values(), key=lambda g: (g["number"], g.get("folder", "")), reverse=True
            )
            return {
                "entries": newest[:count],
                "entries_with_open_items": len(groups),
                "open_items": len(items),
            }

        return self._run(work, index=self._built())

    def seen(
        self, ref: str, note: str = "", error: str = "", reopen: bool = False
    ) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            stored = self._entry(ref)
            service = self._service_of(stored)
            done = record_occurrence(
                service, stored, note=note.strip() or first_error_line(error), reopen=reopen
            )
            self.search_service.saved(done.stored)  # or queued: the next call's sync applies it
            return {
                **self._shown(done.stored),
                "uri": _uri(done.stored.number, self._folder_of(done.stored)),
                "warning": done.warning,
                "reopened": done.reopened,
                "masked": done.masked,
            }

        return self._run(work)

    def new(
        self,
        title: str,
        severity: str = "",
        tags: list[str] | None = None,
        sections: dict[str, str] | None = None,
        fields: dict[str, str] | None = None,
        folder: str = "",
    ) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            # the first folder, or the one named (as `mistakes new --in NAME`)
            service = self._services[self.folders.named(folder).name] if folder else self.service
            # agents paste logs: keys and passwords in them never reach the file
            kinds: Counter[str] = Counter()
            texts: list[tuple[str, str]] = []
            for name, text in (sections or {}).items():
                masked = mask_secrets(text)
                kinds.update(masked.kinds)
                texts.append((name, masked.text))
            values = {"severity": severity} if severity.strip() else {}
            entry = service.compose(
                title,
                values=values,
                tags=tags or [],
                fields=[f"{name}={value}" for name, value in (fields or {}).items()],
                sections=texts,
            )
            service.fill_environment(entry)
            stored = service.create(entry, gate=True)  # Resolved: as `mistakes new`
            self.search_service.saved(stored)  # or queued: the next call's sync applies it
            name = self._folder_of(stored)
            return {
                "path": str(stored.path),
                **({"folder": name} if name else {}),
                "number": stored.number,
                "title": stored.entry.title,
                "uri": _uri(stored.number, name),
                "masked": Masked("", kinds).summary(),
            }

        return self._run(work)

    # -- resources -----------------------------------------------------------------------
    def entry_markdown(self, ref: str) -> str:
        try:
            return self._entry(ref).document.text()
        except MistakesError as exc:
            raise ResourceNotFoundError(str(exc)) from exc

    async def list_resources(self) -> list[Resource]:
        """Every entry of every folder as ``mistakes://NNN`` (``mistakes://payments:NNN`` with
        several folders), named by its file (no file is parsed: listing stays cheap on a
        large folder)."""
        resources = []
        for item in self.folders:
            folder = item.name if self.folders.several else ""
            for path in item.folder.paths():
                number = parse_entry_filename(path.name)
                if number is None:
                    continue
                uri = _uri(number, folder)
                resources.append(Resource(uri=uri, name=path.stem, mime_type="text/markdown"))
        return resources

    def warm_up(self) -> None:
        """Open (or build) the index now, so that the first search does not wait for it."""
        try:
            self._run(self._searching)
        except Exception as exc:  # the first call tries again and reports what is wrong
            log.warning("the search index could not be opened yet (%s)", exc)

    def close(self) -> None:
        """For good: a build still running in the background stops (nothing half-written)."""
        self.search_service.shutdown()


def _limit(limit: int) -> int:
    if limit < 1:
        raise ToolError(f"limit must be 1 or more (not {limit})")
    return min(limit, 100)


def _uri(number: int, folder: str = "") -> str:
    """``mistakes://005``, or ``mistakes://payments:005`` with several folders."""
    return f"{URI_PREFIX}{folder + ':' if folder else ''}{number:03d}"


def _hit(hit: Hit, *, reason: bool = False) -> dict[str, Any]:
    """A hit as ``search --json`` prints it (fix and root cause included, ``folder`` with
    several folders), and where to read the whole entry."""
    data: dict[str, Any] = {**hit_json(hit), "uri": _uri(hit.number, hit.folder)}
    if reason:
        data["reason"] = hit.reason
    return data


def serve(folders: EntryService | FolderSet, *, allow_write: bool) -> int:
    """Serve the folders over stdio until the client closes the connection."""
    logging.basicConfig(
        level=logging.INFO,
        format="mistakes mcp: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    server = MistakesServer(folders, allow_write=allow_write)
    mode = "read-write" if allow_write else "read-only (--allow-write enables new)"
    where = ", ".join(str(item.root) for item in server.folders)
    log.info("serving %s over stdio, %s", where, mode)
    threading.Thread(target=server.warm_up, name="mistakes-index", daemon=True).start()
    try:
        server.run("stdio")
    finally:
        server.close()
    return 0
