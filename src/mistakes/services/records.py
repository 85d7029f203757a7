"""The ``--json`` object of an entry, serialised once: the search index keeps it with the
entry (see :class:`~mistakes.services.search.SearchService`), so ``list --json`` prints it
without parsing the file again."""

from __future__ import annotations

import json

from mistakes.domain.template import Template
from mistakes.services.entries import record
from mistakes.storage.folder import StoredEntry


def record_json(stored: StoredEntry, template: Template) -> bytes:
    """The ``--json`` object of an entry as ``list --json`` prints it inside its array
    (``json.dump(..., indent=2, ensure_ascii=False)``), without the opening brace and the
    ``path`` line, which depends on how the folder was named: from the line after ``path``
    to the closing brace. Indented JSON has no line break inside a value, so the array's
    indent is two spaces after each line break."""
    data = record(stored, template)
    del data["path"]
    text = json.dumps(data, ensure_ascii=False, indent=2)
    body = "  " + text[2:].replace("\n", "\n  ")  # text is "{\n  ..." (never empty)
    return body.encode("utf-8", "surrogatepass")
