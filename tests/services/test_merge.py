"""The three-way merge behind "Save mine over it": their untouched edits survive, mine land."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mistakes.domain.entry import ChecklistItem, Entry
from mistakes.services.merge import Clash, merge_entries, merge_sequences
from mistakes.storage.document import Document, parse_text
from mistakes.storage.template_file import load_template

from ..conftest import SAMPLES

TEMPLATE = load_template(None)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FILES = sorted(SAMPLES.glob("*.md"))


def read(path: Path) -> tuple[str, Document]:
    text = path.read_text("utf-8")
    return text, parse_text(text, TEMPLATE, str(path))


def sample(number: int) -> tuple[str, Document]:
    (path,) = SAMPLES.glob(f"{number:03d}-*.md")
    return read(path)


# -- parts of an entry a writer can change ------------------------------------------------------

Part = tuple[str, str]  # ("field", key) | ("section", key) | ("item", index)


def parts_of(entry: Entry) -> list[Part]:
    parts: list[Part] = [("field", "status"), ("field", "severity"), ("field", "tags")]
    parts += [("field", "title"), ("group", "environment.os")]
    # non-empty sections only: filling an empty one inserts a block, which moves a neighbour's
    # blank line (a change the merge does not make, but would blur the byte check below)
    parts += [("section", k) for k, v in entry.sections.items() if v.strip()]
    parts += [("item", str(i)) for i in range(len(entry.follow_up))]
    return parts


def value(entry: Entry, part: Part) -> object:
    kind, key = part
    if kind == "field":
        return entry.fields.get(key)
    if kind == "group":
        group, sub = key.split(".")
        return entry.groups.get(group, {}).get(sub, "")
    if kind == "section":
        return entry.sections.get(key, "")
    item = entry.follow_up[int(key)]
    return (item.text, item.done)


def change(entry: Entry, part: Part, text: str) -> None:
    kind, key = part
    if kind == "field" and key == "tags":
        entry.fields["tags"] = [*entry.tags(TEMPLATE), text.split()[0].lower()]
    elif kind == "field" and key in ("status", "severity"):
        spec = TEMPLATE.top_field(key)
        assert spec is not None
        entry.fields[key] = next(c for c in spec.choices if c != entry.fields.get(key))
    elif kind == "field":
        entry.fields[key] = f"{entry.fields.get(key, '')} {text}".strip()
    elif kind == "group":
        group, sub = key.split(".")
        entry.groups.setdefault(group, {})[sub] = text
    elif kind == "section":
        entry.sections[key] = f"{entry.sections[key]}\n\n{text}"
    else:
        item = entry.follow_up[int(key)]
        item.done = not item.done


WORDS = st.from_regex(r"[A-Z][a-z]{2,8}( [a-z]{1,8}){0,4}", fullmatch=True)


@st.composite
def two_writers(draw: st.DrawFn) -> tuple[Path, list[Part], list[Part], list[str]]:
    path = draw(st.sampled_from(FILES))
    _text, document = read(path)
    parts = parts_of(document.to_entry())
    chosen = draw(st.lists(st.sampled_from(parts), unique=True, max_size=8))
    split = draw(st.integers(0, len(chosen)))
    words = draw(st.lists(WORDS, min_size=len(chosen), max_size=len(chosen)))
    return path, chosen[:split], chosen[split:], words


@SETTINGS
@given(two_writers())
def test_non_overlapping_changes_both_survive_and_the_rest_keeps_their_bytes(
    case: tuple[Path, list[Part], list[Part], list[str]],
) -> None:
    path, their_parts, my_parts, words = case
    _text, document = read(path)
    base = document.to_entry()
    theirs_entry = base.copy()
    for part, word in zip(their_parts, words, strict=False):
        change(theirs_entry, part, word)
    theirs_text = document.render(theirs_entry)
    theirs_doc = parse_text(theirs_text, TEMPLATE)
    theirs = theirs_doc.to_entry()
    mine = base.copy()  # the form: the file as read, with my edits
    for part, word in zip(my_parts, words[len(their_parts) :], strict=False):
        change(mine, part, word)

    result = merge_entries(base, theirs, mine, TEMPLATE)
    merged_text = theirs_doc.render(result.entry)
    merged = parse_text(merged_text, TEMPLATE).to_entry()

    assert result.clashes == []
    for part in parts_of(base):
        if part in my_parts:
            assert value(merged, part) == value(mine, part), part
        else:  # theirs, changed or not
            assert value(merged, part) == value(theirs, part), part
    if not my_parts:
        assert merged_text == theirs_text  # nothing of mine to apply: their bytes, exactly
    # the sections I did not touch keep their bytes (heading, blank lines, text)
    merged_blocks = {(b.kind, b.key): b.raw for b in parse_text(merged_text, TEMPLATE).blocks}
    mine_sections = {key for kind, key in my_parts if kind == "section"}
    for block in theirs_doc.blocks:
        if block.kind == "leaf" and block.key not in mine_sections:
            assert merged_blocks[(block.kind, block.key)] == block.raw, block.key


def test_the_review_case_their_what_happened_survives_my_initial_diagnosis() -> None:
    text, document = sample(5)
    base = document.to_entry()
    theirs_text = text.replace("From 14:40 UTC", "From 14:42 UTC")
    theirs_doc = parse_text(theirs_text, TEMPLATE)
    mine = base.copy()
    mine.sections["initial_diagnosis"] += " M."

    result = merge_entries(base, theirs_doc.to_entry(), mine, TEMPLATE)
    merged = theirs_doc.render(result.entry)

    assert "From 14:42 UTC" in merged and "From 14:40 UTC" not in merged
    assert "holding connections. M.\n" in merged
    assert result.clashes == []
    assert result.kept == ["What Happened"]
    assert result.applied == ["Initial Diagnosis"]
    assert merged == theirs_text.replace("holding connections.\n", "holding connections. M.\n")


def test_both_changed_one_section_mine_wins_and_theirs_is_shown() -> None:
    text, document = sample(5)
    base = document.to_entry()
    theirs_doc = parse_text(text.replace("From 14:40 UTC", "From 14:42 UTC"), TEMPLATE)
    theirs = theirs_doc.to_entry()
    mine = base.copy()
    mine.sections["what_happened"] = mine.sections["what_happened"].replace("14:40", "14:39")
    mine.fields["status"] = "active"

    result = merge_entries(base, theirs, mine, TEMPLATE)

    assert result.clashes == [
        Clash("What Happened", theirs.sections["what_happened"], mine.sections["what_happened"])
    ]
    merged = theirs_doc.render(result.entry)
    assert "From 14:39 UTC" in merged and "14:42" not in merged
    assert "status: active\n" in merged


def test_the_same_change_on_both_sides_is_no_clash() -> None:
    _text, document = sample(5)
    base = document.to_entry()
    theirs = base.copy()
    mine = base.copy()
    theirs.fields["status"] = mine.fields["status"] = "active"
    result = merge_entries(base, theirs, mine, TEMPLATE)
    assert result.clashes == [] and result.entry.fields["status"] == "active"


def test_a_field_cleared_by_me_and_a_tag_added_by_them() -> None:
    _text, document = sample(5)
    base = document.to_entry()
    theirs = base.copy()
    theirs.fields["tags"] = [*base.tags(TEMPLATE), "pool"]
    mine = base.copy()
    mine.fields["reporter"] = ""
    mine.groups["environment"]["os"] = "Debian 12"
    result = merge_entries(base, theirs, mine, TEMPLATE)
    assert result.clashes == []
    assert result.entry.fields["tags"] == [*base.tags(TEMPLATE), "pool"]
    assert result.entry.fields["reporter"] == ""
    assert result.entry.groups["environment"]["os"] == "Debian 12"
    assert result.entry.groups["environment"]["app_version"] == "v2.3.0-4-gab12cd3"


def items(*pairs: tuple[str, bool]) -> list[ChecklistItem]:
    return [ChecklistItem(text, done) for text, done in pairs]


def test_checklist_items_merge_one_by_one() -> None:
    _text, document = sample(5)
    base = document.to_entry()
    theirs = base.copy()
    theirs.follow_up[5].done = True  # they ticked the last item
    mine = base.copy()
    mine.follow_up[0].done = False  # I unticked the first and added one
    mine.follow_up.append(ChecklistItem("Alert on idle in transaction"))
    result = merge_entries(base, theirs, mine, TEMPLATE)
    assert result.clashes == []
    done = [(i.text[:12], i.done) for i in result.entry.follow_up]
    assert done[0] == ("Update docum", False)
    assert done[5] == ("Add pool met", True)
    assert done[6] == ("Alert on idl", False)


def test_checklist_item_changed_on_both_sides_is_a_clash() -> None:
    _text, document = sample(5)
    base = document.to_entry()
    theirs = base.copy()
    theirs.follow_up[5].text = "Add pool metrics (theirs)"
    mine = base.copy()
    mine.follow_up[5].text = "Add pool metrics (mine)"
    result = merge_entries(base, theirs, mine, TEMPLATE)
    (clash,) = result.clashes
    assert clash.label == "Follow-up Actions"
    assert "(theirs)" in clash.theirs and "(mine)" in clash.mine
    assert result.entry.follow_up[5].text == "Add pool metrics (mine)"


def test_merge_sequences() -> None:
    base = list("abcde")
    assert merge_sequences(base, list("abXde"), list("abcdeY")) == (list("abXdeY"), False)
    assert merge_sequences(base, list("bcde"), list("abcd")) == (list("bcd"), False)
    assert merge_sequences(base, list("abXde"), list("abYde")) == (list("abYde"), True)
    assert merge_sequences(base, list("abXde"), list("abXde")) == (list("abXde"), False)
    assert merge_sequences([], list("x"), list("y")) == (list("y"), True)
    assert merge_sequences(list("ab"), list("ab"), []) == ([], False)


@SETTINGS
@given(
    st.lists(st.integers(0, 5), max_size=8),
    st.data(),
)
def test_merge_sequences_takes_a_side_changed_alone(base: list[int], data: st.DataObject) -> None:
    other = data.draw(st.lists(st.integers(0, 9), max_size=8))
    assert merge_sequences(base, other, base) == (other, False)
    assert merge_sequences(base, base, other) == (other, False)
