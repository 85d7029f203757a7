"""``todo``, ``show --json``'s backlinks and ``stats`` served from the search index: the
same output as reading every file (the path they took before the index kept each entry's
checklist and links), over the samples, generated folders and odd values; and, once the
index is in step, no other file parsed."""

from __future__ import annotations

import itertools
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mistakes.services.entries import EntryService
from mistakes.services.followups import open_followups
from mistakes.services.links import show_record
from mistakes.services.listing import from_files
from mistakes.services.stats import compute
from mistakes.storage.folder import EntryFolder, StoredEntry
from mistakes.storage.template_file import load_template
from tests.conftest import REPO, SAMPLES

BENCHMARKS = REPO / "benchmarks"


def _service(root: Path) -> EntryService:
    return EntryService(EntryFolder(root, load_template()))


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("mistakes: warning:")]


# -- the references: every file read -----------------------------------------------------------


def todo_from_files(root: Path, options: tuple[str, ...]) -> tuple[list[dict[str, Any]], list]:
    tags = [options[i + 1] for i, o in enumerate(options) if o == "--tag"]
    severities = [options[i + 1] for i, o in enumerate(options) if o == "--severity"]
    items, problems = open_followups(
        _service(root), tags=tags, severities=severities, include_done="--all" in options
    )
    return [i.to_json() for i in items], [f"mistakes: warning: {p}" for p in problems]


def assert_todo_same(run, root: Path, *options: str) -> None:
    result = run("--dir", str(root), "todo", "--json", *options)
    assert result.code == 0, result.err
    expected, warnings = todo_from_files(root, options)
    assert result.json == expected
    assert _warnings(result.err) == warnings
    text = run("--dir", str(root), "todo", *options)
    assert text.code == 0
    assert text.out.count("\n") == len(expected) + len({i["path"] for i in expected})


def assert_show_same(run, root: Path) -> int:
    """show --json of every entry as reading the folder gives it; the number of links."""
    service = _service(root)
    entries, _problems = service.folder.load_all()
    links = 0
    for stored in entries:
        result = run("--dir", str(root), "show", stored.path.name, "--json")
        assert result.code == 0, result.err
        expected = json.loads(json.dumps(show_record(service, stored), ensure_ascii=False))
        assert result.json == expected, stored.path.name
        links += len(expected["links"])
    return links


def assert_stats_same(run, root: Path, *options: str) -> None:
    result = run("--dir", str(root), "stats", "--json", *options)
    assert result.code == 0, result.err
    folder = EntryFolder(root, load_template())
    since = options[options.index("--since") + 1] if "--since" in options else ""
    expected = compute(from_files(folder).entries, folder.template, since=since).to_json()
    assert result.json == json.loads(json.dumps(expected, ensure_ascii=False))


# -- the samples and generated folders ---------------------------------------------------------


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root)
    return root


TODO_OPTIONS = [(), ("--all",), ("--tag", "database"), ("--severity", "high,critical", "--all")]


def test_todo_and_show_equal_reading_every_file_over_the_samples(run, samples: Path) -> None:
    assert run("--dir", str(samples), "reindex").code == 0
    assert run("--dir", str(samples), "link", "3", "5", "--as", "caused-by").code == 0
    assert run("--dir", str(samples), "link", "7", "5").code == 0
    for options in TODO_OPTIONS:
        assert_todo_same(run, samples, *options)
    assert assert_show_same(run, samples) >= 4
    assert_stats_same(run, samples)


def _generated(tmp_path: Path, seed: int, count: int) -> Path:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    import synth

    root = tmp_path / f"gen-{seed}"
    synth.generate(root, count, seed=seed, workers=1)
    return root


@pytest.mark.parametrize("seed", [5, 77])
def test_todo_show_stats_equal_reading_every_file_over_generated_folders(
    run, tmp_path: Path, seed: int
) -> None:
    root = _generated(tmp_path, seed, 40)
    assert run("--dir", str(root), "reindex").code == 0
    for options in TODO_OPTIONS:
        assert_todo_same(run, root, *options)
    assert assert_show_same(run, root) > 0
    assert_stats_same(run, root)
    assert_stats_same(run, root, "--since", "2024-01-01")
    # files are the truth: what changed behind the index's back is seen before answering
    files = sorted(root.glob("*.md"))
    assert run("--dir", str(root), "link", files[1].name, files[2].name).code == 0
    text = files[4].read_text("utf-8")
    files[4].write_text(text.replace("- [ ] ", "- [x] ", 1).replace("- [x] ", "- [ ] ", 2), "utf-8")
    hand = f"- see #{int(files[6].name[:3])}\n- [x](mistakes/{files[7].name})\n"
    text = files[8].read_text("utf-8")
    assert "### Similar Past Issues\n\n" in text
    files[8].write_text(
        text.replace("### Similar Past Issues\n\n", f"### Similar Past Issues\n\n{hand}"), "utf-8"
    )
    files[9].unlink()
    (root / "900-broken.md").write_text("---\ntitle: [x\n---\n- [ ] open\n", "utf-8")
    shutil.copy(files[0], root / "901-copy.md")
    for options in TODO_OPTIONS:
        assert_todo_same(run, root, *options)
    assert_show_same(run, root)
    assert_stats_same(run, root)
    (root / "902-link.md").symlink_to(files[3])  # skipped and reported, as before
    assert_todo_same(run, root)
    assert_todo_same(run, root, "--all")


def test_todo_from_the_index_parses_no_file(
    run, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the index is in step, ``todo`` parses no file (it parsed every file with an
    unticked box: 6.1 s at 10,000 entries), and ``show --json`` (next test) only the entry
    shown (it parsed every file naming its number, for backlinks: 1.5 s at 10,000)."""
    (samples / "950-broken.md").write_text("---\ntitle: [x\n---\n- [ ] open\n", "utf-8")
    assert run("--dir", str(samples), "reindex").code == 0
    parsed: list[str] = []
    load_bytes = EntryFolder.load_bytes

    def counting(self: EntryFolder, path: Path, data: bytes) -> StoredEntry:
        parsed.append(path.name)
        return load_bytes(self, path, data)

    monkeypatch.setattr(EntryFolder, "load_bytes", counting)
    for options in ((), ("--all",), ("--json", "--tag", "database")):
        result = run("--dir", str(samples), "todo", *options)
        assert result.code == 0
        assert "950-broken.md" in result.err  # still reported, as before
    assert parsed == ["950-broken.md"] * 3  # only what the index cannot hold


def test_show_json_from_the_index_parses_only_the_entry(
    run, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (samples / "950-broken.md").write_text("---\ntitle: [x\n---\n- [ ] open\n", "utf-8")
    assert run("--dir", str(samples), "link", "3", "5").code == 0
    assert run("--dir", str(samples), "link", "7", "5", "--as", "duplicate-of").code == 0
    assert run("--dir", str(samples), "reindex").code == 0
    parsed: list[str] = []
    load_bytes = EntryFolder.load_bytes

    def counting(self: EntryFolder, path: Path, data: bytes) -> StoredEntry:
        parsed.append(path.name)
        return load_bytes(self, path, data)

    monkeypatch.setattr(EntryFolder, "load_bytes", counting)
    shown = run("--dir", str(samples), "show", "5", "--json")
    assert shown.code == 0, shown.err
    links = {(link["number"], link["type"], link["direction"]) for link in shown.json["links"]}
    assert {(3, "related", "out"), (7, "has-duplicate", "out")} <= links
    assert any(direction == "in" for _n, _t, direction in links)  # written in 019 only
    five = [name for name in parsed if name.startswith("005-")]
    assert five and set(parsed) - set(five) <= {"950-broken.md"}


def test_a_tick_from_todo_is_refused_when_the_checklist_changed(run, samples: Path) -> None:
    """``done`` edits the file by line, from the file as it is now (not the index)."""
    assert run("--dir", str(samples), "reindex").code == 0
    listed = run("--dir", str(samples), "todo", "--json").json
    first = listed[0]
    path = Path(first["path"])
    text = path.read_text("utf-8")
    path.write_text(text.replace(f"- [ ] {first['text']}", "- [ ] something else", 1), "utf-8")
    again = run("--dir", str(samples), "todo", "--json").json
    assert again[0]["text"] == "something else"  # the index was brought in step first
    done = run("--dir", str(samples), "done", path.name, str(first["item"]), "--json")
    assert done.code == 0, done.err
    assert done.json["text"] == "something else" and done.json["done"] is True
    assert "- [x] something else" in path.read_text("utf-8")


# -- property: odd checklists, links and values ------------------------------------------------

_EXAMPLES = itertools.count()
_ITEM = st.sampled_from(["fix it", "Fix IT", "false alarm", "add [x] test", "x\x1bRED", "ü"])
_LINK = st.sampled_from(
    ["- [{n:03d}](./{name})", "- duplicate-of: [{n:03d} x]({name})", "- #{n}", "- {n:03d}",
     "- `{name}`", "- [gone](099-gone.md)", "- see mistakes/{name}#why"]
)  # fmt: skip


@st.composite
def folders(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(min_value=1, max_value=6))
    return [
        {
            "severity": draw(st.sampled_from(["", "high", "High", "low", "urgent"])),
            "date": draw(st.sampled_from(["", "2025-01-02", "2024-12-31", "soon"])),
            "tags": draw(st.lists(st.sampled_from(["db", "DB", "api"]), max_size=2)),
            "items": draw(st.lists(st.tuples(st.booleans(), _ITEM), max_size=4)),
            "links": draw(st.lists(st.tuples(_LINK, st.integers(1, count)), max_size=3)),
        }
        for _ in range(count)
    ]


def _write(root: Path, entries: list[dict[str, Any]]) -> None:
    root.mkdir(parents=True)
    names = [f"{n:03d}-entry-{n}.md" for n in range(1, len(entries) + 1)]
    for number, (name, item) in enumerate(zip(names, entries, strict=True), 1):
        lines = ["---", f"title: Entry {number}"]
        for key in ("date", "severity"):
            if item[key]:
                lines.append(f"{key}: {json.dumps(item[key])}")
        if item["tags"]:
            lines.append(f"tags: {json.dumps(item['tags'])}")
        lines += ["---", "", "## Error Description", "", "### What Happened", "", "It broke.", ""]
        if item["links"]:
            lines += ["## Related Issues", "", "### Similar Past Issues", ""]
            lines += [
                form.format(n=target, name=names[target - 1]) for form, target in item["links"]
            ]
            lines.append("")
        if item["items"]:
            lines += ["## Follow-up Actions", ""]
            lines += [f"- [{'x' if done else ' '}] {text}" for done, text in item["items"]]
        (root / name).write_text("\n".join(lines) + "\n", "utf-8")


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=folders())
def test_todo_show_stats_equal_reading_every_file_for_odd_values(
    run, tmp_path: Path, entries: list[dict[str, Any]]
) -> None:
    # a folder (so an index) per example: see test_listing's odd values
    root = tmp_path / f"odd-{next(_EXAMPLES)}"
    _write(root, entries)
    assert run("--dir", str(root), "reindex").code == 0
    for options in ((), ("--all",), ("--tag", "db", "--severity", "high")):
        assert_todo_same(run, root, *options)
    assert_show_same(run, root)
    assert_stats_same(run, root)


def test_todo_json_text_is_what_json_dump_prints(run, samples: Path) -> None:
    """``todo --json`` is put together from each value's JSON: the same text as
    ``json.dump(items, indent=2, ensure_ascii=False)`` (odd text included)."""
    path = next(samples.glob("005-*.md"))
    text = path.read_text("utf-8")
    odd = '- [ ] tab\\there, "quotes", \\\\ back, ünï \U0001f600 and \u2028 a separator\n'
    path.write_text(
        text.replace("## Follow-up Actions\n\n", "## Follow-up Actions\n\n" + odd), "utf-8"
    )
    assert run("--dir", str(samples), "reindex").code == 0
    for options in ((), ("--all",), ("--tag", "no-such-tag")):
        result = run("--dir", str(samples), "todo", "--json", *options)
        assert result.code == 0, result.err
        assert result.out == json.dumps(result.json, ensure_ascii=False, indent=2) + "\n"
    assert any("ünï" in item["text"] for item in run("--dir", str(samples), "todo", "--json").json)


def test_mcp_show_and_todo_use_the_index_once_built(
    samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The MCP server's ``show`` (backlinks) and ``todo`` answer from the index once one is
    built, in step with the folder (they read the files before: 1.5 s and 6 s at 10,000)."""
    pytest.importorskip("mcp")
    from mistakes.cli.mcp_server import MistakesServer

    service = _service(samples)
    server = MistakesServer(service, allow_write=False, cache_root=tmp_path / "cache")
    before_build = server.todo(limit=100)  # no index yet: from the files, nothing built
    assert not server.search_service.exists()
    server.search("pool")  # builds it
    parsed: list[str] = []
    load_bytes = EntryFolder.load_bytes

    def counting(self: EntryFolder, path: Path, data: bytes) -> StoredEntry:
        parsed.append(path.name)
        return load_bytes(self, path, data)

    monkeypatch.setattr(EntryFolder, "load_bytes", counting)
    assert server.todo(limit=100) == before_build
    assert parsed == []
    shown = server.show("5")
    assert parsed and all(name.startswith("005-") for name in parsed)  # the entry alone
    assert shown == json.loads(json.dumps(show_record(service, service.get("5"))))
    assert any(link["direction"] == "in" for link in shown["links"])
    server.search_service.close()
