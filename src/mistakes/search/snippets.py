"""Snippets: a short excerpt of the section where an entry best matches, words marked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mistakes.domain.entry import Entry
from mistakes.domain.template import Template
from mistakes.search.analysis import TOKEN, camel_parts, cjk_units, fold, nfc, term_of

WIDTH = 160
LEAD = 40
_SPACE = re.compile(r"\s+")
# Markdown emphasis and code marks are dropped (the snippet marks matches with **);
# ``2 ** 10`` and ``__init__`` are not emphasis and stay as they are
_TOKEN = re.compile(TOKEN)
_MARKUP = re.compile(r"`+|\*\*(?=\S)|(?<=\S)\*\*")


@dataclass
class Snippet:
    section: str  # display title of the section it comes from ("Title" for the title)
    text: str  # the excerpt, one line
    spans: list[tuple[int, int]] = field(default_factory=list)  # matched words in ``text``

    def marked(self, left: str = "**", right: str = "**") -> str:
        out: list[str] = []
        last = 0
        for start, end in self.spans:
            out.append(self.text[last:start])
            out.append(f"{left}{self.text[start:end]}{right}")
            last = end
        out.append(self.text[last:])
        return "".join(out)


def _matches(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """Where the terms are in the text: (start, end, term), in order, not overlapping (the
    overlapping letter pairs of a CJK word are joined into one match)."""
    found: list[tuple[int, int, str]] = []
    for match in _TOKEN.finditer(text):
        word = match.group(1)
        if word is None:  # a run of CJK letters: its pairs, or a letter alone
            for start, end, pair, _cjk in cjk_units(match):
                term = fold(pair)
                if term not in terms:
                    term, end = fold(pair[0]), start + 1
                    if term not in terms:
                        continue
                if found and found[-1][1] > start:  # 数据 then 据库: one match, 数据库
                    found[-1] = (found[-1][0], max(end, found[-1][1]), found[-1][2])
                else:
                    found.append((start, end, term))
            continue
        term = term_of(word)
        if term in terms or fold(word) in terms:
            found.append((match.start(), match.end(), term))
            continue
        for part in camel_parts(word):
            part_term = term_of(part)
            if part_term in terms:
                found.append((match.start(), match.end(), part_term))
                break
    return found


def mark_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Where the terms are in a text (a title), as the snippets mark them: stems, folded
    letters, CamelCase parts, CJK letter pairs; the text in NFC."""
    return [(start, end) for start, end, _term in _matches(text, terms)]


def _window(matches: list[tuple[int, int, str]]) -> tuple[int, int]:
    """The index range of matches that fits one snippet with the most distinct terms."""
    best = (0, 1)
    best_score = (0, 0)
    j = 0
    for i in range(len(matches)):
        j = max(j, i)
        while j + 1 < len(matches) and matches[j + 1][1] - matches[i][0] <= WIDTH - LEAD:
            j += 1
        distinct = len({m[2] for m in matches[i : j + 1]})
        score = (distinct, j + 1 - i)
        if score > best_score:
            best, best_score = (i, j + 1), score
    return best


def _plain(text: str) -> str:
    return _MARKUP.sub("", text)


def _excerpt(text: str, matches: list[tuple[int, int, str]]) -> tuple[str, list[tuple[int, int]]]:
    if not matches:
        body = _SPACE.sub(" ", _plain(text)).strip()
        return (body[: WIDTH - 1] + "…" if len(body) > WIDTH else body), []
    first, last = _window(matches)
    chosen = matches[first:last]
    start = max(0, chosen[0][0] - LEAD)
    if start > 0:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space > start - 15 else start
    end = min(len(text), start + WIDTH)
    end = max(end, chosen[-1][1])
    if end < len(text):
        space = text.find(" ", end - 10, end + 10)
        end = space if space != -1 else end
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    cursor = start
    inside = [m for m in matches if m[0] >= start and m[1] <= end]
    for m_start, m_end, _term in inside:
        gap = _SPACE.sub(" ", _plain(text[cursor:m_start]))
        if not pieces:
            gap = gap.lstrip()
        pieces.append(gap)
        length += len(gap)
        word = text[m_start:m_end]
        spans.append((length, length + len(word)))
        pieces.append(word)
        length += len(word)
        cursor = m_end
    pieces.append(_SPACE.sub(" ", _plain(text[cursor:end])).rstrip())
    excerpt = "".join(pieces)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    if prefix:
        spans = [(a + 1, b + 1) for a, b in spans]
    return prefix + excerpt + suffix, spans


def make_snippet(
    entry: Entry, template: Template, terms: frozenset[str], prefer: tuple[str, ...] = ()
) -> Snippet:
    """The excerpt of the section with the most distinct matched terms (ties: the first).

    ``prefer``: section keys the query named (``fix:restart``): they are tried first.
    """
    candidates: list[tuple[str, str]] = []
    specs = list(template.leaves())
    if prefer:
        chosen_specs = [s for s in specs if s.key in prefer]
        for spec in chosen_specs:
            text = nfc(entry.sections.get(spec.key, ""))
            if text and _matches(text, terms):
                excerpt, spans = _excerpt(text, _matches(text, terms))
                return Snippet(template.display_title(spec), excerpt, spans)
    for spec in specs:
        text = nfc(entry.sections.get(spec.key, ""))
        if text:
            candidates.append((template.display_title(spec), text))
    candidates.extend((title, nfc(text)) for title, text in entry.extra_sections.items() if text)
    best: tuple[int, int] = (0, 0)
    chosen: tuple[str, str, list[tuple[int, int, str]]] | None = None
    if terms:
        for title, text in candidates:
            found = _matches(text, terms)
            if not found:
                continue
            score = (len({m[2] for m in found}), len(found))
            if score > best:
                best, chosen = score, (title, text, found)
    if chosen is None:
        title = nfc(entry.title)
        title_matches = _matches(title, terms) if terms else []
        if title_matches or not candidates:
            text, spans = _excerpt(title, title_matches)
            return Snippet("Title", text, spans)
        title, text = candidates[0]
        excerpt, spans = _excerpt(text, [])
        return Snippet(title, excerpt, spans)
    title, text, found = chosen
    excerpt, spans = _excerpt(text, found)
    return Snippet(title, excerpt, spans)
