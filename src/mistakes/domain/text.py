"""Text from files shown on a terminal: control characters made visible and inert."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and bidi overrides/isolates
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``\\x1b[31m`` -> ``^[[31m``; bidi overrides -> ``<U+202E>``: nothing reaches the
    terminal as a control sequence, and nothing is silently dropped either."""

    def show(match: re.Match[str]) -> str:
        code = ord(match.group(0))
        if code < 0x20:
            return "^" + chr(code + 0x40)
        if code == 0x7F:
            return "^?"
        return f"<U+{code:04X}>"

    return _UNSAFE.sub(show, text)


def one_line(text: str) -> str:
    """Visible, with line breaks and tabs as spaces (titles, list rows)."""
    return visible(text.replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
