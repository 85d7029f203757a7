"""'Have we seen this before?': find past entries like a pasted traceback or log.

A pasted log is mostly noise around the error. Only its error lines count (exception lines,
error codes, the words of lines that say error, stack frames); what varies between two
occurrences of the same error (numbers, hex ids, UUIDs, IP addresses, timestamps, temp and
home paths, line numbers) is normalised away, and what every traceback or log carries
(:data:`GENERIC`: "Traceback (most recent call last)", "During handling of the above
exception, another exception occurred", log levels, request ids) never counts.

Each entry's error signature is computed when it is indexed (:func:`signature`): the terms
of its title and Error Messages, and its normalised error lines. A lookup reads the postings
of the paste's terms only: no entry file is read for a candidate that is not shown.

The score of an entry is in [0, 1]: ``(1 - LINE_SHARE)`` times the share of the paste's
term weight it holds (a term weighs its kind, exception type 3, error code 3, error-line
word 1.5, frame 1, times its rarity; terms in more than 5% of the entries are left out),
plus ``LINE_SHARE`` when it holds the paste's error line itself. Under :data:`THRESHOLD`
nothing is close: the answer is "No close matches".
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from whoosh.searching import Searcher

from mistakes.domain.entry import Entry
from mistakes.domain.template import Template
from mistakes.search.analysis import STOP_WORDS, camel_parts, fold, term_of
from mistakes.search.answer_fields import (
    ERROR_LINES,
    ERROR_SIZE,
    ERROR_TERMS,
    FIX_TEXT,
    ROOT_CAUSE_TEXT,
)
from mistakes.search.schema import SEEN
from mistakes.search.snippets import make_snippet
from mistakes.search.types import Hit, date_key
from mistakes.storage.errors import EntryParseError
from mistakes.storage.folder import EntryFolder

# -- the template's sections, as data ----------------------------------------------------------

ERROR_SECTIONS = ("error_messages",)  # keys of the seed template: where an entry's error is
FIX_SECTIONS = ("fix",)  # Solution > The Fix
ROOT_CAUSE_SECTIONS = ("root_cause_analysis",)  # the group (Why It Happened, ...)
EXCERPT_CHARS = 300  # of the fix and of the root cause, on every hit

# -- ranking ---------------------------------------------------------------------------------------

THRESHOLD = 0.4  # under it: "No close matches"
LINE_SHARE = 0.4  # of the score, for holding the paste's error line itself
COMMON_SHARE = 0.05  # terms in more of the entries than this say nothing about which error
COMMON_MIN = 5  # ... but in a small folder a term in this many entries still counts
KIND_WEIGHT = {"exception": 3.0, "code": 3.0, "word": 1.5, "frame": 1.0}
# entries tied at the last place shown, all weighed by the tie-break (an error line counts
# while in at most COMMON_SHARE of the folder: 500 entries at 10,000)
MAX_TIED = 500  # each costs a read of its stored fields (~0.05 ms)

# what every traceback or log carries: never a term, never a reason
GENERIC = frozenset(
    {
        *("traceback", "most", "recent", "call", "last", "during", "handling", "above"),
        *("another", "exception", "exceptions", "occurred", "direct", "cause", "caused"),
        *("following", "raise", "raised", "info", "debug", "warn", "warning", "error"),
        *("errors", "critical", "fatal", "trace", "notice", "request", "request_id", "span"),
        *("trace_id", "span_id", "correlation_id", "unhandled", "failed", "file", "line"),
        *("stack", "stacktrace", "timestamp", "level", "uuid", "err", "exc"),
    }
)
GENERIC_TERMS = frozenset(term_of(word) for word in GENERIC)
LOG_NOISE = frozenset(  # frame names that say nothing about where an error was
    {
        *GENERIC,
        *("self", "none", "null", "true", "false", "http", "https", "www", "com", "org"),
        *("net", "py", "js", "go", "java", "src", "lib", "usr", "local", "site", "packages"),
        *("python3", "python", "node", "modules", "app", "srv", "var", "opt", "in", "at"),
        *("get", "set", "run", "main", "wrapper", "inner", "handle", "init", "lambda"),
    }
)


def is_generic(word: str) -> bool:
    """A word every traceback or log carries (``Traceback``, ``During``, ``INFO``)."""
    return fold(word) in GENERIC or _term(word) in GENERIC_TERMS


@lru_cache(maxsize=100_000)
def _term(word: str) -> str:
    return term_of(word)


# -- normalising --------------------------------------------------------------------------------

_PLACEHOLDER = "\u2022"  # a bullet: not a word character, so never a term
_NORMALISERS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
        ),
        "uuid",
    ),
    (
        re.compile(
            r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
        ),
        "time",
    ),
    (re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"), "time"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b"), "ip"),
    (  # compressed IPv6: fd12:3456::7, 2001:db8::1, ::1, fe80::1ff:fe23:4567:890a
        re.compile(
            r"(?<![\w:])(?:(?:[0-9a-fA-F]{1,4}:){1,6}|:):"
            r"(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?(?![\w:])"
        ),
        "ip",
    ),
    (re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b"), "ip"),  # full IPv6
    (re.compile(r"\b\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|b|kb|mb|gb|tb|k|%)(?!\w)", re.I), "n"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "hex"),
    (re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b"), "hex"),
    (re.compile(r"(?:/tmp|/var/tmp|/var/folders|/private/var/folders)/[^\s\"':,)]*"), "tmp"),
    (re.compile(r"(?:/home|/Users)/[^/\s\"']+"), "home"),
    (re.compile(r"[A-Za-z]:\\Users\\[^\\\s\"']+"), "home"),
    (re.compile(r"(?<=line )\d+"), "n"),
    (re.compile(r"(?<=:)\d+(?::\d+)?(?=\)|$|\s)"), "n"),
    (re.compile(r"\b\d+(?:\.\d+)?\b"), "n"),
]


def normalise(line: str) -> str:
    """A log line with what varies between occurrences replaced by placeholders."""
    for pattern, name in _NORMALISERS:
        line = pattern.sub(f"{_PLACEHOLDER}{name}{_PLACEHOLDER}", line)
    line = re.sub(rf"{_PLACEHOLDER}\w+{_PLACEHOLDER}", _PLACEHOLDER, line)
    return re.sub(r"\s+", " ", line).strip()


# -- finding the error lines ---------------------------------------------------------------------

_EXCEPTION = re.compile(
    r"(?:^|[\s:(\[])((?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Fault|Failure|Warning|Timeout|Refused))\b"
)
_PY_FRAME = re.compile(r'File "(?P<path>[^"]+)", line \d+, in (?P<func>[\w<>.]+)')
_JAVA_FRAME = re.compile(r"\bat (?P<cls>[\w$.]+)\.(?P<func>[\w$<>]+)\((?P<file>[\w.]+)(?::\d+)?\)")
_JS_FRAME = re.compile(r"\bat (?:(?P<func>[\w$.<>\[\] ]+?) )?\(?(?P<path>[^()\s]+?):\d+:\d+\)?")
_GO_FRAME = re.compile(r"^\s+(?P<path>/\S+\.go):\d+")
_CODE = re.compile(
    r"\b(?:[A-Z]{2,5}-\d{3,5}"  # ORA-00942, ERR-012
    r"|E(?:CONN|NO|ACCES|AGAIN|PIPE|ADDR|TIMEDOUT|HOST|NET|MFILE|PERM|EXIST|INVAL|BUSY|ROFS)[A-Z]*"
    r"|SQLSTATE\s*\w+|errno\s*\d+|HTTP\s*[45]\d\d)\b"
)
_ERRORISH = re.compile(
    r"\b(error|exception|fatal|panic|fail(?:ed|ure)?|refused|denied|timed? ?out|traceback|"
    r"caused by|killed|abort(?:ed)?|segfault|unable|cannot|can't|could not|invalid|"
    r"not found|no such|deadlock|oom)\b",
    re.IGNORECASE,
)


@dataclass
class Signals:
    """What a pasted text says about its error, normalised."""

    exceptions: list[str] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    error_lines: list[str] = field(default_factory=list)  # normalised
    error_words: list[str] = field(default_factory=list)
    other_words: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.exceptions or self.frames or self.codes or self.error_words or self.other_words
        )


def _words(text: str) -> list[str]:
    out = []
    for word in re.findall(r"[A-Za-z_][\w]*", text):
        folded = fold(word)
        if len(folded) < 3 or folded in STOP_WORDS or folded in LOG_NOISE:
            continue
        out.append(word)
    return out


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.lower()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def extract(text: str) -> Signals:
    signals = Signals()
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            continue
        frame = False
        for pattern in (_PY_FRAME, _JAVA_FRAME, _GO_FRAME, _JS_FRAME):
            match = pattern.search(line)
            if not match:
                continue
            groups = match.groupdict()
            func = groups.get("func") or ""
            path = groups.get("path") or groups.get("file") or ""
            base = re.split(r"[\\/]", path)[-1].split(".")[0] if path else ""
            for name in (
                func.split(".")[-1] if func else "",
                base,
                (groups.get("cls") or "").split(".")[-1],
            ):
                if (
                    name
                    and len(name) > 2
                    and not name.startswith("<")
                    and fold(name) not in LOG_NOISE
                ):
                    signals.frames.append(name)
            frame = True
            break
        if frame:
            continue
        exceptions = [e.split(".")[-1] for e in _EXCEPTION.findall(line)]
        codes = _CODE.findall(line)
        if exceptions or codes or _ERRORISH.search(line):
            signals.exceptions.extend(exceptions)
            signals.codes.extend(c.strip() for c in codes)
            normalised = normalise(line)
            signals.error_lines.append(normalised)
            signals.error_words.extend(_words(normalised))
        else:
            signals.other_words.extend(_words(line))  # not normalised: they do not count
    signals.exceptions = _unique(signals.exceptions)
    signals.frames = _unique(signals.frames)
    signals.codes = _unique(signals.codes)
    signals.error_lines = _unique(signals.error_lines)
    signals.error_words = _unique(signals.error_words)
    signals.other_words = _unique(signals.other_words)
    return signals


# -- an entry's error signature (computed when it is indexed) ----------------------------------

_TAIL = re.compile(
    r"(?:(?<![\w.])(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Fault|Failure)\b"
    r"|\b(?:fatal error|npm ERR!|error(?: TS\d+|\[E\d+\])?|ERROR|Error|FATAL|panic)\s*[:!]).*$"
)
_WORD = re.compile(r"[A-Za-z_]\w*")


def _is_line(text: str) -> bool:
    """At least three words, not all of them generic ("Traceback (most recent call last)")."""
    words = re.findall(r"[a-z]{2,}", text)
    return len(words) >= 3 and not all(is_generic(word) for word in words)


def error_tails(text: str) -> list[str]:
    """The error lines of a text from the exception type or error prefix on, normalised and
    lowercased, so that a log prefix, numbers, ids and paths do not count (lines of at
    least three words: a bare type says little)."""
    tails: dict[str, None] = {}
    for line in text.split("\n"):
        match = _TAIL.search(line)
        if match:
            tail = normalise(match.group(0)).lower()
            if _is_line(tail):
                tails[tail] = None
    return list(tails)


def entry_lines(errors: str) -> list[str]:
    """The error lines an entry is known by: each line of its error text whole and from
    its exception type or error prefix on (normalised, lowercased)."""
    lines = dict.fromkeys(error_tails(errors))
    for line in extract(errors).error_lines:
        if _is_line(line.lower()):
            lines[line.lower()] = None
    return list(lines)


def paste_lines(signals: Signals, text: str) -> list[str]:
    """The error lines of a paste, each also without what a log put before it: every
    word-boundary suffix of each error line (an entry's line is matched whole)."""
    lines = dict.fromkeys(error_tails(text))
    for line in signals.error_lines:
        words = line.lower().split(" ")
        for start in range(len(words)):
            suffix = " ".join(words[start:])
            if not _is_line(suffix):
                break
            lines[suffix] = None
    return list(lines)


def line_key(tail: str) -> str:
    """The index token of a normalised error line."""
    return hashlib.sha1(tail.encode("utf-8")).hexdigest()[:16]


def code_term(code: str) -> str:
    """The index token of an error code (``ORA-00942``, ``ECONNREFUSED``, ``HTTP 502``): the
    code whole, its number kept (word terms drop numbers)."""
    return "#" + re.sub(r"\s+", "", code).lower()


def _codes(text: str) -> list[str]:
    return [code.strip() for code in _CODE.findall(text)]


def text_terms(text: str) -> set[str]:
    """The signature terms of a text: every word's term and its CamelCase parts', and each
    error code whole."""
    terms: set[str] = set()
    for word in _WORD.findall(text):
        terms.add(_term(word))
        terms.update(_term(part) for part in camel_parts(word))
    terms.update(code_term(code) for code in _codes(text))
    return terms


def _sections_text(entry: Entry, template: Template, keys: Iterable[str]) -> str:
    """The text of the first of ``keys`` the template has and the entry wrote (a group:
    its sections, in order); "" when none."""
    for key in keys:
        spec = template.section(key)
        if spec is None:
            continue
        leaves = [spec] if spec.is_leaf else list(template.children(spec.key))
        parts = [entry.sections.get(leaf.key, "").strip() for leaf in leaves]
        text = "\n\n".join(part for part in parts if part)
        if text:
            return text
    return ""


def excerpt(text: str, chars: int = EXCERPT_CHARS) -> str:
    """The start of a section, about ``chars`` characters, cut at a word (Markdown kept)."""
    text = text.strip()
    if len(text) <= chars:
        return text
    cut = text[:chars]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > chars // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def fix_text(entry: Entry, template: Template) -> str:
    """The start of the entry's fix (Solution > The Fix); "" when none or no such section."""
    return excerpt(_sections_text(entry, template, FIX_SECTIONS))


def root_cause_text(entry: Entry, template: Template) -> str:
    """The start of the entry's Root Cause Analysis; "" when none or no such section."""
    return excerpt(_sections_text(entry, template, ROOT_CAUSE_SECTIONS))


def error_text(entry: Entry, template: Template) -> str:
    """Where the entry's error is: its Error Messages, or when it wrote none (or the
    template has no such section) the text of all its sections."""
    whole = "\n".join(entry.sections.values())
    return error_query(entry.sections, whole)


def error_query(sections: Mapping[str, str], whole: str) -> str:
    """What to look up for an entry or a draft: its Error Messages when written (prose
    around it would only dilute the error), else ``whole`` (its other text)."""
    errors = "\n".join(sections.get(key, "") for key in ERROR_SECTIONS).strip()
    return errors or whole


def signature(entry: Entry, template: Template) -> dict[str, Any]:
    """The index fields of an entry that ``similar`` reads: its error terms (and how
    many), the keys of its error lines, the start of its fix and of its root cause."""
    errors = error_text(entry, template)
    terms = text_terms(entry.title + "\n" + errors)
    return {
        ERROR_TERMS: " ".join(sorted(terms)),
        ERROR_SIZE: len(terms),
        ERROR_LINES: " ".join(line_key(line) for line in entry_lines(errors)),
        FIX_TEXT: fix_text(entry, template),
        ROOT_CAUSE_TEXT: root_cause_text(entry, template),
    }


# -- what a paste looks for -----------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """A term of the paste: as written (for reasons), its kind and the kind's weight."""

    word: str
    kind: str
    weight: float


def paste_terms(text: str) -> tuple[dict[str, Wanted], list[str]]:
    """The terms a paste looks for (only from its error lines; generic words left out) and
    the keys of its error lines."""
    signals = extract(text)
    wanted: dict[str, Wanted] = {}

    def add(term: str, word: str, kind: str) -> None:
        weight = KIND_WEIGHT[kind]
        if term in wanted and wanted[term].weight >= weight:
            return
        wanted[term] = Wanted(word, kind, weight)

    def add_word(word: str, kind: str) -> None:
        term = _term(word)
        if len(term) < 3 or is_generic(word):
            return
        add(term, word, kind)

    for line in signals.error_lines:
        for word in _WORD.findall(line):
            add_word(word, "word")
    for word in signals.frames:
        add_word(word, "frame")
    for code in _unique(_codes(text)):
        add(code_term(code), code, "code")
    for word in signals.exceptions:
        add_word(word, "exception")
    return wanted, [line_key(line) for line in paste_lines(signals, text)]


# -- why ------------------------------------------------------------------------------------------


@dataclass
class Reason:
    exceptions: list[str]
    codes: list[str]
    line: bool  # holds the paste's error line itself
    frames: list[str]
    words: list[str]

    def text(self) -> str:
        parts = []
        if self.exceptions:
            parts.append("same exception " + ", ".join(self.exceptions))
        if self.codes:
            parts.append("same error code " + ", ".join(self.codes))
        if self.line:
            parts.append("same error line")
        if self.frames:
            parts.append("shared frames " + ", ".join(self.frames[:5]))
        if self.words:
            parts.append("shared rare terms " + ", ".join(self.words[:6]))
        return "; ".join(parts)


def explain(wanted: dict[str, Wanted], matched: Iterable[str], line: bool) -> Reason:
    """Why an entry is like the paste: the terms of each kind it holds (never a generic
    word: those are no terms)."""
    by_kind: dict[str, list[str]] = {kind: [] for kind in KIND_WEIGHT}
    for term in matched:
        item = wanted[term]
        by_kind[item.kind].append(item.word)
    return Reason(by_kind["exception"], by_kind["code"], line, by_kind["frame"], by_kind["word"])


# -- searching ----------------------------------------------------------------------------------

MakeHit = Callable[[dict[str, Any], float, frozenset[str]], Hit]


@dataclass
class _Candidate:
    docnum: int
    score: float = 0.0
    matched: list[str] = field(default_factory=list)
    line: bool = False


def rank(searcher: Searcher, text: str) -> tuple[dict[str, Wanted], list[_Candidate]]:
    """Every entry scoring at least :data:`THRESHOLD` for the paste, best first (read from
    the postings of the paste's terms only)."""
    wanted, lines = paste_terms(text)
    reader = searcher.reader()
    n = max(1, int(reader.doc_count()))
    common = max(COMMON_SHARE * n, COMMON_MIN)
    weights: dict[str, float] = {}
    frequencies: dict[str, int] = {}
    for term, item in wanted.items():
        frequency = int(reader.doc_frequency(ERROR_TERMS, term))
        if frequency > common:
            continue  # in many entries: says nothing about which error this is
        frequencies[term] = frequency
        weights[term] = item.weight * math.log(1.0 + n / (1.0 + frequency))
    total = sum(weights.values())
    candidates: dict[int, _Candidate] = {}
    if total > 0:
        for term, weight in weights.items():
            if not frequencies[term]:
                continue
            share = (1.0 - LINE_SHARE) * weight / total
            for docnum in reader.postings(ERROR_TERMS, term).all_ids():
                candidate = candidates.setdefault(docnum, _Candidate(docnum))
                candidate.score += share
                candidate.matched.append(term)
    for key in set(lines):
        frequency = int(reader.doc_frequency(ERROR_LINES, key))
        if not frequency or frequency > common:
            continue  # a line in many entries says as little as a common term
        for docnum in reader.postings(ERROR_LINES, key).all_ids():
            candidate = candidates.setdefault(docnum, _Candidate(docnum))
            if not candidate.line:
                candidate.line = True
                candidate.score += LINE_SHARE
    close = [c for c in candidates.values() if c.score >= THRESHOLD - 1e-9]
    for candidate in close:
        candidate.score = min(1.0, candidate.score)
    close.sort(key=lambda c: (-round(c.score, 6), -c.docnum))
    return wanted, close


def find_similar(
    searcher: Searcher,
    folder: EntryFolder,
    template: Template,
    make_hit: MakeHit,
    text: str,
    *,
    limit: int = 10,
    exclude: str | None = None,
) -> list[Hit]:
    """Past entries close to a pasted traceback or log, best first, with the reason, the
    fix and the root cause; [] when nothing is close ("No close matches").

    ``make_hit`` turns stored fields, a score and the matched terms into a hit. Only the
    hits returned are read from their files (for the snippet)."""
    wanted, close = rank(searcher, text)
    if not close:
        return []
    # equal scores at the cut: all of them (the index's order among them means nothing),
    # so the tie is broken below by what the entries say, not by which was indexed last
    last = close[min(limit, len(close)) - 1].score
    shown = [c for c in close if c.score >= last - 1e-9][:MAX_TIED]
    ranked: list[tuple[float, float, int, str, int]] = []
    stored_of: dict[int, dict[str, Any]] = {}
    for at, candidate in enumerate(shown):
        stored = searcher.stored_fields(candidate.docnum)
        if exclude is not None and stored.get("path") == exclude:
            continue
        stored_of[at] = stored
        # equal scores: the entry whose error is more wholly this one first (its error
        # text holds less else), then the one seen most often, then the newest
        narrow = len(candidate.matched) / max(1, int(stored.get(ERROR_SIZE) or 0))
        seen = int(stored.get(SEEN) or 0)
        day = date_key(str(stored.get("datestr", "")))  # as the hit's date
        ranked.append((-round(candidate.score, 6), -round(narrow, 6), -seen, day, at))
    ranked.sort()
    out = []
    for *_key, at in ranked[:limit]:
        candidate = shown[at]
        hit = make_hit(stored_of[at], candidate.score, frozenset(candidate.matched))
        hit.reason = explain(wanted, candidate.matched, candidate.line).text()
        try:
            entry = folder.load(hit.path).entry
        except (OSError, EntryParseError):
            continue  # gone since it was indexed
        hit.snippet = make_snippet(entry, template, hit.terms, prefer=ERROR_SECTIONS)
        out.append(hit)
    return out
