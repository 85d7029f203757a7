"""Editing: an Entry written back into a Document, changing as little as possible.

Only the frontmatter values and the blocks whose content differs are rewritten, so loading
and saving without an edit gives the same bytes, and editing one field or section rewrites
only that (see the golden files and the round-trip property tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mistakes.domain.entry import ChecklistItem, Entry, normalize_section_text
from mistakes.domain.markdown import CHECKLIST_ITEM, unclosed_fence
from mistakes.domain.naming import snake_key
from mistakes.domain.occurrences import is_occurrences
from mistakes.domain.template import SectionSpec
from mistakes.storage import yaml_text
from mistakes.storage.document import Block, Document, bare_line, split_lines


def render(doc: Document, entry: Entry) -> str:
    """The text of ``doc`` with ``entry`` written into it (``Document.render``)."""
    updated = _Edited(
        template=doc.template,
        bom=doc.bom,
        newline=doc.newline,
        fm_open=doc.fm_open,
        fm_text=doc.fm_text,
        fm_close=doc.fm_close,
        blocks=[Block(b.kind, b.key, b.level, b.title, b.heading, b.body) for b in doc.blocks],
        final_newline=doc.final_newline,
        original=doc.original,
        data=doc.data,
    )
    current = doc.to_entry()
    fm_changed = updated._apply_frontmatter(current, entry)
    body_changed = updated._apply_body(current, entry)
    if not fm_changed and not body_changed:
        return doc.text()
    text = updated.text()
    if doc.original and not doc.final_newline:
        if text.endswith(doc.newline):  # the file had none: it still has none
            text = text[: -len(doc.newline)]
    elif text and not text.endswith("\n"):
        text += doc.newline
    return text


@dataclass
class _Edited(Document):
    """A copy of a document being edited, with what the edit has touched so far."""

    _touched: set[int] = field(default_factory=set, repr=False, compare=False)
    _emptied: set[str] = field(default_factory=set, repr=False, compare=False)

    def _fresh_frontmatter(self, entry: Entry) -> str:
        """The whole frontmatter of a file that has none yet, written in one go."""
        mapping: dict[str, Any] = {}
        for spec in self.template.fields:
            value = entry.value(spec)
            if not _empty(value):
                mapping[spec.key] = _clean(value)
        for group in self.template.groups:
            values = entry.groups.get(group.key, {})
            ordered = {f.key: values[f.key] for f in group.fields if values.get(f.key, "").strip()}
            ordered.update({k: v for k, v in values.items() if k not in ordered and v.strip()})
            if ordered:
                mapping[group.key] = ordered
        mapping.update(entry.extra)
        return "".join(
            f"{yaml_text.format_key(k)}:{yaml_text.format_value(v, 0)}\n"
            for k, v in mapping.items()
        )

    def _apply_frontmatter(self, current: Entry, entry: Entry) -> bool:
        template = self.template
        fm = self.fm_text.replace("\r\n", "\n") if self.newline == "\r\n" else self.fm_text
        before = fm
        if not self.original and not self.fm_open:  # a new file: written in one go
            fm = self._fresh_frontmatter(entry)
            return self._set_frontmatter(fm) if fm else False
        top_order = [self.frontmatter_key(s) or s.key for s in template.fields]
        top_order += [self.group_key(g.key) or g.key for g in template.groups]

        for spec in template.fields:
            old = current.value(spec)
            new = entry.value(spec)
            if _same(old, new):
                continue
            key = self.frontmatter_key(spec) or spec.key
            if _empty(new) and spec.key != "title":
                fm = yaml_text.set_value(fm, [key], None, order=top_order)
            else:
                fm = yaml_text.set_value(fm, [key], _clean(new), order=top_order)

        for group in template.groups:
            gkey = self.group_key(group.key) or group.key
            old_values = current.groups.get(group.key, {})
            new_values = entry.groups.get(group.key, {})
            file_keys = self._group_file_keys(gkey)
            sub_order = [file_keys.get(f.key, f.key) for f in group.fields]
            for sub in [f.key for f in group.fields] + [
                k for k in new_values if k not in {f.key for f in group.fields}
            ]:
                old = old_values.get(sub, "")
                new = new_values.get(sub, "")
                if old == new:
                    continue
                file_key = file_keys.get(sub, sub)
                value = None if not new.strip() else new
                fm = yaml_text.set_value(fm, [gkey, file_key], value, order=sub_order)

        for key in list(current.extra):
            if key not in entry.extra:
                fm = yaml_text.set_value(fm, [key], None, order=[])
        for key, value in entry.extra.items():
            if current.extra.get(key) != value:
                fm = yaml_text.set_value(fm, [key], value, order=[])

        if fm == before:
            return False
        return self._set_frontmatter(fm)

    def _set_frontmatter(self, fm: str) -> bool:
        if self.newline == "\r\n":
            fm = fm.replace("\n", "\r\n")
        if not self.fm_open:
            self.fm_open = "---" + self.newline
            self.fm_close = "---" + self.newline
            if not self.blocks or self.blocks[0].kind != "preamble":
                self.blocks.insert(0, Block("preamble", None, 0, "", "", ""))
            if not self.blocks[0].body.startswith(("\n", "\r\n")) and any(
                b.raw for b in self.blocks
            ):
                self.blocks[0].body = self.newline + self.blocks[0].body
        if fm and not fm.endswith("\n"):
            fm += self.newline
        self.fm_text = fm
        return True

    def _group_file_keys(self, gkey: str) -> dict[str, str]:
        mapping = self.data.get(gkey)
        group = next(
            (g for g in self.template.groups if g.key == gkey or snake_key(g.title) == gkey), None
        )
        result: dict[str, str] = {}
        if isinstance(mapping, dict) and group is not None:
            for sub_key in mapping:
                spec = next((f for f in group.fields if snake_key(sub_key) in f.names()), None)
                if spec is not None:
                    result[spec.key] = sub_key
        return result

    def _apply_body(self, current: Entry, entry: Entry) -> bool:
        changed = False
        original_last = self.blocks[-1] if self.blocks else None
        for spec in self.template.leaves():
            old = current.sections.get(spec.key, "")
            new = _closed(normalize_section_text(entry.sections.get(spec.key, "")))
            if old == new:
                continue
            changed = True
            block = self._find("leaf", spec.key)
            if block is None:
                self._insert_leaf(spec, new)
            elif not new:
                self._remove(block)
            else:
                self._replace_content(block, new)
        checklist = self.template.checklist
        if checklist is not None and _items(current.follow_up) != _items(entry.follow_up):
            changed = True
            self._apply_checklist(entry.follow_up)
        for key in list(current.extra_sections):
            if key not in entry.extra_sections:  # left out: removed, like an empty one
                block = self._find("extra", key)
                if block is not None:
                    changed = True
                    self._remove(block)
        for key, text in entry.extra_sections.items():
            new = _closed(normalize_section_text(text))
            if current.extra_sections.get(key) == new:
                continue
            changed = True
            block = self._find("extra", key)
            if block is None:
                # the Occurrences list goes last, so that adding to it only ever appends
                at = len(self.blocks) if is_occurrences(key) else self._checklist_index()
                self._insert_at(at, self._new_block("extra", key, 2, key, new))
            elif not new:
                self._remove(block)
            else:
                self._replace_content(block, new)
        if changed:
            self._drop_empty_groups()
            self._tidy_end(original_last)
        return changed

    # -- block edits ----------------------------------------------------------------------
    def _find(self, kind: str, key: str) -> Block | None:
        return next((b for b in self.blocks if b.kind == kind and b.key == key), None)

    def _checklist_index(self) -> int:
        for index, block in enumerate(self.blocks):
            if block.kind == "checklist":
                return index
        return len(self.blocks)

    def _format(self, text: str) -> str:
        return text.replace("\n", self.newline) if self.newline != "\n" else text

    def _new_block(self, kind: str, key: str | None, level: int, title: str, text: str) -> Block:
        nl = self.newline
        heading = f"{'#' * level} {title}{nl}"
        body = f"{nl}{self._format(text)}{nl}" if text else nl
        return Block(kind, key, level, title, heading, body)

    def _replace_content(self, block: Block, text: str) -> None:
        lines = split_lines(block.body)
        lead: list[str] = []
        trail: list[str] = []
        while lines and not lines[0].strip():
            lead.append(lines.pop(0))
        while lines and not lines[-1].strip():
            trail.insert(0, lines.pop())
        if not lines:  # the section was empty: its blank lines separate it from the next
            trail, lead = lead, [self.newline]
        block.body = "".join(lead) + self._format(text) + self.newline + "".join(trail)
        self._touched.add(id(block))

    def _remove(self, block: Block) -> None:
        spec = self._spec_of(block)
        if spec is not None and spec.parent:
            self._emptied.add(spec.parent)
        self.blocks.remove(block)

    def _insert_at(self, index: int, block: Block) -> None:
        index = self._separate_before(index)
        if index < len(self.blocks):
            block.body = _ensure_blank_end(block.body, self.newline)
        self.blocks.insert(index, block)
        self._touched.add(id(block))

    def _separate_before(self, index: int) -> int:
        """Make sure what precedes position ``index`` ends with a blank line.

        Returns the position to insert at (a blank preamble may have been added before it).
        """
        nl = self.newline
        if self.fm_close and not self.fm_close.endswith("\n"):
            self.fm_close += nl  # the file ended right after the frontmatter
        if index == 0:
            if self.fm_open:
                self.blocks.insert(0, Block("preamble", None, 0, "", "", nl))
                return 1
            return 0
        previous = self.blocks[index - 1]
        if previous.kind == "preamble" and not previous.raw.strip():
            if self.fm_open and not previous.body:
                previous.body = nl
            return index
        previous.body = _ensure_blank_end(previous.raw, nl)[len(previous.heading) :]
        return index

    def _insert_leaf(self, spec: SectionSpec, text: str) -> None:
        template = self.template
        parent = template.section(spec.parent) if spec.parent else None
        new_leaf = self._new_block("leaf", spec.key, spec.level, spec.title, text)
        if parent is not None:
            group_block = self._find("group", parent.key)
            if group_block is not None:
                start = self.blocks.index(group_block)
                end = start + 1
                while end < len(self.blocks) and (
                    self.blocks[end].level > group_block.level
                    or self.blocks[end].kind == "preamble"
                ):
                    end += 1
                at = end
                for index in range(start + 1, end):
                    other = self._spec_of(self.blocks[index])
                    if other is not None and other.order > spec.order:
                        at = index
                        break
                self._insert_at(at, new_leaf)
                return
            group_new = self._new_block("group", parent.key, parent.level, parent.title, "")
            self._insert_at(self._top_position(parent.order), group_new)
            self._insert_at(self.blocks.index(group_new) + 1, new_leaf)
            return
        self._insert_at(self._top_position(spec.order), new_leaf)

    def _spec_of(self, block: Block) -> SectionSpec | None:
        if block.kind in ("leaf", "group") and block.key:
            return self.template.section(block.key)
        return None

    def _order_of(self, block: Block) -> int | None:
        if block.kind == "checklist":
            return len(self.template.sections)
        spec = self._spec_of(block)
        if spec is None:
            return None
        if spec.parent:  # a leaf stands where its group stands
            parent = self.template.section(spec.parent)
            return parent.order if parent else spec.order
        return spec.order

    def _top_position(self, order: int) -> int:
        """Before the first known block that comes later in the template, else at the end."""
        for index, block in enumerate(self.blocks):
            other = self._order_of(block)
            if other is not None and other > order and block.level <= 2:
                return index
        return len(self.blocks)

    def _apply_checklist(self, items: list[ChecklistItem]) -> None:
        spec = self.template.checklist
        assert spec is not None
        block = self._find("checklist", spec.key)
        nl = self.newline
        if block is None:
            if not items:
                return
            text = "\n".join(_item_line("", "-", item) for item in items)
            block = self._new_block("checklist", spec.key, 2, spec.title, text)
            self._insert_at(len(self.blocks), block)
            return
        lines = split_lines(block.body)
        matches = [(i, CHECKLIST_ITEM.match(bare_line(line))) for i, line in enumerate(lines)]
        item_rows = [(i, m) for i, m in matches if m]
        if len(item_rows) == len(items):
            for (i, match), item in zip(item_rows, items, strict=True):
                old = ChecklistItem(match.group("text").strip(), match.group("mark") != " ")
                if old != item:
                    ending = lines[i][len(bare_line(lines[i])) :]
                    bullet = bare_line(lines[i]).lstrip()[0]
                    lines[i] = _item_line(match.group("indent"), bullet, item) + ending
            block.body = "".join(lines)
            self._touched.add(id(block))
            return
        if not item_rows:
            text = "\n".join(_item_line("", "-", item) for item in items)
            existing = block.text()
            self._replace_content(block, f"{existing}\n\n{text}" if existing else text)
            return
        first, last = item_rows[0][0], item_rows[-1][0]
        indent = item_rows[0][1].group("indent")
        bullet = bare_line(lines[first]).lstrip()[0]
        kept = [ln for ln in lines[first : last + 1] if not CHECKLIST_ITEM.match(bare_line(ln))]
        new_lines = [_item_line(indent, bullet, item) + nl for item in items]
        tail_end = lines[last][len(bare_line(lines[last])) :]
        if new_lines and not tail_end:  # the last item had no line break
            new_lines[-1] = new_lines[-1][: -len(nl)]
        block.body = "".join(lines[:first] + new_lines + kept + lines[last + 1 :])
        self._touched.add(id(block))
        if not items and not block.text():
            self._remove(block)

    def _drop_empty_groups(self) -> None:
        for index in range(len(self.blocks) - 1, -1, -1):
            block = self.blocks[index]
            if block.kind != "group" or block.key not in self._emptied or block.body.strip():
                continue
            following = self.blocks[index + 1] if index + 1 < len(self.blocks) else None
            if following is None or following.level <= block.level:
                del self.blocks[index]

    def _tidy_end(self, original_last: Block | None) -> None:
        """After an edit at the end, the file ends with one line break and no blank lines."""
        if not self.blocks:
            return
        last = self.blocks[-1]
        if last is original_last and id(last) not in self._touched:
            return  # the end of the file was not edited: leave it as it was
        if last.kind == "preamble" and not last.body.strip():
            last.body = ""
            return
        lines = split_lines(last.body)
        while lines and not lines[-1].strip():
            lines.pop()
        body = "".join(lines)
        if body and not body.endswith("\n"):
            body += self.newline
        last.body = body
        if not body and not last.heading.endswith("\n"):
            last.heading += self.newline


def _item_line(indent: str, bullet: str, item: ChecklistItem) -> str:
    text = " ".join(item.text.split())
    return f"{indent}{bullet} [{'x' if item.done else ' '}] {text}"


def _items(items: list[ChecklistItem]) -> list[tuple[str, bool]]:
    return [(" ".join(i.text.split()), i.done) for i in items]


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, list) or isinstance(new, list):
        return list(old or []) == list(new or [])
    return bool(old == new)


def _empty(value: Any) -> bool:
    return not value or (isinstance(value, str) and not value.strip())


def _clean(value: str | list[str]) -> str | list[str]:
    if isinstance(value, list):
        return [v for v in (str(x).strip() for x in value) if v]
    return value


def _closed(text: str) -> str:
    """Close a code fence the text leaves open, so it cannot swallow the sections after it."""
    marker = unclosed_fence(text)
    return f"{text}\n{marker}" if marker else text


def _ensure_blank_end(raw: str, nl: str) -> str:
    if not raw:
        return raw
    if not raw.endswith("\n"):
        return raw + nl + nl
    stripped = raw.rstrip("\r\n")
    if raw[len(stripped) :].count("\n") >= 2 or not stripped.strip():
        return raw
    return raw + nl
