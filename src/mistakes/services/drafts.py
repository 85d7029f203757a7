"""Drafts: unsaved changes kept in the user's data directory, so nothing typed is lost.

One JSON file per open entry (or new entry), written atomically every few seconds while
typing and on SIGHUP/SIGTERM; the next start offers to restore or discard them.
"""

from __future__ import annotations

import hashlib
import json
import time
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

    @property
    def title(self) -> str:
        return self.entry.title or "(untitled)"


class DraftStore:
    def __init__(self, data_dir: Path, folder: Path) -> None:
        key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:20]
        self.dir = data_dir / "drafts" / key

    def save(
        self,
        key: str,
        path: Path | None,
        digest: str | None,
        entry: Entry,
        durable: bool = True,
        base: Entry | None = None,
    ) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self.dir / f"{key}.json"
        data = {
            "key": key,
            "path": str(path) if path is not None else None,
            "digest": digest,
            "saved_at": time.time(),
            "entry": entry_to_dict(entry),
            "base": entry_to_dict(base) if base is not None else None,
        }
        payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
        write_atomic(target, payload, durable=durable, mode=0o600)
        return target

    def discard(self, key: str) -> None:
        (self.dir / f"{key}.json").unlink(missing_ok=True)

    def get(self, key: str) -> Draft | None:
        return next((d for d in self.all() if d.key == key), None)

    def all(self) -> list[Draft]:
        if not self.dir.is_dir():
            return []
        drafts = []
        for file in sorted(self.dir.glob("*.json")):
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
                    )
                )
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue  # a draft we cannot read is left where it is, for a person to see
        return drafts
