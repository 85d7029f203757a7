"""The content hash that tells whether a file changed since it was read."""

from __future__ import annotations

import hashlib


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
