"""services/links.py: which files check reads again for links."""

from __future__ import annotations

from mistakes.services.links import _names_missing

NAMES = {b"005-pool.md", b"010-dns.md"}


def test_a_file_is_read_again_only_when_a_md_name_is_not_an_entry_file() -> None:
    assert not _names_missing(b"no links at all", NAMES)
    assert not _names_missing(b"- [005](005-pool.md) and mistakes/010-dns.md", NAMES)
    assert _names_missing(b"- [005](005-old-name.md)", NAMES)
    # what the quick look cannot read counts as missing: the file is parsed
    assert _names_missing(b"see deploy/README.md and 005-pool.md", NAMES)
    assert _names_missing(b"- [x](<005-my pool.md>)", NAMES)
    assert _names_missing("- [x](005-caf\u00e9.md)".encode(), NAMES)
