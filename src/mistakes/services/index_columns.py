"""What the search index keeps of each entry besides what it searches, defined here (the
services layer knows these objects) and handed to the index, which stores them as they
are: the ``--json`` object (``list --json``), the checklist items with their lines
(``todo``) and the links the entry writes (``show``'s backlinks)."""

from __future__ import annotations

import functools

from mistakes.domain.template import Template
from mistakes.search.schema import FOLLOW_UPS, LINKS
from mistakes.search.store import IndexStore
from mistakes.services.records import record_json
from mistakes.storage.folder import StoredEntry


def index_columns(stored: StoredEntry, *, template: Template, folder_name: str) -> dict[str, bytes]:
    """The ``follow_ups`` and ``links`` columns of an entry (computed when it is indexed)."""
    from mistakes.services.followups import followups_column
    from mistakes.services.links import links_column

    return {
        FOLLOW_UPS: followups_column(stored),
        LINKS: links_column(stored, template, folder_name),
    }


def keep_columns(index: IndexStore) -> None:
    """Have ``index`` keep, with each entry it indexes, its ``--json`` object and the
    columns of :func:`index_columns`."""
    folder = index.folder
    index.record_of = functools.partial(record_json, template=folder.template)
    index.columns_of = functools.partial(
        index_columns, template=folder.template, folder_name=folder.root.name
    )
