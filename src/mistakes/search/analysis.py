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
# Letters of scripts written without spaces between words (Han, kana, Hangul): a run of
# them is indexed as its overlapping pairs of letters (and each letter alone), so that a
# word inside a longer run is found (数据库 in 数据库连接失败)
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# a word of other letters (group 1), or a run of CJK letters (no group)
TOKEN = f"([^\\W{CJK}]+)|[{CJK}]+"
_TOKEN = re.compile(TOKEN)
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


def nfc(text: str) -> str:
    """The text in Unicode NFC (``e`` + combining acute is ``é``): text pasted from some
    systems comes decomposed, and a combining mark is no word character."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


Unit = tuple[int, int, str, bool]  # start, end, text, and whether a CJK letter (pair)


def units(text: str, *, query: bool = False) -> Iterator[Unit]:
    """The positions of a (NFC) text: ``\\w+`` words, and in a run of CJK letters one per
    letter: the letter and the next (the last letter of a run alone). In a query a run of
    two letters or more is its pairs only, so ``数据库`` is the phrase ``数据 据库``."""
    for match in _TOKEN.finditer(text):
        word = match.group(1)
        if word is None:
            yield from cjk_units(match, query)
        else:
            yield match.start(), match.end(), word, False


def cjk_units(match: re.Match[str], query: bool = False) -> Iterator[Unit]:
    """The units of a run of CJK letters: each letter with the next."""
    letters = match.group()
    base = match.start()
    count = len(letters) - 1 if query and len(letters) > 1 else len(letters)
    for i in range(count):
        pair = letters[i : i + 2]
        yield base + i, base + i + len(pair), pair, True


@lru_cache(maxsize=200_000)
def cjk_terms(pair: str, query: bool = False) -> tuple[str, ...]:
    """Terms of a CJK unit: the pair and its first letter (a query: the pair)."""
    if query or len(pair) == 1:
        return (fold(pair),)
    return (fold(pair), fold(pair[0]))


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
        for match in _TOKEN.finditer(nfc(value)):
            word = match.group(1)
            if word is None:  # a run of CJK letters
                for unit_start, unit_end, pair, _cjk in cjk_units(match, query):
                    for pair_term in cjk_terms(pair, query):
                        token.text = pair_term
                        token.stopped = False
                        token.boost = 1.0
                        if keeporiginal:
                            token.original = pair
                        if positions:
                            token.pos = pos
                        if chars:
                            token.startchar = start_char + unit_start
                            token.endchar = start_char + unit_end
                        yield token
                    pos += 1
                continue
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
    count = 0
    for match in _TOKEN.finditer(nfc(text)):
        word = match.group(1)
        if word is None:
            count += len(match.group())  # a CJK run: one position per letter
        elif index_terms(word):
            count += 1
    return count


def make_analyzer() -> MistakesAnalyzer:
    return MistakesAnalyzer()


def query_words(text: str) -> list[str]:
    """Plain words of a text, as a fallback when a query cannot be parsed."""
    return _WORD.findall(text)
