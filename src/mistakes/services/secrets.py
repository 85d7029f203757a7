"""Secrets kept out of entry files: cloud keys, private keys, tokens, passwords in URLs and
``password=``/``secret=`` pairs are masked as ``[REDACTED:kind]`` before text reaches a file.

The patterns are the plugins of Yelp's ``detect-secrets`` (maintained, and what many teams
already run in pre-commit), used for their regular expressions only: nothing here reads a
settings file, a baseline or the network (the plugins' ``verify`` is never called). Their
high-entropy plugins are left out on purpose: they take hex ids, git SHAs and hashes in
tracebacks for secrets, and a traceback must reach the file as it was. ``IPPublicDetector``
is left out too: an address is not a secret, and error logs are full of them.

What is added to the plugins: the places of what they find (they yield values; the
masking needs spans), a private key masked from its ``BEGIN`` line to its ``END`` line
(the plugin sees the header only), a ``password=`` value cut at the first space, ``&``
or ``;`` (the plugin's pattern runs to the end of the line), and detect-secrets' own
heuristic filters against code that only names a secret (``password = get_password()``,
``${SECRET}``, ``$PASSWORD``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

MASK = "[REDACTED:{kind}]"
# the kind named in the mask, by detect-secrets' secret_type
_KINDS = {
    "AWS Access Key": "aws-key",
    "Azure Storage Account access key": "azure-storage-key",
    "Basic Auth Credentials": "url-password",
    "Private Key": "private-key",
    "Secret Keyword": "secret",
    "JSON Web Token": "jwt",
    "NPM tokens": "npm-token",
}
# the patterns whose group 1 is the secret itself, after the name that announces it
_VALUE_GROUP = {"aws-key": 1, "url-password": 1, "npm-token": 1}
_PRIVATE_KEY_BEGIN = re.compile(r"-+ ?BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-+")
_PRIVATE_KEY_END = re.compile(
    r"-+ ?END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-+|^Private-MAC: *\S*", re.MULTILINE
)
_JWT_TAIL = re.compile(r"[A-Za-z0-9_.+/=-]*")
_STEMS = re.compile("key|pass|pwd|secret|contras")
_VALUE_END = re.compile(r"[\s&;,]")
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_SNAKE_NAME = re.compile(r"[a-z]+(?:_[a-z]+)+")
_PLACEHOLDERS = frozenset({"redacted", "changeme", "secret", "password", "hidden", "pass"})
_NOT_SECRETS = frozenset({"none", "null", "nil", "true", "false", "undefined", "str", "bytes"})


@dataclass(frozen=True)
class Found:
    """One secret: where it is in the text (``start``/``end``), its kind, its line (1-based)."""

    start: int
    end: int
    kind: str
    line: int


@dataclass(frozen=True)
class Masked:
    """Text with its secrets masked, and how many of each kind were."""

    text: str
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.kinds.values())

    def summary(self) -> str:
        """``masked 2 secrets (aws-key, url-password)``; "" when none were."""
        if not self.count:
            return ""
        noun = "secret" if self.count == 1 else "secrets"
        return f"masked {self.count} {noun} ({', '.join(sorted(self.kinds))})"


# a word every match of a pattern holds, by the start of the pattern: the pattern runs
# only on the lines that have it (a hex-heavy log cost the Mailchimp pattern alone 150 ms
# a megabyte, for a "-us" that a log seldom has). Searched in the text as written when it
# has capitals, else in the lowered text.
_NEEDLES = {
    "xox": "xox",
    "https://hooks": "hooks.slack.com",
    "(?:r|s)k_live_": "k_live_",
    "[0-9a-z]{32}-us": "-us",
    '(?:\\s|=|:|"|^)AKC': "AKC",
    '(?:\\s|=|:|"|^)AP': "AP",
    "aws.": "aws",
    "eyJ": "eyj",
    "SG\\.": "sg.",
    "\\/\\/.+\\/:_authToken": "_authtoken",
    "AccountKey=": "accountkey=",
    "sq0csp-": "sq0csp-",
    "pypi-": "pypi-",
    "sk-": "t3blbkfj",
}


@dataclass(frozen=True)
class _Detector:
    kind: str
    patterns: tuple[tuple[re.Pattern[str], str], ...]  # with its needle ("": none)
    valid: Callable[[str], bool] | None = None  # the plugin's own check of a match


@cache
def _detectors() -> tuple[_Detector, ...]:
    """The detect-secrets plugins used, imported on first use (about 70 ms: it pulls in
    ``requests``), so that commands and the app that never mask pay nothing."""
    from detect_secrets.plugins import (
        artifactory,
        aws,
        azure_storage_key,
        basic_auth,
        discord,
        github_token,
        gitlab_token,
        jwt,
        mailchimp,
        npm,
        openai,
        private_key,
        pypi_token,
        sendgrid,
        slack,
        square_oauth,
        stripe,
        telegram_token,
        twilio,
    )

    plugins: list[Any] = [
        aws.AWSKeyDetector,
        azure_storage_key.AzureStorageKeyDetector,
        private_key.PrivateKeyDetector,
        basic_auth.BasicAuthDetector,
        github_token.GitHubTokenDetector,
        gitlab_token.GitLabTokenDetector,
        slack.SlackDetector,
        stripe.StripeDetector,
        openai.OpenAIDetector,
        pypi_token.PypiTokenDetector,
        npm.NpmDetector,
        sendgrid.SendGridDetector,
        twilio.TwilioKeyDetector,
        mailchimp.MailchimpDetector,
        discord.DiscordBotTokenDetector,
        telegram_token.TelegramBotTokenDetector,
        square_oauth.SquareOAuthDetector,
        jwt.JwtTokenDetector,
        artifactory.ArtifactoryDetector,
    ]
    detectors = []
    for plugin in plugins:
        secret_type = str(plugin.secret_type)
        kind = _KINDS.get(secret_type) or re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-")
        valid = getattr(plugin, "is_formally_valid", None)  # JWT: its parts must decode
        patterns = tuple((pattern, _needle(pattern)) for pattern in plugin.denylist)
        detectors.append(_Detector(kind, patterns, valid))
    return tuple(detectors)


def _needle(pattern: re.Pattern[str]) -> str:
    for start, needle in _NEEDLES.items():
        if pattern.pattern.startswith(start):
            return needle
    return ""


@dataclass(frozen=True)
class _Keywords:
    """detect-secrets' keyword plugin: its patterns with the group that holds the value
    (quoted values, as in code, and ``password=value`` as in logs, URLs and config dumps),
    and a search for where one may start."""

    words: re.Pattern[str]  # in the lowered text: a keyword's stem before = : ! ( .
    # (group "key"), or == != (group "cmp")
    start: re.Pattern[str]  # the plugin's keywords (lowered), to find where one starts
    after: dict[re.Pattern[str], int]  # the patterns that start with the keyword
    before: dict[re.Pattern[str], int]  # "value" == password


@cache
def _keywords() -> _Keywords:
    from detect_secrets.plugins import keyword

    patterns = dict(keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
    patterns[keyword.FOLLOWED_BY_EQUAL_SIGNS_REGEX] = 5
    before = keyword.PRECEDED_BY_EQUAL_COMPARISON_SIGNS_QUOTES_REQUIRED_REGEX
    after = {pattern: group for pattern, group in patterns.items() if pattern is not before}
    # a search for the stems every keyword holds, in the lowered text: the plugin's own
    # list, or any IGNORECASE search, costs 0.2 s a megabyte, this one a tenth; where a
    # keyword starts, its patterns are tried there only (anchored), not at every column of
    # the line (40 µs a pattern and line)
    words = re.compile(
        rf"(?P<key>{_STEMS.pattern})\w*[\]'\"]{{0,2}}\s*(?:\[[0-9]*\])?\s*[=:!(.]"
        r"|(?P<cmp>[=!]==?)"
    )
    start = re.compile(keyword.DENYLIST_REGEX)
    return _Keywords(words, start, after, {before: 2})


@cache
def _names_not_values() -> tuple[Callable[[str], bool], ...]:
    """detect-secrets' own filters of values that only name a secret (``${SECRET}``,
    ``{{ password }}``, ``<password>``, ``$PASSWORD``)."""
    from detect_secrets.filters import heuristic

    return heuristic.is_templated_secret, heuristic.is_prefixed_with_dollar_sign


@cache
def _indirect() -> Callable[[str], bool]:
    """detect-secrets' filter of lines that take a secret from elsewhere
    (``password = get_password()``, ``secret = os.environ["SECRET"]``)."""
    from detect_secrets.filters import heuristic

    return heuristic.is_indirect_reference


def _needle_lines(text: str, lowered: str, needle: str, starts: list[int]) -> list[tuple[int, int]]:
    """The (start, end) of each line that holds ``needle``: [(0, len)] when too many do
    for a search per line to pay."""
    haystack = text if needle != needle.lower() else lowered
    lines: list[tuple[int, int]] = []
    at = haystack.find(needle)
    while at >= 0:
        if len(lines) > 2_000:
            return [(0, len(text))]
        row = _row(starts, at)
        end = starts[row + 1] - 1 if row + 1 < len(starts) else len(text)
        lines.append((starts[row], end))
        at = haystack.find(needle, end)
    return lines


def _spans(
    pattern: re.Pattern[str], text: str, kind: str, lines: list[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """Where the secret is in each match (in the given lines of ``text``): the value group
    for the patterns that match a name before it (``://user:PASSWORD@``, ``aws_secret =
    "KEY"``), else the whole match (a token's prefix is part of the token)."""
    group = _VALUE_GROUP.get(kind, 0) if pattern.groups else 0
    matches = (m for begin, end in lines for m in pattern.finditer(text, begin, end))
    for match in matches:
        start, end = match.span(group)
        if start < 0:
            continue
        # the artifactory patterns take the space or quote around the token
        while start < end and text[start] in " \t\n=:\"'":
            start += 1
        while end > start and text[end - 1] in " \t\n\"'":
            end -= 1
        yield start, end


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


def _placeholder(value: str) -> bool:
    """A value that stands in for a secret: ``REDACTED``, ``***``, ``<password>``,
    ``${SECRET}``, ``$PASSWORD``, ``None``."""
    lowered = value.lower()
    if not value or lowered in _NOT_SECRETS or lowered in _PLACEHOLDERS:
        return True
    if value.startswith("[REDACTED") or set(value) <= {"*", "x", "X", "•", "."}:
        return True
    return any(names(value) for names in _names_not_values())


def _keyword_value(value: str, keyword: str, line: str) -> bool:
    """False for what names a secret rather than holding it."""
    if _placeholder(value) or _indirect()(line):
        return False
    if _SNAKE_NAME.fullmatch(value):  # api_key=anthropic_api_key: a variable, by its name
        return False
    if _DOTTED_NAME.fullmatch(value):  # password=settings.DB_PASSWORD
        return False
    return not (keyword.lower() == "pwd" and value.startswith(("/", "~")))  # $PWD in env


def _lowered(text: str) -> str:
    """The text in lower case, each character where it was."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter that lowers to two (İ): keep the offsets
        lowered = text.translate(_ASCII_LOWER)
    return lowered


def _keyword_finds(text: str, lowered: str, starts: list[int]) -> Iterator[tuple[int, int, str]]:
    keywords = _keywords()
    compared: set[int] = set()  # the lines searched for "value" == password
    for hit in keywords.words.finditer(lowered):
        row = _row(starts, hit.start())
        begin = starts[row]
        end = starts[row + 1] - 1 if row + 1 < len(starts) else len(text)
        if hit.group("key") is not None:
            at = _keyword_start(keywords.start, lowered, begin, hit.start("key"))
            if at < 0:
                continue
            tries = [(p, g, p.match(text, at, end)) for p, g in keywords.after.items()]
        elif row not in compared and _STEMS.search(lowered, hit.end(), end):
            compared.add(row)
            tries = [(p, g, p.search(text, begin, end)) for p, g in keywords.before.items()]
        else:
            continue
        for _pattern, group, match in tries:
            if match is None or match.start(group) < 0:
                continue
            value_start, value_end = match.span(group)
            value = text[value_start:value_end]
            cut = _VALUE_END.search(value)
            if cut:
                value_end = value_start + cut.start()
                value = value[: cut.start()]
            keyword = match.group(1) if hit.group("key") is not None else ""
            if not _keyword_value(value, keyword, text[begin:end]):
                continue
            kind = "password" if re.search(r"pass|pwd|contras", keyword, re.I) else "secret"
            yield value_start, value_end, kind


def _keyword_start(start: re.Pattern[str], lowered: str, begin: int, stem: int) -> int:
    """Where the keyword that holds the stem at ``stem`` starts (``database_pass`` starts
    13 before its ``pass``); -1 when none does (``monkey =``)."""
    for at in range(max(begin, stem - 14), stem + 1):
        match = start.match(lowered, at)
        if match is not None and match.end() > stem:
            return at
    return -1


def _row(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset) - 1


def find_secrets(text: str) -> list[Found]:
    """The secrets in ``text``, in order, without overlaps (a longer find wins)."""
    starts = _line_starts(text)
    lowered = _lowered(text)
    whole = [(0, len(text))]
    raw: list[tuple[int, int, str]] = []
    for detector in _detectors():
        for pattern, needle in detector.patterns:
            lines = _needle_lines(text, lowered, needle, starts) if needle else whole
            for start, end in _spans(pattern, text, detector.kind, lines):
                if end <= start or _placeholder(text[start:end]):
                    continue
                if detector.kind == "private-key":
                    start, end = _private_key_block(text, start)
                elif detector.kind == "jwt":  # the pattern stops lazily before the signature
                    end = _JWT_TAIL.match(text, end).end()  # type: ignore[union-attr]
                if detector.valid is not None and not detector.valid(text[start:end]):
                    continue
                raw.append((start, end, detector.kind))
    raw.extend(_keyword_finds(text, lowered, starts))
    raw.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    found: list[Found] = []
    for start, end, kind in raw:
        if found and start < found[-1].end:
            continue
        found.append(Found(start, end, kind, _row(starts, start) + 1))
    return found


def _private_key_block(text: str, header: int) -> tuple[int, int]:
    """A private key from its ``BEGIN`` line to its ``END`` line (PuTTY: to its
    ``Private-MAC`` line); the header's line alone when the end is not there (a key cut
    off by ``--lines``)."""
    line_start = text.rfind("\n", 0, header) + 1
    line_end = text.find("\n", header)
    line_end = len(text) if line_end < 0 else line_end
    begin = _PRIVATE_KEY_BEGIN.search(text, line_start, line_end)
    start = begin.start() if begin else line_start
    close = _PRIVATE_KEY_END.search(text, line_end)
    if close is None:
        return start, line_end
    return start, close.end()


def mask_secrets(text: str) -> Masked:
    """``text`` with each secret replaced by ``[REDACTED:kind]``; the rest kept as it was.
    Masking masked text changes nothing."""
    found = find_secrets(text)
    if not found:
        return Masked(text)
    parts: list[str] = []
    at = 0
    for item in found:
        parts.append(text[at : item.start])
        parts.append(MASK.format(kind=item.kind))
        at = item.end
    parts.append(text[at:])
    return Masked("".join(parts), Counter(item.kind for item in found))


def warm_up() -> None:
    """Import the detect-secrets plugins and build the patterns now (70-400 ms once), so
    that the first masking does not pay for it: the app calls this in a worker thread
    after its first frame, rather than on the event loop at the first paste."""
    _detectors()
    _keywords()
    _names_not_values()
    _indirect()
