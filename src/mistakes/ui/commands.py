"""The command palette (ctrl+p): jump to an entry by its title, besides the app's commands."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from mistakes.domain.text import one_line

if TYPE_CHECKING:
    from mistakes.ui.app import MistakesApp


class EntryCommands(Provider):
    """Entries whose title matches what is typed (from the search index, titles only)."""

    @property
    def mistakes_app(self) -> MistakesApp:
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
