"""The command palette (ctrl+p): every key's command, tabs and sections by name, status and
severity, and entries by title."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from mistakes.domain.template import FieldSpec
from mistakes.domain.text import one_line
from mistakes.services.workspace import Workspace
from mistakes.ui.keys import BINDINGS


class PaletteApp(Protocol):
    """What the palette's commands ask of the app (a protocol: no import of the app, which
    imports this module)."""

    workspace: Workspace

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any) -> bool: ...
    def run_action(self, action: str) -> Any: ...
    def choice_field(self, key: str) -> FieldSpec | None: ...
    def set_field(self, key: str, value: str | None) -> None: ...
    def open_path(self, path: Path) -> None: ...
    def reindex(self) -> None: ...
    def show_pane(self, pane_id: str) -> bool: ...
    def show_section(self, key: str) -> None: ...
    def toggle_theme(self) -> None: ...
    def show_history(self) -> None: ...
    def link_to(self) -> None: ...


SKIPPED = {"escape", "next-pane", "prev-pane"}  # nothing from the palette; or said already
TITLES = {  # the palette's words for a key's command, where the footer's are too short
    "search": "Search (focus the search box)",
    "new": "New entry",
    "save": "Save the entry",
    "set-status": "Set status…",
    "set-severity": "Set severity…",
    "preview": "Preview (Markdown)",
    "external-editor": "Open the section in $EDITOR",
    "toggle-item": "Toggle the checklist item",
    "copy-path": "Copy the entry's path",
    "copy-pane": "Copy the section's text",
    "follow-up": "Go to Follow-up Actions",
    "similar": "Similar entries",
    "seen-before": "Seen before: record this new entry as an occurrence of the similar one",
    "sidebar": "Show / hide the sidebar",
    "help": "Help (all keys)",
    "follow-link": "Go to the link under the cursor (else the entry's links)",
    "back": "Back to the entry a link was followed from",
    "followups": "Follow-ups of every entry",
    "stats": "Stats: bar charts by severity, status, tag and month",
}


def _later(app: PaletteApp, action: Callable[[], Any]) -> Callable[[], None]:
    """Run after the palette has closed and given the focus back (so a focus sticks)."""

    def run() -> None:
        app.call_after_refresh(action)

    return run


def app_commands(app: PaletteApp) -> Iterator[SystemCommand]:
    """The app's own commands, as the palette lists them."""
    keymap = app.workspace.config.keymap
    for binding in BINDINGS:
        if (
            not binding.description
            or binding.id in SKIPPED
            or (binding.id or "").startswith("tab-")
        ):
            continue
        key = keymap.get(binding.id or "", binding.key)
        yield SystemCommand(
            TITLES.get(binding.id or "", binding.description),
            f"{key}",
            _later(app, partial(app.run_action, binding.action)),
        )
    template = app.workspace.template
    tabs = [("tab-details", "Details")]
    tabs += [(f"tab-{s.key}", s.title) for s in template.sections if s.parent is None]
    if template.checklist is not None:
        tabs.append(("tab-checklist", template.checklist.title))
    tabs += [("tab-similar", "Similar"), ("tab-preview", "Preview")]
    for number, (pane_id, title) in enumerate(tabs, start=1):
        where = f"alt+{number}" if number <= 9 else "ctrl+pagedown"
        yield SystemCommand(
            f"Go to tab: {title}",
            where,
            _later(app, partial(app.show_pane, pane_id)),
            discover=False,
        )
    for leaf in template.leaves():
        yield SystemCommand(
            f"Go to section: {leaf.title}",
            "the cursor in that section",
            _later(app, partial(app.show_section, leaf.key)),
            discover=False,
        )
    for key, verb in (("status", "Set status"), ("severity", "Set severity")):
        spec = app.choice_field(key)
        for choice in spec.choices if spec is not None else ():
            yield SystemCommand(
                f"{verb}: {choice}",
                "of the open entry (ctrl+s saves)",
                _later(app, partial(app.set_field, key, choice)),
                discover=False,
            )
    yield SystemCommand(
        "Link to…",
        "link the open entry to another, in both files (Related Issues)",
        _later(app, app.link_to),
    )
    yield SystemCommand(
        "Reindex", "rebuild the search index from the files", _later(app, app.reindex)
    )
    yield SystemCommand(
        "History of this entry",
        "who changed the open entry and when (git log)",
        _later(app, app.show_history),
    )
    yield SystemCommand(
        "Toggle theme", "light or dark", _later(app, app.toggle_theme), discover=False
    )


class EntryCommands(Provider):
    """Entries whose title matches what is typed (from the search index, titles only)."""

    @property
    def mistakes_app(self) -> PaletteApp:
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        app = self.mistakes_app
        results = await asyncio.to_thread(app.workspace.find, "", 10)
        for hit in results.hits:
            label = Content(f"{hit.number:03d} {one_line(hit.title)}")
            yield DiscoveryHit(label, partial(app.open_path, hit.path), help="Open this entry")

    async def search(self, query: str) -> Hits:
        if not query.strip():
            return
        app = self.mistakes_app
        words = " ".join(f"title:{w}" for w in query.split())
        results = await asyncio.to_thread(app.workspace.find, words, 20)
        matcher = self.matcher(query)
        for hit in results.hits:
            text = f"{hit.number:03d} {one_line(hit.title)}"
            score = matcher.match(text) or 0.5
            yield Hit(score, Content(text), partial(app.open_path, hit.path), help="Open")
