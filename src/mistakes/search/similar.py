"""'Have we seen this before?': find past entries like a pasted traceback or log.

A pasted log is mostly noise around the error. The error lines (exception lines, stack
frames, error codes) are found and weigh more than the ordinary lines around them. What
varies between two occurrences of the same error (numbers, hex ids, UUIDs, IP addresses,
timestamps, temp and home paths, line numbers) is normalised away before comparing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher

from mistakes.domain.template import Template
from mistakes.search.analysis import STOP_WORDS, camel_parts, fold, term_of
from mistakes.search.query import term_text
from mistakes.search.snippets import make_snippet
from mistakes.search.types import Hit, date_key
from mistakes.storage.errors import EntryParseError
from mistakes.storage.folder import EntryFolder

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
_BOILERPLATE = re.compile(r"^\s*(Traceback \(most recent call last\)|raise\b|During handling)")
LOG_NOISE = frozenset(
    {
        *("info", "debug", "warn", "warning", "trace", "notice", "file", "line", "most"),
        *("recent", "call", "last", "traceback", "in", "at", "error", "errors", "exception"),
        *("self", "none", "null", "true", "false", "http", "https", "www", "com", "org"),
        *("net", "py", "js", "go", "java", "src", "lib", "usr", "local", "site", "packages"),
        *("python3", "python", "node", "modules", "app", "srv", "var", "opt"),
        *("get", "set", "run", "main", "call", "wrapper", "inner", "handle", "init", "lambda"),
    }
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
            signals.other_words.extend(_words(normalise(line)))
    signals.exceptions = _unique(signals.exceptions)
    signals.frames = _unique(signals.frames)
    signals.codes = _unique(signals.codes)
    signals.error_lines = _unique(signals.error_lines)
    signals.error_words = _unique(signals.error_words)
    signals.other_words = _unique(signals.other_words)
    return signals


def weighted_terms(signals: Signals, rare: set[str] | None = None) -> dict[str, float]:
    """term -> weight for the similarity query: error lines above ordinary lines."""
    weights: dict[str, float] = {}

    def add(word: str, weight: float) -> None:
        term = term_of(word)
        if len(term) >= 2:
            weights[term] = max(weights.get(term, 0.0), weight)

    for word in signals.other_words:
        if rare is None or term_of(word) in rare:
            add(word, 0.6)
    for word in signals.error_words:
        if rare is None or term_of(word) in rare or word in signals.exceptions:
            add(word, 1.5)
    for word in signals.frames:
        add(word, 2.5)
    for code in signals.codes:
        for word in re.findall(r"\w+", code):
            add(word, 3.0)
    for word in signals.exceptions:
        add(word, 4.0)
        for part in camel_parts(word):
            if fold(part) not in {"error", "exception"}:
                add(part, 1.0)
    return weights


@dataclass
class Reason:
    exceptions: list[str]
    frames: list[str]
    codes: list[str]
    lines: int  # error lines in common (after normalising)
    terms: list[str]

    def text(self) -> str:
        parts = []
        if self.exceptions:
            parts.append("same exception " + ", ".join(self.exceptions))
        if self.codes:
            parts.append("same error code " + ", ".join(self.codes))
        if self.lines:
            parts.append(f"{self.lines} error line{'s' if self.lines > 1 else ''} in common")
        if self.frames:
            parts.append("shared frames " + ", ".join(self.frames[:5]))
        if self.terms:
            parts.append("shared rare terms " + ", ".join(self.terms[:6]))
        return "; ".join(parts) or "shared words"

    def strength(self) -> float:
        return (
            3.0 * len(self.exceptions)
            + 2.0 * len(self.codes)
            + 2.0 * self.lines
            + 1.0 * len(self.frames)
            + 0.3 * len(self.terms)
        )


def explain(
    signals: Signals, matched: set[str], other_text: str, rare: set[str] | None = None
) -> Reason:
    """Why an entry is like the pasted text (``matched``: the query terms it contains)."""
    other_lines = {normalise(line) for line in other_text.split("\n") if line.strip()}
    exceptions = [e for e in signals.exceptions if term_of(e) in matched]
    codes = [c for c in signals.codes if all(term_of(w) in matched for w in re.findall(r"\w+", c))]
    frames = [f for f in signals.frames if term_of(f) in matched]
    common = [
        line
        for line in signals.error_lines
        if line in other_lines and len(_words(line)) >= 2 and not _BOILERPLATE.match(line)
    ]
    covered = {term_of(w) for w in (*exceptions, *frames)}
    for code in codes:
        covered.update(term_of(w) for w in re.findall(r"\w+", code))
    terms = _unique(
        [
            w
            for w in (*signals.error_words, *signals.other_words)
            if term_of(w) in matched and term_of(w) not in covered
        ]
    )
    return Reason(exceptions, frames, codes, len(common), terms)


# -- searching ----------------------------------------------------------------------------------

MakeHit = Callable[[dict[str, Any], float, frozenset[str]], Hit]


def find_similar(
    searcher: Searcher,
    folder: EntryFolder,
    template: Template,
    fields: tuple[str, str],
    make_hit: MakeHit,
    text: str,
    *,
    limit: int = 10,
    exclude: str | None = None,
) -> list[Hit]:
    """Past entries most like a pasted traceback or log, best first, with the reason.

    ``fields``: the body and title fields searched; ``make_hit`` turns stored fields, a
    score and the matched terms into a hit."""
    signals = extract(text)
    if signals.empty:
        return []
    _body, title = fields
    reader = searcher.reader()
    total = max(1, searcher.doc_count())
    rare: set[str] = set()  # words that say something: in few entries (error lines: some)
    for words, share in ((signals.other_words, 20), (signals.error_words, 3)):
        for word in words:
            term = term_of(word)
            frequency = max(reader.doc_frequency(f, term) for f in fields)
            if 0 < frequency <= max(2, total // share):
                rare.add(term)
    weights = weighted_terms(signals, rare)
    top = sorted(weights.items(), key=lambda kv: -kv[1])[:48]
    if not top:
        return []
    subqueries: list[wq.Query] = [
        wq.Term(name, t, boost=w / 2 if name == title else w) for t, w in top for name in fields
    ]
    results = searcher.search(wq.Or(subqueries), limit=limit * 3 + 1, terms=True)
    hits: list[Hit] = []
    for result in results:
        stored_fields = result.fields()
        if exclude is not None and stored_fields.get("path") == exclude:
            continue
        matched = frozenset(term_text(t) for _f, t in (result.matched_terms() or []))
        hit = make_hit(stored_fields, result.score or 0.0, matched)
        try:
            entry = folder.load(hit.path).entry
        except (OSError, EntryParseError):
            continue
        other = "\n".join([entry.title, *entry.sections.values(), *entry.extra_sections.values()])
        reason = explain(signals, set(matched), other, rare)
        hit.score = hit.score * (1.0 + 0.15 * reason.strength())
        hit.reason = reason.text()
        hit.snippet = make_snippet(entry, template, matched)
        hits.append(hit)
    hits.sort(key=lambda h: (-round(h.score, 6), date_key(h.date)))
    return hits[:limit]
