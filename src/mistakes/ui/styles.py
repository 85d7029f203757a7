"""Where the app's stylesheets are: inside the installed package, or in the repo's styles/."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve()
SHEETS = ("app.tcss", "sidebar.tcss")


def _folder() -> Path:
    installed = _HERE.parent.parent / "styles"  # wheel: mistakes/styles
    if (installed / SHEETS[0]).is_file():
        return installed
    return _HERE.parents[3] / "styles"  # editable install: the repo's styles/


def stylesheets() -> list[Path]:
    folder = _folder()
    return [folder / name for name in SHEETS]


def stylesheet() -> Path:
    """The main stylesheet (app.tcss)."""
    return stylesheets()[0]
