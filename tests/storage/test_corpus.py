"""Real files written by other teams: every one is read, and saved unchanged byte for byte.

The corpus (../shared/corpus) is used in place and never written to; saves go to tmp copies.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from mistakes.domain.template import Template
from mistakes.storage.folder import EntryFolder
from mistakes.storage.parse import parse_document
from tests.conftest import CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")


def _starts_with_frontmatter(data: bytes) -> bool:
    first = data.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r").rstrip()
    return first == b"---"


FILES = _corpus_files()
FRONTMATTER = [p for p in FILES if _starts_with_frontmatter(p.read_bytes())]
OTHER = [p for p in FILES if p not in FRONTMATTER]


def _id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


def test_corpus_counts() -> None:
    print(
        f"\ncorpus: {len(FILES)} files, {len(FRONTMATTER)} with YAML frontmatter, "
        f"{len(OTHER)} without"
    )
    assert len(FRONTMATTER) >= 5, f"only {len(FRONTMATTER)} frontmatter files in {CORPUS}"
    assert len(FILES) >= len(FRONTMATTER)


@pytest.mark.parametrize("path", FRONTMATTER, ids=_id)
def test_frontmatter_file_round_trips_byte_for_byte(template: Template, path: Path) -> None:
    data = path.read_bytes()
    doc = parse_document(data, template, str(path))
    assert doc.fm_open, "the file starts with '---' but no frontmatter was read"
    assert doc.render(doc.to_entry()).encode("utf-8") == data


@pytest.mark.parametrize("path", FRONTMATTER, ids=_id)
def test_frontmatter_file_saved_unchanged_by_the_folder(
    template: Template, path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "entries" / "001-copy.md"
    copy.parent.mkdir()
    shutil.copyfile(path, copy)
    folder = EntryFolder(copy.parent, template)
    stored = folder.load(copy)
    folder.save(stored, stored.entry.copy())
    assert copy.read_bytes() == path.read_bytes()
    assert sorted(p.name for p in copy.parent.iterdir()) == ["001-copy.md"], "temp file left"


@pytest.mark.parametrize("path", FRONTMATTER, ids=_id)
def test_frontmatter_file_field_edits_stay_in_the_frontmatter(
    template: Template, path: Path
) -> None:
    data = path.read_bytes()
    text = data.decode("utf-8")
    doc = parse_document(data, template, str(path))
    before = doc.to_entry()
    edited = before.copy()
    edited.fields["status"] = "resolved"
    edited.fields["tags"] = [*before.tags(template), "corpus-test"]
    new = doc.render(edited)

    fm_end = doc.body_line_offset  # lines 0 .. fm_end-1 are the frontmatter with its fences
    old_lines, new_lines = text.splitlines(True), new.splitlines(True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            assert i2 <= fm_end - 1, (
                f"a field edit changed body lines {i1 + 1}-{i2}: "
                f"{old_lines[i1:i2]!r} -> {new_lines[j1:j2]!r}"
            )
    after = parse_document(new.encode("utf-8"), template, str(path)).to_entry()
    assert after.fields["status"] == "resolved"
    assert after.fields["tags"] == [*before.tags(template), "corpus-test"]
    assert after.sections == before.sections
    assert after.extra == before.extra
    assert after.extra_sections == before.extra_sections


@pytest.mark.parametrize("path", OTHER, ids=_id)
def test_other_file_is_read_and_saved_unchanged(template: Template, path: Path) -> None:
    data = path.read_bytes()
    doc = parse_document(data, template, str(path))
    assert doc.render(doc.to_entry()).encode("utf-8") == data
