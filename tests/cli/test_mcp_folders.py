"""``mistakes mcp`` over several folders: every tool answers from every folder, through the
services the CLI uses over them, each answer naming its folder."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from mistakes.services.folders import open_folders
from tests.cli.test_mcp import KNOWN_ERROR, Server
from tests.conftest import split_samples

pytest.importorskip("mcp", reason="the MCP server needs the mcp package (mistakes[mcp])")

from mcp.server.mcpserver.exceptions import ToolError

from mistakes.cli.mcp_server import MistakesServer


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path]:
    """The samples over ``payments/mistakes`` (odd numbers) and ``search`` (even), with a
    second 005 (the same error) in ``search``."""
    return split_samples(tmp_path, "005-pool-again.md")


@pytest.fixture
def server(two: tuple[Path, Path], tmp_path: Path) -> Iterator[MistakesServer]:
    folders = open_folders([str(two[0]), str(two[1])])
    made = MistakesServer(folders, allow_write=True, cache_root=tmp_path / "cache")
    yield made
    made.close()


def test_similar_and_search_cover_every_folder(
    server: MistakesServer, two: tuple[Path, Path]
) -> None:
    matches = server.similar(text=KNOWN_ERROR)["matches"]
    found = {(m["folder"], m["number"]) for m in matches}
    assert {("payments", 5), ("search", 5)} <= found
    for match in matches:
        assert list(match)[:2] == ["path", "folder"]
        assert Path(match["path"]).parent == (two[0] if match["folder"] == "payments" else two[1])
        assert match["uri"] == f"mistakes://{match['folder']}:{match['number']:03d}"
    # similar to an entry: itself left out, its twin in the other folder found
    twins = server.similar(ref="payments:5")["matches"]
    assert ("search", 5) in {(m["folder"], m["number"]) for m in twins}
    assert ("payments", 5) not in {(m["folder"], m["number"]) for m in twins}
    results = server.search(query="pool")["results"]
    assert {r["folder"] for r in results} == {"payments", "search"}


def test_show_and_resources_take_folder_ref(server: MistakesServer, two: tuple[Path, Path]) -> None:
    shown = server.show(ref="search:5")
    assert shown["folder"] == "search" and Path(shown["path"]).parent == two[1]
    assert list(shown).index("folder") == list(shown).index("path") + 1
    assert server.show(ref="payments:5")["folder"] == "payments"
    with pytest.raises(ToolError, match="5 is in payments and search; say payments:5"):
        server.show(ref="5")
    assert server.show(ref="2")["folder"] == "search"  # only search has a 002
    text = server.entry_markdown("search:005")
    assert text == next(two[1].glob("005-*.md")).read_text("utf-8")
    uris = {str(r.uri) for r in asyncio.run(server.list_resources())}
    assert {"mistakes://payments:005", "mistakes://search:005", "mistakes://search:002"} <= uris
    assert len(uris) == len(list(two[0].glob("*.md"))) + len(list(two[1].glob("*.md")))


def test_todo_covers_every_folder(server: MistakesServer, two: tuple[Path, Path]) -> None:
    data = server.todo(limit=100)
    folders = {e["folder"] for e in data["entries"]}
    assert folders == {"payments", "search"}
    fives = [e for e in data["entries"] if e["number"] == 5]
    assert {e["folder"] for e in fives} == {"payments", "search"}  # two entries, not one
    assert data["entries_with_open_items"] == len(data["entries"])
    only = server.todo(ref="search:5")["entries"]
    assert [(e["folder"], e["number"]) for e in only] == [("search", 5)]
    assert only[0]["uri"] == "mistakes://search:005"


def test_new_goes_to_the_first_folder_or_the_one_named(
    server: MistakesServer, two: tuple[Path, Path]
) -> None:
    made = server.new(title="Agent wrote this", severity="low")
    assert Path(made["path"]).parent == two[0] and made["folder"] == "payments"
    there = server.new(title="Agent wrote that kumquat", severity="low", folder="search")
    assert Path(there["path"]).parent == two[1] and there["folder"] == "search"
    assert there["uri"] == f"mistakes://search:{there['number']:03d}"
    with pytest.raises(ToolError, match="no folder named 'nope'"):
        server.new(title="Nowhere", folder="nope")
    # found by the next search, in its folder
    hits = server.search(query="kumquat")["results"]
    assert hits[0]["folder"] == "search" and hits[0]["number"] == there["number"]


def test_mcp_command_serves_every_dir(two: tuple[Path, Path], tmp_path: Path) -> None:
    """``mistakes mcp --dir A --dir B``: the server the agent talks to has both."""
    home = tmp_path / "home"
    home.mkdir()
    server = Server(two[0], home, "--dir", str(two[1]))
    try:
        data = server.data("show", ref="search:5")
        assert data["folder"] == "search"
        assert {m["folder"] for m in server.data("similar", text=KNOWN_ERROR)["matches"]} == {
            "payments",
            "search",
        }
    finally:
        server.close()


def test_one_folder_answers_have_no_folder(two: tuple[Path, Path], tmp_path: Path) -> None:
    made = MistakesServer(
        open_folders([str(two[0])]), allow_write=False, cache_root=tmp_path / "cache"
    )
    try:
        match = made.similar(text=KNOWN_ERROR)["matches"][0]
        assert "folder" not in match and match["uri"] == "mistakes://005"
        assert "folder" not in made.show(ref="5")
        assert all("folder" not in e for e in made.todo()["entries"])
    finally:
        made.close()


def test_seen_records_in_the_folder_named(server: MistakesServer, two: tuple[Path, Path]) -> None:
    ours, theirs = next(two[0].glob("005-*.md")), next(two[1].glob("005-*.md"))
    before = ours.read_bytes()
    data = server.seen(ref="search:5", note="again on web-3")
    assert data["folder"] == "search" and data["uri"] == "mistakes://search:005"
    assert "again on web-3" in theirs.read_text("utf-8")
    assert ours.read_bytes() == before
