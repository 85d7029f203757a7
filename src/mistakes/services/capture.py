"""Run a command, show its output as it comes, and keep the tail for an entry."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from mistakes.domain.markdown import fenced

TAIL_BYTES = 256 * 1024
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class CaptureResult:
    command: list[str]
    cwd: Path
    exit_code: int
    output_tail: str
    seconds: float
    started: datetime
    host: str

    @property
    def command_line(self) -> str:
        return shlex.join(self.command)

    def output_section(self, lines: int) -> str:
        tail = self.output_tail.rstrip("\n").split("\n")
        shown = tail[-lines:] if lines > 0 else tail
        cut = len(tail) - len(shown)
        note = f" (last {len(shown)} of {len(tail)} lines)" if cut else ""
        body = fenced("\n".join(shown)) if any(s.strip() for s in shown) else "(no output)"
        return f"{body}\n\nExit code {self.exit_code}{note}."

    def steps_section(self) -> str:
        script = f"cd {shlex.quote(str(self.cwd))}\n{self.command_line}"
        when = self.started.isoformat(timespec="seconds")
        return (
            f"{fenced(script, 'bash')}\n\n"
            f"Ran on {self.host} at {when}; exited with code {self.exit_code} "
            f"after {self.seconds:.1f} s."
        )


def clean_output(raw: bytes) -> str:
    """Terminal output as plain text: escape sequences and stray control characters gone."""
    text = raw.decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n")
    # a carriage return redraws the line (progress bars): keep what was drawn last
    text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))
    text = _ANSI.sub("", text)
    return _CONTROL.sub("", text)


def run(command: list[str], echo: BinaryIO | None = None) -> CaptureResult:
    """Run ``command`` with its output merged, echoed to ``echo`` as it arrives."""
    started = datetime.now().astimezone()
    clock = time.monotonic()
    cwd = Path.cwd()
    tail: deque[bytes] = deque()
    size = 0
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except (FileNotFoundError, PermissionError) as exc:
        # what a shell would say and exit with: 127 not found, 126 not executable
        missing = isinstance(exc, FileNotFoundError)
        code = 127 if missing else 126
        message = f"{command[0]}: {'command not found' if missing else 'permission denied'}\n"
        if echo is not None:
            echo.write(message.encode())
            echo.flush()
        return CaptureResult(command, cwd, code, message, 0.0, started, socket.gethostname())
    assert process.stdout is not None
    interrupted = False
    try:
        while True:
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            if echo is not None:
                echo.write(chunk)
                echo.flush()
            tail.append(chunk)
            size += len(chunk)
            while size > TAIL_BYTES and len(tail) > 1:
                size -= len(tail.popleft())
        code = process.wait()
    except KeyboardInterrupt:  # the child got the same Ctrl-C; record what happened
        interrupted = True
        code = process.wait()
    finally:
        process.stdout.close()
    if code < 0:
        code = 128 - code
    if interrupted and code == 0:
        code = 130
    return CaptureResult(
        command,
        cwd,
        code,
        clean_output(b"".join(tail)),
        time.monotonic() - clock,
        started,
        socket.gethostname(),
    )


def default_title(result: CaptureResult, limit: int = 90, command_line: str | None = None) -> str:
    """``CMD failed with exit code N``, the command line cut at ``limit``; pass it
    (``command_line``) already masked: a secret cut in two is no longer recognised."""
    line = result.command_line if command_line is None else command_line
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return f"{line} failed with exit code {result.exit_code}"


def stdout_binary() -> BinaryIO:
    return sys.stdout.buffer
