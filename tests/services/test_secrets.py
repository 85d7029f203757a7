"""Secrets are masked before text reaches an entry file; tracebacks, ids and hashes are not."""

from __future__ import annotations

import subprocess
import sys
import traceback

import pytest

from mistakes.services.secrets import find_secrets, mask_secrets
from tests.conftest import CORPUS, SAMPLES

# the example values of the providers' own documentation, in the shapes the plugins know
AWS = "AKIAIOSFODNN7EXAMPLE"
GITHUB = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
SLACK = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
STRIPE = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9l"
    "IiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
    "-----END RSA PRIVATE KEY-----"
)


CASES = [
    # (before, the secret, after, kind): the text is before + secret + after
    ("export AWS_ACCESS_KEY_ID=", AWS, "\n", "aws-key"),
    ("could not connect to postgres://app:", "hunter2pass", "@db:5432/orders (x)", "url-password"),
    ("POST /login?user=bob&password=", "s3cr3t", "&next=/ 401", "password"),
    ("DB_PASSWORD=", "Tr0ub4dor", "&3 psql -h db", "password"),
    ("client_secret=", "9f8e7d6c5b4a", " more", "secret"),
    ('    api_key = "', "abc123def456", '"', "secret"),
    ("remote: token ", GITHUB, " rejected", "github-token"),
    ("slack token=", SLACK, "", "slack-token"),
    ("stripe.error: key ", STRIPE, " expired", "stripe-access-key"),
    ("Authorization: Bearer ", JWT, "", "jwt"),
    ("before\n", KEY, "\nafter", "private-key"),
]


@pytest.mark.parametrize(("before", "secret", "after", "kind"), CASES)
def test_each_kind_is_masked_and_the_text_around_it_kept(
    before: str, secret: str, after: str, kind: str
) -> None:
    result = mask_secrets(before + secret + after)
    assert result.text == f"{before}[REDACTED:{kind}]{after}"
    assert result.kinds == {kind: 1}
    assert result.summary() == f"masked 1 secret ({kind})"


def test_masking_twice_changes_nothing_and_counts_nothing() -> None:
    text = f"id={AWS} url=https://u:pw123@h/ password=abc\n{KEY}\n"
    once = mask_secrets(text)
    assert once.count == 4
    again = mask_secrets(once.text)
    assert again.text == once.text
    assert again.count == 0
    assert find_secrets(once.text) == []


@pytest.mark.parametrize(
    "line",
    [
        "    password = get_password(user)",
        '    secret = os.environ["APP_SECRET"]',
        "password=${DB_PASSWORD}",
        "password=$DB_PASSWORD",
        "password=settings.DB_PASSWORD",
        "anthropic.Anthropic(api_key=anthropic_api_key, timeout=30)",
        "PWD=/home/dev/project",
        "SUPABASE_DB_URL=postgresql://postgres:REDACTED@db.example.co:5432/postgres",
        "password=None",
        "    def login(self, user: str, password: str) -> bool:",
        "KeyError: 'password'",
    ],
)
def test_what_only_names_a_secret_is_left_alone(line: str) -> None:
    assert mask_secrets(line).text == line


def _real_traceback() -> str:
    try:
        {"a": 1}["missing"]
    except KeyError:
        return traceback.format_exc()
    raise AssertionError("unreachable")


def test_a_traceback_with_ids_hashes_and_addresses_is_not_masked() -> None:
    """The high-entropy plugins are not used: hex ids, git SHAs, UUIDs, digests, memory
    addresses and base64 blobs in a traceback reach the file as they were."""
    sha = (
        subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=SAMPLES.parent
        ).stdout.strip()
        or "9e1ffc2b7a4c3d5e6f708192a3b4c5d6e7f80912"
    )
    text = "\n".join(
        [
            _real_traceback(),
            f"commit {sha} (HEAD -> main)",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "request_id=550e8400-e29b-41d4-a716-446655440000 at 0x7f3a2c1b9e80",
            '<Connection object at 0x7f8e5c2d1a90> etag W/"5e8f2a9c3b7d1e4f"',
            "data: dGhpcyBpcyBhIGxvbmcgYmFzZTY0IGJsb2IgdGhhdCBpcyBub3QgYSBzZWNyZXQ=",
            "ERROR 2026-11-03T10:22:01.123Z [worker-3] 10.0.3.17:5432 refused",
            f'  File "{sys.prefix}/lib/python3.11/site-packages/x.py", line 42, in run',
        ]
    )
    result = mask_secrets(text)
    assert result.text == text
    assert result.count == 0


def test_the_sample_entries_and_the_real_logs_hold_nothing_taken_for_a_secret() -> None:
    """149 real mistake logs (tracebacks, SQL, configs, prose about passwords and tokens)
    and the sample entries: a find here would be a false positive (they hold no secret)."""
    files = sorted(SAMPLES.glob("*.md"))
    if CORPUS.is_dir():
        files += sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(files) > 10
    finds = [
        (path.name, found.line, found.kind)
        for path in files
        for found in find_secrets(path.read_text("utf-8", errors="replace"))
    ]
    assert finds == []


def test_an_unterminated_private_key_is_masked_to_the_end_of_its_line() -> None:
    text = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n(cut)"
    assert mask_secrets(text).text.startswith("[REDACTED:private-key]\n")


def test_importing_the_module_does_not_import_detect_secrets() -> None:
    """The plugins (and requests, which they import) load on the first masking only."""
    code = (
        "import sys, mistakes.services.secrets, mistakes.cli.commands;"
        "print(any(m.startswith(('detect_secrets', 'requests')) for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


AUDIT = """
import sys

from mistakes.services.secrets import mask_secrets

mask_secrets("warm up: the plugins load here")  # imports read .py files: not counted
events = []


def audit(event, args):
    if event in ("open", "socket.connect", "socket.getaddrinfo", "subprocess.Popen"):
        events.append((event, str(args[0])))


sys.addaudithook(audit)
masked = mask_secrets("key AKIAIOSFODNN7EXAMPLE and https://u:pw1234@host/ password=x1")
print(masked.count, events)
"""


def test_masking_reads_no_file_and_uses_no_network() -> None:
    """Only the plugins' patterns are used: no baseline or settings file is read, and the
    plugins' verify (which calls the providers' APIs) is never called."""
    out = subprocess.run(
        [sys.executable, "-c", AUDIT], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "3 []"
