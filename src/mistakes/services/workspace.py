"""What the terminal app works with: the entries folders, their indexes and the drafts.

With one folder everything is as it always was. With several (``--dir`` repeated, the
config's ``folders``), the sidebar searches them all (:class:`FolderSearch`: one ranking),
each hit names its folder, an entry is read and saved with its own folder's template and
rules, and a new entry goes to the first folder or the one chosen (``save(..., folder=)``).

Widgets call this (from worker threads for anything that reads or writes files) and
never touch files or the index themselves.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from mistakes.domain.entry import Entry, new_entry
from mistakes.domain.naming import parse_entry_filename
from mistakes.domain.template import Template
from mistakes.search.index import Hit, IndexNotReady, Progress, SearchResults, SyncReport
from mistakes.search.query import entry_from_query
from mistakes.services.config import (
    UserConfig,
    load_user_config,
    user_data_dir,
)
from mistakes.services.drafts import Draft, DraftStore
from mistakes.services.entries import EntryService
from mistakes.services.folder_search import FolderSearch
from mistakes.services.folders import FolderSet, NamedFolder, default_name, open_folders
from mistakes.services.followups import FollowUp, open_followups
from mistakes.services.git import Change, history
from mistakes.services.listing import Listing, load_listing
from mistakes.services.merge import MergeResult, differences, merge_entries
from mistakes.services.recurrence import Recurrence, record_occurrence
from mistakes.services.watch import FolderChanges, FolderWatch
from mistakes.storage.atomic import create_file
from mistakes.storage.document import new_document
from mistakes.storage.errors import StorageError
from mistakes.storage.folder import Problem, StoredEntry
from mistakes.storage.hashing import content_hash

RECENT = 300  # entries listed with an empty search box: the rest are a search away


class EntryGone(StorageError):
    """The entry's file is no longer in the folder (deleted or renamed behind the app's back)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path.name}: no longer in the folder (deleted or renamed on disk)")
        self.path = path


@dataclass
class MergePlan:
    """What "save mine over it" would write: my changes over the file as it is now."""

    path: Path
    stored: StoredEntry | None  # the file now; None when it was deleted
    result: MergeResult | None  # None when the file was deleted


@dataclass
class Restoring:
    """A draft made ready to show: what saving writes over, and the form's original."""

    draft: Draft
    stored: StoredEntry | None  # None: a new entry
    base: Entry  # the form's original (what counts as unsaved is what differs from it)
    note: str | None = None  # what the user should know (renamed, deleted, changed)


def hit_key(hit: Hit) -> str:
    """A result's key in a list: its file name, ``folder/name`` with several folders (two
    folders may each have a ``005-x.md``)."""
    return f"{hit.folder}/{hit.name}" if hit.folder else hit.name


@dataclass
class Workspace:
    entries: EntryService  # the first folder's: new entries go there unless told
    search: FolderSearch
    drafts: DraftStore
    config: UserConfig
    watch: FolderWatch | None = None
    folders: FolderSet | None = None  # None: the one folder of ``entries``
    _sync_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _watches: list[FolderWatch] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self.folders is None:
            root = self.entries.root
            self.folders = FolderSet([NamedFolder(default_name(root), self.entries.folder)])
        if self.watch is None:
            self.watch = FolderWatch(self.entries.root)
        self._watches = [self.watch] + [FolderWatch(f.root) for f in self.folders.folders[1:]]
        self._services = {
            f.name: (self.entries if n == 0 else EntryService(f.folder, self.config))
            for n, f in enumerate(self.folders)
        }

    @classmethod
    def open(
        cls,
        folder: str | Path | list[str] | None = None,
        template: str | Path | None = None,
        cache_root: Path | None = None,
        data_dir: Path | None = None,
    ) -> Workspace:
        """The app's workspace: ``folder`` is one folder, or a list (``--dir`` repeated);
        None: the config's ``folders``, else as the CLI finds the folder."""
        config = load_user_config()
        dirs = folder if isinstance(folder, list) else None if folder is None else [str(folder)]
        folders = open_folders(dirs, template, config)
        first = folders.first.folder
        return cls(
            entries=EntryService(first, config),
            search=FolderSearch(folders, cache_root, threaded=True),
            drafts=DraftStore(
                data_dir or user_data_dir(), first.root, [f.root for f in folders.folders[1:]]
            ),
            config=config,
            folders=folders,
        )

    # -- several folders ----------------------------------------------------------------------
    @property
    def several(self) -> bool:
        assert self.folders is not None
        return self.folders.several

    @property
    def folder_names(self) -> list[str]:
        assert self.folders is not None
        return self.folders.names

    def folder_of(self, path: Path) -> str:
        """The name of the folder ``path`` is in (the first folder's when none holds it)."""
        assert self.folders is not None
        return self.folders.of_path(path).name if self.several else self.folder_names[0]

    def entries_for(self, path: Path | None = None, folder: str | None = None) -> EntryService:
        """The entry service of the folder holding ``path`` (when given), else of the one
        named ``folder`` (else the first)."""
        if not self.several:
            return self.entries
        name = self.folder_of(path) if path is not None else folder
        return self._services.get(name or "", self.entries)

    def key_of(self, path: Path) -> str:
        """The key :func:`hit_key` gives the entry in ``path``."""
        return f"{self.folder_of(path)}/{path.name}" if self.several else path.name

    def listing(self) -> Listing:
        """Every folder's entries from its index as it is (the app keeps it in step)."""
        assert self.folders is not None
        merged = Listing([])
        for item in self.folders:
            part = load_listing(item.folder, self.search.service(item.name).index, sync=False)
            merged.entries += part.entries
            merged.problems += part.problems
            merged.notices += part.notices
        return merged

    def followups(self) -> tuple[list[FollowUp], list[Problem]]:
        """The follow-up items of every folder's entries, oldest entry first."""
        if not self.several:
            return open_followups(self.entries)
        from mistakes.services.folder_views import folder_followups

        assert self.folders is not None
        named, problems = folder_followups(self.folders)
        return [item for _name, item in named], problems

    @property
    def template(self) -> Template:
        return self.entries.template

    @property
    def root(self) -> Path:
        return self.entries.root

    def sync(self, progress: Progress | None = None) -> SyncReport:
        """Bring the index in step with the folder (the folder watch starts from here)."""
        with self._sync_lock:
            assert self.watch is not None
            for watch in self._watches:
                watch.prime()
            return self.search.ensure_open(progress)

    def poll_folder(self, also: Path | None = None) -> FolderChanges:
        """Entry files added, changed or removed since the last poll, with the index brought
        in step with them; ``also`` (the open entry's file) is looked at on every poll, the
        rest less often in a big folder. Nothing while another sync runs (the next poll sees
        it). For a worker thread: it lists the folder and may index files."""
        if not self._sync_lock.acquire(blocking=False):
            return FolderChanges()
        try:
            found = [
                w.poll(also if also is None or w.root == also.parent else None)
                for w in self._watches
            ]
            changes = (
                found[0]
                if len(found) == 1
                else FolderChanges(
                    tuple(p for c in found for p in c.added),
                    tuple(p for c in found for p in c.changed),
                    tuple(p for c in found for p in c.removed),
                )
            )
            if changes:
                self.search.ensure_open()
            return changes
        finally:
            self._sync_lock.release()

    def changed_on_disk(self, stored: StoredEntry) -> bool:
        """True when the file no longer holds the bytes ``stored`` was read from (or is
        gone). Reads the file: call it from a worker thread."""
        try:
            data = stored.path.read_bytes()
        except FileNotFoundError:
            return True
        except OSError:
            return False  # unreadable for now: not a change we can act on
        return content_hash(data) != stored.digest

    def open_as_is(self) -> bool:
        """Open the index as it is, so that search works while ``sync`` brings it in step."""
        return self.search.open_as_is()

    def find(
        self, text: str, limit: int = 100, partial: bool = True, budget: float | None = None
    ) -> SearchResults:
        """What the sidebar lists. With ``budget`` (seconds) a broad query answers with the
        best of what it scored in that time (``complete=False``); ask again without."""
        try:
            if not text.strip():
                return self.search.search("", min(limit, RECENT))
            return self.search.search(text, limit, partial=partial, snippets=1, budget=budget)
        except IndexNotReady:
            return SearchResults(text, [], 0, pending=True)

    def known_tags(self) -> list[str]:
        """The tags used in the folder, most used first ([] while the index is built)."""
        try:
            return self.search.known_tags()
        except IndexNotReady:
            return []

    def snippet(self, hit: Hit) -> Hit:
        if hit.snippet is None:
            self.search.attach_snippet(hit)
        return hit

    def load(self, path: Path) -> StoredEntry:
        """The entry in ``path``; EntryGone when the file is no longer there."""
        try:
            return self.entries_for(path).folder.load(path)
        except FileNotFoundError:
            raise EntryGone(path) from None

    # -- saving over someone else's change ----------------------------------------------------
    def plan_merge(self, stored: StoredEntry, base: Entry, mine: Entry) -> MergePlan:
        """Three-way: ``base`` the entry as the app read it, theirs the file now, ``mine``
        the form. Raises StorageError when the file now cannot be read as an entry."""
        try:
            theirs = self.load(stored.path)
        except EntryGone:
            return MergePlan(stored.path, None, None)
        return MergePlan(
            stored.path, theirs, merge_entries(base, theirs.entry, mine, self.template)
        )

    def write_back(self, stored: StoredEntry, entry: Entry) -> StoredEntry:
        """Write a deleted entry's file again, under its own name, laid out as it was read.
        FileExistsError when a file of that name came back meanwhile."""
        data = stored.document.render(entry).encode("utf-8")
        create_file(stored.path, data)
        saved = self.load(stored.path)
        self.search.saved(saved)
        return saved

    # -- drafts --------------------------------------------------------------------------------
    def drafts_to_offer(self) -> list[Draft]:
        """Drafts worth restoring: one that holds just what its file holds (an edit undone,
        then kept by a timer) is discarded here."""
        offered = []
        for draft in self.drafts.all():
            if draft.path is not None and draft.path.is_file():
                try:
                    stored = self.load(draft.path)
                except (StorageError, OSError):
                    offered.append(draft)
                    continue
                template = self.entries_for(draft.path).template
                if not differences(stored.entry, draft.entry, template):
                    self.drafts.discard(draft.key)
                    continue
            offered.append(draft)
        return offered

    def draft_key(self, path: Path | None) -> str:
        """The key a draft of the entry in ``path`` is kept under: its file's stem, with its
        folder's name when several are open (two folders may both have 005-x.md); a new
        entry's: ``new-`` and the time."""
        if path is None:
            return f"new-{int(time.time())}"
        return f"{path.stem}@{self.folder_of(path)}" if self.several else path.stem

    def draft_folder(self, path: Path | None, folder: str | None) -> Path:
        """The folder a draft is kept for: the file's own, else the one named (a new
        entry's choice), else the first."""
        return self.entries_for(path, folder).root

    def draft_folder_name(self, draft: Draft) -> str | None:
        """The name of the folder a new entry's draft was meant for (None: the first)."""
        if draft.folder is None or not self.several:
            return None
        return self.folder_of(draft.folder / "x")

    def prepare_restore(self, draft: Draft) -> Restoring:
        """Find the draft's file (it may have been renamed or deleted since) and say what
        saving the draft will write over."""
        if draft.path is None:
            return Restoring(draft, None, draft.base or Entry())
        note = None
        path: Path | None = draft.path
        if not draft.path.is_file():
            path = self._renamed(draft)
            if path is not None:
                note = f"{draft.path.name} was renamed to {path.name}; the draft is for it."
        if path is None:  # deleted: saving asks to write it back under its name
            missing = StoredEntry(
                draft.path,
                parse_entry_filename(draft.path.name) or 0,
                new_document(self.template),
                draft.base or Entry(),
                draft.digest or "",
            )
            note = f"{draft.path.name} was deleted since the draft was made; saving asks first."
            return Restoring(draft, missing, draft.base or Entry(), note)
        stored = self.load(path)
        base = stored.entry
        if draft.digest and stored.digest != draft.digest:
            # save against the file as the draft knew it: the save then finds the other
            # change and merges (or asks where both changed the same part)
            stored.digest = draft.digest
            base = draft.base or base
            note = note or "The file changed since the draft was made; saving will ask first."
        return Restoring(draft, stored, base, note)

    def _renamed(self, draft: Draft) -> Path | None:
        """The file a draft's entry went to: the same content, else the only file with its
        number."""
        assert draft.path is not None
        paths = self.entries_for(draft.path).folder.paths()  # in the draft's own folder
        if draft.digest:
            for path in paths:
                try:
                    if content_hash(path.read_bytes()) == draft.digest:
                        return path
                except OSError:
                    continue
        number = parse_entry_filename(draft.path.name)
        same = [p for p in paths if number and parse_entry_filename(p.name) == number]
        return same[0] if len(same) == 1 else None

    def new_entry(self, title: str = "") -> Entry:
        entry = new_entry(self.template, title)
        self.entries.fill_reporter(entry, self.config.reporters)
        self.entries.fill_environment(entry)
        return entry

    def new_entry_from_query(self, text: str) -> tuple[Entry, list[str]]:
        """A new entry from what was typed in the search box: its free words as the title,
        its field terms as values (``tag:redis cache stampede``: title "cache stampede",
        tag redis); and what of the query was left out (operators, unfinished values)."""
        made = entry_from_query(text, self.template)
        entry = self.new_entry(made.title)
        made.apply(entry, self.template)
        return entry, made.left_out

    def save(
        self,
        stored: StoredEntry | None,
        entry: Entry,
        *,
        force: bool = False,
        folder: str | None = None,
    ) -> StoredEntry:
        """Create or save; the index is updated for that one entry. Becoming Resolved with a
        section it requires empty raises ResolveRefused unless ``force`` (the user said so).
        ``folder``: where a new entry goes (default: the first folder)."""
        if stored is None:
            saved = self.entries_for(folder=folder).create(entry, gate=True, force=force)
        else:
            saved = self.entries_for(stored.path).save(stored, entry, force=force)
        if saved is not stored:
            self.search.saved(saved)
        return saved

    def record_occurrence(self, path: Path, note: str, *, reopen: bool = False) -> Recurrence:
        """One more occurrence of the entry in ``path`` (read now); the index follows."""
        done = record_occurrence(self.entries_for(path), self.load(path), note=note, reopen=reopen)
        self.search.saved(done.stored)
        return done

    def render(self, entry: Entry) -> str:
        """The entry as Markdown for the preview: the title, the fields on one line, then
        the sections as the file has them (the YAML frontmatter is not Markdown)."""
        text = new_document(self.template).render(entry)
        if text.startswith("---\n"):
            end = text.find("\n---\n", 4)
            text = text[end + 5 :] if end != -1 else text
        facts = []
        for spec in self.template.fields[1:]:
            value = entry.value(spec)
            shown = ", ".join(value) if isinstance(value, list) else value
            if shown:
                facts.append(f"**{spec.label}:** {shown}")
        head = f"# {entry.title or '(untitled)'}\n\n" + " · ".join(facts)
        return f"{head}\n\n{text.lstrip()}"

    def history(self, path: Path) -> list[Change]:
        """Who changed the entry's file and when (git log --follow), newest first; GitError
        (NotInGit) when git cannot tell. Runs git: call it from a worker thread."""
        return history(path)

    def similar(self, text: str, exclude: str | None = None, limit: int = 5) -> list[Hit]:
        """Past entries like ``text``; ``exclude``: the open entry's key (:meth:`key_of`)."""
        folder = None
        if exclude is not None and self.several and "/" in exclude:
            folder, exclude = exclude.split("/", 1)
        return self.search.similar(text, limit, exclude=exclude, exclude_folder=folder)

    def close(self) -> None:
        self.search.shutdown()
