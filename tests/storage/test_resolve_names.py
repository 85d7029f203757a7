"""A reference (``show 5``, ``set 007-x``) is looked up among the folder's file names: no
``Path`` is made per file (at 10,000 entries that cost a tenth of a second per REF), and the
answer is the one :meth:`EntryFolder.scan` gives, links and FIFOs still named when skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mistakes.storage import folder as folder_module
from mistakes.storage.errors import RefError
from mistakes.storage.folder import EntryFolder
from tests.storage.test_folder import write_entry


@pytest.fixture
def many(folder: EntryFolder) -> EntryFolder:
    for number in range(1, 41):
        write_entry(folder.root, f"{number:03d}-entry-{number}.md", f"Entry {number}")
    write_entry(folder.root, "041-Upper.MD", "Upper")
    return folder


@pytest.fixture
def paths_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []

    def counting(*parts: str) -> Path:
        made.append(str(parts))
        return Path(*parts)

    monkeypatch.setattr(folder_module, "Path", counting)
    return made


@pytest.mark.parametrize("ref", ["7", "007", "007-entry-7", "007-entry-7.md", "041-Upper"])
def test_a_reference_makes_no_path_per_file(
    many: EntryFolder, paths_made: list[str], ref: str
) -> None:
    found = many.resolve(ref)
    assert found.name in ("007-entry-7.md", "041-Upper.MD")
    assert len(paths_made) <= 2  # the folder's own, not one per file (41 here)


def test_the_same_answers_as_the_scan(many: EntryFolder) -> None:
    paths, _skipped = many.scan()
    for path in paths:
        number = str(int(path.name[:3]))
        assert many.resolve(number) == path
        assert many.resolve(path.stem) == path
        assert many.resolve(path.name) == path
    assert many.resolve("041-Up") == many.root / "041-Upper.MD"  # a prefix of one stem
    with pytest.raises(RefError, match="no entry number 00"):
        many.resolve("00")  # a number: never the prefix of the 40 stems that begin so
    assert many.resolve("004-entry") == many.root / "004-entry-4.md"


def test_skipped_files_are_still_named(many: EntryFolder) -> None:
    (many.root / "050-link.md").symlink_to(many.root / "001-entry-1.md")
    os.mkfifo(many.root / "051-fifo.md")
    write_entry(many.root, "007-entry-7-again.md", "Again")
    with pytest.raises(RefError, match="symbolic link"):
        many.resolve("50")
    with pytest.raises(RefError, match=r"(?i)fifo"):
        many.resolve("051-fifo")
    with pytest.raises(RefError, match=r"several entries \(007-entry-7-again, 007-entry-7\)"):
        many.resolve("7")
