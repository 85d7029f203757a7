"""Drafts: unsaved changes kept in the user's data directory, so nothing typed is lost.

One JSON file per open entry (or new entry), written atomically every few seconds while
typing and on SIGHUP/SIGTERM; the next start offers to restore or discard them.

Each folder has its own store (named by a hash of its path): with several folders open, a
draft is kept in the store of the folder it is for (a new entry's: the folder chosen for
it), so it is offered whenever that folder is open, in any order or alone.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mistakes.domain.entry import Entry, entry_from_dict, entry_to_dict
from mistakes.storage.atomic import write_atomic


@dataclass
class Draft:
    key: str
    path: Path | None  # the entry's file, None for a new entry
    digest: str | None  # content hash of the file the draft was based on
    entry: Entry
    saved_at: float
    file: Path
    base: Entry | None = None  # the entry as read when editing began (None: not known)
    folder: Path | None = None  # a new entry's folder, the one chosen (None: the first)

    @property
    def title(self) -> str:
        return self.entry.title or "(untitled)"


def _store_dir(data_dir: Path, folder: Path) -> Path:
    return data_dir / "drafts" / hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:20]


class DraftStore:
    """The drafts of ``folder`` (and of ``others``: the other folders open with it)."""

    def __init__(self, data_dir: Path, folder: Path, others: Sequence[Path] = ()) -> None:
        self.data_dir = data_dir
        self.dir = _store_dir(data_dir, folder)
        self._dirs = [self.dir, *(_store_dir(data_dir, f) for f in others)]

    def save(
        self,
        key: str,
        path: Path | None,
        digest: str | None,
        entry: Entry,
        durable: bool = True,
        base: Entry | None = None,
        folder: Path | None = None,
    ) -> Path:
        """Keep the draft in the store of ``folder`` (the entry's own, else the first);
        a draft of that key in another folder's store is replaced."""
        if folder is None and path is not None:
            folder = path.parent
        store = self.dir if folder is None else _store_dir(self.data_dir, folder)
        store.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = store / f"{key}.json"
        data = {
            "key": key,
            "path": str(path) if path is not None else None,
            "digest": digest,
            "saved_at": time.time(),
            "entry": entry_to_dict(entry),
            "base": entry_to_dict(base) if base is not None else None,
        }
        if path is None and folder is not None:  # a new entry's folder (an entry's: its file's)
            data["folder"] = str(folder)
        payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
        write_atomic(target, payload, durable=durable, mode=0o600)
        for other in self._dirs:
            if other != store:
                (other / f"{key}.json").unlink(missing_ok=True)
        return target

    def discard(self, key: str) -> None:
        for store in self._dirs:
            (store / f"{key}.json").unlink(missing_ok=True)

    def get(self, key: str) -> Draft | None:
        return next((d for d in self.all() if d.key == key), None)

    def all(self) -> list[Draft]:
        """Every open folder's drafts (the first folder's first)."""
        drafts: list[Draft] = []
        for store in dict.fromkeys(self._dirs):
            drafts += self._read(store)
        return drafts

    def _read(self, store: Path) -> list[Draft]:
        if not store.is_dir():
            return []
        drafts = []
        for file in sorted(store.glob("*.json")):
            try:
                data: dict[str, Any] = json.loads(file.read_text("utf-8"))
                drafts.append(
                    Draft(
                        key=str(data["key"]),
                        path=Path(data["path"]) if data.get("path") else None,
                        digest=data.get("digest"),
                        entry=entry_from_dict(data["entry"]),
                        saved_at=float(data.get("saved_at", 0)),
                        file=file,
                        base=entry_from_dict(data["base"]) if data.get("base") else None,
                        folder=Path(data["folder"]) if data.get("folder") else None,
                    )
                )
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue  # a draft we cannot read is left where it is, for a person to see
        return drafts
