"""YAML frontmatter read safely as strings, and edited in place.

Reading: every scalar is a string exactly as typed (``1.10``, ``no``, ``010``, ``12:30``,
``2026-01-07`` all stay strings); a ``!!python/...`` or other application tag is an error,
never executed; aliases that expand past a limit (alias bombs) are refused.

Writing: a change is made to the text of the one value (or key) that changed, so comments,
quoting and layout of everything else stay byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
import yaml.reader
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver, Resolver
from yaml.scanner import Scanner

from mistakes.storage.errors import EntryParseError

MAX_NODES = 10_000
# what YAML's reader refuses: C0 controls but tab/LF/CR, DEL, C1 but NEL, surrogates, FFFE/FFFF
_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
MAX_DEPTH = 50
_STANDARD_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STANDARD_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_ALLOWED_TAGS = _SCALAR_TAGS | {f"{_STANDARD_TAG}seq", f"{_STANDARD_TAG}map"}

Value = str | list[Any] | dict[str, Any]


class _ComposeOnly(Reader, Scanner, Parser, Composer, BaseResolver):
    """Compose a node graph without resolving implicit types (so everything is a string)."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)


if yaml.__with_libyaml__:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class _FastComposeOnly(CParser, BaseResolver):
        """The same in C (libyaml): for reading, where exact character offsets are not used."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            BaseResolver.__init__(self)


def compose(text: str, *, fast: bool = False) -> Node | None:
    """The YAML node of the text, or None for an empty document. Raises EntryParseError.

    ``fast`` uses libyaml when present: same nodes and lines, but its offsets are not
    used for editing.
    """
    bad = _UNREADABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        code = ord(bad.group())
        raise EntryParseError(f"the character U+{code:04X} is not allowed in YAML", line)
    loader = None
    try:
        loader = _FastComposeOnly(text) if fast and yaml.__with_libyaml__ else _ComposeOnly(text)
        return loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(0, exc.position)) + 1
        raise EntryParseError(f"invalid YAML: {exc.reason}", line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise EntryParseError(f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise EntryParseError(f"invalid YAML: {exc}", 0) from None
    finally:
        if loader is not None:
            loader.dispose()


def to_python(node: Node) -> Value:
    """Strings, lists and dicts from a node graph, with the safety limits applied."""
    budget = [MAX_NODES]

    def walk(n: Node, depth: int) -> Value:
        budget[0] -= 1
        if budget[0] < 0:
            raise EntryParseError(
                f"the frontmatter expands to more than {MAX_NODES} values (an alias bomb?)",
                n.start_mark.line + 1,
            )
        if depth > MAX_DEPTH:
            raise EntryParseError(
                "the frontmatter nests too deep (a recursive alias?)", n.start_mark.line + 1
            )
        if n.tag not in _ALLOWED_TAGS:
            raise EntryParseError(
                f"the YAML tag {n.tag!r} is not allowed (only plain data is read)",
                n.start_mark.line + 1,
            )
        if isinstance(n, ScalarNode):
            return str(n.value)
        if isinstance(n, SequenceNode):
            return [walk(child, depth + 1) for child in n.value]
        if isinstance(n, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in n.value:
                if not isinstance(key_node, ScalarNode):
                    raise EntryParseError(
                        "a frontmatter key must be plain text", key_node.start_mark.line + 1
                    )
                walk(key_node, depth + 1)
                result[str(key_node.value)] = walk(value_node, depth + 1)
            return result
        raise EntryParseError("unreadable YAML node", n.start_mark.line + 1)

    return walk(node, 0)


def load_mapping(text: str) -> tuple[dict[str, Any], MappingNode | None]:
    """The frontmatter as a dict of strings/lists/dicts, and its mapping node."""
    node = compose(text, fast=True)
    if node is None:
        return {}, None
    if not isinstance(node, MappingNode):
        raise EntryParseError(
            "the frontmatter must be a mapping of 'key: value' lines", node.start_mark.line + 1
        )
    data = to_python(node)
    assert isinstance(data, dict)
    return data, node


def duplicate_keys(node: MappingNode) -> list[tuple[str, int]]:
    """Keys given twice in one mapping (YAML keeps the last), with their 1-based lines."""
    seen: set[str] = set()
    dups: list[tuple[str, int]] = []
    for key_node, _ in node.value:
        key = str(key_node.value)
        if key in seen:
            dups.append((key, key_node.start_mark.line + 1))
        seen.add(key)
    return dups


# -- emitting -------------------------------------------------------------------------------

_PLAIN_SAFE = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n\r\t]*$")
_FLOW_INDICATORS = set(",[]{}")
_NUMBER_LIKE = re.compile(r"^[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?$|^0[oObBxX][0-9a-fA-F_]+$")
_resolver = Resolver()


def _is_printable(text: str) -> bool:
    return all(
        ch in "\t" or (" " <= ch <= "~") or (ch >= "\xa0" and ch not in "\u2028\u2029\ufeff")
        for ch in text
    ) and not any(0xD800 <= ord(ch) <= 0xDFFF or ord(ch) in (0xFFFE, 0xFFFF) for ch in text)


def format_scalar(value: str, *, flow: bool = False) -> str:
    """A YAML scalar that reads back as exactly ``value`` (and as a string elsewhere too)."""
    if value == "":
        return "''"
    needs_quotes = (
        not _is_printable(value)
        or not _PLAIN_SAFE.match(value)
        or value != value.strip()
        or ": " in value
        or " #" in value
        or value.endswith(":")
        or "\t" in value
        or (flow and any(ch in _FLOW_INDICATORS for ch in value))
    )
    if not needs_quotes:
        tag = _resolver.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        # dates read as text here and display fine elsewhere; numbers, booleans, null do not
        needs_quotes = tag not in (f"{_STANDARD_TAG}str", f"{_STANDARD_TAG}timestamp") or bool(
            _NUMBER_LIKE.match(value)
        )
    if not needs_quotes:
        return value
    if _is_printable(value) and "\n" not in value and "\t" not in value:
        return "'" + value.replace("'", "''") + "'"
    dumped = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=1 << 30)
    return dumped.rstrip("\n").removesuffix("\n...").rstrip("\n")


def format_flow_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(format_scalar(v, flow=True) for v in values) + "]"


def format_value(value: Value, indent: int) -> str:
    """The text after ``key:`` for a value, starting with a space or a line break."""
    if isinstance(value, str):
        return " " + format_scalar(value)
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return " " + format_flow_list(value)
        dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1 << 30)
        return " " + dumped.strip()
    if not value:
        return " {}"
    pad = " " * (indent + 2)
    lines = [f"{pad}{format_key(k)}:{format_value(v, indent + 2)}" for k, v in value.items()]
    return "\n" + "\n".join(lines)


def format_key(key: str) -> str:
    return format_scalar(key)


# -- editing --------------------------------------------------------------------------------


@dataclass
class _Span:
    start: int
    end: int


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Index just past the line break of the line holding ``index`` (or len(text))."""
    nl = text.find("\n", index)
    return len(text) if nl == -1 else nl + 1


def _content_end(node: Node) -> int:
    """Index just past the last character of the node's own text (not trailing comments)."""
    if isinstance(node, ScalarNode):
        return int(node.end_mark.index)
    if isinstance(node, SequenceNode | MappingNode):
        if node.flow_style or not node.value:
            return int(node.end_mark.index)
        last = node.value[-1]
        return _content_end(last[1] if isinstance(node, MappingNode) else last)
    return int(node.end_mark.index)


def _find(mapping: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    found = None
    for key_node, value_node in mapping.value:
        if str(key_node.value) == key:
            found = (key_node, value_node)  # YAML keeps the last of duplicate keys
    return found


def _entry_span(text: str, key_node: Node, value_node: Node) -> _Span:
    """Whole lines from the key to the end of its value, with their line break."""
    start = _line_start(text, int(key_node.start_mark.index))
    end = _content_end(value_node)
    if end > 0 and text[end - 1] == "\n":  # block scalars end after their line break
        end -= 1
    return _Span(start, _line_end(text, max(end, int(key_node.end_mark.index))))


def _is_inline_scalar(text: str, node: Node, key_node: Node) -> bool:
    if not isinstance(node, ScalarNode) or node.style in ("|", ">"):
        return False
    if node.start_mark.index == node.end_mark.index:  # an empty value: `key:`
        return False
    return node.start_mark.line == key_node.start_mark.line


def _nl(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _with_newlines(fragment: str, newline: str) -> str:
    return fragment.replace("\n", newline) if newline != "\n" else fragment


def _insertion_point(text: str, mapping: MappingNode, after: str | None) -> int:
    """Where a new key goes: after the entry of ``after``, else after the last entry."""
    pairs = list(mapping.value)
    target = None
    if after is not None:
        found = _find(mapping, after)
        if found is not None:
            target = found
    if target is None and pairs:
        target = pairs[-1]
    if target is None:
        return len(text)
    return _entry_span(text, target[0], target[1]).end


def set_value(text: str, path: Sequence[str], value: Value | None, order: Sequence[str]) -> str:
    """Return the YAML text with the value at ``path`` set (None: removed).

    ``order`` lists keys of the mapping at ``path[:-1]`` in their preferred order, to place a
    new key after the nearest key that precedes it.
    """
    newline = _nl(text)
    node = compose(text) if text.strip() else None
    if node is not None and not isinstance(node, MappingNode):
        raise EntryParseError("the frontmatter must be a mapping", node.start_mark.line + 1)

    # walk to the parent mapping
    parent: MappingNode | None = node
    indent = 0
    for depth, key in enumerate(path[:-1]):
        found = _find(parent, key) if parent is not None else None
        if found is None or not isinstance(found[1], MappingNode) or found[1].flow_style:
            if value is None:
                return text
            if found is not None:  # not a block mapping: rewrite it whole
                nested = to_python(found[1])
                merged: dict[str, Any] = dict(nested) if isinstance(nested, dict) else {}
                merged = _set_nested(merged, list(path[depth + 1 :]), value)
                return set_value(text, path[: depth + 1], merged, order=[])
            built = _set_nested({}, list(path[depth + 1 :]), value)
            return set_value(text, path[: depth + 1], built, order=order if depth == 0 else [])
        parent = found[1]
        indent = int(parent.value[0][0].start_mark.column) if parent.value else indent + 2

    key = path[-1]
    found = _find(parent, key) if parent is not None else None
    if found is None:
        if value is None:
            return text
        line = f"{' ' * indent}{format_key(key)}:{format_value(value, indent)}\n"
        if parent is None:
            body = text if (not text or text.endswith("\n")) else text + newline
            return body + _with_newlines(line, newline)
        after = None
        if key in order:
            rank = list(order).index(key)
            earlier = [str(k.value) for k, _ in parent.value if str(k.value) in order[:rank]]
            later = [k for k, _ in parent.value if str(k.value) in order[rank + 1 :]]
            if earlier:
                after = earlier[-1]
            elif later:
                at = _line_start(text, int(later[0].start_mark.index))
                return text[:at] + _with_newlines(line, newline) + text[at:]
        at = _insertion_point(text, parent, after)
        prefix = text[:at]
        if prefix and not prefix.endswith("\n"):
            prefix += newline
        return prefix + _with_newlines(line, newline) + text[at:]

    key_node, value_node = found
    if value is None:
        span = _entry_span(text, key_node, value_node)
        result = text[: span.start] + text[span.end :]
        if len(path) > 1 and parent is not None and len(parent.value) == 1:
            return set_value(result, path[:-1], None, order=[])
        return result

    if isinstance(value, str) and _is_inline_scalar(text, value_node, key_node):
        start, end = int(value_node.start_mark.index), int(value_node.end_mark.index)
        return text[:start] + format_scalar(value) + text[end:]
    if (
        isinstance(value, list)
        and all(isinstance(v, str) for v in value)
        and isinstance(value_node, SequenceNode)
    ):
        if value_node.flow_style:
            start, end = int(value_node.start_mark.index), int(value_node.end_mark.index)
            return text[:start] + format_flow_list(value) + text[end:]
        if value_node.value:  # block list: keep it a block list at the same indentation
            first = value_node.value[0]
            item_col = int(first.start_mark.column)
            dash_start = _line_start(text, int(first.start_mark.index))
            dash_col = text.index("-", dash_start) - dash_start
            end = _line_end(text, _content_end(value_node) - 1)
            if not value:
                return _replace_entry(text, key_node, value_node, key, value, indent)
            gap = " " * max(1, item_col - dash_col - 1)
            items = "".join(f"{' ' * dash_col}-{gap}{format_scalar(v)}\n" for v in value)
            return text[:dash_start] + _with_newlines(items, newline) + text[end:]
    block_mapping = isinstance(value_node, MappingNode) and not value_node.flow_style
    if isinstance(value, dict) and block_mapping:
        result = text
        current = to_python(value_node)
        assert isinstance(current, dict)
        sub_order = list(value.keys())
        for sub_key in [k for k in current if k not in value]:
            result = set_value(result, [*path, sub_key], None, order=sub_order)
        for sub_key, sub_value in value.items():
            if current.get(sub_key) != sub_value:
                result = set_value(result, [*path, sub_key], sub_value, order=sub_order)
        return result
    return _replace_entry(text, key_node, value_node, key, value, indent)


def _replace_entry(
    text: str, key_node: Node, value_node: Node, key: str, value: Value, indent: int
) -> str:
    newline = _nl(text)
    span = _entry_span(text, key_node, value_node)
    line = f"{' ' * indent}{format_key(key)}:{format_value(value, indent)}\n"
    return text[: span.start] + _with_newlines(line, newline) + text[span.end :]


def _set_nested(data: dict[str, Any], path: list[str], value: Value) -> dict[str, Any]:
    if len(path) == 1:
        data[path[0]] = value
        return data
    child = data.get(path[0])
    data[path[0]] = _set_nested(dict(child) if isinstance(child, dict) else {}, path[1:], value)
    return data
