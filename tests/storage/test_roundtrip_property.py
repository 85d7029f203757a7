"""Property tests: any entry survives write -> read, and a section edit stays in its block."""

from __future__ import annotations

import difflib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mistakes.domain.entry import ChecklistItem, Entry, normalize_section_text
from mistakes.domain.template import FieldKind, FieldSpec, Template
from mistakes.storage.document import Document, new_document
from mistakes.storage.parse import parse_text
from mistakes.storage.template_file import load_template
from tests.storage.helpers import block_line

TEMPLATE = load_template(None)  # the session fixture cannot be used inside @given
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- strategies ----------------------------------------------------------------------------

PRINTABLE = st.characters(
    exclude_categories=("Cs", "Cc", "Zl", "Zp"),  # surrogates, controls, line separators
)
TEXT_CHARS = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list(" .,;:!?'\"()[]{}<>/\\|@$%^&*_+=-#`~")
    + ["é", "ß", "日", "本", "中", "🎉", "—", "\u00a0", "\t"]
)
WORD = st.from_regex(r"[a-z][a-z0-9-]{0,9}", fullmatch=True)


def collapsed(text: str) -> str:
    return " ".join(text.split())


one_line = st.text(PRINTABLE, min_size=1, max_size=50).map(collapsed).filter(bool)
simple_value = st.text(TEXT_CHARS, min_size=1, max_size=30).map(collapsed).filter(bool)


def _not_structural(line: str) -> bool:
    """A body line that cannot be a heading or a code fence."""
    return not line.lstrip().startswith(("#", "`", "~"))


md_line = st.one_of(
    st.just(""),
    st.text(TEXT_CHARS, max_size=60).filter(_not_structural),
    st.builds(lambda w: f"- {w}", simple_value),
    st.builds(lambda w: f"1. {w}", simple_value),
    st.builds(lambda w: f"- [ ] {w}", simple_value),
)
code_line = st.text(TEXT_CHARS, max_size=40).filter(lambda s: not s.lstrip().startswith("`"))


@st.composite
def code_block(draw: st.DrawFn) -> str:
    info = draw(st.sampled_from(["", "python", "bash", "diff", "markdown"]))
    inner = draw(
        st.lists(
            st.one_of(code_line, st.builds(lambda s: "# " + s, code_line), st.just("## Heading")),
            max_size=6,
        )
    )
    return "\n".join([f"```{info}", *inner, "```"])


@st.composite
def section_text(draw: st.DrawFn) -> str:
    lines = draw(st.lists(md_line, max_size=6))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(lines)))
        lines[at:at] = ["", draw(code_block()), ""]
    text = normalize_section_text("\n".join(lines))
    if not text.strip():
        text = draw(simple_value.filter(_not_structural))
    return text


def _field(key: str) -> FieldSpec:
    spec = TEMPLATE.top_field(key)
    assert spec is not None, key
    return spec


@st.composite
def entries(draw: st.DrawFn, min_sections: int = 0) -> Entry:
    entry = Entry()
    entry.fields["title"] = draw(one_line)
    if draw(st.booleans()):
        entry.fields["date"] = draw(st.dates()).isoformat()
    if draw(st.booleans()):
        entry.fields["reporter"] = draw(one_line)
    for key in ("severity", "status"):
        if draw(st.booleans()):
            entry.fields[key] = draw(st.sampled_from(_field(key).choices))
    if draw(st.booleans()):
        entry.fields["tags"] = draw(st.lists(WORD, min_size=1, max_size=5))

    for group in TEMPLATE.groups:
        specs = draw(st.lists(st.sampled_from(group.fields), unique_by=lambda s: s.key))
        values: dict[str, str] = {}
        for spec in specs:
            if spec.kind is FieldKind.CHOICE:
                values[spec.key] = draw(st.sampled_from(spec.choices))
            else:
                values[spec.key] = draw(simple_value)
        if values:
            entry.groups[group.key] = values

    leaves = [s.key for s in TEMPLATE.leaves()]
    keys = draw(st.lists(st.sampled_from(leaves), unique=True, min_size=min_sections))
    for key in keys:
        entry.sections[key] = draw(section_text())

    entry.follow_up = draw(st.lists(st.builds(ChecklistItem, one_line, st.booleans()), max_size=5))
    extra_keys = draw(st.lists(st.sampled_from(["ticket", "x_team", "links"]), unique=True))
    for key in extra_keys:
        entry.extra[key] = draw(simple_value)
    extra_titles = draw(st.lists(st.sampled_from(["Timeline", "Appendix"]), unique=True))
    for title in extra_titles:
        entry.extra_sections[title] = draw(section_text())
    return entry


def render_fresh(entry: Entry) -> str:
    return new_document(TEMPLATE).render(entry)


# -- property 1: write -> read gives the entry back ----------------------------------------


@SETTINGS
@given(entry=entries(), crlf=st.booleans(), bom=st.booleans())
def test_fresh_entry_round_trips(entry: Entry, crlf: bool, bom: bool) -> None:
    text = render_fresh(entry)
    if crlf:
        text = text.replace("\n", "\r\n")
    if bom:
        text = "\ufeff" + text
    doc = parse_text(text, TEMPLATE)
    assert doc.problems == []
    back = doc.to_entry()
    assert back == entry, f"the file was:\n{text}"
    assert doc.render(back) == text, "rendering the parsed entry changed the file"
    assert doc.render(entry) == text, "rendering the original entry changed the file"


@SETTINGS
@given(entry=entries())
def test_rendering_twice_is_stable(entry: Entry) -> None:
    first = render_fresh(entry)
    second = render_fresh(parse_text(first, TEMPLATE).to_entry())
    assert second == first


# -- property 2: editing a section changes only that section's block -----------------------


def block_range(doc: Document, key: str) -> tuple[int, int]:
    """0-based [start, end) line range of the leaf block of ``key``."""
    block = next(b for b in doc.blocks if b.kind == "leaf" and b.key == key)
    start = block_line(doc, block) - 1
    return start, start + block.raw.count("\n")


@SETTINGS
@given(data=st.data(), crlf=st.booleans())
def test_a_section_edit_changes_only_lines_of_its_block(data: st.DataObject, crlf: bool) -> None:
    entry = data.draw(entries(min_sections=1), label="entry")
    text = render_fresh(entry)
    if crlf:
        text = text.replace("\n", "\r\n")
    doc = parse_text(text, TEMPLATE)
    key = data.draw(st.sampled_from(sorted(entry.sections)), label="section")
    new_text = data.draw(section_text(), label="new text")
    edited = doc.to_entry().copy()
    edited.sections[key] = new_text

    start, end = block_range(doc, key)
    new = doc.render(edited)
    old_lines = text.splitlines(True)
    new_lines = new.splitlines(True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        assert start <= i1 and i2 <= end, (
            f"editing {key} (lines {start + 1}-{end}) changed lines {i1 + 1}-{i2}: "
            f"{old_lines[i1:i2]!r} -> {new_lines[j1:j2]!r}"
        )
    after = parse_text(new, TEMPLATE).to_entry()
    assert after.sections[key] == new_text
    assert {k: v for k, v in after.sections.items() if k != key} == {
        k: v for k, v in entry.sections.items() if k != key
    }
    assert after.fields == entry.fields
    assert after.follow_up == entry.follow_up


def test_template_is_the_packaged_default(template: Template) -> None:
    assert template == TEMPLATE
