"""The app asks Textual for up to 120 frames a second (an answer waits less for its frame)
unless the user set TEXTUAL_FPS; it has to be set before Textual is imported."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = "import mistakes.ui.app, textual.constants as c; print(c.MAX_FPS)"


@pytest.mark.parametrize(("given", "expected"), [(None, "120"), ("30", "30")])
def test_the_app_sets_textuals_frame_rate_unless_the_user_did(
    given: str | None, expected: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    if given is not None:
        env["TEXTUAL_FPS"] = given
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == expected
