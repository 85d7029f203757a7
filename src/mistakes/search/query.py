"""The query language: words, OR/NOT, "phrases", prefix*, fuzzy~, field:value, date ranges.

A query the parser cannot read never fails: it falls back to the plain words, with a notice.
While a word is being typed (``partial``), the unfinished last word is searched as itself
and as the words it starts (a capped expansion, from titles only for three or four letters),
so the partial results always contain the complete query's; a negated last word is taken
whole. ``entry_from_query`` turns typed text into the title and fields of a new entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.matching.mcore import NullMatcher
from whoosh.query import spans
from whoosh.query.spans import Span
from whoosh.reading import IndexReader

from mistakes.domain.entry import Entry
from mistakes.domain.template import FieldKind, Template
from mistakes.search.analysis import CJK, fold, nfc, query_term, query_words, term_of
from mistakes.search.schema import BODY, RANGES, SEEN, SearchFields, parse_date, unpack_range

PREFIX_MIN = 3  # a shorter unfinished word is left out (alone: titles only)
BODY_PREFIX_MIN = 5  # a shorter one is completed from titles only
PREFIX_CAP = 48  # at most this many terms per prefix (the most frequent ones)
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_FIELD_NO_VALUE = re.compile(r"(?:^|\s)([A-Za-z_]+):(?=\s|$)")
_LAST_WORD = re.compile(r"(?:^|(?<=[\s(:]))(?P<word>[^\s\"():*~\[\]]+)$")
_FIELD_HEAD = re.compile(r"(?:^|(?<=[\s(]))(?P<field>[A-Za-z_]\w*):$")
_NEGATED_HEAD = re.compile(r"(?:^|[\s(])(?:NOT|ANDNOT)\s+$")
_OR_HEAD = re.compile(r"(?:^|[\s(])OR\s+$")
_DANGLING = re.compile(r"(?:\s+(?:AND|OR|NOT|ANDNOT|ANDMAYBE))+\s*$")
# "-word" (at the start of a word) excludes it, like NOT; "--force" and "pending-upgrade" stay
_MINUS = re.compile(r"(?:^|(?<=[\s(]))-(?=[^\W_]|[(\"])")
_MINUS_PHRASE = re.compile(r"(?:^|(?<=[\s(]))-$")
# ``seen:>2``, ``seen:>=3``, ``seen:<2``, ``seen:4``: how often an entry was seen again
_SEEN = re.compile(r"(?:^|(?<=[\s(]))seen:(?P<op>>=|<=|>|<|=)?(?P<n>\d+)(?=[\s)]|$)", re.I)
_CJK_WORD = re.compile(rf"(?<![\w*])\w*[{CJK}]\w*(?![\w*~])")
# Porter suffixes (and their starts): a typed word past its stem ("connecti") may be cut
# back to the stem only where what is cut could start such a suffix ("timeout" is no "time")
_SUFFIXES = (
    *("e", "ed", "es", "er", "ers", "s", "ing", "ings", "ion", "ions", "ation", "ations"),
    *("ive", "ivity", "ively", "iveness", "ies", "ied", "y", "ly", "ness", "ment", "ments"),
    *("ful", "ity", "al", "ally", "ance", "ence", "able", "ible", "ate", "ated", "ize", "ized"),
    *("ise", "ised", "ism", "ist", "ous", "ically", "ical", "ant", "ent"),
)
_SUFFIX_STARTS = frozenset(s[:n] for s in _SUFFIXES for n in range(1, len(s) + 1))


@dataclass
class ParsedQuery:
    query: wq.Query
    notices: tuple[str, ...] = ()  # each one whole message ("no field foo (fields: ...)")
    fallback: bool = False
    words: tuple[str, ...] = ()  # the query's own words (for snippets of field-only queries)

    @property
    def notice(self) -> str:
        """The notices in one line."""
        return "; ".join(self.notices)


def _rewrite(text: str) -> str:
    """Outside quoted phrases: ``-word`` (and ``-"a phrase"``) becomes ``NOT word``, and a
    word with CJK letters becomes a phrase (its overlapping pairs of letters in order:
    ``数据库`` is ``数据 据库``)."""
    parts = text.split('"')
    for i in range(0, len(parts), 2):
        part = _MINUS.sub("NOT ", parts[i])
        part = _CJK_WORD.sub(lambda m: f'"{m.group()}"', part)
        if i + 1 < len(parts):  # a phrase opens after this part
            part = _MINUS_PHRASE.sub("NOT ", part)
        parts[i] = part
    return '"'.join(parts)


def _seen_range(match: re.Match[str]) -> str:
    """``seen:>2`` as the range Whoosh's parser reads on the numeric ``seen`` field (whole
    numbers: ``>2`` is ``[3 TO]``; brackets only, which the balance check counts)."""
    n = int(match.group("n"))
    low, high = {
        ">": (n + 1, None),
        ">=": (n, None),
        "<": (None, n - 1),
        "<=": (None, n),
    }.get(match.group("op") or "=", (n, n))
    lo = "" if low is None else f"{low} "
    hi = "" if high is None else f" {high}"
    return f"{SEEN}:[{lo}TO{hi}]"


def _unknown_empty(match: re.Match[str], known: dict[str, str], unknown: set[str]) -> str:
    if match.group(1).lower() not in known:
        unknown.add(match.group(1))
    return match.group(0)


def _balanced(text: str) -> bool:
    if text.count('"') % 2:
        return False
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    if depth:
        return False
    return text.count("[") == text.count("]") and text.count("{") == text.count("}")


def is_null(q: wq.Query) -> bool:
    """Whoosh's NullQuery (a query that matches nothing), in any of its spellings."""
    return q is wq.NullQuery or type(q).__name__ == "_NullQuery"


class QueryBuilder:
    def __init__(self, schema: Schema, fields: SearchFields) -> None:
        self.fields = fields
        self.schema = schema
        parser = qparser.MultifieldParser(fields.default_fields(), schema, group=qparser.AndGroup)
        parser.remove_plugin_class(qparser.WildcardPlugin)  # no leading or inner wildcards
        parser.add_plugin(qparser.PrefixPlugin())
        parser.add_plugin(qparser.FuzzyTermPlugin())
        aliases: dict[str, list[str]] = {}
        if fields.tags:
            aliases[fields.tags] = ["tag"]
        if aliases:
            parser.add_plugin(qparser.FieldAliasPlugin(aliases))
        self.parser = parser

    def field_names(self) -> list[str]:
        """Field names a query may use, for help."""
        names = ["title", "tag", *self.fields.choice_fields, *self.fields.text_fields]
        names.extend(self.fields.groups.values())
        if self.fields.date:
            names.append(self.fields.date)
        names.append(SEEN)  # seen:>2
        names.extend(self.fields.section_field_names())
        return names

    def parse(
        self, text: str, *, partial: bool = False, reader: IndexReader | None = None
    ) -> ParsedQuery:
        """Parse query text; ``partial``: the last word may still be being typed.

        The partial query matches everything the complete one does (the last word may
        add the words it starts, never lose its own matches); a negated last word is
        taken whole, so there the two are the same.
        """
        finished = text[-1:].isspace()  # a space after the last word: it is complete
        text = nfc(text).strip()
        if not text:
            return ParsedQuery(wq.Every())
        words = tuple(w for w in query_words(text) if w not in OPERATORS)
        if all(part in OPERATORS for part in text.split()):  # "NOT", "AND OR": nothing to find
            return self._fallback(text, "could not read the query", reader, False)
        source = _SEEN.sub(_seen_range, _rewrite(text))
        notices: list[str] = []
        trimmed = _DANGLING.sub("", source)
        if trimmed != source and trimmed.strip():
            # "pool NOT": the operator has nothing to act on (yet): the query is "pool"
            if not partial:
                left = " ".join(source[len(trimmed) :].split())
                notices.append(f"left out {left} at the end (no word after it)")
            source, finished = trimmed, True
        dropped = ""
        if partial and not finished:
            source, dropped = self._partial(source)
        source, unknown = self._field_names(source)
        if unknown:
            known = ", ".join(self.field_names())
            notices.append(f"no field {', '.join(sorted(unknown))} (fields: {known})")
        problem = self._problem(source)
        parsed: wq.Query | None = None
        if not problem:
            try:
                parsed = self.parser.parse(source)
            except Exception:  # the parser has many ways to fail; all mean the same here
                parsed = None
            if parsed is None or is_null(parsed):
                problem = "could not read the query"
        typing = partial and not finished
        if problem or parsed is None:
            return self._fallback(
                text, problem or "could not read the query", reader, typing, notices
            )
        if dropped and is_null(parsed):
            parsed = wq.Every()
        if reader is not None:
            try:
                parsed = prepare(parsed, reader, self.fields)
            except Exception:  # a query shape the rewriting cannot take: use the words
                return self._fallback(text, "could not run the query", reader, typing, notices)
        return ParsedQuery(parsed, notices=tuple(notices), words=words)

    def _field_names(self, text: str) -> tuple[str, set[str]]:
        """Field names in any case (``Severity:``), and the names that are no field."""
        known = {name.lower(): name for name in self.schema.names()}
        known["tag"] = self.fields.tags or "tag"
        unknown: set[str] = set()

        def fix(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.lower() in known:
                return f"{match.group(0)[: -len(name) - 1]}{name.lower()}:"
            unknown.add(name)
            return match.group(0)

        text = re.sub(r"(?:(?<=^)|(?<=[\s(]))([A-Za-z_]\w*):(?=\S)", fix, text)
        text = _FIELD_NO_VALUE.sub(lambda m: _unknown_empty(m, known, unknown), text)
        return text, unknown

    def _problem(self, text: str) -> str:
        if not _balanced(text):
            return "unbalanced quotes, brackets or parentheses"
        if _FIELD_NO_VALUE.search(text):
            return "a field with no value"
        return ""

    def _partial(self, text: str) -> tuple[str, str]:
        """Rewrite the unfinished last word so that it also matches the words it starts.

        The word itself always stays in (through the full analyzer, so a whole word finds
        what the complete query finds); a word after NOT is left as it is.
        """
        if text.endswith((" ", '"', ")", "*", "~")) or text.count('"') % 2:
            return text, ""
        match = _LAST_WORD.search(text)
        if not match:
            return text, ""
        word = match.group("word")
        head = text[: match.start("word")]
        if word.upper() in OPERATORS or not re.search(r"\w", word):
            return text, ""
        field = _FIELD_HEAD.search(head)
        before = head[: field.start()] if field else head
        if _NEGATED_HEAD.search(before):
            return text, ""  # a negated word is taken whole: a prefix would weaken the NOT
        name = field.group("field").lower() if field else ""
        if name and name == (self.fields.date or "").lower():
            return text, ""  # a date is read whole
        keyword = name in (self.fields.tags, "tag", *self.fields.choice_fields)
        if not keyword and all(query_term(part) is None for part in query_words(word)):
            # a stop word or a number the index leaves out: the complete query ignores
            # it (so matches more than any completion of it would): it stays as it is
            return text, ""
        if field:  # a field value being typed: complete it
            return f"{head}({word}* OR {word})", ""
        parts = query_words(word)
        if parts != [word]:  # helm-rollb: the whole, or the parts with the last one started
            last = parts[-1]
            if len(last) < BODY_PREFIX_MIN:
                return text, ""
            started = " ".join([*parts[:-1], f"{last}*"])
            return f"{head}({word} OR ({started}))", ""
        if len(word) >= BODY_PREFIX_MIN:
            return f"{head}({word}* OR {word})", ""
        if len(word) < PREFIX_MIN and query_words(head) and not _OR_HEAD.search(head):
            # too short to mean anything yet: left out of an AND (which only widens it)
            return _DANGLING.sub("", head).strip(), word
        # a short start of a word matches thousands of body terms (slow, and mostly
        # noise): complete it from titles, and take it as a whole word everywhere
        return f"{head}({self.fields.title}:{word}* OR {word})", ""

    def _fallback(
        self,
        text: str,
        problem: str,
        reader: IndexReader | None,
        typing: bool,
        notices: list[str] | None = None,
    ) -> ParsedQuery:
        without_fields = re.sub(r"\b\w+:", " ", text)  # field names are not words to search
        words = [w for w in query_words(without_fields) if w not in OPERATORS]
        earlier = tuple(notices or ())
        if not words:
            notice = f"{problem}; no words to search"
            return ParsedQuery(wq.NullQuery, notices=(*earlier, notice), fallback=True)
        searched = list(words)
        last = words[-1]
        if typing and len(last) >= PREFIX_MIN and query_term(last) is not None:
            searched[-1] = f"({last}* OR {last})"  # the whole word, and the words it starts
        try:
            parsed = self.parser.parse(" ".join(searched))
        except Exception:
            parsed = wq.NullQuery
        if reader is not None:
            parsed = prepare(parsed, reader, self.fields)
        notice = f"{problem}; searched the words: {' '.join(words)}"
        return ParsedQuery(parsed, notices=(*earlier, notice), fallback=True, words=tuple(words))


def prepare(
    q: wq.Query, reader: IndexReader, fields: SearchFields, cap: int = PREFIX_CAP
) -> wq.Query:
    """Make a parsed query cheap and runnable.

    Prefixes become an OR of their ``cap`` most frequent expansions, fuzzy terms the terms
    within the distance that share the first letter, and queries on a section field become
    span queries on ``body`` between that section's markers.
    """
    # normalize: a term both typed and expanded (``policy`` and ``policy*``) counts once
    return _to_spans(_expand(q, reader, fields, cap).normalize(), fields)


def _lexicon(fieldname: str, fields: SearchFields) -> str:
    return BODY if fields.section_numbers(fieldname) else fieldname


def _expand(q: wq.Query, reader: IndexReader, fields: SearchFields, cap: int) -> wq.Query:
    if isinstance(q, wq.FuzzyTerm):
        return _expand_fuzzy(q, reader, cap, _lexicon(q.fieldname, fields))
    if isinstance(q, wq.Prefix):
        return _expand_prefix(q, reader, fields, cap)
    return q.apply(lambda child: _expand(child, reader, fields, cap))


def _expand_prefix(q: wq.Prefix, reader: IndexReader, fields: SearchFields, cap: int) -> wq.Query:
    """The ``cap`` most frequent terms the prefix starts, and always the typed word itself
    and its stem (the index holds stems: ``policy`` is ``polici``, ``dependency``
    ``depend``)."""
    field, prefix = q.fieldname, q.text
    lexicon = _lexicon(field, fields)
    analyzed = lexicon not in (fields.tags, *fields.choice_fields)  # keywords are not stemmed
    best: list[tuple[int, str]] = []
    try:
        for term, info in reader.iter_prefix(lexicon, prefix):
            best.append((info.doc_frequency(), term_text(term)))
        best.sort(key=lambda pair: (-pair[0], pair[1]))
        chosen = [term for _, term in best[:cap]]
        own = [prefix, term_of(prefix)] if analyzed else [prefix]
        whole = [t for t in dict.fromkeys(own) if reader.doc_frequency(lexicon, t)]
        if analyzed and not whole:
            # "connecti", "exhauste", "handshake" must also find "connect", "exhaust",
            # "handshak" (a stem the typed word has gone past): the longest such stem, and
            # only where what is cut could start a suffix ("timeout" must not find "time")
            for cut in range(1, 4):
                stem = prefix[:-cut]
                if len(stem) < PREFIX_MIN:
                    break
                if prefix[-cut:] in _SUFFIX_STARTS and reader.doc_frequency(lexicon, stem):
                    whole.append(stem)
                    break
    except KeyError:
        return wq.NullQuery
    terms_ = [*chosen, *(t for t in whole if t not in chosen)]
    if not terms_:
        return wq.NullQuery
    terms = [wq.Term(field, t, boost=q.boost) for t in terms_]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


class SectionQuery(wq.Query):  # type: ignore[misc]
    """Matches ``inner`` (a span query on body) only inside the given sections."""

    def __init__(self, numbers: tuple[int, ...], inner: wq.Query) -> None:
        self.numbers = numbers
        self.inner = inner
        self.boost = 1.0

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, SectionQuery)
            and other.numbers == self.numbers
            and other.inner == self.inner
        )

    def __hash__(self) -> int:
        return hash((SectionQuery, self.numbers, self.inner))

    def __repr__(self) -> str:
        return f"SectionQuery({self.numbers!r}, {self.inner!r})"

    def is_leaf(self) -> bool:
        return False

    def children(self) -> Iterator[wq.Query]:
        yield self.inner

    def apply(self, fn: Any) -> wq.Query:
        return SectionQuery(self.numbers, fn(self.inner))

    def field(self) -> str:
        return BODY

    def estimate_size(self, ixreader: IndexReader) -> int:
        total = sum(int(ixreader.doc_frequency(f, t)) for f, t in self.inner.iter_all_terms())
        return min(total, int(ixreader.doc_count_all()))

    def estimate_min_size(self, ixreader: IndexReader) -> int:
        return 0

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        child = self.inner.matcher(searcher, context)
        reader = searcher.reader()
        if not child.is_active() or not reader.has_column(RANGES):
            return NullMatcher()
        return _SectionMatcher(child, reader.column_reader(RANGES), self.numbers)


class _SectionMatcher(spans.SpanWrappingMatcher):  # type: ignore[misc]
    def __init__(self, child: Any, column: Any, numbers: tuple[int, ...]) -> None:
        self.column = column
        self.numbers = numbers
        super().__init__(child)

    def copy(self) -> _SectionMatcher:
        return _SectionMatcher(self.child.copy(), self.column, self.numbers)

    def _replacement(self, newchild: Any) -> _SectionMatcher:
        return _SectionMatcher(newchild, self.column, self.numbers)

    def _get_spans(self) -> list[Span]:
        blob = self.column[self.child.id()]
        bounds = [unpack_range(blob, n) for n in self.numbers]
        bounds = [(start, end) for start, end in bounds if end > start]
        if not bounds:
            return []
        return [
            span
            for span in self.child.spans()
            if any(start <= span.start and span.end < end for start, end in bounds)
        ]


def _inner_span(q: wq.Query) -> wq.Query | None:
    """The same query on ``body`` as a span query, or None if it has no span form."""
    if isinstance(q, wq.Term):
        return wq.Term(BODY, q.text)
    if isinstance(q, wq.Phrase):
        words = [wq.Term(BODY, word) for word in q.words]
        return words[0] if len(words) == 1 else spans.SpanNear2(words, slop=q.slop, ordered=True)
    if isinstance(q, wq.Or):
        inner = [_inner_span(child) for child in q.subqueries]
        if all(i is not None for i in inner):
            return spans.SpanOr(inner)
    return None


def _single_field(q: wq.Query) -> str | None:
    names = {name for name, _term in q.iter_all_terms()}
    return names.pop() if len(names) == 1 else None


def _to_spans(q: wq.Query, fields: SearchFields) -> wq.Query:
    """Queries on one section field become a span query between the section's markers."""
    if isinstance(q, wq.Term | wq.Phrase | wq.Or):
        name = _single_field(q)
        numbers = fields.section_numbers(name) if name else ()
        if numbers:
            inner = _inner_span(q)
            if inner is not None:
                return SectionQuery(numbers, inner)
    return q.apply(lambda child: _to_spans(child, fields))


def term_text(term: object) -> str:
    """A term from the index (bytes) or a query (str), as text."""
    return term.decode("utf-8", "replace") if isinstance(term, bytes) else str(term)


def within(a: str, b: str, maxdist: int) -> bool:
    """True when a and b are at most maxdist edits apart (a swap of two letters is one)."""
    if abs(len(a) - len(b)) > maxdist:
        return False
    if maxdist == 0:
        return a == b
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, before[j - 2] + 1)
            current.append(value)
        if min(current) > maxdist:
            return False
        before, previous = previous, current
    return previous[-1] <= maxdist


def _expand_fuzzy(q: wq.FuzzyTerm, reader: IndexReader, cap: int, lexicon: str) -> wq.Query:
    """The terms of the field within the edit distance that share the first letter."""
    text = fold(q.text)
    targets = {text, term_of(text)}  # the typed word, and its stem (the index holds stems)
    maxdist = min(q.maxdist, 2)
    # typos in the first letters are rare, and scanning the lexicon is what costs:
    # longer words keep their first two letters, shorter ones their first
    prefix = text[: max(2 if len(text) >= 6 else 1, q.prefixlength)]
    found: list[tuple[int, str]] = []
    try:
        for term, info in reader.iter_prefix(lexicon, prefix):
            word = term_text(term)
            # the index holds stems, so compare with the typed word as far as the stem goes
            # ("connectiom" ~ "connect") as well as with the whole word and its stem
            cut = text[: len(word)] if len(word) >= max(5, len(text) - 4) else None
            if any(within(word, target, maxdist) for target in targets) or (
                cut is not None and within(word, cut, maxdist)
            ):
                found.append((info.doc_frequency(), word))
    except KeyError:
        return wq.NullQuery
    if not found:
        return wq.NullQuery
    found.sort(key=lambda pair: (pair[1] != text, -pair[0]))
    terms = [wq.Term(q.fieldname, word, boost=q.boost) for _, word in found[:cap]]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def section_numbers(q: wq.Query) -> set[int]:
    """Sections a query asks for by name (to take the snippet from one of them)."""
    found: set[int] = set()
    if isinstance(q, SectionQuery):
        found.update(q.numbers)
    elif not isinstance(q, wq.Not) and not q.is_leaf():
        for child in q.children():
            found |= section_numbers(child)
    return found


# -- a new entry from what was typed --------------------------------------------------------------

_PIECE = re.compile(
    r"""(?P<minus>-(?=[^\W_]|["(]))?
        (?:(?P<field>[A-Za-z_]\w*):(?=["(\[]|[^\s()"]))?
        (?:"(?P<phrase>[^"]*)"?
          |\[(?P<range>[^\]]*)\]?
          |(?P<open>\()
          |(?P<word>[^\s()"]+))
      |(?P<close>\))""",
    re.VERBOSE,
)
_QUERY_MARKS = re.compile(r"(?:\*|~\d*|\^[\d.]*)+$")


@dataclass
class QueryEntry:
    """What a new entry made from typed query text gets: the free words as its title, the
    field terms as values (``tag:redis cache stampede``: title ``cache stampede``, tags
    ``["redis"]``). Negated terms, operators and values a field cannot take are left out
    (``left_out`` names them)."""

    title: str
    tags: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # template field key -> value
    sections: dict[str, str] = field(default_factory=dict)  # section key -> text
    left_out: list[str] = field(default_factory=list)

    def apply(self, entry: Entry, template: Template) -> None:
        """Put the tags, values and sections into a new entry (its title is set already)."""
        tags_spec = template.tags_field
        if tags_spec is not None and self.tags:
            merged = [*entry.tags(template), *self.tags]
            entry.set_value(tags_spec, list(dict.fromkeys(merged)))
        for key, value in self.values.items():
            spec = template.top_field(key)
            if spec is not None:
                entry.set_value(spec, value)
        for key, text in self.sections.items():
            entry.sections[key] = text


def entry_from_query(text: str, template: Template) -> QueryEntry:
    """The title and fields a new entry gets from query text typed in the search box."""
    text = nfc(text)
    title: list[str] = []
    made = QueryEntry("")
    stack: list[tuple[str | None, bool]] = []  # (field, negated) of the open groups
    negate = False
    sections = {s.key for s in template.leaves()}
    for match in _PIECE.finditer(text):
        if match.group("close"):
            if stack:
                stack.pop()
            continue
        inherited, negated_group = stack[-1] if stack else (None, False)
        word = match.group("word")
        if word in ("NOT", "ANDNOT"):
            negate = True
            continue
        if word in OPERATORS:
            continue
        name = match.group("field")
        negated = negate or bool(match.group("minus")) or negated_group
        negate = False
        target = name or inherited
        if match.group("open"):
            stack.append((target, negated))
            continue
        value = match.group("phrase")
        if value is None:
            value = _QUERY_MARKS.sub("", word or "")
        if match.group("range") is not None:
            made.left_out.append(match.group())
            continue
        if negated:
            made.left_out.append(match.group())
            continue
        if not value.strip():
            continue
        bare = re.fullmatch(r"([A-Za-z_]\w*):", value) if name is None else None
        if bare and _is_field(template, bare.group(1)):
            made.left_out.append(value)  # "status:" with nothing after it yet (but
            continue  # "Error: connection refused" is a title: sections are left alone
        if target is None or target.lower() == "title":
            title.append(value)
            continue
        if not _to_field(made, template, sections, target, value):
            if name is not None and not _known_name(template, sections, name):
                title.append(match.group())  # no field: "http://x" or "note:" is text
            else:
                made.left_out.append(match.group())
    made.title = " ".join(" ".join(title).split())
    made.tags = list(dict.fromkeys(made.tags))
    return made


def _is_field(template: Template, name: str) -> bool:
    lowered = name.lower()
    return lowered == "tag" or template.top_field(lowered) is not None


def _known_name(template: Template, sections: set[str], name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in ("tag", "title")
        or lowered in sections
        or template.top_field(lowered) is not None
        or template.section(lowered) is not None
    )


def _to_field(
    made: QueryEntry, template: Template, sections: set[str], name: str, value: str
) -> bool:
    """Record ``name:value`` in ``made``; False when the field cannot take it."""
    lowered = name.lower()
    if lowered in sections:
        made.sections[lowered] = " ".join(filter(None, [made.sections.get(lowered), value]))
        return True
    spec = template.tags_field if lowered == "tag" else template.top_field(lowered)
    if spec is None:
        return False
    if spec.kind is FieldKind.TAGS:
        made.tags.extend(t.strip().lower() for t in value.split(",") if t.strip())
        return True
    if spec.kind is FieldKind.CHOICE:
        choice = spec.choice_for(value)
        if choice is None:
            return False
        made.values[spec.key] = choice
        return True
    if spec.kind is FieldKind.DATE:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) or parse_date(value) is None:
            return False
        made.values[spec.key] = value
        return True
    made.values[spec.key] = " ".join(filter(None, [made.values.get(spec.key), value]))
    return True
