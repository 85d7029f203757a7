"""What the app does (and leaves undone) to start and to open an entry.

Speed itself is measured by benchmarks/app_bench.py; these tests pin down the work behind
it: the startup sync waits for the first listing to be painted, an open compares the form
with the entry once rather than on each of the ~77 Changed messages filling it posts, the
key bar is not rebuilt when its keys stay the same."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import Footer, Input, TabbedContent, TabPane
from textual.widgets._footer import FooterKey

from mistakes.services.workspace import Workspace
from mistakes.ui.app import MistakesApp
from mistakes.ui.widgets.editor import EntryEditor
from mistakes.ui.widgets.similar import SimilarPanel

from .conftest import (
    SIZE,
    area,
    entry_file,
    open_entry,
    results,
    settle,
    started,
    topbar,
    type_text,
    wait_until,
)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((200, 50), id="200x50")]


def warm_index(samples_copy: Path, tmp_path: Path) -> None:
    """The index the app will open, built and in step (as after an earlier start)."""
    workspace = Workspace.open(
        samples_copy, cache_root=tmp_path / "cache", data_dir=tmp_path / "data"
    )
    try:
        workspace.sync()
    finally:
        workspace.close()


# -- startup ------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
async def test_startup_sync_waits_for_the_first_listing(
    build, samples_copy: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    """The index as it was left lists the entries; the sync (a stat of every file, in a
    thread) starts once that listing is on the screen, not beside it."""
    warm_index(samples_copy, tmp_path)
    app: MistakesApp = build()
    listed_when_synced: list[int] = []
    sync = app.workspace.sync

    def watched_sync(*args: object, **kwargs: object) -> object:
        # (read on the event loop: the sync runs in a thread worker)
        listed_when_synced.append(app.call_from_thread(lambda: results(app).option_count))
        return sync(*args, **kwargs)  # type: ignore[arg-type]

    app.workspace.sync = watched_sync  # type: ignore[method-assign]
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        assert await wait_until(pilot, lambda: bool(listed_when_synced))
        await settle(app, pilot)
    assert listed_when_synced == [24]


async def test_startup_without_an_index_builds_it_at_once(build, samples_copy: Path) -> None:
    """No index yet: nothing to list first, so the build does not wait for a listing."""
    app: MistakesApp = build()
    called: list[bool] = []
    sync = app.workspace.sync

    def watched_sync(*args: object, **kwargs: object) -> object:
        called.append(app._listed.is_set())
        return sync(*args, **kwargs)  # type: ignore[arg-type]

    app.workspace.sync = watched_sync  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert len(results(app).options) == 24
    assert called == [False]


async def test_quit_while_the_sync_waits_for_the_listing(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    """The sync waiting for a first listing that never comes does not hold the exit up."""
    warm_index(samples_copy, tmp_path)
    app: MistakesApp = build()
    waited = threading.Event()
    opened = app.workspace.open_as_is

    def open_as_is() -> bool:
        waited.set()
        return opened()

    app.workspace.open_as_is = open_as_is  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        assert await wait_until(pilot, waited.is_set)
        await pilot.press("ctrl+q")
        assert await wait_until(pilot, lambda: not app.is_running)
    assert app._listed.is_set()


# -- opening --------------------------------------------------------------------------------------
def count_collects(editor: EntryEditor) -> list[int]:
    calls = [0]
    collect = editor._collect

    def counted(sections: bool) -> object:
        calls[0] += 1
        return collect(sections)

    editor._collect = counted  # type: ignore[method-assign]
    return calls


@pytest.mark.parametrize("size", SIZES)
async def test_opening_an_entry_compares_the_form_once_at_most(
    build, samples_copy: Path, size: tuple[int, int]
) -> None:
    """Filling the form posts a Changed per field and pane (~77 for an entry); each ran the
    modified check, a whole-form read, before. The load's own changes are not the user's."""
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        calls = count_collects(app.editor)
        await open_entry(app, pilot, 5)
        await settle(app, pilot)
        assert calls[0] <= 1
        assert not app.editor.modified
        # another entry: the form is filled again, still without a check per field
        calls[0] = 0
        app.sidebar.search_box.focus()
        await pilot.pause()
        listing = results(app)
        listing.highlighted = next(i for i, hit in enumerate(app.sidebar.hits) if hit.number == 19)
        await pilot.press("enter")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None and app.stored.number == 19)
        await settle(app, pilot)
        assert calls[0] <= 1
        assert not app.editor.modified
        assert "019 Connection pool exhausted again" in topbar(app)


@pytest.mark.parametrize("size", SIZES)
async def test_edits_right_after_an_open_still_mark_the_entry(
    build, samples_copy: Path, size: tuple[int, int]
) -> None:
    """A key typed into a field or a pane just after the form is filled is the user's: the
    entry is modified; undoing it makes it clean again."""
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await open_entry(app, pilot, 5)
        pane = area(app, "what_happened")
        pane.focus()
        await pilot.pause()
        await type_text(pilot, "x")
        await settle(app, pilot)
        assert app.editor.modified
        assert topbar(app).endswith("[modified]")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert not app.editor.modified
        # a field, set in the same tick as a load ends (a restored draft does that)
        await app.editor.load(app.editor.original.copy())  # type: ignore[union-attr]
        app.query_one("#field-reporter", Input).value = "someone else"
        await settle(app, pilot)
        assert app.editor.modified


async def test_form_widgets_stay_the_ones_shown_after_many_opens(build, samples_copy: Path) -> None:
    """The form's widgets are kept when it is built (no query per field per key): after
    opens, an extra section's tab and a save, what is collected is what the screen shows."""
    path = entry_file(samples_copy, 7)
    path.write_text(
        path.read_text("utf-8") + "\n## Timeline Notes\n\nKept as it is.\n", encoding="utf-8"
    )
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        for number in (5, 7, 5, 7):
            await open_entry(app, pilot, number)
        title = app.query_one("#field-title", Input)
        assert title.value == app.editor.collect().title
        title.value = "Pods restarting"
        await settle(app, pilot)
        assert app.editor.modified
        entry = app.editor.collect()
        assert entry.title == "Pods restarting"
        assert list(entry.extra_sections) == ["Timeline Notes"]
        assert entry.extra_sections["Timeline Notes"].strip() == "Kept as it is."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
    assert "title: Pods restarting" in path.read_text("utf-8")
    assert "## Timeline Notes\n\nKept as it is." in path.read_text("utf-8")


async def test_the_key_bar_is_rebuilt_only_when_its_keys_change(build) -> None:
    """Textual's Footer rebuilt itself (a widget per key) on every focus change; three of
    those came before the first frame. The keys shown are the same here: no rebuild."""
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        footer = app.query_one(Footer)
        rebuilt = [0]
        recompose = footer.recompose

        async def counted() -> None:
            rebuilt[0] += 1
            await recompose()

        footer.recompose = counted  # type: ignore[method-assign]
        keys_before = footer_keys(app)
        for key in ("tab", "ctrl+f", "tab", "ctrl+f"):  # search box <-> results list
            await pilot.press(key)
            await settle(app, pilot)
        assert rebuilt[0] == 0
        assert footer_keys(app) == keys_before
        # keys that do change are shown: the checklist's own keys
        await open_entry(app, pilot, 5)
        await pilot.press("f6")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: "Toggle" in footer_keys(app))
        assert rebuilt[0] >= 1


def footer_keys(app: MistakesApp) -> list[str]:
    return [str(key.description) for key in app.query(FooterKey)]


async def test_a_pane_left_as_the_next_entry_has_it_forgets_its_edits(
    build, samples_copy: Path
) -> None:
    """A pane already holding the next entry's text (both empty, most often) is not given a
    new document on open; its undo history and cursor are reset all the same."""
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        pane = area(app, "dependencies")  # empty in 005 and in 019
        app.editor.show_tab(
            next(
                i
                for i, tab in enumerate(app.editor.tabs.query(TabPane))  # type: ignore[union-attr]
                if tab.query("#section-dependencies")
            )
        )
        pane.focus()
        await pilot.pause()
        await type_text(pilot, "abc")
        for _ in range(3):
            await pilot.press("backspace")
        await settle(app, pilot)
        assert pane.text == ""
        assert not app.editor.modified  # typed and taken back: nothing to save
        await open_entry(app, pilot, 19)
        assert pane.text == ""
        assert pane.cursor_location == (0, 0)
        pane.focus()
        await pilot.pause()
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert pane.text == ""  # 005's typing is not undone into 019
        assert not app.editor.modified


async def test_the_key_bar_styles_each_key_once(build, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key of the bar was made compact (FooterKey's own default) and then not compact (the
    footer's value, bound to it): two restyles of every key before the first frame. Each
    key is made with the footer's value: its compactness never changes afterwards (and the
    bar looks as before: the palette key, not bound to the footer, stays compact)."""
    seen: dict[int, list[bool]] = {}
    watch = FooterKey._watch_compact

    def watched(self: FooterKey, compact: bool) -> None:
        seen.setdefault(id(self), []).append(compact)
        watch(self, compact)

    monkeypatch.setattr(FooterKey, "_watch_compact", watched)
    app: MistakesApp = build()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        keys = list(app.query(FooterKey))
        assert len(keys) > 3
        for key in keys:
            values = seen[id(key)]
            assert len(set(values)) == 1, (key.description, values)
            palette = key.has_class("-command-palette")
            assert key.has_class("-compact") == palette, key.description


async def test_an_open_finds_the_tabs_without_walking_the_form(
    build, samples_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form has ~700 widgets: an open looked its tabs and the Similar panel up by a CSS
    query over all of them, three times. The tabs are the content switcher's children."""
    app: MistakesApp = build()
    walks: list[object] = []
    query = EntryEditor.query

    def counted(self: object, selector: object = None) -> object:
        if selector in (TabPane, SimilarPanel):
            walks.append(selector)
        return query(self, selector)  # type: ignore[arg-type]

    async with app.run_test(size=SIZE) as pilot:
        await open_entry(app, pilot, 5)
        monkeypatch.setattr(EntryEditor, "query", counted)
        monkeypatch.setattr(TabbedContent, "query", counted)
        app.sidebar.search_box.focus()
        await pilot.pause()
        await open_entry(app, pilot, 4)
        await settle(app, pilot)
        assert walks == []
        tabs = app.editor.tabs
        assert tabs is not None
        shown = [pane.id for pane in app.editor.panes()]
        assert shown == [pane.id for pane in app.screen.query(TabPane)]
        assert shown[0] == "tab-details" and shown[-1] == "tab-preview"
        await pilot.press("ctrl+pagedown")
        await pilot.pause()
        assert tabs.active == shown[2]  # the open showed the second tab; one more


async def test_the_first_listing_comes_from_the_thread_that_opened_the_index(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    """The thread that opens the index lists the newest entries itself: before, it told the
    event loop, which started a search worker (a message and a thread later, ~70 ms)."""
    warm_index(samples_copy, tmp_path)
    app: MistakesApp = build()
    threads: list[tuple[str, int]] = []
    opened, find = app.workspace.open_as_is, app.workspace.find

    def open_as_is() -> bool:
        threads.append(("open", threading.get_ident()))
        return opened()

    def found(*args: object, **kwargs: object) -> object:
        threads.append(("find", threading.get_ident()))
        return find(*args, **kwargs)  # type: ignore[arg-type]

    app.workspace.open_as_is = open_as_is  # type: ignore[method-assign]
    app.workspace.find = found  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert len(results(app).options) == 24
        assert [what for what, _ in threads[:2]] == ["open", "find"]
        assert threads[0][1] == threads[1][1]


async def test_a_search_typed_before_the_index_opened_is_answered(
    build, samples_copy: Path, tmp_path: Path
) -> None:
    """A query typed while the index was still being opened found no index (pending); the
    thread that opened it then lists nothing over it: the query is searched again (the sync
    that would refresh the list is held back here)."""
    warm_index(samples_copy, tmp_path)
    app: MistakesApp = build()
    go, synced, reached = threading.Event(), threading.Event(), threading.Event()
    opened, sync = app.workspace.open_as_is, app.workspace.sync

    def open_as_is() -> bool:
        go.wait(10)
        return opened()

    def held_sync(*args: object, **kwargs: object) -> object:
        reached.set()  # the opening thread is past its listing (or its message)
        synced.wait(10)
        return sync(*args, **kwargs)  # type: ignore[arg-type]

    app.workspace.open_as_is = open_as_is  # type: ignore[method-assign]
    app.workspace.sync = held_sync  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "deadlock")
        await pilot.pause(0.3)
        go.set()
        try:
            assert await wait_until(pilot, reached.is_set)
            await pilot.pause(0.3)  # whatever the opening thread posted is handled
            assert await wait_until(pilot, lambda: app.sidebar._shown_query == "deadlock")
            assert [hit.number for hit in app.sidebar.hits][:1] == [4]
            assert app.sidebar.search_box.value == "deadlock"
        finally:
            synced.set()
        await settle(app, pilot)


async def test_the_first_open_restyles_no_field_for_its_validity(
    build, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Input marks itself "-valid" on its first value (it has no validators): each of the
    form's fields was restyled for it on the first open, and the search box on the first
    key. They are made with the class."""
    app: MistakesApp = build()
    added: list[str] = []
    add_class = Input.add_class

    def watched(self: Input, *names: str, update: bool = True) -> Input:
        if not self.has_class(*names):
            added.extend(f"{self.id}{name}" for name in names)
        return add_class(self, *names, update=update)

    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await settle(app, pilot)
        monkeypatch.setattr(Input, "add_class", watched)
        await type_text(pilot, "re")
        app.sidebar.search_box.value = ""
        await settle(app, pilot)
        await open_entry(app, pilot, 5)
        await settle(app, pilot)
        assert app.stored is not None
        assert [name for name in added if name.endswith("-valid")] == []


@pytest.mark.parametrize("size", SIZES)
async def test_the_key_bar_follows_the_first_frame_on_its_own(build, size: tuple[int, int]) -> None:
    """The first frame shows the entries; the key bar is built right after it (a third of
    that frame's widgets), once, with no key pressed, and stays as it is."""
    app: MistakesApp = build()
    composed: list[int] = []
    async with app.run_test(size=size) as pilot:
        footer = app.query_one(Footer)
        recompose = footer.recompose

        async def counted() -> None:
            composed.append(len(footer_keys(app)))
            await recompose()

        footer.recompose = counted  # type: ignore[method-assign]
        await started(app, pilot)
        assert await wait_until(pilot, lambda: "Help" in footer_keys(app)), footer_keys(app)
        await settle(app, pilot)
        assert composed == [0]  # built once, from empty
