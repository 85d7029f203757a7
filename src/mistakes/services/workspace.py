"""What the terminal app works with: one entries folder, its index and its drafts.

Widgets call this (from worker threads for anything that reads or writes files) and
never touch files or the index themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mistakes.domain.entry import Entry, new_entry
from mistakes.domain.template import Template
from mistakes.search.index import Hit, IndexNotReady, Progress, SearchResults, SyncReport
from mistakes.services.config import (
    UserConfig,
    load_user_config,
    resolve_dir,
    resolve_template,
    user_data_dir,
)
from mistakes.services.drafts import DraftStore
from mistakes.services.entries import EntryService
from mistakes.services.search import SearchService
from mistakes.storage.document import new_document
from mistakes.storage.folder import EntryFolder, StoredEntry
from mistakes.storage.template_file import load_template

RECENT = 300  # entries listed with an empty search box: the rest are a search away


@dataclass
class Workspace:
    entries: EntryService
    search: SearchService
    drafts: DraftStore
    config: UserConfig

    @classmethod
    def open(
        cls,
        folder: str | Path | None = None,
        template: str | Path | None = None,
        cache_root: Path | None = None,
        data_dir: Path | None = None,
    ) -> Workspace:
        config = load_user_config()
        root = resolve_dir(str(folder) if folder is not None else None, config)
        template_path = resolve_template(
            str(template) if template is not None else None, root, config
        )
        entry_folder = EntryFolder(root, load_template(template_path))
        return cls(
            entries=EntryService(entry_folder),
            search=SearchService(entry_folder, cache_root, threaded=True),
            drafts=DraftStore(data_dir or user_data_dir(), root),
            config=config,
        )

    @property
    def template(self) -> Template:
        return self.entries.template

    @property
    def root(self) -> Path:
        return self.entries.root

    def sync(self, progress: Progress | None = None) -> SyncReport:
        return self.search.ensure_open(progress)

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
            return self.search.index.known_tags()
        except IndexNotReady:
            return []

    def snippet(self, hit: Hit) -> Hit:
        if hit.snippet is None:
            self.search.index.attach_snippet(hit)
        return hit

    def load(self, path: Path) -> StoredEntry:
        return self.entries.folder.load(path)

    def new_entry(self, title: str = "") -> Entry:
        entry = new_entry(self.template, title)
        self.entries.fill_environment(entry)
        return entry

    def save(self, stored: StoredEntry | None, entry: Entry) -> StoredEntry:
        """Create or save; the index is updated for that one entry."""
        saved = self.entries.create(entry) if stored is None else self.entries.save(stored, entry)
        if saved is not stored:
            self.search.saved(saved)
        return saved

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

    def similar(self, text: str, exclude: str | None = None, limit: int = 5) -> list[Hit]:
        return self.search.similar(text, limit, exclude=exclude)

    def close(self) -> None:
        self.search.shutdown()
