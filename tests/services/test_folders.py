"""Several folders: names, FOLDER:REF, the config's folders, and one search over all."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from mistakes.search.searching import SearchIndex
from mistakes.services.config import ConfigError, load_user_config
from mistakes.services.entries import UsageError
from mistakes.services.folder_search import FolderSearch
from mistakes.services.folders import FolderSet, default_name, open_folders, parse_dir
from mistakes.storage.errors import RefError
from tests.conftest import SAMPLES

QUERIES = ["connection pool", "timeout", "database locked", "redis", "deploy tag:postgres"]


def split_samples(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The sample entries split over two folders (odd numbers in ``payments``, even in
    ``search``), and all of them in a third."""
    a = tmp_path / "payments" / "mistakes"
    b = tmp_path / "search-team"
    whole = tmp_path / "whole"
    for folder in (a, b, whole):
        folder.mkdir(parents=True)
    for number, path in enumerate(sorted(SAMPLES.glob("*.md")), 1):
        shutil.copy(path, (a if number % 2 else b) / path.name)
        shutil.copy(path, whole / path.name)
    return a, b, whole


def test_default_names() -> None:
    assert default_name(Path("/src/payments/mistakes")) == "payments"
    assert default_name(Path("/src/payments-log")) == "payments-log"
    assert parse_dir("pay=/x/y") == ("pay", Path("/x/y"))
    assert parse_dir("/x/y") == (None, Path("/x/y"))


def test_names_clash_is_a_usage_error_naming_both(tmp_path: Path) -> None:
    one, two = tmp_path / "a" / "payments", tmp_path / "b" / "payments" / "mistakes"
    with pytest.raises(UsageError) as caught:
        open_folders([str(one), str(two)])
    assert str(one) in str(caught.value) and str(two) in str(caught.value)
    named = open_folders([str(one), f"pay2={two}"])
    assert named.names == ["payments", "pay2"]


def test_env_holds_several_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, _whole = split_samples(tmp_path)
    monkeypatch.setenv("MISTAKES_DIR", f"{a}{os.pathsep}{b}")
    assert open_folders(None).names == ["payments", "search-team"]


def test_config_folders_strings_and_tables(tmp_path: Path, isolated_home: Path) -> None:
    a, b, _whole = split_samples(tmp_path)
    config = isolated_home / ".config" / "mistakes" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'folders = ["{a}", {{ name = "search", dir = "{b}" }}]\n')
    folders = open_folders(None)
    assert folders.names == ["payments", "search"]
    assert [f.root for f in folders] == [a, b]
    config.write_text('\n\nfolders = [{ dir = "x", team = "y" }]\n')
    with pytest.raises(ConfigError) as caught:
        load_user_config()
    assert f"{config}:3" in str(caught.value) and "team" in str(caught.value)


def test_folder_ref_and_ambiguity(tmp_path: Path) -> None:
    a, b, _whole = split_samples(tmp_path)
    five = next(a.glob("005-*.md"))
    (b / "005-another-five.md").write_bytes(five.read_bytes())
    folders = open_folders([str(a), f"search={b}"])
    with pytest.raises(UsageError) as caught:
        folders.resolve("5")
    assert str(caught.value) == "5 is in payments and search; say payments:5"
    item, path = folders.resolve("search:005")
    assert (item.name, path.name) == ("search", "005-another-five.md")
    item, path = folders.resolve("7")  # only payments has 007
    assert item.name == "payments" and path.name.startswith("007-")
    item, path = folders.resolve("2")  # only search has 002
    assert item.name == "search"
    with pytest.raises(RefError):
        folders.resolve("999")
    with pytest.raises(UsageError) as unknown:
        folders.named("nope")
    assert "payments, search" in str(unknown.value)


def _ranking(search: FolderSearch | SearchIndex, query: str) -> list[tuple[str, float]]:
    results = search.search(query, 30, snippets=0)
    return [(hit.name, round(hit.score, 6)) for hit in results.hits]


@pytest.mark.parametrize("query", QUERIES)
def test_merged_ranking_is_one_folders_ranking(tmp_path: Path, query: str) -> None:
    """The entries split over two folders rank as they do in one folder holding them all:
    the same order and the same scores (term statistics are those of all the folders)."""
    a, b, whole = split_samples(tmp_path)
    cache = tmp_path / "cache"
    several = FolderSearch(open_folders([str(a), str(b)]), cache)
    one = FolderSearch(open_folders([str(whole)]), cache)
    several.open()
    one.open()
    assert several.combined
    merged = _ranking(several, query)
    assert merged, query
    assert merged == _ranking(one, query)
    # each hit names its folder, the one its file is in
    for hit in several.search(query, 30, snippets=3).hits:
        assert hit.folder in ("payments", "search-team")
        assert hit.path.parent == (a if hit.folder == "payments" else b)
        assert hit.path.is_file()
    for hit in one.search(query, 30).hits:
        assert hit.folder == ""
    # per-folder scores differ from the merged ones (different IDF): a plain merge of the
    # two folders' own rankings would not give this
    alone = FolderSearch(open_folders([str(a)]), cache)
    alone.open()
    own = dict(_ranking(alone, query))
    assert any(own[name] != score for name, score in merged if name in own)
    for search in (several, one, alone):
        search.close()


def test_snippets_come_from_the_hits_folder(tmp_path: Path) -> None:
    a, b, _whole = split_samples(tmp_path)
    search = FolderSearch(open_folders([str(a), str(b)]), tmp_path / "cache")
    search.open()
    hits = search.search("pool", 10, snippets=10).hits
    assert {h.folder for h in hits} == {"payments", "search-team"}
    assert all(h.snippet is not None for h in hits)
    search.close()


def test_similar_merges_by_score_and_names_folders(tmp_path: Path) -> None:
    a, b, _whole = split_samples(tmp_path)
    cache = tmp_path / "cache"
    several = FolderSearch(open_folders([str(a), str(b)]), cache)
    several.open()
    paste = (
        "Traceback (most recent call last):\n"
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, "
        "connection timed out, timeout 30\n"
    )
    hits = several.similar(paste, 10)
    assert hits
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        assert hit.path.parent == (a if hit.folder == "payments" else b)
    # each folder's own similar hits keep their score in the merge
    for name, folder in (("payments", a), ("search-team", b)):
        alone = FolderSearch(open_folders([str(folder)]), cache)
        alone.open()
        own = {h.name: h.score for h in alone.similar(paste, 10)}
        for hit in hits:
            if hit.folder == name:
                assert own[hit.name] == pytest.approx(hit.score)
        alone.close()
    several.close()


def test_one_folder_is_the_folder_itself(tmp_path: Path) -> None:
    folders = open_folders([str(SAMPLES)])
    assert isinstance(folders, FolderSet) and not folders.several
    assert folders.label(SAMPLES / "x.md") == ""
    _item, path = folders.resolve("5")
    assert path.parent == SAMPLES


def test_listing_over_folders_names_each_entry(tmp_path: Path) -> None:
    import json

    from mistakes.services.folder_views import folder_listing, folder_namer, named_json_parts
    from mistakes.services.listing import from_files, json_parts

    a, b, _whole = split_samples(tmp_path)
    folders = open_folders([str(a), str(b)])
    listing = folder_listing(folders, records=True, cache_root=tmp_path / "cache")
    assert len(listing.entries) == len(list(SAMPLES.glob("*.md")))
    name_of = folder_namer(folders)
    data = json.loads(b"".join(bytes(p) for p in named_json_parts(listing.entries, name_of)))
    by_folder = {"payments": a, "search-team": b}
    for obj in data:
        assert list(obj)[:2] == ["path", "folder"]
        assert Path(obj["path"]).parent == by_folder[obj["folder"]]
    # the rest of each object is list --json's, as one folder prints it
    rows = from_files(folders.first.folder, records=True).entries
    one = json.loads(b"".join(bytes(p) for p in json_parts(rows)))
    first = [{k: v for k, v in o.items() if k != "folder"} for o in data[: len(one)]]
    assert first == one


def test_followups_over_folders(tmp_path: Path) -> None:
    from mistakes.services.folder_views import folder_followups

    a, b, _whole = split_samples(tmp_path)
    folders = open_folders([str(a), str(b)])
    items, problems = folder_followups(folders)
    assert not problems
    assert {name for name, _item in items} == {"payments", "search-team"}
    keys = [(not i.date, i.date, i.number) for _n, i in items]
    assert keys == sorted(keys)
    for name, item in items:
        assert item.path.parent == (a if name == "payments" else b)


def test_workspace_over_folders_saves_in_the_right_folder(tmp_path: Path) -> None:
    from mistakes.services.workspace import Workspace, hit_key

    a, b, _whole = split_samples(tmp_path)
    ws = Workspace.open([str(a), str(b)], cache_root=tmp_path / "c", data_dir=tmp_path / "d")
    try:
        ws.sync()
        assert ws.several and ws.folder_names == ["payments", "search-team"]
        hits = ws.find("pool", 50).hits
        assert {h.folder for h in hits} == {"payments", "search-team"}
        assert len({hit_key(h) for h in hits}) == len(hits)
        entry = ws.new_entry("Saved in search-team")
        saved = ws.save(None, entry, folder="search-team")
        assert saved.path.parent == b
        assert ws.find("saved search-team", 5).hits[0].folder == "search-team"
        first = ws.save(None, ws.new_entry("Saved in the first"))
        assert first.path.parent == a
        total = len(list(a.glob("*.md"))) + len(list(b.glob("*.md")))
        assert len(ws.listing().entries) == total
        items, _problems = ws.followups()
        assert {i.path.parent for i in items} == {a, b}
        assert ws.key_of(saved.path) == f"search-team/{saved.path.name}"
    finally:
        ws.close()


def test_folder_changes_match_the_open_file_by_its_whole_path(tmp_path: Path) -> None:
    """Two folders with 005-x.md each: a change of one is not a change of the other."""
    from mistakes.services.watch import FolderChanges, same_file

    a, b = tmp_path / "payments", tmp_path / "search"
    a.mkdir()
    b.mkdir()
    changes = FolderChanges(changed=(b / "005-x.md",), removed=(b / "006-y.md",))
    assert not changes.touches(a / "005-x.md")
    assert not changes.touches(a / "006-y.md")
    assert not changes.removed_path(a / "006-y.md")
    assert changes.touches(b / "005-x.md") and changes.removed_path(b / "006-y.md")
    # the same folder written another way is the same file
    assert changes.touches(tmp_path / "search" / ".." / "search" / "005-x.md")
    assert same_file(b / "005-x.md", b / "005-x.md") and not same_file(a / "5.md", b / "5.md")
