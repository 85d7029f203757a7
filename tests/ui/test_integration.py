"""What the app does with the branches' services: a new entry from a query with fields,
a save while another process holds the index lock, a save beside a vim swap file, and
the terminals the app refuses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mistakes.search.cache import index_dir_for, lock_path_for
from mistakes.ui.app import MistakesApp

from .conftest import area, open_entry, settle, started, type_text, wait_until


async def test_enter_on_no_match_takes_fields_out_of_the_title(build, samples_copy: Path) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await type_text(pilot, "tag:quokkas severity:high stampede of quokkas")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.editor.original is not None)
        entry = app.editor.collect()
        assert entry.title == "stampede of quokkas"
        assert entry.fields.get("tags") == ["quokkas"]
        assert entry.fields.get("severity") == "high"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
    text = (samples_copy / "025-stampede-of-quokkas.md").read_text("utf-8")
    assert "severity: high" in text and "quokkas" in text


HOLD = """
import fcntl, sys, time
handle = open(sys.argv[1], "a")
fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


async def test_a_save_while_another_process_holds_the_index_is_confirmed_at_once(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    """The file save is confirmed at once; the index update is said to wait, and is done
    once the lock is free (it used to surface later as 'changed on disk', refusing the next
    save)."""
    app: MistakesApp = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        lock = lock_path_for(index_dir_for(samples_copy, tmp_path / "cache"))
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(lock)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            await open_entry(app, pilot, 5)
            pane = area(app, "what_happened")
            pane.focus()
            await type_text(pilot, "Quokkatastrophe. ")
            await pilot.press("ctrl+s")  # no settle: the index catch-up waits in a worker

            def said(text: str) -> bool:
                return any(text in n.message for n in app._notifications)

            assert await wait_until(pilot, lambda: said("Saved 005-"))
            assert await wait_until(pilot, lambda: said("search index is not updated yet"))
            assert not app.editor.modified
            assert "Quokkatastrophe" in (app.stored.path.read_text("utf-8"))  # type: ignore[union-attr]
        finally:
            holder.kill()
            holder.wait()
            if holder.stdout is not None:
                holder.stdout.close()
        # the lock is free: the queued update lands, and search finds the new word
        assert await wait_until(
            pilot,
            lambda: app.workspace.search.pending() is None,
            timeout=20,
        )
        hits = app.workspace.find("quokkatastrophe", partial=False).hits
        assert [h.number for h in hits] == [5]
        # and the next save is not refused as an outside change
        await type_text(pilot, "Again. ")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        assert "Again." in app.stored.path.read_text("utf-8")  # type: ignore[union-attr]


async def test_opening_and_saving_warn_when_vim_has_the_file_open(
    build, samples_copy: Path
) -> None:
    path = next(samples_copy.glob("007-*.md"))
    path.with_name(f".{path.name}.swp").write_bytes(b"b0VIM 9.0")
    app: MistakesApp = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await open_entry(app, pilot, 7)
        assert app.stored is not None
        assert any("vim" in n.message for n in app._notifications)  # said on open
        app.clear_notifications()
        area(app, "what_happened").focus()
        await type_text(pilot, "x")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        assert any("vim" in n.message for n in app._notifications)


@pytest.mark.parametrize("term", ["dumb", "unknown"])
def test_a_dumb_terminal_is_refused_with_a_pointer_to_the_commands(
    samples_copy: Path, term: str
) -> None:
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: a real terminal, TERM=dumb
        os.environ["TERM"] = term
        os.execv(sys.executable, [sys.executable, "-m", "mistakes", "--dir", str(samples_copy)])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 2
    text = out.decode("utf-8", "replace")
    assert f"TERM={term}" in text and "mistakes list" in text
    assert "\x1b[?1049h" not in text  # the full-screen app never started
