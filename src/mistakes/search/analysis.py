"""How text becomes index terms: words, CamelCase parts, case and accents folded, stemmed.

The same rules analyse entries, queries and snippets, so ``connecting`` finds
``connection``, ``cafe`` finds ``café`` and ``refused`` finds ``ConnectionRefusedError``.
The analyzer is one loop with a per-word cache rather than Whoosh's chain of filters:
indexing is dominated by per-token work, and most words repeat.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.lang.porter import stem as porter_stem

WORD = r"\w+"
_WORD = re.compile(WORD)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have"),
        *("in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was"),
        *("were", "will", "with"),
    }
)
MAX_WORD = 64  # longer "words" (base64, hashes) are not useful terms


def is_noise(word: str) -> bool:
    """Tokens that vary between occurrences and only bloat the index: one- and two-digit
    numbers (times, dates, line numbers), numbers of 7+ digits, ids with 3+ digits in 8+
    characters (hex ids, UUID parts, hashes)."""
    if word.isdigit():
        return len(word) <= 2 or len(word) >= 7
    if len(word) >= 8:
        digits = sum(ch.isdigit() for ch in word)
        return digits >= 3
    return False


# letters that are not a base letter plus an accent, so NFKD leaves them alone
_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lowercase without accents: ``Café`` -> ``cafe``, ``Łódź`` -> ``lodz``."""
    lowered = word.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered.translate(_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def term_of(word: str) -> str:
    """The index term of one word as the analyzer makes it (folded and stemmed)."""
    return str(porter_stem(fold(word)))


def camel_parts(word: str) -> list[str]:
    """``ConnectionRefusedError`` -> ``[Connection, Refused, Error]``; [] for plain words."""
    if len(word) < 5 or word.islower() or word.isupper():
        return []
    parts = _CAMEL.findall(word)
    return parts if len(parts) > 1 else []


@lru_cache(maxsize=200_000)
def index_terms(word: str) -> tuple[str, ...]:
    """Terms indexed for a word: its own, then its CamelCase parts'.

    Stop words are indexed too (a phrase must not match across them), but plain queries
    leave them out."""
    if len(word) > MAX_WORD or is_noise(word):
        return ()
    folded = fold(word)
    if folded in STOP_WORDS:
        return (folded,)
    terms = [term_of(word)]
    for part in camel_parts(word):
        term = term_of(part)
        if term not in terms and fold(part) not in STOP_WORDS:
            terms.append(term)
    return tuple(terms)


@lru_cache(maxsize=200_000)
def query_term(word: str, keep_stops: bool = False) -> str | None:
    if len(word) > MAX_WORD or is_noise(word):
        return None
    if fold(word) in STOP_WORDS:
        return fold(word) if keep_stops else None
    return term_of(word)


class MistakesAnalyzer(Analyzer):  # type: ignore[misc]
    """Words (``\\w+``), folded, stop words dropped, stemmed; CamelCase parts indexed too."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MistakesAnalyzer)

    def __hash__(self) -> int:
        return hash(MistakesAnalyzer)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:  # a prefix, wildcard or range bound: fold only
            token.original = token.text = fold(value)
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        query = mode == "query"
        phrase = query and chars  # Whoosh asks for characters only when parsing a phrase
        pos = start_pos
        for match in _WORD.finditer(value):
            word = match.group()
            if query:
                term = query_term(word, phrase)
                terms: tuple[str, ...] = (term,) if term else ()
            else:
                terms = index_terms(word)
            if not terms:
                if not removestops:  # keep the position (phrases), mark it stopped
                    token.text = fold(word)
                    token.stopped = True
                    token.boost = 1.0
                    if positions:
                        token.pos = pos
                        pos += 1
                    yield token
                continue
            for term in terms:
                token.text = term
                token.stopped = False
                token.boost = 1.0
                if keeporiginal:
                    token.original = word
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + match.start()
                    token.endchar = start_char + match.end()
                yield token
            pos += 1


def count_positions(text: str) -> int:
    """How many positions the analyzer gives a text (words that make at least one term)."""
    return sum(1 for match in _WORD.finditer(text) if index_terms(match.group()))


def make_analyzer() -> MistakesAnalyzer:
    return MistakesAnalyzer()


def query_words(text: str) -> list[str]:
    """Plain words of a text, as a fallback when a query cannot be parsed."""
    return _WORD.findall(text)
