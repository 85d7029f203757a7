"""Three-way merge of an entry: my edits applied over a file someone else changed.

``base`` is the entry as the app read it, ``theirs`` the file as it is now, ``mine`` the
form. The result starts from theirs and takes mine only where mine differs from base,
key by key (a field, a group's field, a section, an extra key or section, and the checklist
item by item). Where theirs changed the same key differently, mine wins and the key is a
``Clash``, so the app can show what will be replaced before it saves.

Nothing here reads or writes files: the caller renders the result over theirs' document,
which rewrites only the keys that differ from theirs (untouched parts keep theirs' bytes).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mistakes.domain.entry import ChecklistItem, Entry, normalize_section_text
from mistakes.domain.template import Template

T = TypeVar("T")
_MISSING = object()


@dataclass(frozen=True)
class Clash:
    """A part both sides changed differently: ``theirs`` is replaced by ``mine``."""

    label: str
    theirs: str
    mine: str


@dataclass
class MergeResult:
    entry: Entry
    clashes: list[Clash] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # their changes that stay
    applied: list[str] = field(default_factory=list)  # my changes written over theirs


def merge_entries(base: Entry, theirs: Entry, mine: Entry, template: Template) -> MergeResult:
    """Theirs with my changes since ``base`` applied; clashes where both changed a part."""
    result = MergeResult(theirs.copy())
    merged = result.entry

    def step(label: str, b: Any, t: Any, m: Any, same: Callable[[Any, Any], bool]) -> Any:
        """The merged value of one key (``_MISSING`` where it is absent)."""
        mine_changed = not same(m, b)
        theirs_changed = not same(t, b)
        if not mine_changed:
            if theirs_changed:
                result.kept.append(label)
            return t
        if theirs_changed and not same(t, m):
            result.clashes.append(Clash(label, _shown(t), _shown(m)))
        result.applied.append(label)
        return m

    def merge_keys(
        into: dict[str, Any],
        b: dict[str, Any],
        t: dict[str, Any],
        m: dict[str, Any],
        label: Callable[[str], str],
        same: Callable[[Any, Any], bool],
    ) -> None:
        """Every key of the three mappings merged into ``into`` (theirs, as copied)."""
        for key in _keys(b, t, m):
            value = step(
                label(key), b.get(key, _MISSING), t.get(key, _MISSING), m.get(key, _MISSING), same
            )
            _put(into, key, value)

    # top-level fields (and any field key the template does not list, as read)
    labels = {spec.key: spec.label for spec in template.fields}
    merge_keys(
        merged.fields,
        base.fields,
        theirs.fields,
        mine.fields,
        lambda key: labels.get(key, key),
        _same_field,
    )

    # grouped fields, one by one
    group_titles = {g.key: g.title for g in template.groups}
    sub_labels = {(g.key, f.key): f.label for g in template.groups for f in g.fields}
    for group in _keys(base.groups, theirs.groups, mine.groups):
        values = dict(merged.groups.get(group, {}))
        title = group_titles.get(group, group)

        def sub_label(sub: str, group: str = group, title: str = title) -> str:
            return f"{title} > {sub_labels.get((group, sub), sub)}"

        merge_keys(
            values,
            base.groups.get(group, {}),
            theirs.groups.get(group, {}),
            mine.groups.get(group, {}),
            sub_label,
            _same_field,
        )
        if values or group in merged.groups:
            merged.groups[group] = values

    # sections
    def section_label(key: str) -> str:
        spec = template.section(key)
        return template.display_title(spec) if spec is not None else key

    merge_keys(
        merged.sections, base.sections, theirs.sections, mine.sections, section_label, _same_text
    )

    # frontmatter keys and sections the template does not know
    merge_keys(merged.extra, base.extra, theirs.extra, mine.extra, str, _same_extra)
    merge_keys(
        merged.extra_sections,
        base.extra_sections,
        theirs.extra_sections,
        mine.extra_sections,
        str,
        _same_text,
    )

    # the checklist, item by item
    label = template.checklist.title if template.checklist is not None else "Checklist"
    b_items = [_item(i) for i in base.follow_up]
    t_items = [_item(i) for i in theirs.follow_up]
    m_items = [_item(i) for i in mine.follow_up]
    if m_items != b_items:
        items, clashed = merge_sequences(b_items, t_items, m_items)
        if clashed:
            result.clashes.append(
                Clash(label, _checklist_text(theirs.follow_up), _checklist_text(mine.follow_up))
            )
        result.applied.append(label)
        # an item keeps theirs' exact text where only the spacing differs
        texts = {_item(i): i.text for i in mine.follow_up}
        texts.update({_item(i): i.text for i in theirs.follow_up})
        merged.follow_up = [ChecklistItem(texts.get((t, d), t), d) for t, d in items]
    elif t_items != b_items:
        result.kept.append(label)
    return result


def merge_sequences(
    base: Sequence[T], theirs: Sequence[T], mine: Sequence[T]
) -> tuple[list[T], bool]:
    """diff3 on lists: chunks only one side changed are taken from it; a chunk both changed
    differently is taken from mine and reported (the bool)."""
    if len(base) == len(theirs) == len(mine):  # items edited or ticked in place: one by one
        out, clashed = [], False
        for b, t, m in zip(base, theirs, mine, strict=True):
            out.append(t if m == b else m)
            clashed = clashed or (m != b and t != b and t != m)
        return out, clashed
    m_map = _matches(base, mine)
    t_map = _matches(base, theirs)
    out = []
    clashed = False
    i = j = k = 0
    while True:
        # the next base item both sides kept, past where each side is now
        sync = next(
            (
                b
                for b in range(i, len(base))
                if b in m_map and b in t_map and m_map[b] >= j and t_map[b] >= k
            ),
            None,
        )
        b_end, m_end, t_end = (
            (sync, m_map[sync], t_map[sync])
            if sync is not None
            else (len(base), len(mine), len(theirs))
        )
        b_chunk, m_chunk, t_chunk = base[i:b_end], mine[j:m_end], theirs[k:t_end]
        if list(m_chunk) == list(b_chunk):
            out.extend(t_chunk)
        elif list(t_chunk) == list(b_chunk) or list(t_chunk) == list(m_chunk):
            out.extend(m_chunk)
        else:
            both = _combine(b_chunk, t_chunk, m_chunk)
            if both is None:
                both = _combine(b_chunk, m_chunk, t_chunk)
            if both is None:
                both, clashed = list(m_chunk), True
            out.extend(both)
        if sync is None:
            return out, clashed
        out.append(theirs[t_end])
        i, j, k = b_end + 1, m_end + 1, t_end + 1


def _combine(base: Sequence[T], edited: Sequence[T], grown: Sequence[T]) -> list[T] | None:
    """One side changed items in place, the other only added items: both, or None."""
    if len(edited) != len(base):
        return None
    pairs = _matches(base, grown)
    if len(pairs) != len(base):
        return None
    out = list(grown)
    for b, g in pairs.items():
        out[g] = edited[b]
    return out


def _matches(a: Sequence[T], b: Sequence[T]) -> dict[int, int]:
    matcher = difflib.SequenceMatcher(None, list(a), list(b), autojunk=False)
    pairs: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for n in range(block.size):
            pairs[block.a + n] = block.b + n
    return pairs


def _keys(*mappings: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for mapping in mappings:
        seen.update(dict.fromkeys(mapping))
    return list(seen)


def _put(mapping: dict[str, Any], key: str, value: Any) -> None:
    if value is _MISSING:
        mapping.pop(key, None)
    else:
        mapping[key] = value


def _empty(value: Any) -> bool:
    return (
        value is _MISSING
        or value is None
        or not value
        or (isinstance(value, str) and not value.strip())
    )


def _same_field(a: Any, b: Any) -> bool:
    if _empty(a) and _empty(b):
        return True
    if isinstance(a, list) or isinstance(b, list):
        return _as_list(a) == _as_list(b)
    return bool(a == b)


def _as_list(value: Any) -> list[str]:
    if value is _MISSING or value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _same_text(a: Any, b: Any) -> bool:
    a_text = "" if a is _MISSING else normalize_section_text(str(a))
    b_text = "" if b is _MISSING else normalize_section_text(str(b))
    return a_text == b_text


def _same_extra(a: Any, b: Any) -> bool:
    return bool(a == b)


def _item(item: ChecklistItem) -> tuple[str, bool]:
    return (" ".join(item.text.split()), item.done)


def _checklist_text(items: list[ChecklistItem]) -> str:
    return "\n".join(f"- [{'x' if i.done else ' '}] {i.text}" for i in items)


def _shown(value: Any) -> str:
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def differences(a: Entry, b: Entry, template: Template) -> list[str]:
    """The parts (labels) where ``b`` differs from ``a``; [] when they are the same entry."""
    return merge_entries(a, a, b, template).applied
