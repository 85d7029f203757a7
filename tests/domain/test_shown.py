"""restore(): edited text shown with visible control characters, mapped back for saving."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mistakes.domain.code_sections import stored_section_text
from mistakes.domain.shown import raw_offset, restore
from mistakes.domain.template import SectionSpec
from mistakes.domain.text import visible

LOG = "ok\n\x1b[31mERROR\x1b[0m pool\nplain line\n\u202eevil\x9b1m\nlast"
raw_text = st.text(alphabet=st.sampled_from(list("ab ^[\n\x1b\x9b\u202e\x07")), max_size=40)
typed = st.text(alphabet=st.sampled_from(list("xy ^[<>U+\n")), max_size=8)


def test_untouched_text_is_the_file_text() -> None:
    assert restore(LOG, visible(LOG)) == LOG


def test_untouched_lines_keep_their_bytes_and_typed_text_is_kept_as_typed() -> None:
    shown = visible(LOG).replace("plain line", "plain line, edited ^[ by hand")
    assert restore(LOG, shown) == LOG.replace("plain line", "plain line, edited ^[ by hand")


def test_a_placeholder_kept_whole_on_an_edited_line_is_the_character_again() -> None:
    shown = visible(LOG).replace("ERROR^[[0m pool", "ERROR^[[0m pool exhausted")
    assert restore(LOG, shown) == LOG.replace("pool\n", "pool exhausted\n")


def test_a_broken_placeholder_is_text() -> None:
    shown = visible(LOG).replace("^[[31mERROR", "[31mERROR")  # the ^ deleted
    assert restore(LOG, shown) == LOG.replace("\x1b[31mERROR", "[31mERROR")


@given(raw_text, st.integers(0, 40), typed)
def test_what_is_saved_shows_as_what_was_on_screen(raw: str, at: int, insert: str) -> None:
    shown = visible(raw)
    at = min(at, len(shown))
    edited = shown[:at] + insert + shown[at:]
    assert visible(restore(raw, edited)) == edited


@given(raw_text, typed)
def test_lines_added_at_the_end_leave_the_file_text_as_it_was(raw: str, insert: str) -> None:
    edited = visible(raw) + "\n" + insert
    assert restore(raw, edited) == raw + "\n" + insert


@given(raw_text, st.integers(0, 60))
def test_raw_offset_is_the_first_raw_offset_reaching_the_shown_one(raw: str, at: int) -> None:
    at = min(at, len(visible(raw)))
    cut = raw_offset(raw, at)
    assert len(visible(raw[:cut])) >= at
    if cut:
        assert len(visible(raw[: cut - 1])) < at


def test_code_sections_are_fenced_unless_written_with_fences() -> None:
    spec = SectionSpec(key="error_messages", title="Error Messages", level=2, hint="```\n[x]\n```")
    assert stored_section_text(spec, "Traceback\n  File x") == "```\nTraceback\n  File x\n```"
    assert stored_section_text(spec, "```\nalready\n```") == "```\nalready\n```"
    note = "Seen twice:\n```\nlog\n```"
    assert stored_section_text(spec, note, written=True) == note
    assert stored_section_text(spec, note).startswith("````\n")  # the CLI's rule, unchanged
    assert stored_section_text(spec, "  \n") == "  \n"
