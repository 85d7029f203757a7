"""Messages of the save, draft and outside-change flows (posted by thread workers).

``FolderChanged`` is posted to the app after the folder watch saw entry files added, changed
or removed (the index is already in step); the app refreshes the sidebar's results.
``OpenFileChanged``: the open entry's file no longer holds what the form was read from.
``DraftsFound``: drafts worth offering at start, or after a restored one was dealt with.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from mistakes.services.drafts import Draft
from mistakes.services.watch import FolderChanges
from mistakes.storage.folder import StoredEntry


@dataclass
class FolderChanged(Message):
    changes: FolderChanges


@dataclass
class OpenFileChanged(Message):
    stored: StoredEntry  # the entry as the app had it when the change was seen
    gone: bool  # deleted (or renamed away), not changed


@dataclass
class DraftsFound(Message):
    drafts: list[Draft]
