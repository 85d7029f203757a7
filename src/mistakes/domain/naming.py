"""Names derived from text: keys for fields and sections, file names for entries."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SLUG_MAX = 60
NUMBER_WIDTH = 3

_ARTICLES = {"the", "a", "an"}
ENTRY_NAME = re.compile(r"^(?P<number>\d{1,9})(?:-(?P<slug>.*))?\.md$", re.IGNORECASE)
"""An entry file's name (see :func:`parse_entry_filename`): its number is ``number``."""
_ENTRY_NAME = ENTRY_NAME


def ascii_fold(text: str) -> str:
    """Drop accents and anything that is not ASCII (``Café`` -> ``Cafe``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=4096)
def snake_key(label: str, *, drop_articles: bool = True) -> str:
    """``"The Fix"`` -> ``fix``; ``"Monitoring/Alerts"`` -> ``monitoring_alerts``."""
    words = re.findall(r"[a-z0-9]+", ascii_fold(label).lower())
    if drop_articles and len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return "_".join(words)


def normalize_heading(text: str) -> str:
    """Heading text as compared when matching sections: case, punctuation and emoji folded."""
    text = text.strip().strip("#").strip()
    text = re.sub(r"[*_`]", "", text)
    return snake_key(text, drop_articles=True)


def slugify(title: str, max_length: int = SLUG_MAX) -> str:
    """Lowercase ASCII words of the title joined by ``-``, cut at a word boundary."""
    words = re.findall(r"[a-z0-9]+", ascii_fold(title).lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            if not slug:  # one very long word: cut it
                slug = word[:max_length]
            break
        slug = candidate
    return slug or "untitled"


def entry_filename(number: int, title: str) -> str:
    """``NNN-slug.md``; the number grows past three digits when it has to."""
    if number < 0:
        raise ValueError("entry numbers are not negative")
    return f"{number:0{NUMBER_WIDTH}d}-{slugify(title)}.md"


def parse_entry_filename(name: str) -> int | None:
    """The entry number of a file name such as ``007-db-timeout.md``, or None."""
    match = _ENTRY_NAME.match(name)
    if not match:
        return None
    return int(match.group("number"))
