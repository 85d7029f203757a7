"""The Similar tab answers "have we seen this?" with the fix, at 80x24, and agrees with
`mistakes similar` (one path: ``SearchService.similar``)."""

from __future__ import annotations

import io
import json
import random
import re
import sys
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from mistakes.cli.main import main
from mistakes.storage.folder import EntryFolder
from mistakes.storage.template_file import load_template
from mistakes.ui.app import MistakesApp
from mistakes.ui.widgets.similar import NO_CLOSE_MATCHES, SimilarPanel

from .conftest import SIZE, area, open_entry, settle, started, wait_until

NOVEL = (
    "2027-05-01T10:00:00Z INFO worker started\n"
    "Traceback (most recent call last):\n"
    '  File "/srv/app/ledger/reconcile.py", line 88, in settle_batch\n'
    "KeyError: 'tenant_zorgblatt'\n\n"
    "During handling of the above exception, another exception occurred:\n\n"
    "RuntimeError: reconcile of batch 991 failed\n"
)


def screen_text(app: MistakesApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def listed(app: MistakesApp) -> list[str]:
    listing = app.query_one("#similar-list", OptionList)
    return [str(listing.get_option_at_index(i).id) for i in range(listing.option_count)]


async def new_draft(app: MistakesApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await started(app, pilot)
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    assert await wait_until(pilot, lambda: app.editor.original is not None)


async def look_up(app: MistakesApp, pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Put ``text`` in Error Messages and wait for the Similar tab's answer to it."""
    area(app, "error_messages").load_text(text)
    await pilot.pause()
    before = app.similar._generation
    app.similar.look_up()
    assert app.similar._generation == before + 1
    await settle(app, pilot)
    assert app.query_one(SimilarPanel).hits == app.similar.hits


async def test_the_highlighted_hit_shows_its_fix_and_root_cause_and_enter_opens_it(
    build,
) -> None:  # type: ignore[no-untyped-def]
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 19)
        await pilot.press("f7")
        await settle(app, pilot)
        listing = app.query_one("#similar-list", OptionList)
        assert await wait_until(pilot, lambda: listing.option_count > 0, timeout=10)
        assert listed(app)[0].startswith("005-")
        panel = app.query_one(SimilarPanel)
        shown = panel.answer_text()
        assert shown.startswith("fix: Use the request-scoped session everywhere")
        assert "root cause: The new recommendations view created its own `Session()`" in shown
        assert "why close: same exception TimeoutError" in shown
        await pilot.pause()
        screen = screen_text(app)
        assert "fix: Use the request-scoped" in screen  # on screen at 80x24, not scrolled away
        assert NO_CLOSE_MATCHES not in screen
        await pilot.press("enter")
        assert await wait_until(
            pilot, lambda: app.stored is not None and app.stored.path.name.startswith("005-")
        )


async def test_a_novel_error_says_no_close_matches(build) -> None:  # type: ignore[no-untyped-def]
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await new_draft(app, pilot)
        area(app, "error_messages").load_text(NOVEL)
        await pilot.pause()
        await pilot.press("f7")
        await settle(app, pilot)
        assert await wait_until(
            pilot,
            lambda: (
                app.query_one("#similar-empty", Static).display
                and NO_CLOSE_MATCHES in screen_text(app)
            ),
        ), screen_text(app)
        assert listed(app) == []
        assert app.editor.tabs is not None
        assert str(app.editor.tabs.get_tab("tab-similar").label) == "Similar (0)"


# -- the tab and the CLI agree ------------------------------------------------------------------

LOG_LINES = [
    "INFO worker heartbeat ok queue_depth={n}",
    "DEBUG cache hit ratio {n} percent",
    "WARNING slow request took {n} ms request_id={n}",
]


def generated_inputs(folder: Path, count: int, seed: int) -> list[str]:
    """Pastes of the sample entries' errors as new occurrences (numbers changed, a line
    dropped, log lines around them, boilerplate added) and made-up errors."""
    rng = random.Random(seed)
    template = load_template()
    errors = [
        s.entry.sections.get("error_messages", "")
        for s in EntryFolder(folder, template).load_all()[0]
    ]
    errors = [e.strip("`\n ") for e in errors if e.strip()]
    words = ["zorg", "quux", "blatt", "frob", "snark", "ledger", "tenant", "pool", "timeout"]
    out = []
    for number in range(count):
        if number % 3 == 2:  # made up
            kind = rng.choice(["KeyError", "ValueError", "FrobError", "panic", "ERROR"])
            text = f"{kind}: {' '.join(rng.sample(words, 3))} {rng.randint(1, 999)}"
        else:
            lines = rng.choice(errors).splitlines()
            if len(lines) > 2:
                del lines[rng.randrange(len(lines))]
            text = re.sub(r"\d+", lambda _m: str(rng.randint(0, 9999)), "\n".join(lines))
        around = [rng.choice(LOG_LINES).format(n=rng.randint(1, 500)) for _ in range(3)]
        if rng.random() < 0.5:
            text = "Traceback (most recent call last):\n" + text
        out.append("\n".join([around[0], text, *around[1:]]))
    return out


def cli_similar(folder: Path, text: str, monkeypatch: pytest.MonkeyPatch, capsys) -> list[str]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    capsys.readouterr()
    code = main(["--dir", str(folder), "similar", "--stdin", "--json", "--limit", "5"])
    assert code == 0
    return [Path(hit["path"]).name for hit in json.loads(capsys.readouterr().out)]


async def test_the_similar_tab_and_mistakes_similar_agree(
    build, samples_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    inputs = generated_inputs(samples_copy, 18, seed=10)
    expected = [cli_similar(samples_copy, text, monkeypatch, capsys) for text in inputs]
    assert any(expected) and not all(expected)  # both answers are exercised
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await new_draft(app, pilot)
        await pilot.press("f7")
        await settle(app, pilot)
        for text, cli in zip(inputs, expected, strict=True):
            await look_up(app, pilot, text)
            assert listed(app) == cli, text
            empty = app.query_one("#similar-empty", Static)
            assert empty.display == (not cli)
