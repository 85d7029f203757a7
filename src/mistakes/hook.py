"""Uncaught exceptions and logged errors, followed by the past entries they match.

``import mistakes.hook`` installs the hook (with the folder of ``$MISTAKES_DIR``, else
``./mistakes``); ``mistakes.hook.install(dir="docs/mistakes")`` installs it, or points it
at another folder. It chains ``sys.excepthook`` and ``threading.excepthook``: the usual
traceback is printed first, by whatever hook was there before, and then, on stderr, a
``seen before: 019 Title… fix: …`` line per past entry like it. ``uninstall()`` puts the
previous hooks back.

``mistakes.hook.Handler`` is a logging handler that does the same for records at ERROR
and above that carry exception info (``log.exception(...)``)::

    logging.getLogger().addHandler(mistakes.hook.Handler(dir="docs/mistakes"))

Nothing in here may hide or replace the original traceback: any failure inside (a missing
or broken folder, a damaged index) is silent. Importing this module loads no search code;
the folder and its index are opened at the first exception, once per process, and each
distinct traceback is looked up once.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar, TextIO

if TYPE_CHECKING:  # pragma: no cover - for the type checker only
    from mistakes.services.lookup import FailureLookup

__all__ = ["Handler", "close", "install", "seen_before", "uninstall"]


class _State:
    folder: str | Path | None = None
    lookups: ClassVar[dict[str, FailureLookup]] = {}  # by folder: one index opened per folder
    previous_excepthook: object = None
    previous_threading_hook: object = None
    guard = threading.Lock()


def seen_before(text: str, folder: str | Path | None = None) -> list[str]:
    """``seen before: ...`` lines for a traceback's text; [] on any failure (silent)."""
    try:
        with _State.guard:
            wanted = _State.folder if folder is None else folder
            lookup = _State.lookups.get(str(wanted))
            if lookup is None:
                from mistakes.services.lookup import FailureLookup

                if not _State.lookups:
                    atexit.register(close)
                lookup = _State.lookups[str(wanted)] = FailureLookup(wanted)
        return lookup.seen_before(text)
    except Exception:
        return []


def close() -> None:
    """Close the indexes the lookups opened (done at exit too)."""
    for lookup in list(_State.lookups.values()):
        with contextlib.suppress(Exception):
            lookup.close()
    _State.lookups.clear()


def _write(lines: list[str], stream: TextIO | None = None) -> None:
    if not lines:
        return
    try:
        out = stream if stream is not None else sys.stderr
        if out is None:
            return
        out.write("".join(f"{line}\n" for line in lines))
        out.flush()
    except Exception:
        pass


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    previous = _State.previous_excepthook
    hook = previous if callable(previous) else sys.__excepthook__
    try:
        hook(exc_type, exc, tb)  # the usual traceback, first and whole
    finally:
        if not issubclass(exc_type, KeyboardInterrupt):
            _after(exc_type, exc, tb)


def _threading_hook(args: threading.ExceptHookArgs) -> None:
    previous = _State.previous_threading_hook
    hook = previous if callable(previous) else threading.__excepthook__
    try:
        hook(args)
    finally:
        if args.exc_type is not SystemExit and args.exc_value is not None:
            _after(args.exc_type, args.exc_value, args.exc_traceback)


def _after(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    try:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
    except Exception:
        return
    _write(seen_before(text))


def install(dir: str | Path | None = None) -> None:
    """Chain ``sys.excepthook`` and ``threading.excepthook`` (once; a second call only
    changes the folder). ``dir``: the entries folder (None: ``$MISTAKES_DIR``, else
    ``./mistakes``)."""
    with _State.guard:
        _State.folder = dir
        if sys.excepthook is not _excepthook:
            _State.previous_excepthook = sys.excepthook
            sys.excepthook = _excepthook
        if threading.excepthook is not _threading_hook:
            _State.previous_threading_hook = threading.excepthook
            threading.excepthook = _threading_hook


def uninstall() -> None:
    """Put back the hooks that were there before :func:`install`."""
    with _State.guard:
        if sys.excepthook is _excepthook:
            previous = _State.previous_excepthook
            sys.excepthook = previous if callable(previous) else sys.__excepthook__
        if threading.excepthook is _threading_hook:
            previous = _State.previous_threading_hook
            threading.excepthook = previous if callable(previous) else threading.__excepthook__


class Handler(logging.Handler):
    """A logging handler: for each record at ERROR or above with exception info, the
    ``seen before`` lines of its traceback on ``stream`` (stderr). It prints nothing
    else: the record itself is printed by the handlers that print records."""

    def __init__(
        self,
        dir: str | Path | None = None,
        level: int = logging.ERROR,
        stream: TextIO | None = None,
    ) -> None:
        super().__init__(level=max(level, logging.ERROR))
        self.folder = dir
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.levelno < logging.ERROR or not record.exc_info:
                return
            exc_type, exc, tb = record.exc_info
            if exc_type is None or exc is None:
                return
            text = "".join(traceback.format_exception(exc_type, exc, tb))
            folder = self.folder if self.folder is not None else _State.folder
            _write(seen_before(text, folder), self.stream)
        except Exception:  # a handler must not raise into the program that logs
            pass


install()
