"""ctrl+e: a section's text edited in $EDITOR through a temporary file."""

from __future__ import annotations

from pathlib import Path

from mistakes.services.external import edit_text


def test_the_file_ends_with_a_line_break_which_is_taken_off_again() -> None:
    seen: list[bytes] = []
    paths: list[Path] = []

    def editor(path: Path) -> int:
        seen.append(path.read_bytes())
        paths.append(path)
        path.write_text(path.read_text("utf-8") + "Added.\n", encoding="utf-8")  # like vi
        return 0

    assert edit_text("One\nTwo", editor) == "One\nTwo\nAdded."
    assert seen == [b"One\nTwo\n"]
    assert paths[0].suffix == ".md" and not paths[0].exists()


def test_text_that_ends_with_a_line_break_gets_no_second_one() -> None:
    seen: list[str] = []

    def editor(path: Path) -> int:
        seen.append(path.read_text("utf-8"))
        path.write_text("Other\n", encoding="utf-8")
        return 0

    assert edit_text("One\n", editor) == "Other\n"
    assert seen == ["One\n"]


def test_nothing_changed_or_a_failed_editor_gives_none() -> None:
    assert edit_text("Same", lambda path: 0) is None
    assert edit_text("", lambda path: 0) is None

    def fails(path: Path) -> int:
        path.write_text("Half written", encoding="utf-8")
        return 1

    assert edit_text("Text", fails) is None


def test_an_editor_that_drops_the_line_break_keeps_the_text() -> None:
    def editor(path: Path) -> int:
        path.write_text("No break", encoding="utf-8")
        return 0

    assert edit_text("Text", editor) == "No break"
