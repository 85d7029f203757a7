"""A labelled set for ``similar``: real error blocks, their look-alikes and realistic pastes.

Used by ``benchmarks/similar_quality.py``; plain Python, no ``mistakes`` imports, so that
the labelled set does not move when the project's search code does.

* :func:`error_blocks` reads the real mistake logs of a corpus folder (``*.md``) and finds
  the code fences and indented blocks that hold an error: a traceback, an exception line
  (``KeyError: 'x'``, ``Uncaught SyntaxError: ...``), an error line (``ERROR: ...``,
  ``Error: ...``, ``npm ERR!``, ``error TS2345: ...``, ``error[E0382]``, ``fatal error:``,
  ``undefined reference to``), an error code (``ORA-00942``, ``SQLSTATE``), an HTTP error
  (``status of 400``, ``502 Bad Gateway``). Its error text is the block itself when the
  block is output (text, log, console ...), and only its error lines when it is code
  (``# AttributeError: no 'connect' method`` in a Python fence). Blocks with the same
  error text (after numbers are folded) are kept once.
* :func:`lookalike` writes another error of the same kind: the same exception type (or
  error prefix / code) with another message and other frames.
* :func:`make_paste` turns an error text into what a new occurrence pasted from a log looks
  like: numbers, ids, paths and timestamps renumbered, one stack frame dropped, and the
  whole inside ordinary log lines (levels, timestamps, request ids), in one of a few shapes.

Everything depends only on the ``random.Random`` passed in.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ErrorBlock",
    "error_blocks",
    "error_kind",
    "language",
    "lookalike",
    "make_paste",
    "text_key",
    "with_stack",
]

MAX_LINES = 30  # an error text longer than this is cut (the tail, where the error is, kept)

# -- finding error lines -----------------------------------------------------------------------

_COMMENT = re.compile(r"^\s*(?:#+|//+|--|;|>|\*)\s?")
_TRAILING_COMMENT = re.compile(r"(?:\s#|\s//)\s*(?P<text>.+)$")
_TRACEBACK = re.compile(r"^Traceback \(most recent call last\):?")
_PY_FRAME = re.compile(r'^\s*File "[^"]+", line \d+(?:, in \S+)?')
_AT_FRAME = re.compile(r"^\s*at \S.*(?:\(\S+:\d+(?::\d+)?\)|:\d+:\d+\)?)\s*$")
_EXC_TYPE = r"(?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Fault|Failure|Warning)"
_EXCEPTION = re.compile(
    r"^(?:Uncaught (?:\(in promise\) )?|Unhandled (?:rejection |exception:? )?|E\s+|"
    r"FAILED .*? - )?"
    rf"(?P<type>{_EXC_TYPE})(?:\s*\[\w+\])?(?::\s*(?P<msg>.*)|\s*\((?P<paren>.*)\)\s*)?$"
)
_ERROR_PREFIX = re.compile(
    r"^(?P<type>npm ERR!(?: code)?|(?:fatal )?error(?: TS\d+|\[E\d+\])?|ERROR|Error|FATAL|Fatal|"
    r"CRITICAL|panic|PANIC|ld|collect2: error|E\d{4})\s*[:!]\s*(?P<msg>.+)$"
)
_OTHER_ERROR = re.compile(
    r"undefined reference to|Segmentation fault|\b(?:ORA|PG|ERR)-\d{3,5}\b|SQLSTATE|"
    r"status(?: code)? (?:of )?[45]\d\d\b|\b[45]\d\d (?:Bad Request|Unauthorized|Forbidden|"
    r"Not Found|Method Not Allowed|Conflict|Internal Server Error|Bad Gateway|Service "
    r"Unavailable|Gateway Timeout)\b|\bHTTP/\d(?:\.\d)? [45]\d\d\b|command not found|"
    r"No such file or directory|Permission denied|Connection refused|exited with code [1-9]"
)
_CODE_START = re.compile(
    r"^\s*(?:raise|except|throw|catch|class|def|import|from|return|if|elif|else|assert|with|"
    r"new|const|let|var|function|async|await|@)\b"
)
_OUTPUT_LANGS = frozenset(
    {
        "",
        "text",
        "txt",
        "log",
        "logs",
        "console",
        "output",
        "shell",
        "sh",
        "bash",
        "zsh",
        "plaintext",
        "pytb",
        "traceback",
        "stderr",
        "stdout",
        "terminal",
        "none",
        "sql",
        "json",
    }
)


@dataclass
class ErrorBlock:
    """One real error from the corpus: where it was, the error text, its kind."""

    source: str  # corpus path, relative
    line: int  # 1-based line of the block's first line in the source
    heading: str  # the nearest heading above the block
    before: str  # the prose just above the block
    after: str  # the prose just below it (often the fix)
    text: str  # the error text (what an entry's Error Messages hold)
    kind: str  # exception type or error prefix: what a look-alike keeps
    message: str  # the message of the main error line (what a look-alike changes)
    frames: int = 0
    lang: str = ""  # the fence's language ('' for none or an indented block)
    sources: list[str] = field(default_factory=list)  # every source that held the same error


def _strip_comment(line: str) -> str:
    return _COMMENT.sub("", line, count=1).strip()


def _error_line(line: str) -> tuple[str, str] | None:
    """(kind, message) when ``line`` (a comment marker stripped) is an error line."""
    text = line.strip()
    if not text or _CODE_START.match(text):
        return None
    match = _EXCEPTION.match(text)
    if match:
        message = match.group("msg") or match.group("paren") or ""
        return match.group("type"), message.strip()
    match = _ERROR_PREFIX.match(text)
    if match:
        return match.group("type"), match.group("msg").strip()
    match = _OTHER_ERROR.search(text)
    if match:
        return match.group(0), text
    return None


def _block_error(lines: list[str], lang: str) -> tuple[list[str], str, str, int] | None:
    """The error lines of a block (all of it when it is output), its kind and message."""
    output = lang.lower() in _OUTPUT_LANGS
    keep: list[str] = []
    kinds: list[tuple[str, str]] = []
    frames = 0
    first = last = -1
    for number, raw in enumerate(lines):
        line = raw.rstrip()
        stripped = line.strip()
        candidates = [stripped]
        if not output:
            candidates.append(_strip_comment(line))
            trailing = _TRAILING_COMMENT.search(line)
            if trailing:
                candidates.append(trailing.group("text").strip())
        found = None
        for text in candidates:
            if _TRACEBACK.match(text) or _PY_FRAME.match(text) or _AT_FRAME.match(text):
                found = ("frame", text)
                if not _TRACEBACK.match(text):
                    frames += 1
                break
            error = _error_line(text)
            if error is not None:
                kinds.append(error)
                found = ("error", text)
                break
        if found is not None:
            if first < 0:
                first = number
            last = number
            if not output:
                keep.append(found[1])
        elif not output and keep and _PY_FRAME.match(lines[number - 1] if number else ""):
            keep.append(line)  # the source line under a Python frame
    if not kinds:
        return None
    if output:
        keep = [line.rstrip() for line in lines[first : last + 1]]
        # the detail lines right after the last error line (``LINE 1: ...``, ``    ^``)
        for line in lines[last + 1 : last + 4]:
            if not line.strip():
                break
            keep.append(line.rstrip())
    keep = [line for line in keep if line.strip()]
    if len(keep) > MAX_LINES:
        keep = keep[-MAX_LINES:]
    # the main error: the last exception line, else the last error line
    kind, message = kinds[-1]
    return keep, kind, message, frames


def text_key(text: str) -> str:
    """What two error texts share when they are the same error: case, numbers and spaces folded."""
    text = re.sub(r"0x[0-9a-fA-F]+|\d+", "0", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def _blocks_of(text: str) -> list[tuple[int, str, list[str]]]:
    """(first line number, language, lines) of every fenced or indented block."""
    lines = text.split("\n")
    out: list[tuple[int, str, list[str]]] = []
    i = 0
    while i < len(lines):
        fence = re.match(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)", lines[i])
        if fence:
            indent, marker, lang = fence.group(1), fence.group(2), fence.group(3)
            body: list[str] = []
            j = i + 1
            while j < len(lines) and not re.match(rf"^\s*{re.escape(marker)}\s*$", lines[j]):
                line = lines[j]
                body.append(line[len(indent) :] if line.startswith(indent) else line)
                j += 1
            out.append((i + 2, lang, body))
            i = j + 1
            continue
        indented = re.match(r"^(?: {4}|\t)\S", lines[i])
        if indented and (i == 0 or not lines[i - 1].strip()):
            body = []
            j = i
            while j < len(lines) and (re.match(r"^(?: {4}|\t)", lines[j]) or not lines[j].strip()):
                body.append(lines[j][4:] if lines[j].startswith("    ") else lines[j][1:])
                j += 1
            # an indented list continuation is prose, not a block: need a non-list line
            if not all(re.match(r"^\s*(?:[-*+]|\d+\.)\s", b) or not b.strip() for b in body):
                out.append((i + 1, "", body))
            i = j
            continue
        i += 1
    return out


def _heading_above(lines: list[str], line: int) -> str:
    in_fence = False
    heading = ""
    for text in lines[: line - 1]:
        if re.match(r"^\s*(`{3,}|~{3,})", text):
            in_fence = not in_fence
        elif not in_fence:
            match = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", text)
            if match:
                heading = match.group(1)
    return heading


def _prose(lines: list[str], limit: int = 600) -> str:
    text = " ".join(line.strip() for line in lines if line.strip())
    return text[:limit].rsplit(" ", 1)[0] if len(text) > limit else text


def _prose_before(lines: list[str], line: int) -> str:
    """The paragraph(s) just above a block (up to a heading, fence or 8 lines)."""
    out: list[str] = []
    for text in reversed(lines[max(0, line - 10) : max(0, line - 2)]):
        if re.match(r"^\s*(#{1,6}\s|`{3,}|~{3,})", text):
            break
        out.insert(0, text)
    return _prose(out)


def _prose_after(lines: list[str], end: int) -> str:
    out: list[str] = []
    for text in lines[end : end + 10]:
        if re.match(r"^\s*(#{1,6}\s|`{3,}|~{3,})", text):
            break
        out.append(text)
    return _prose(out)


def error_blocks(corpus: Path) -> list[ErrorBlock]:
    """Every distinct real error in the ``*.md`` files under ``corpus``, in path order."""
    found: dict[str, ErrorBlock] = {}
    for path in sorted(corpus.rglob("*.md")):
        if path.name == "SOURCES.md":
            continue
        text = path.read_text("utf-8", "replace").replace("\r\n", "\n")
        lines = text.split("\n")
        relative = path.relative_to(corpus).as_posix()
        for first, lang, body in _blocks_of(text):
            error = _block_error(body, lang)
            if error is None:
                continue
            keep, kind, message, frames = error
            error_text = "\n".join(keep).strip("\n")
            words = re.findall(r"[A-Za-z]{3,}", message)
            if len(words) < 2 and frames == 0:
                continue  # ``AssertionError`` alone: nothing says which error it is
            key = text_key(error_text)
            if key in found:
                found[key].sources.append(f"{relative}:{first}")
                continue
            found[key] = ErrorBlock(
                source=relative,
                line=first,
                heading=_heading_above(lines, first),
                before=_prose_before(lines, first),
                after=_prose_after(lines, first + len(body)),
                text=error_text,
                kind=kind,
                message=message,
                frames=frames,
                lang=lang.lower(),
                sources=[f"{relative}:{first}"],
            )
    return list(found.values())


def error_kind(text: str) -> str:
    """The kind of the main error line of ``text`` (the last one), or ''."""
    kind = ""
    for line in text.split("\n"):
        error = _error_line(_strip_comment(line))
        if error is not None:
            kind = error[0]
    return kind


# -- look-alikes ---------------------------------------------------------------------------------

_NAMES = (
    "invoice",
    "tenant",
    "shipment",
    "ledger",
    "voucher",
    "basket",
    "profile",
    "webhook",
    "coupon",
    "schedule",
    "report",
    "session",
    "upload",
    "catalog",
    "refund",
    "quota",
    "region",
    "partner",
    "badge",
    "chart",
    "mailbox",
    "cursor",
    "snapshot",
    "widget",
)
_ATTRS = (
    "owner_id",
    "expires_at",
    "line_items",
    "currency",
    "retry_count",
    "parent",
    "slug",
    "checksum",
    "billing_address",
    "locale",
    "max_size",
    "created_by",
    "display_name",
)
_MESSAGES = (
    "'{name}' object has no attribute '{attr}'",
    "unsupported operand type(s) for +: '{name}' and '{other}'",
    "{name}() takes 2 positional arguments but 3 were given",
    "missing required field '{attr}' in {name} payload",
    "could not convert '{attr}' of {name} to a decimal",
    "the {name} {attr} is out of range for the {other} plan",
    "{other} {name} was closed before the {attr} could be read",
    "duplicate {attr} for {name} in the {other} batch",
    "expected a {name} but received a {other} for {attr}",
    "invalid value for {attr}: the {name} is archived",
    "permission to update {attr} on {name} was withdrawn",
    "cannot resolve {other} for {name} while loading {attr}",
)
_ACTIVITIES = (
    "renaming a {name}",
    "exporting the {name} list",
    "merging two {name} records",
    "reloading {name} settings",
    "archiving an old {name}",
    "importing {name} rows",
)
_LOOKALIKE_FRAMES = (
    ("services/{name}_sync.py", "apply_{name}_change"),
    ("handlers/{name}s.py", "update_{name}"),
    ("jobs/nightly_{name}.py", "run_{name}_batch"),
)


def _fill(template: str, rng: random.Random) -> str:
    name, other = rng.sample(_NAMES, 2)
    return template.format(name=name, other=other, attr=rng.choice(_ATTRS))


def lookalike(block: ErrorBlock, rng: random.Random) -> tuple[str, str, str]:
    """(title, what happened, error text) of another error of the same kind as ``block``:
    the same exception type or error prefix, another message, other frames."""
    message = _fill(rng.choice(_MESSAGES), rng)
    kind = block.kind
    title = f"{kind.split('.')[-1].rstrip(':!')} while {_fill(rng.choice(_ACTIVITIES), rng)}"
    story = (
        f"The {_fill('{name}', rng)} screen failed with {kind} after a routine change; "
        f"it was not related to anything seen before and was fixed the same day."
    )
    lines: list[str] = []
    if block.frames or "Traceback" in block.text:
        lines.append("Traceback (most recent call last):")
        for path, func in rng.sample(_LOOKALIKE_FRAMES, 2):
            name = rng.choice(_NAMES)
            lines.append(
                f'  File "/srv/app/{path.format(name=name)}", line {rng.randint(20, 400)},'
                f" in {func.format(name=name)}"
            )
            lines.append(f"    {func.format(name=name)}(record)")
    if re.match(_EXC_TYPE + "$", kind):
        lines.append(f"{kind}: {message}")
    elif kind.endswith(("!", ":")) or kind.startswith("npm"):
        lines.append(f"{kind} {message}")
    elif _OTHER_ERROR.fullmatch(kind) or " " in kind:
        lines.append(f"{message}: {kind}")
    else:
        lines.append(f"{kind}: {message}")
    return title, story, "\n".join(lines)


# -- pastes --------------------------------------------------------------------------------------

_USERS = ("alice", "bob", "chen", "dana", "eli", "fatima", "gus", "hiro", "ines", "jonas")
_SERVICES = ("api", "worker", "scheduler", "web", "ingest", "gateway", "billing", "jobs")
_ORDINARY = (
    "{level} [{svc}] request_id={rid} GET /v1/orders/{n} 200 {ms}ms",
    "{level} [{svc}] request_id={rid} POST /v1/sessions 201 {ms}ms",
    "{level} [{svc}] worker {n} picked up job {rid}",
    "{level} [{svc}] health check ok in {ms}ms",
    "{level} [{svc}] connected to cache at 10.{a}.{b}.{c}:6379",
    "{level} [{svc}] retrying in {a}s (attempt {b} of 5)",
    "{level} [{svc}] flushed {n} metrics",
    "{level} [{svc}] config reloaded from /etc/{svc}/settings.yaml",
    "{level} [{svc}] span={rid} trace_id={hex} finished",
)
_ERROR_INTRO = (
    "ERROR [{svc}] request_id={rid} Unhandled exception while handling the request",
    "ERROR [{svc}] job {rid} failed",
    "CRITICAL [{svc}] worker crashed, restarting",
    "ERROR [{svc}] request_id={rid} 500 Internal Server Error",
)


def _renumber(text: str, rng: random.Random) -> str:
    """Other numbers, ids, paths and timestamps; error codes (HTTP 404, TS2345, ORA-00942,
    E0382, status 400) and versions stay, as they do when the same error happens again."""

    def digits(match: re.Match[str]) -> str:
        value = match.group(0)
        start, end = match.span()
        before = match.string[max(0, start - 8) : start]
        after = match.string[end : end + 1]
        if not re.search(r"(?:line |:)$", before):  # a line number: always another one
            if re.search(r"[A-Za-z_]$|[A-Z]-$|\.$", before) or after == ".":
                return value  # part of a name, a code (E0382, ORA-00942) or a version
            if len(value) == 3 and value[0] in "45":
                return value  # an HTTP status
            if re.search(
                r"(?:status|code|errno|exit|HTTP|port)\s*(?:code|of)?\s*[:=]?\s*$", before, re.I
            ):
                return value
        width = len(value)
        low = 10 ** (width - 1) if width > 1 else 0
        new = value
        for _ in range(5):
            new = str(rng.randint(low, 10**width - 1))
            if new != value:
                break
        return new

    text = re.sub(
        r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        lambda _m: _uuid(rng),
        text,
    )
    text = re.sub(r"\b0x[0-9a-fA-F]{4,}\b", lambda _m: "0x" + _hex(rng, 12), text)

    def user(match: re.Match[str]) -> str:
        others = [u for u in _USERS if u != match.group(2)]
        return f"{match.group(1)}/{rng.choice(others)}"

    text = re.sub(r"(/home|/Users)/([\w.-]+)", user, text)
    text = re.sub(r"/tmp/[\w.-]+", lambda _m: f"/tmp/tmp{_hex(rng, 8)}", text)
    return re.sub(r"\d+", digits, text)


def _hex(rng: random.Random, width: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(width))


def _uuid(rng: random.Random) -> str:
    return "-".join(_hex(rng, width) for width in (8, 4, 4, 4, 12))


def _drop_frame(lines: list[str], rng: random.Random) -> tuple[list[str], bool]:
    """The lines with one stack frame (a Python frame with its source line) left out."""
    frames = [i for i, line in enumerate(lines) if _PY_FRAME.match(line) or _AT_FRAME.match(line)]
    if len(frames) < 2:
        return lines, False
    i = rng.choice(frames)
    end = i + 1
    if (
        _PY_FRAME.match(lines[i])
        and end < len(lines)
        and lines[end].startswith(" ")
        and not _PY_FRAME.match(lines[end])
        and not _AT_FRAME.match(lines[end])
    ):
        end += 1
    return lines[:i] + lines[end:], True


def _log_line(template: str, rng: random.Random, stamp: str, level: str) -> str:
    values = {
        "level": level,
        "svc": rng.choice(_SERVICES),
        "rid": _hex(rng, 12),
        "hex": _hex(rng, 16),
        "n": rng.randint(1000, 99999),
        "ms": rng.randint(2, 900),
        "a": rng.randint(1, 9),
        "b": rng.randint(1, 250),
        "c": rng.randint(1, 250),
    }
    return f"{stamp} {template.format(**values)}"


_PY_ONLY = frozenset(
    {
        "KeyError",
        "NameError",
        "AttributeError",
        "ValueError",
        "AssertionError",
        "ImportError",
        "ModuleNotFoundError",
        "ZeroDivisionError",
        "IndexError",
        "RuntimeError",
        "OSError",
    }
)
_APP_FRAMES = (
    ("/srv/app/{pkg}/handlers.py", "handle", "result = self.process(payload)"),
    ("/srv/app/{pkg}/service.py", "process", "return self.runner.execute(workflow, inputs)"),
    ("/srv/app/{pkg}/tasks.py", "run_task", "outcome = task.run(**params)"),
    ("/srv/app/{pkg}/pipeline.py", "step", "data = stage(data)"),
    (
        "/home/{user}/.venv/lib/python3.12/site-packages/{pkg}/core.py",
        "execute",
        "return fn(*args, **kwargs)",
    ),
)
_PKGS = ("orders", "billing", "workflows", "reports", "ingest", "accounts")
_JS_FRAMES = (
    "at processTicksAndRejections (node:internal/process/task_queues:95:5)",
    "at async Server.handler (/srv/app/{pkg}/server.js:{n}:{m})",
    "at Object.run (/srv/app/{pkg}/index.js:{n}:{m})",
    "at Module._compile (node:internal/modules/cjs/loader:1256:14)",
)


def language(block: ErrorBlock) -> str:
    """'python', 'js' or '' (no stack to make up) for the error of ``block``."""
    kind = block.kind
    if block.frames or "Traceback" in block.text:
        return ""
    if block.lang in ("python", "py") or kind in _PY_ONLY or "." in kind:
        return "python" if re.match(_EXC_TYPE + "$", kind) else ""
    if block.lang in ("typescript", "ts", "javascript", "js", "tsx", "jsx") or kind in (
        "Error",
        "TypeError",
        "SyntaxError",
        "ReferenceError",
    ):
        return "js" if block.text.lstrip().startswith(kind) else ""
    return ""


def with_stack(text: str, lang: str, rng: random.Random) -> str:
    """The error as the program prints it: a Python traceback above the exception line
    (sometimes chained, "During handling of the above exception ..."), or JavaScript
    ``at`` frames below the error line. Corpus write-ups keep only the error line."""
    pkg = rng.choice(_PKGS)
    if lang == "python":
        lines = ["Traceback (most recent call last):"]
        for path, func, source in sorted(rng.sample(_APP_FRAMES, rng.randint(2, 4))):
            path = path.format(pkg=pkg, user=rng.choice(_USERS))
            lines.append(f'  File "{path}", line {rng.randint(10, 900)}, in {func}')
            lines.append(f"    {source}")
        lines.append(text)
        if rng.random() < 0.35:
            lines += [
                "",
                "During handling of the above exception, another exception occurred:",
                "",
                "Traceback (most recent call last):",
                f'  File "/srv/app/{pkg}/worker.py", line {rng.randint(10, 900)}, in run',
                "    raise JobFailed(job_id) from exc",
                f"{pkg}.errors.JobFailed: job {rng.randint(1000, 99999)} failed",
            ]
        return "\n".join(lines)
    if lang == "js":
        first, *rest = text.split("\n")
        frames = [
            "    " + frame.format(pkg=pkg, n=rng.randint(10, 400), m=rng.randint(2, 40))
            for frame in rng.sample(_JS_FRAMES, rng.randint(2, 4))
        ]
        return "\n".join([first, *frames, *rest])
    return text


def make_paste(text: str, rng: random.Random, lang: str = "") -> tuple[str, list[str]]:
    """A new occurrence of the error in ``text`` as pasted from a log, and what was changed.
    ``lang`` ('python', 'js'): the program prints a stack with it (see :func:`with_stack`)."""
    changes: list[str] = []
    if lang:
        text = with_stack(text, lang, rng)
        changes.append(f"{lang} stack")
    renumbered = _renumber(text, rng)
    if renumbered != text:
        changes.append("renumbered")
    lines, dropped = _drop_frame(renumbered.split("\n"), rng)
    if dropped:
        changes.append("frame dropped")
    hour, minute = rng.randint(0, 23), rng.randint(0, 59)
    day = f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def stamp(offset: int) -> str:
        second = min(59, offset * 3)
        return f"{day}T{hour:02d}:{minute:02d}:{second:02d}.{rng.randint(0, 999):03d}Z"

    before = [
        _log_line(rng.choice(_ORDINARY), rng, stamp(i), rng.choice(("INFO", "INFO", "DEBUG")))
        for i in range(rng.randint(2, 5))
    ]
    after = [
        _log_line(rng.choice(_ORDINARY), rng, stamp(10 + i), rng.choice(("INFO", "WARN")))
        for i in range(rng.randint(1, 3))
    ]
    shape = rng.choice(("plain", "prefixed", "compose"))
    intro = _log_line(rng.choice(_ERROR_INTRO), rng, stamp(6), "")
    if shape == "prefixed":  # every line of the error carries the logger's prefix
        prefix = f"{stamp(7)} ERROR [{rng.choice(_SERVICES)}] "
        body = [prefix + line for line in lines]
    elif shape == "compose":  # docker compose: "service-1  | line" on every line
        service = f"{rng.choice(_SERVICES)}-1"
        before = [f"{service}  | {line}" for line in before]
        after = [f"{service}  | {line}" for line in after]
        intro = f"{service}  | {intro}"
        body = [f"{service}  | {line}" for line in lines]
    else:
        body = lines
    changes.append(f"wrapped ({shape})")
    return "\n".join([*before, intro, *body, *after]) + "\n", changes
