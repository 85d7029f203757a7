"""``link``, ``unlink``, ``show --json``'s links, ``check`` and ``check --fix`` on links, and
``todo`` / ``done`` / ``undo``: what they write, line by line."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.cli.test_cli import BUG_TEMPLATE
from tests.conftest import CORPUS


def entry(folder: Path, number: int) -> Path:
    (found,) = folder.glob(f"{number:03d}-*.md")
    return found


def line_diff(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) between two texts."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


# -- link / unlink ---------------------------------------------------------------------------


def test_link_writes_both_files_by_appending_lines(run, samples_copy: Path) -> None:
    a, b = entry(samples_copy, 19), entry(samples_copy, 5)
    before_a, before_b = a.read_text(), b.read_text()
    result = run("--dir", str(samples_copy), "link", "19", "5", "--as", "recurrence-of")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [str(a), str(b)]

    removed, added = line_diff(before_a, a.read_text())
    assert removed == []
    assert added == [
        "- recurrence-of: [005 Connection pool exhausted after deploy of v2.3]"
        "(005-connection-pool-exhausted-after-deploy-of-v2-3.md)"
    ]
    # 005 had no Related Issues: the section comes with the line, nothing else changes
    removed, added = line_diff(before_b, b.read_text())
    assert removed == []
    assert added == [
        "## Related Issues",
        "",
        "### Similar Past Issues",
        "",
        "- has-recurrence: [019 Connection pool exhausted again after async SQLAlchemy "
        "migration](019-connection-pool-exhausted-again-after-async-sqlalchemy.md)",
        "",
    ]
    # written once: a second run changes nothing
    again = run("--dir", str(samples_copy), "link", "19", "5", "--as", "recurrence-of")
    assert again.code == 0
    assert again.out.splitlines() == [f"{a} (unchanged)", f"{b} (unchanged)"]


def test_show_json_links_with_backlinks(run, samples_copy: Path) -> None:
    run("--dir", str(samples_copy), "link", "3", "5", "--as", "caused-by")
    shown = run("--dir", str(samples_copy), "show", "5", "--json").json["links"]
    kinds = [(link["type"], link["number"], link["direction"]) for link in shown]
    # 5 -> 3 "causes" written in 005; 019 links 005 by hand (a backlink, read as related)
    assert ("causes", 3, "out") in kinds
    assert ("related", 19, "in") in kinds
    assert all(set(link) >= {"type", "number", "path", "title"} for link in shown)
    causes = next(link for link in shown if link["type"] == "causes")
    assert causes["title"] == "Nightly export job fails with UnicodeDecodeError on customer names"
    assert Path(causes["path"]) == entry(samples_copy, 3)
    # 010 writes no link itself; 014 and 021 link to it by hand
    ten = run("--dir", str(samples_copy), "show", "10", "--json").json["links"]
    assert sorted((link["number"], link["direction"]) for link in ten) == [(14, "in"), (21, "in")]


def test_unlink_removes_only_those_lines(run, samples_copy: Path) -> None:
    a, b = entry(samples_copy, 20), entry(samples_copy, 16)
    run("--dir", str(samples_copy), "link", "16", "20", "--as", "duplicate-of")
    before_a, before_b = a.read_text(), b.read_text()
    result = run("--dir", str(samples_copy), "unlink", "20", "16")
    assert result.code == 0, result.err
    removed, added = line_diff(before_a, a.read_text())
    # the hand-typed link and the one written by `link` both go
    assert added == []
    assert removed == [
        "- [016-production-deploy-pulled-stale-image-after-latest-tag-drift.md]"
        "(016-production-deploy-pulled-stale-image-after-latest-tag-drift.md)",
        "- has-duplicate: [016 Production deploy pulled stale image after latest tag drift]"
        "(016-production-deploy-pulled-stale-image-after-latest-tag-drift.md)",
    ]
    assert "007-pods" in a.read_text()  # the other link stays
    removed, added = line_diff(before_b, b.read_text())
    assert added == [] and len(removed) >= 1
    assert "020-helm" not in b.read_text()


def test_link_errors(run, samples_copy: Path, tmp_path: Path) -> None:
    same = run("--dir", str(samples_copy), "link", "5", "005")
    assert same.code == 2 and "not linked to itself" in same.err
    missing = run("--dir", str(samples_copy), "link", "5", "99")
    assert missing.code == 1 and "no entry number 99" in missing.err
    bad_type = run("--dir", str(samples_copy), "link", "5", "6", "--as", "blocks")
    assert bad_type.code == 2
    bug = tmp_path / "bug.md"
    bug.write_text(BUG_TEMPLATE)
    folder = tmp_path / "bugs"
    for title in ("One", "Two"):
        assert run("--dir", str(folder), "--template", str(bug), "new", "-t", title).code == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = run("--dir", str(folder), "--template", str(bug), "link", "1", "2")
    assert result.code == 1
    assert f"{bug}: the template has no 'Related Issues' section" in result.err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# -- check -----------------------------------------------------------------------------------


def test_check_finds_and_fixes_a_renamed_target(run, samples_copy: Path) -> None:
    old = entry(samples_copy, 10)
    old.rename(samples_copy / "010-stale-dns.md")
    fourteen = entry(samples_copy, 14)
    before = fourteen.read_text()
    line = (
        before.splitlines().index(
            next(t for t in before.splitlines() if "(010-stale-dns-after" in t)
        )
        + 1
    )
    result = run("--dir", str(samples_copy), "check")
    assert result.code == 1
    assert (
        f"{fourteen}:{line}: link to {old.name}: no such file; entry 010 is 010-stale-dns.md now"
        in result.out
    )
    assert sum("link to" in row for row in result.out.splitlines()) == 2  # 014 and 021

    fixed = run("--dir", str(samples_copy), "check", "--fix")
    assert fixed.code == 0, fixed.out + fixed.err
    assert f"fixed {fourteen}:{line}:" in fixed.err
    removed, added = line_diff(before, fourteen.read_text())
    assert removed == [before.splitlines()[line - 1]]
    assert added == [
        "- [010-stale-dns.md](010-stale-dns.md) (same Redis cluster, different failure)"
    ]
    assert run("--dir", str(samples_copy), "check").code == 0


def test_check_reports_a_deleted_target(run, samples_copy: Path) -> None:
    entry(samples_copy, 6).unlink()
    result = run("--dir", str(samples_copy), "check", "--fix")
    assert result.code == 1
    (row,) = [r for r in result.out.splitlines() if "link to" in r]
    assert row.startswith(str(entry(samples_copy, 23)))
    assert "no such file, and no entry numbered 006" in row


# -- todo / done / undo ------------------------------------------------------------------------


def test_todo_json_and_text(run, samples_copy: Path) -> None:
    items = run("--dir", str(samples_copy), "todo", "--json").json
    assert items and all(not item["done"] for item in items)
    assert set(items[0]) >= {"number", "path", "title", "text", "done", "line"}
    for item in items:  # the line is the item's own line in the file
        assert Path(item["path"]).read_text().splitlines()[item["line"] - 1] == (
            f"- [ ] {item['text']}"
        )
    # grouped by entry, oldest first
    dates = [
        run("--dir", str(samples_copy), "show", str(n), "--json").json["date"]
        for n in dict.fromkeys(i["number"] for i in items)
    ]
    assert dates == sorted(dates)
    every = run("--dir", str(samples_copy), "todo", "--all", "--json").json
    assert any(item["done"] for item in every) and len(every) > len(items)
    critical = run("--dir", str(samples_copy), "todo", "--severity", "CRITICAL", "--json").json
    assert critical and {i["number"] for i in critical} <= {i["number"] for i in items}
    for number in {i["number"] for i in critical}:
        shown = run("--dir", str(samples_copy), "show", str(number), "--json").json
        assert shown["severity"] == "critical"
    tagged = run("--dir", str(samples_copy), "todo", "--tag", "postgres", "--json").json
    text = run("--dir", str(samples_copy), "todo", "--tag", "postgres")
    assert text.code == 0
    first = tagged[0]
    assert text.out.splitlines()[:2] == [
        f"{first['number']:03d}  {first['title']}  ({first['severity']})",
        f"  {first['item']:>2}. [ ] {first['text']}",
    ]
    assert len([r for r in text.out.splitlines() if "[ ]" in r]) == len(tagged)
    for number in {i["number"] for i in tagged}:
        shown = run("--dir", str(samples_copy), "show", str(number), "--json").json
        assert "postgres" in shown["tags"]


def test_done_and_undo_change_one_line(run, samples_copy: Path) -> None:
    five = entry(samples_copy, 5)
    before = five.read_text()
    open_items = [
        i for i in run("--dir", str(samples_copy), "todo", "--json").json if i["number"] == 5
    ]
    item = open_items[0]
    result = run("--dir", str(samples_copy), "done", "5", str(item["item"]), "--json")
    assert result.code == 0, result.err
    assert result.json["done"] is True and result.json["line"] == item["line"]
    removed, added = line_diff(before, five.read_text())
    assert removed == [f"- [ ] {item['text']}"] and added == [f"- [x] {item['text']}"]
    assert item["text"] not in [
        i["text"]
        for i in run("--dir", str(samples_copy), "todo", "--json").json
        if i["number"] == 5
    ]
    undo = run("--dir", str(samples_copy), "undo", "5", str(item["item"]))
    assert undo.code == 0
    assert undo.out.strip() == f"{five}:{item['line']}: [ ] {item['text']}"
    assert five.read_text() == before


@pytest.mark.parametrize("n", ["0", "99"])
def test_done_out_of_range(run, samples_copy: Path, n: str) -> None:
    before = entry(samples_copy, 5).read_bytes()
    result = run("--dir", str(samples_copy), "done", "5", n)
    assert result.code == 2
    assert (
        "005-connection-pool-exhausted-after-deploy-of-v2-3.md has 6 follow-up items" in result.err
    )
    assert entry(samples_copy, 5).read_bytes() == before


def test_hand_typed_links_in_an_entry_are_read(run, samples_copy: Path) -> None:
    six = entry(samples_copy, 6).name
    text = "\n".join(
        [
            f"- [the gateway one](mistakes/{six}) - same certificate job",
            "- #7 (pods)",
            "- 008",
            "**009** - xdist",
            "- PR #12 upstream",  # not an entry link
        ]
    )
    assert run("--dir", str(samples_copy), "set", "1", f"Similar Past Issues={text}").code == 0
    # in Dependencies, "#11" is another tracker's issue; a file link there still counts
    deps = f"- upstream bug #11\n- [pool](005-{entry(samples_copy, 5).name[4:]})"
    assert run("--dir", str(samples_copy), "set", "1", f"Dependencies={deps}").code == 0
    links = run("--dir", str(samples_copy), "show", "1", "--json").json["links"]
    out = [(link["number"], link["path"]) for link in links if link["direction"] == "out"]
    assert out == [
        (6, str(entry(samples_copy, 6))),
        (7, str(entry(samples_copy, 7))),
        (8, str(entry(samples_copy, 8))),
        (9, str(entry(samples_copy, 9))),
        (5, str(entry(samples_copy, 5))),
    ]
    # and from the other side, a backlink
    back = run("--dir", str(samples_copy), "show", "7", "--json").json["links"]
    assert [(link["number"], link["direction"]) for link in back] == [(1, "in"), (20, "in")]


def test_fix_leaves_a_link_whose_number_another_entry_took(run, samples_copy: Path) -> None:
    # 010 deleted, and its number taken by an unrelated entry: not a rename
    ten = entry(samples_copy, 10)
    ten.unlink()
    (samples_copy / "010-report-worker-oom.md").write_bytes(entry(samples_copy, 11).read_bytes())
    before = {p.name: p.read_bytes() for p in samples_copy.iterdir()}
    result = run("--dir", str(samples_copy), "check", "--fix")
    assert result.code == 1
    rows = [r for r in result.out.splitlines() if "link to" in r]
    assert len(rows) == 2
    assert all("010-report-worker-oom.md, which looks like another entry" in r for r in rows)
    assert {p.name: p.read_bytes() for p in samples_copy.iterdir()} == before
    # nor is the link followed there: it leads nowhere now
    links = run("--dir", str(samples_copy), "show", "14", "--json").json["links"]
    assert [(link["number"], link["path"]) for link in links] == [(10, None)]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
def test_fix_never_points_imported_links_at_renumbered_entries(run, tmp_path: Path) -> None:
    """Links in imported logs name the source folder's files; the import renumbers, so the
    entry with a link's number is another mistake: check says so and --fix leaves them."""
    source = CORPUS / "terrene-foundation__kailash-py"
    assert run("--dir", "entries", "import", str(source)).code == 0
    folder = tmp_path / "work" / "entries"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = run("--dir", "entries", "check", "--fix")
    rows = [r for r in result.out.splitlines() if "link to" in r]
    assert len(rows) > 10
    assert all("looks like another entry" in r for r in rows), rows
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.mark.parametrize("pair", [("5", "8"), ("3", "10"), ("1", "2"), ("22", "24")])
@pytest.mark.parametrize("link_type", ["related", "caused-by"])
def test_link_then_unlink_gives_the_same_bytes(
    run, samples_copy: Path, pair: tuple[str, str], link_type: str
) -> None:
    before = {p.name: p.read_bytes() for p in samples_copy.iterdir()}
    assert run("--dir", str(samples_copy), "link", *pair, "--as", link_type).code == 0
    assert {p.name: p.read_bytes() for p in samples_copy.iterdir()} != before
    assert run("--dir", str(samples_copy), "unlink", *pair).code == 0
    assert {p.name: p.read_bytes() for p in samples_copy.iterdir()} == before


def test_link_keeps_crlf_and_the_missing_final_newline(run, samples_copy: Path) -> None:
    path = entry(samples_copy, 14)
    data = path.read_bytes().replace(b"\n", b"\r\n").rstrip(b"\r\n")
    path.write_bytes(data)
    assert run("--dir", str(samples_copy), "link", "14", "3").code == 0
    after = path.read_bytes()
    assert not after.endswith(b"\n")
    assert after.count(b"\n") == after.count(b"\r\n")
    removed, added = line_diff(data.decode(), after.decode())
    assert removed == []
    assert added == [
        "- [003 Nightly export job fails with UnicodeDecodeError on customer names]"
        "(003-nightly-export-job-fails-with-unicodedecodeerror-on-customer.md)"
    ]
