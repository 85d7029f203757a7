"""Bytes written to the terminal per typed character, read through a pseudo-terminal.

An app runs in a child process on the slave side of a pty (``os.forkpty``), 80x24 set with
``TIOCSWINSZ`` before the program starts, ``TERM=xterm-256color`` and no ``COLORTERM`` (what
an SSH session usually carries: ``TERM`` is sent, ``COLORTERM`` is not, so Textual uses 256
colours). Everything the app writes is read from the master side, as an SSH server would
read it to send it down the link. Nothing answers the terminal queries the app sends (a
terminal that answers them may get synchronized-output markers around each frame: a few
bytes more per frame, for both apps alike).

A key's bytes are everything read from the moment the key is written until the output has
been quiet for ``QUIET_S`` (frames come at most 60 a second), or ``CAP_S`` after the key:
the cursor of a focused Input blinks every 0.5 s, its timer restarted by each key, so a
window shorter than that holds the key's own repaint and no blink.

``decode`` splits a capture into the screen places it rewrites (cursor moves ``ESC[r;cH``
and the text and styles after each), which is how the report says what a key repaints.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import shutil
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "KEYS",
    "Pty",
    "Region",
    "decode",
    "measure_app",
    "measure_bare_input",
    "plain",
    "rewritten",
    "type_keys",
]

QUIET_S = 0.1
CAP_S = 0.45
KEYS = {
    "enter": b"\r",
    "ctrl+n": b"\x0e",
    "ctrl+q": b"\x11",
    "ctrl+pageup": b"\x1b[5;5~",
    "ctrl+pagedown": b"\x1b[6;5~",
    "end": b"\x1b[F",
}

_CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")
_SGR = re.compile(rb"\x1b\[[0-9;:]*m")


def plain(data: bytes) -> str:
    """The text of a capture, escape sequences removed."""
    return _CSI.sub(b"", data).decode("utf-8", "replace")


class Pty:
    """A program on the slave side of a pseudo-terminal of ``size`` (columns, rows)."""

    def __init__(
        self, argv: Sequence[str], env: Mapping[str, str], size: tuple[int, int] = (80, 24)
    ) -> None:
        columns, rows = size
        pid, fd = os.forkpty()
        if pid == 0:  # the child: size the terminal before the program asks for it
            try:
                winsize = struct.pack("HHHH", rows, columns, 0, 0)
                fcntl.ioctl(0, termios.TIOCSWINSZ, winsize)
                os.execve(argv[0], list(argv), dict(env))
            finally:
                os._exit(127)
        self.pid = pid
        self.fd = fd
        self.seen = b""  # everything read so far
        self.exited = False

    def read(self, timeout: float) -> bytes:
        """What arrives within ``timeout`` seconds (b"" if nothing or the program ended)."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the slave side is closed
            self.exited = True
            return b""
        if not data:
            self.exited = True
        self.seen += data
        return data

    def drain(self, seconds: float) -> bytes:
        """Everything written in the next ``seconds``."""
        out = b""
        deadline = time.monotonic() + seconds
        while not self.exited and (left := deadline - time.monotonic()) > 0:
            out += self.read(left)
        return out

    def wait_for(self, text: str, timeout: float) -> bool:
        """Read until ``text`` shows in the plain text written since the call."""
        start = len(self.seen)
        deadline = time.monotonic() + timeout
        while not self.exited and time.monotonic() < deadline:
            self.read(min(0.2, deadline - time.monotonic()))
            if text in plain(self.seen[start:]):
                return True
        return False

    def key(self, data: bytes, quiet: float = QUIET_S, cap: float = CAP_S) -> bytes:
        """Send a key; its output, until quiet for ``quiet`` s or ``cap`` s after sending."""
        self.read(0)  # (nothing should be pending; what is, is not this key's)
        os.write(self.fd, data)
        sent = time.monotonic()
        out = b""
        last = sent
        while not self.exited:
            now = time.monotonic()
            if now - sent >= cap or (out and now - last >= quiet):
                break
            wait = cap - (now - sent)
            if out:
                wait = min(wait, quiet - (now - last))
            chunk = self.read(wait)
            if chunk:
                out += chunk
                last = time.monotonic()
        return out

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def close(self) -> None:
        """End the program (SIGTERM, then SIGKILL) and reap it."""
        for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                self.read(0.05)  # keep the pty drained so the program can exit
                done, _ = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    os.close(self.fd)
                    return
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def type_keys(pty: Pty, text: str) -> list[bytes]:
    """Type ``text`` a character at a time; the bytes written for each."""
    return [pty.key(char.encode()) for char in text]


@dataclass
class Region:
    """One place a capture writes to: a cursor move and what follows it."""

    row: int  # 1-based, as in the escape sequence
    column: int
    text: str  # the visible characters written there
    size: int  # bytes, the move included
    styles: int  # SGR sequences among them
    style_bytes: int = 0
    other: list[str] = field(default_factory=list)  # other escape sequences in it


def decode(data: bytes) -> list[Region]:
    """The screen places a capture rewrites, in order (bytes before the first move are
    reported at row 0)."""
    regions: list[Region] = []
    moves = list(_MOVE.finditer(data))
    starts = [(0, 0, 0)] + [(m.start(), int(m.group(1)), int(m.group(2))) for m in moves]
    for i, (start, row, column) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(data)
        chunk = data[start:end]
        if not chunk:
            continue
        styles = _SGR.findall(chunk)
        others = [
            s.decode("ascii", "replace")
            for s in _CSI.findall(chunk)
            if not _SGR.fullmatch(s) and not _MOVE.fullmatch(s)
        ]
        regions.append(
            Region(
                row=row,
                column=column,
                text=plain(chunk),
                size=len(chunk),
                styles=len(styles),
                style_bytes=sum(len(s) for s in styles),
                other=others,
            )
        )
    return regions


def rewritten(data: bytes) -> list[dict[str, Any]]:
    """What one key's bytes rewrite, by screen place: regions at the same column on
    consecutive rows are one place (``rows`` "4-17"), listed again when painted again; a
    line end after a region (``\\r\\n``) or a bare cursor move on its row counts to it."""
    places: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    last_row = -1
    for region in decode(data):
        if current is not None and not region.text.strip("\r\n") and region.row == last_row:
            current["bytes"] += region.size  # the line end after the region, or a move
            continue
        if (
            current is not None
            and region.column == current["column"]
            and region.row == last_row + 1
        ):
            current["bytes"] += region.size
            current["last"] = region.row
            current["styles"] += region.styles
        else:
            current = {
                "first": region.row,
                "last": region.row,
                "column": region.column,
                "bytes": region.size,
                "styles": region.styles,
                "text": region.text.strip("\r\n")[:40],
            }
            places.append(current)
        last_row = region.row
    for place in places:
        first, last = place.pop("first"), place.pop("last")
        place["rows"] = str(first) if first == last else f"{first}-{last}"
    return places


def _env(xdg: Mapping[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("COLORTERM", "NO_COLOR", "FORCE_COLOR", "TEXTUAL", "TEXTUAL_DRIVER")
        and not k.startswith("MISTAKES_")
    }
    env.update(xdg)
    env["TERM"] = "xterm-256color"
    for name in ("COLUMNS", "LINES"):  # the pty's size is what counts
        env.pop(name, None)
    return env


@dataclass
class KeyBytes:
    """Bytes per typed character of one app, and what a typical key rewrote."""

    per_char: list[int] = field(default_factory=list)
    sample: bytes = b""  # the bytes of the key of median size
    start_bytes: int = 0  # written from the start until the field had the focus
    errors: list[str] = field(default_factory=list)

    def figures(self, prefix: str) -> dict[str, Any]:
        sizes = self.per_char
        ordered = sorted(sizes)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if sizes else 0
        return {
            f"{prefix}_median_b": statistics.median(sizes) if sizes else float("nan"),
            f"{prefix}_p95_b": p95 if sizes else float("nan"),
            f"{prefix}_all_b": sizes,
            f"{prefix}_start_b": self.start_bytes,
            f"{prefix}_rewrites": rewritten(self.sample),
            f"{prefix}_errors": self.errors,
        }


def _typed(pty: Pty, text: str, out: KeyBytes) -> None:
    """Warm up (until a key's echo is an echo, not a late first paint), then type."""
    for _ in range(5):
        warm = pty.key(b"w", cap=30.0)
        pty.drain(0.6)
        if 0 < len(warm) < 5000:
            break
    else:
        out.errors.append("the field never echoed a key")
        return
    out.start_bytes = len(pty.seen)
    captures = type_keys(pty, text)
    out.per_char = [len(c) for c in captures]
    silent = sum(1 for c in captures if not c)
    if silent:
        out.errors.append(f"{silent} of {len(captures)} keys wrote nothing within {CAP_S} s")
    by_size = sorted(captures, key=len)
    out.sample = by_size[len(by_size) // 2] if by_size else b""


def measure_app(
    folder: Path, xdg: Mapping[str, str], text: str, timeout: float = 120.0
) -> KeyBytes:
    """The real ``mistakes`` app (``python -m mistakes --dir FOLDER``) in a pty: wait for
    the entries to be listed, press ctrl+n (a new entry: the cursor in its empty title
    field, an Input like the bare one) and type ``text`` a character at a time."""
    out = KeyBytes()
    data = tempfile.mkdtemp(prefix="pty-data-")  # no draft from one run offered to the next
    env = _env({**xdg, "XDG_DATA_HOME": data})
    pty = Pty([sys.executable, "-m", "mistakes", "--dir", str(folder)], env)
    try:
        if not pty.wait_for("newest of", timeout):
            out.errors.append(f"entries not listed in {timeout:.0f} s: {plain(pty.seen)[-200:]!r}")
            return out
        pty.drain(1.5)  # the form is built (hidden) 0.3 s after the listing
        pty.send(KEYS["ctrl+n"])
        if not pty.wait_for("Details", timeout):  # the form's first tab (the topbar may
            # be cut short by a long folder path)
            out.errors.append(f"no new entry shown in {timeout:.0f} s")
            return out
        pty.drain(1.0)
        _typed(pty, text, out)
    finally:
        pty.close()
        shutil.rmtree(data, ignore_errors=True)
    return out


def measure_bare_input(text: str, compact: bool = False, timeout: float = 60.0) -> KeyBytes:
    """``bare_apps.BareInput`` (an App with one default Input), or ``BareCompactInput``,
    in the same pty setup."""
    out = KeyBytes()
    script = Path(__file__).resolve().parent / "bare_apps.py"
    which = "compact-input" if compact else "input"
    pty = Pty([sys.executable, str(script), which], _env({}))
    try:
        # the border of the Input, or the compact one's placeholder, is painted
        if not pty.wait_for("Title" if compact else "\u258a", timeout):
            out.errors.append(f"the bare Input was not shown in {timeout:.0f} s")
            return out
        pty.drain(1.0)
        _typed(pty, text, out)
    finally:
        pty.close()
    return out
