"""``list --json`` with no filter and no other order reads only the ``--json`` objects the
index keeps (no entry's facts are parsed), with the same output as reading every file, odd
file names included; whatever it cannot serve that way (a file that does not parse, a
filter, several folders) goes the usual way, with the same output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mistakes.search import listing as search_listing
from tests.cli.test_listing import assert_same
from tests.conftest import SAMPLES

ODD_NAMES = ('900-a"quote.md', "901-back\\slash.md", "902-tab\tname.md", "903-ünïcode-名前.md")


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """The samples, and copies of one under names JSON must escape (or need not)."""
    root = tmp_path / "odd"
    shutil.copytree(SAMPLES, root)
    first = sorted(root.glob("0*.md"))[0]
    for name in ODD_NAMES:
        shutil.copy(first, root / name)
    return root


@pytest.fixture
def facts_parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the index's facts were read (each read parses every entry's)."""
    calls: list[int] = []
    read = search_listing._read_entries

    def counting(reader: object, columns: object) -> object:
        calls.append(1)
        return read(reader, columns)  # type: ignore[arg-type]

    monkeypatch.setattr(search_listing, "_read_entries", counting)
    return calls


def test_list_json_parses_no_facts_and_equals_reading_every_file(
    run, odd: Path, facts_parsed: list[int]
) -> None:
    assert run("--dir", str(odd), "reindex").code == 0
    facts_parsed.clear()
    assert_same(run, odd, "--json")
    assert facts_parsed == []
    out = run("--dir", str(odd), "list", "--json").out
    for name in ODD_NAMES:
        assert name.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") in out


def test_filters_and_orders_still_read_the_facts(run, odd: Path, facts_parsed: list[int]) -> None:
    assert run("--dir", str(odd), "reindex").code == 0
    facts_parsed.clear()
    assert_same(run, odd, "--json", sort="date")
    assert_same(run, odd, "--json", tag=["database"])
    assert_same(run, odd)
    assert len(facts_parsed) == 3


def test_a_file_that_does_not_parse_is_reported_as_before(run, odd: Path) -> None:
    (odd / "950-broken.md").write_text("---\ntitle: [x\n---\n", "utf-8")
    assert_same(run, odd, "--json")  # built by this first list
    assert_same(run, odd, "--json")
    (odd / "950-broken.md").unlink()
    assert_same(run, odd, "--json")


def test_an_edit_in_place_a_new_and_a_deleted_file_are_seen(run, odd: Path) -> None:
    assert_same(run, odd, "--json")
    path = sorted(odd.glob("0*.md"))[2]
    with path.open("r+", encoding="utf-8") as handle:  # written in place
        text = handle.read()
        handle.seek(0)
        handle.truncate()
        handle.write(text.replace("title: ", "title: Edited ", 1))
    sorted(odd.glob("0*.md"))[4].unlink()
    shutil.copy(sorted(odd.glob("0*.md"))[0], odd / "960-new.md")
    assert_same(run, odd, "--json")
    assert "Edited" in run("--dir", str(odd), "list", "--json").out
