"""capture and new --stdin mask secrets before writing; check warns about those in files."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.cli.test_cli import entries_in, write_entry

AWS = "AKIAIOSFODNN7EXAMPLE"
PRINTS_SECRETS = (
    "import sys\n"
    f"print('using key {AWS}')\n"
    "print('connecting to postgres://app:hunter2pass@db:5432/orders')\n"
    "print('Traceback (most recent call last):')\n"
    "print('  File \"/app/db.py\", line 7, in connect')\n"
    "print('OperationalError: password=Sup3rS3cret rejected for app at 0x7f3a2c1b9e80')\n"
    "sys.exit(2)\n"
)


def test_capture_masks_secrets_in_the_output_and_says_how_many(run, cwd: Path) -> None:
    (cwd / "job.py").write_text(PRINTS_SECRETS)  # the command line itself holds no secret
    result = run("capture", "--", sys.executable, "job.py")
    assert result.code == 2
    assert AWS in result.out  # the terminal shows the output as it was
    [name] = entries_in(cwd / "mistakes")
    saved = (cwd / "mistakes" / name).read_text("utf-8")
    for secret in (AWS, "hunter2pass", "Sup3rS3cret"):
        assert secret not in saved
    assert "using key [REDACTED:aws-key]" in saved
    assert "postgres://app:[REDACTED:url-password]@db:5432/orders" in saved
    assert "password=[REDACTED:password] rejected for app at 0x7f3a2c1b9e80" in saved
    assert '  File "/app/db.py", line 7, in connect' in saved
    masked = [line for line in result.err.splitlines() if "masked" in line]
    assert masked == [
        "mistakes: masked 3 secrets (aws-key, password, url-password) before writing the "
        "entry (as [REDACTED:kind])"
    ]
    assert run("check").code == 0


def test_capture_masks_a_secret_on_the_command_line(run, cwd: Path) -> None:
    """The command line goes into the title and Steps to Reproduce."""
    url = "https://deploy:T0pS3cret@ci.example.com/hook"
    result = run("capture", "--", sys.executable, "-c", "import sys; sys.exit(1)", url)
    assert result.code == 1
    [name] = entries_in(cwd / "mistakes")
    saved = (cwd / "mistakes" / name).read_text("utf-8")
    assert "T0pS3cret" not in saved
    assert "https://deploy:[REDACTED:url-password]@ci.example.com/hook" in saved
    assert (
        "title: " + sys.executable + " -c 'import sys; sys.exit(1)' https://deploy:[REDACTED"
        in saved
    )
    assert "mistakes: masked 1 secret (url-password)" in result.err


def test_capture_of_a_plain_failure_says_nothing_about_secrets(run, cwd: Path) -> None:
    result = run("capture", "--", sys.executable, "-c", "raise SystemExit('boom 9e1ffc2b')")
    assert result.code == 1
    assert "masked" not in result.err


def test_new_stdin_masks_secrets(run, cwd: Path) -> None:
    pasted = f"ERROR auth failed\naws_access_key_id = {AWS}\nretrying\n"
    result = run("new", "--title", "Auth", "--no-env", "--stdin", "Error Messages", stdin=pasted)
    assert result.code == 0
    assert "mistakes: masked 1 secret (aws-key) before writing the entry" in result.err
    saved = Path(result.out.strip()).read_text("utf-8")
    assert AWS not in saved
    assert "ERROR auth failed\naws_access_key_id = [REDACTED:aws-key]\nretrying" in saved


def test_check_warns_about_secrets_in_files_and_fails_only_when_strict(run, cwd: Path) -> None:
    root = cwd / "mistakes"
    write_entry(root, "001-clean.md", title="Clean")
    path = write_entry(
        root,
        "002-leaky.md",
        title="Leaky",
        body=f"\n## Error Description\n\n### What Happened\n\nThe key {AWS} leaked.\n",
    )
    line = path.read_text("utf-8").splitlines().index(f"The key {AWS} leaked.") + 1
    result = run("check")
    assert result.code == 0
    assert result.out.splitlines() == [
        f"{Path('mistakes') / path.name}:{line}: warning: this looks like a secret (aws-key); "
        "replace it with [REDACTED:aws-key]"
    ]
    assert "2 entries checked, 0 problems, 1 possible secrets" in result.err
    assert run("check", "--strict").code == 1
    data = run("check", "--json").json
    assert [(d["path"], d["line"], d["warning"]) for d in data] == [
        (str(Path("mistakes") / path.name), line, True)
    ]
    assert run("check", "--json", "--strict").code == 1
