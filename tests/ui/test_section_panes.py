"""The editor's panes and form at 80x24 and 200x50: what is on screen, what is saved.

Each test goes through the keys (enter opens, ctrl+pagedown moves between tabs, ctrl+n,
ctrl+s) and looks at the screen and the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Select, TextArea

from mistakes.ui.app import MistakesApp

from .conftest import entry_file, open_entry, settle, started, type_text, wait_until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((200, 50), id="200x50")]


async def to_tab(app: MistakesApp, pilot: Pilot, pane_id: str, at_once: bool = False) -> None:
    """ctrl+pagedown until the tab is shown (as a user moves along the tab bar);
    ``at_once``: the presses in one go, as from a key held down."""
    tabs = app.editor.tabs
    assert tabs is not None
    if at_once:
        ids = [p.id for p in tabs.query("TabPane")]
        steps = (ids.index(pane_id) - ids.index(tabs.active)) % len(ids)
        await pilot.press(*["ctrl+pagedown"] * steps)
        await pilot.pause(0.3)
    for _ in range(30):
        if tabs.active == pane_id:
            break
        await pilot.press("ctrl+pagedown")
        await pilot.pause()
    assert tabs.active == pane_id
    await pilot.pause()


async def to_end(pilot: Pilot, area: TextArea) -> None:
    """pagedown and down to the end of the text (TextArea binds no ctrl+end)."""
    for _ in range(area.wrapped_document.height + 1):
        if area.cursor_location == area.document.end:
            return
        await pilot.press(
            "pagedown" if area.cursor_location[0] < area.document.line_count - 1 else "down"
        )
    await pilot.press("end")


async def new_entry(app: MistakesApp, pilot: Pilot, title: str, severity: bool = True) -> None:
    await started(app, pilot)
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    assert await wait_until(pilot, lambda: app.editor.original is not None)
    await pilot.pause()
    await type_text(pilot, title)
    if severity:  # medium (a new entry's save would ask for one)
        await pilot.press("f5", "m")
        await pilot.pause()
        assert app.editor.collect().fields.get("severity") == "medium"


def screen_lines(app: MistakesApp) -> list[str]:
    """The screen as text, one string per row (what a terminal would show)."""
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


def pane(app: MistakesApp, key: str) -> TextArea:
    return app.query_one(f"#section-{key}", TextArea)


def rows_of(app: MistakesApp, widget: TextArea) -> list[str]:
    """The screen rows the widget covers, cut to its columns."""
    region = widget.region
    lines = screen_lines(app)
    return [line[region.x : region.right] for line in lines[region.y : region.bottom]]


@pytest.mark.parametrize("size", SIZES)
async def test_panes_share_the_height_of_their_tab(build, size: tuple[int, int]) -> None:
    """At 200x50 two thirds of the Error Description tab were empty: three panes of 4-5
    rows. Now they share the tab: equal heights, down to its last row."""
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await open_entry(app, pilot, 5)
        await to_tab(app, pilot, "tab-error_description")
        areas = [pane(app, k) for k in ("what_happened", "expected_behavior", "actual_behavior")]
        heights = [a.region.height for a in areas]
        assert max(heights) - min(heights) <= 1, heights
        body = areas[0].parent
        assert body is not None
        assert areas[-1].region.bottom == body.region.bottom, (heights, body.region)
        if size == (200, 50):
            assert min(heights) >= 13, heights  # 50 rows: about a third of the tab each


@pytest.mark.parametrize("size", SIZES)
async def test_a_pane_taller_than_its_text_shows_all_of_it(build, size: tuple[int, int]) -> None:
    """The checklist shows every item (it showed 3 of 4 beside empty rows); a leaf
    section's pane is the whole tab."""
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await open_entry(app, pilot, 2)
        await to_tab(app, pilot, "tab-steps_to_reproduce")
        steps = pane(app, "steps_to_reproduce")
        tab = app.query_one("#tab-steps_to_reproduce")
        assert steps.region.height >= tab.region.height - 1
        await to_tab(app, pilot, "tab-checklist")
        shown = "\n".join(screen_lines(app))
        for item in app.editor.collect().follow_up:
            assert item.text[:30] in shown, item.text


@pytest.mark.parametrize("size", SIZES)
async def test_a_tab_shown_later_wraps_at_its_width(
    build, samples_copy: Path, size: tuple[int, int]
) -> None:
    """Steps to Reproduce and References, shown after an entry is opened (and again after
    another is opened while they are hidden), wrap at the pane's width: no row is cut at
    the right edge. (Their text was loaded while hidden, unwrapped, and TextArea rewraps
    only on a resize, which a pane shown at the size it had before never gets.)"""
    for number in (2, 5):  # a step longer than 200 columns
        path = entry_file(samples_copy, number)
        long_step = "9. " + "then the pool ran dry again " * 9
        path.write_text(
            path.read_text("utf-8").replace("## Investigation", f"{long_step}\n\n## Investigation"),
            encoding="utf-8",
        )
    app: MistakesApp = build()
    app.animation_level = "full"  # as in a terminal (the tab bar scrolls, animated)
    async with app.run_test(size=size) as pilot:
        for number in (5, 2, 5):
            await open_entry(app, pilot, number)
            for key in ("steps_to_reproduce", "references"):
                await to_tab(app, pilot, f"tab-{key}", at_once=True)
                area = pane(app, key)
                width = area.content_region.width
                rows = rows_of(app, area)
                assert area.wrapped_document.height >= area.document.line_count
                # every character of the text is on the screen, in order
                shown = "".join("".join(row.split()) for row in rows)
                assert "".join(area.text.split()) in shown, (number, key, width, rows)
            await to_tab(app, pilot, "tab-details")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("tab", "key"),
    [("tab-error_description", "actual_behavior"), ("tab-solution", "commands_run")],
)
async def test_the_cursor_stays_visible_typing_at_the_end_of_a_long_line(
    build, size: tuple[int, int], tab: str, key: str
) -> None:
    """The last pane of a tab: typing at the end of a long line keeps the cursor on the
    screen, inside the pane (the pane grew past the bottom of the tab, which did not
    follow)."""
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await open_entry(app, pilot, 5)
        await to_tab(app, pilot, tab)
        area = pane(app, key)
        for _ in range(5):  # tab moves to the next pane
            if app.focused is area:
                break
            await pilot.press("tab")
        assert app.focused is area
        await to_end(pilot, area)
        assert area.cursor_location == area.document.end
        # a long line pasted at the end (some 10 rows at 200 columns), then typed on
        app.post_message(events.Paste(" and-a-long-line-pasted-at-its-end" * 45))
        await pilot.pause()
        await type_text(pilot, " and typed")
        await pilot.pause()
        x, y = area.cursor_screen_offset
        assert area.content_region.contains(x, y), (x, y, area.content_region)
        body = area.parent
        assert body is not None
        assert body.region.contains(x, y), (x, y, body.region)
        assert app.screen.region.contains(x, y)


@pytest.mark.parametrize("size", SIZES)
async def test_a_paste_shows_at_once_and_a_traceback_is_saved_fenced(
    build, samples_copy: Path, size: tuple[int, int]
) -> None:
    """A 14-line traceback pasted into Error Messages of a new entry: on screen at once,
    in the Preview as a code block, in the file inside a code fence (as the CLI stores it)."""
    traceback = "\n".join(
        ["Traceback (most recent call last):"]
        + [f'  File "/app/step{n}.py", line {n}, in step{n}' for n in range(1, 13)]
        + ["RuntimeError: pool exhausted"]
    )
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await new_entry(app, pilot, "Pasted traceback")
        await to_tab(app, pilot, "tab-error_messages")
        area = pane(app, "error_messages")
        assert app.focused is area
        app.post_message(events.Paste(traceback))  # what the terminal driver posts
        await pilot.pause()
        await pilot.pause()
        rows = [row.strip() for row in rows_of(app, area)]
        assert "RuntimeError: pool exhausted" in rows, rows
        assert rows[0] == "```"
        await pilot.press("ctrl+pagedown")  # typed on: a line typed into Configuration
        await pilot.press("ctrl+pageup")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        saved = app.stored.path.read_text("utf-8")  # type: ignore[union-attr]
    assert "## Error Messages\n\n```\nTraceback (most recent call last):\n" in saved
    assert "RuntimeError: pool exhausted\n```\n" in saved


async def test_a_typed_configuration_is_saved_fenced_and_previewed_as_code(
    build, samples_copy: Path
) -> None:
    """Text typed into a section whose hint is a code block is stored fenced; the lines are
    not run together in the Preview."""
    app: MistakesApp = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await new_entry(app, pilot, "Typed configuration")
        await to_tab(app, pilot, "tab-environment_details")
        assert app.focused is pane(app, "configuration")
        await type_text(pilot, "POOL_SIZE=10")
        await pilot.press("enter")
        await type_text(pilot, "POOL_TIMEOUT=30")
        await pilot.press("ctrl+o")  # the preview
        await pilot.pause()
        preview = app.editor.renderer(app.editor.collect())  # type: ignore[misc]
        assert "```\nPOOL_SIZE=10\nPOOL_TIMEOUT=30\n```" in preview
        await pilot.press("ctrl+o", "ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: app.stored is not None)
        assert await wait_until(pilot, lambda: not app.editor.modified)
        saved = app.stored.path.read_text("utf-8")  # type: ignore[union-attr]
        assert app.query_one("#section-configuration", TextArea).text.startswith("POOL")
    assert "### Configuration\n\n```\nPOOL_SIZE=10\nPOOL_TIMEOUT=30\n```\n" in saved, saved[
        saved.index("## Env") :
    ][:400]


@pytest.mark.parametrize("size", SIZES)
async def test_select_fields_show_an_empty_value_not_their_label(
    build, size: tuple[int, int]
) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await new_entry(app, pilot, "Unset choices", severity=False)
        severity = app.query_one("#field-severity", Select)
        assert severity.value is Select.NULL
        row = next(line for line in screen_lines(app) if "Severity" in line)
        assert row.count("Severity") == 1, row


@pytest.mark.parametrize("size", SIZES)
async def test_a_code_block_hint_is_a_multi_line_placeholder(build, size: tuple[int, int]) -> None:
    app: MistakesApp = build()
    async with app.run_test(size=size) as pilot:
        await new_entry(app, pilot, "Placeholders")
        await to_tab(app, pilot, "tab-error_messages")
        rows = [row.strip() for row in rows_of(app, pane(app, "error_messages"))]
        assert rows[0] == "```"  # the hint's lines, each on its own row (wrapped when long)
        hint = rows[1 : rows.index("```", 1)]
        assert " ".join(hint) == "[Paste full error messages, stack traces, logs]"


async def test_placeholders_are_italic_and_fields_are_boxes_in_16_colours(build) -> None:
    """Where dim is not drawn (TERM=xterm, TERM=linux), placeholders are italic and
    coloured; form fields have a background of their own."""
    app: MistakesApp = build()
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "ansi-dark"  # what the app takes on a 16-colour terminal
        await new_entry(app, pilot, "")
        reporter = app.query_one("#field-reporter")
        title = app.query_one("#field-title")
        assert reporter.rich_style.bgcolor is not None
        assert not reporter.rich_style.bgcolor.is_default
        assert reporter.rich_style.bgcolor != title.rich_style.bgcolor  # focused differs
        await to_tab(app, pilot, "tab-error_description")
        area = pane(app, "expected_behavior")
        placeholder = area.get_visual_style("text-area--placeholder").rich_style
        assert placeholder.italic
        assert placeholder.color is not None and not placeholder.color.is_default
        strip = area.render_line(0)
        assert any(seg.style is not None and seg.style.italic for seg in strip)


async def test_untouched_control_characters_keep_their_bytes_and_a_paste_keeps_its_own(
    build, samples_copy: Path
) -> None:
    """Error Messages holds a coloured log. Typing at the end of that section changes only
    the line typed on: the escapes on the other lines stay bytes in the file (they were
    written as ^[). A coloured log pasted into What Happened is saved as pasted, and shown
    with its escapes made visible."""
    path = entry_file(samples_copy, 5)
    text = path.read_text("utf-8")
    text = text.replace(
        "[2025-04-09 15:01:44,118] ERROR", "\x1b[31m[2025-04-09 15:01:44,118] ERROR\x1b[0m"
    )
    text = text.replace("sqlalchemy.exc.TimeoutError:", "\x9b1msqlalchemy.exc.TimeoutError:")
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    pasted = "\x1b[33mWARN\x1b[0m pool 15/15 in use\n\x1b[31mERROR\x1b[0m checkout timed out"
    app: MistakesApp = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_entry(app, pilot, 5)
        await to_tab(app, pilot, "tab-error_messages")
        area = pane(app, "error_messages")
        assert "^[[31m" in area.text and "<U+009B>" in area.text
        await to_end(pilot, area)
        lines = area.document.lines
        last = max(i for i, line in enumerate(lines) if line.strip() and line.strip() != "```")
        await pilot.press(*["up"] * (len(lines) - 1 - last), "end")  # the fence's last line
        await type_text(pilot, " (seen twice)")
        await to_tab(app, pilot, "tab-error_description")
        what = pane(app, "what_happened")
        what.focus()
        await pilot.pause()
        await to_end(pilot, what)
        await pilot.press("enter")
        app.post_message(events.Paste(pasted))
        await pilot.pause()
        assert "^[[33mWARN^[[0m pool 15/15 in use" in what.text
        assert "\x1b" not in app.export_screenshot()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not app.editor.modified)
    after = path.read_bytes()
    assert b"\x1b[31m[2025-04-09 15:01:44,118] ERROR\x1b[0m" in after
    assert "\x9b1msqlalchemy.exc.TimeoutError:".encode() in after
    assert b"^[" not in after and b"<U+009B>" not in after
    assert pasted.encode() in after
    old_lines, new_lines = before.split(b"\n"), after.split(b"\n")
    changed = [line for line in new_lines if line not in old_lines]
    assert sorted(changed) == sorted(
        [
            next(line for line in new_lines if line.endswith(b" (seen twice)")),
            *pasted.encode().split(b"\n"),
        ]
    ), changed
    assert "\x9b1msqlalchemy.exc.TimeoutError: QueuePool".encode() in after
    assert b" (seen twice)\n```\n" in after  # the last line of the log, typed on


async def test_a_section_too_large_to_edit_opens_read_only(build, samples_copy: Path) -> None:
    """A 25,000-line log: the pane opens read-only and says to use ctrl+e ($EDITOR); keys do
    not change it. A 5,000-line one stays editable."""
    path = entry_file(samples_copy, 5)
    text = path.read_text("utf-8")
    huge = "\n".join(f"line {n} of a very long log" for n in range(25_000))
    large = "\n".join(f"line {n} of a long log" for n in range(5_000))
    text = text.replace("## Steps to Reproduce", f"```\n{huge}\n```\n\n## Steps to Reproduce")
    text = text.replace("### Tools Used", f"### Tools Used\n{large}\n", 1)
    path.write_text(text, encoding="utf-8")
    app: MistakesApp = build()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_entry(app, pilot, 5)
        await to_tab(app, pilot, "tab-error_messages")
        area = pane(app, "error_messages")
        assert app.focused is area
        assert area.read_only
        assert any("$EDITOR" in n.message for n in app._notifications)
        await type_text(pilot, "xyz")
        assert "xyz" not in area.text
        assert not app.editor.modified
        await to_tab(app, pilot, "tab-investigation_process")
        tools = pane(app, "tools_used")
        tools.focus()
        await pilot.press("pageup", "pageup", "home")
        await type_text(pilot, "xyz")
        assert tools.text.startswith("xyz")
        assert app.editor.modified
