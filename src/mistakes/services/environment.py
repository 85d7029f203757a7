"""What the machine can tell about itself, for the template's environment fields."""

from __future__ import annotations

import platform
import subprocess
from collections.abc import Callable
from pathlib import Path


def python_version() -> str:
    return platform.python_version()


def os_description() -> str:
    """``Debian GNU/Linux 12 (bookworm), Linux 6.1.0-18-amd64 x86_64`` or the like."""
    system = platform.system() or "unknown OS"
    release = platform.release()
    machine = platform.machine()
    kernel = " ".join(p for p in (system, release, machine) if p)
    if system == "Linux":
        try:
            info = platform.freedesktop_os_release()
        except OSError:
            info = {}
        pretty = info.get("PRETTY_NAME")
        if pretty:
            return f"{pretty}, {kernel}"
    if system == "Darwin":
        mac = platform.mac_ver()[0]
        if mac:
            return f"macOS {mac}, {kernel}"
    return kernel


def git_describe(cwd: Path | None = None) -> str:
    """``git describe --always --dirty`` of the repo holding ``cwd``, or ``""``.

    Run as every git call here is: nothing the repository's own .git/config names (an
    fsmonitor hook, an external diff) is run by it."""
    from mistakes.services.git import GitError, run_git

    try:
        result = run_git(["describe", "--always", "--dirty"], cwd or Path.cwd())
    except (GitError, OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


# Environment field keys the app knows how to fill; a template field with another key is
# left for the user.
PROVIDERS: dict[str, Callable[[Path | None], str]] = {
    "python_version": lambda _cwd: python_version(),
    "os": lambda _cwd: os_description(),
    "app_version": git_describe,
}


def detect(keys: list[str], cwd: Path | None = None) -> dict[str, str]:
    """Values for those of ``keys`` that can be found out here."""
    values: dict[str, str] = {}
    for key in keys:
        provider = PROVIDERS.get(key)
        if provider is None:
            continue
        value = provider(cwd)
        if value:
            values[key] = value
    return values
