"""services/followups.py, the one function the CLI, the app and the MCP server share."""

from __future__ import annotations

from pathlib import Path

import pytest

from mistakes.domain.template import Template
from mistakes.services.entries import EntryService, UsageError
from mistakes.services.followups import open_followups, set_done
from mistakes.storage.folder import EntryFolder


def test_a_tick_of_an_item_that_changed_since_it_was_listed_is_refused(
    samples_copy: Path, template: Template
) -> None:
    service = EntryService(EntryFolder(samples_copy, template))
    items, problems = open_followups(service)
    assert problems == []
    item = items[0]
    # someone edits the checklist meanwhile: item N is another item now
    text = item.path.read_text()
    item.path.write_text(text.replace(f"- [ ] {item.text}", "- [ ] Something else", 1))
    changed = item.path.read_bytes()
    with pytest.raises(UsageError, match="the checklist changed since it was listed"):
        set_done(service, str(item.path), item.item, expect=item.text)
    assert item.path.read_bytes() == changed
    saved, now = set_done(service, str(item.path), item.item, expect="Something else")
    assert now.done and now.text == "Something else"
    assert saved.entry.follow_up[item.item - 1].done


def test_open_only_skips_files_without_an_open_box(samples_copy: Path, template: Template) -> None:
    service = EntryService(EntryFolder(samples_copy, template))
    every, _ = open_followups(service, include_done=True)
    numbers_with_open = {i.number for i in every if not i.done}
    items, _ = open_followups(service)
    assert {i.number for i in items} == numbers_with_open
    assert [i for i in every if not i.done] == items
