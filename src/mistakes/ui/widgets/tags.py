"""Completion of tags from the tags already used in the folder (right arrow accepts)."""

from __future__ import annotations

from textual.suggester import Suggester


class TagSuggester(Suggester):
    """Completes the tag being typed after the last comma; tags already listed are skipped."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags: list[str] = []  # most used first; filled by the app from the index

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(",")
        typed = last.lstrip()
        if not typed:
            return None
        listed = {t.strip().lower() for t in head.split(",") if t.strip()}
        wanted = typed.lower()
        for tag in self.tags:
            if tag.startswith(wanted) and tag != wanted and tag not in listed:
                return value + tag[len(typed) :]
        return None
