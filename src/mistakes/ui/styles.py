"""Where the app's stylesheet is: inside the installed package, or in the repo's styles/."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve()


def stylesheet() -> Path:
    installed = _HERE.parent.parent / "styles" / "app.tcss"  # wheel: mistakes/styles
    if installed.is_file():
        return installed
    return _HERE.parents[3] / "styles" / "app.tcss"  # editable install: the repo's styles/
