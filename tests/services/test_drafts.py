"""DraftStore: one JSON file per entry being edited, in the user's data directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mistakes.domain.entry import ChecklistItem, Entry
from mistakes.services.drafts import DraftStore


def entry(title: str) -> Entry:
    return Entry(
        fields={"title": title, "tags": ["db", "api"]},
        groups={"environment": {"os": "Linux"}},
        sections={"what_happened": "It broke.\n\nTwice."},
        follow_up=[ChecklistItem("Add an alert", True), ChecklistItem("Write it up")],
        extra={"ticket": "OPS-12", "links": [1, 2]},
        extra_sections={"Notes": "kept"},
    )


def test_a_draft_comes_back_as_it_was_kept(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "data", tmp_path / "entries")
    file = tmp_path / "entries" / "005-x.md"
    written = store.save("005-x", file, "abc", entry("Mine"), base=entry("Theirs"))
    (draft,) = store.all()
    assert draft.key == "005-x" and draft.path == file and draft.digest == "abc"
    assert draft.entry == entry("Mine")
    assert draft.base == entry("Theirs")
    assert draft.title == "Mine"
    assert draft.file == written
    assert store.get("005-x") == draft and store.get("nope") is None
    assert written.parent.stat().st_mode & 0o777 == 0o700


def test_a_new_entry_and_an_older_draft_without_base(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "data", tmp_path / "entries")
    store.save("new-1", None, None, Entry())
    (draft,) = store.all()
    assert draft.path is None and draft.digest is None and draft.base is None
    assert draft.title == "(untitled)"
    # a draft written before drafts kept their base reads as one with no base
    data = json.loads(draft.file.read_text("utf-8"))
    del data["base"]
    draft.file.write_text(json.dumps(data), "utf-8")
    assert store.all()[0].base is None


def test_drafts_are_kept_per_folder(tmp_path: Path) -> None:
    one = DraftStore(tmp_path / "data", tmp_path / "one")
    two = DraftStore(tmp_path / "data", tmp_path / "two")
    one.save("a", None, None, entry("A"))
    assert [d.key for d in one.all()] == ["a"]
    assert two.all() == []
    assert DraftStore(tmp_path / "none", tmp_path / "one").all() == []


def test_discard_removes_one(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "data", tmp_path / "entries")
    store.save("a", None, None, entry("A"))
    store.save("b", None, None, entry("B"))
    store.discard("a")
    store.discard("missing")  # nothing to remove: no error
    assert [d.key for d in store.all()] == ["b"]


def test_a_draft_that_cannot_be_read_is_skipped_and_left(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "data", tmp_path / "entries")
    store.save("good", None, None, entry("Good"))
    (store.dir / "broken.json").write_text("{not json", "utf-8")
    (store.dir / "nokey.json").write_text('{"entry": {}}', "utf-8")
    (store.dir / "badtype.json").write_text('{"key": "x", "entry": 3}', "utf-8")
    (store.dir / "half.tmp").write_text("{", "utf-8")  # a write cut short: not a draft
    assert [d.key for d in store.all()] == ["good"]
    assert (store.dir / "broken.json").exists()  # for a person to look at


def test_saving_again_replaces_the_draft(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "data", tmp_path / "entries")
    store.save("a", None, None, entry("One"))
    store.save("a", None, None, entry("Two"))
    (draft,) = store.all()
    assert draft.title == "Two"
    assert sorted(p.name for p in store.dir.iterdir()) == ["a.json"]


@pytest.mark.parametrize("durable", [True, False])
def test_only_durable_saves_sync_to_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    store = DraftStore(tmp_path / "data", tmp_path / "entries")
    store.save("a", None, None, entry("A"), durable=durable)
    assert bool(synced) is durable
    assert store.all()[0].title == "A"
    assert os.fsync is not None
