"""The commands over several folders: labels, ``folder`` in JSON, FOLDER:REF, ``new --in``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import split_samples


@pytest.fixture
def two(cwd: Path) -> tuple[Path, Path]:
    """The samples split over ``payments/mistakes`` (odd numbers) and ``search`` (even),
    with a second 005 in ``search``."""
    return split_samples(cwd, "005-pool-again.md")


def dirs(two: tuple[Path, Path]) -> list[str]:
    return ["--dir", str(two[0]), "--dir", str(two[1])]


def test_search_names_each_hit_by_folder(run, two: tuple[Path, Path]) -> None:
    a, b = two
    result = run(*dirs(two), "search", "pool", "--json")
    assert result.code == 0, result.err
    hits = result.json
    assert {h["folder"] for h in hits} == {"payments", "search"}
    for hit in hits:
        assert list(hit)[:2] == ["path", "folder"]
        assert Path(hit["path"]).parent == (a if hit["folder"] == "payments" else b)
    text = run(*dirs(two), "search", "pool")
    lines = [line for line in text.out.splitlines() if not line.startswith(" ")]
    assert lines[0].startswith("payments:005") or lines[0].startswith("search:005")
    assert all(line.split()[0].split(":")[0] in ("payments", "search") for line in lines)


def test_dirs_after_the_command_win_over_those_before(run, two: tuple[Path, Path]) -> None:
    result = run("--dir", str(two[0]), "--dir", str(two[1]), "list", "--json")
    assert {e["folder"] for e in result.json} == {"payments", "search"}
    result = run("--dir", "elsewhere", "list", "--dir", str(two[0]), "--dir", str(two[1]))
    assert {line.split(":")[0] for line in result.out.splitlines()} == {"payments", "search"}
    result = run("--dir", str(two[0]), "--dir", str(two[1]), "list", "--dir", str(two[1]))
    assert all(":" not in line.split()[0] for line in result.out.splitlines())


def test_one_folder_output_has_no_folder(run, two: tuple[Path, Path]) -> None:
    result = run("--dir", str(two[0]), "search", "pool", "--json")
    assert result.json and all("folder" not in h for h in result.json)
    listed = run("--dir", str(two[0]), "list")
    assert listed.out.splitlines()[0].startswith("001  ")
    assert ":" not in listed.out.splitlines()[0].split()[0]


def test_list_merges_by_number_and_labels(run, two: tuple[Path, Path]) -> None:
    result = run(*dirs(two), "list")
    assert result.code == 0, result.err
    heads = [line.split()[0] for line in result.out.splitlines()]
    numbers = [int(h.split(":")[1]) for h in heads]
    assert numbers == sorted(numbers)
    assert heads[:3] == ["payments:001", "search:002", "payments:003"]
    data = run(*dirs(two), "list", "--json").json
    assert len(data) == len(heads)
    assert sorted(e["number"] for e in data) == numbers


def test_similar_across_folders(run, two: tuple[Path, Path]) -> None:
    result = run(*dirs(two), "similar", "payments:5", "--json")
    assert result.code == 0, result.err
    hits = result.json
    assert hits and hits[0]["folder"] == "search" and hits[0]["number"] == 5
    # the entry itself is left out, its twin in the other folder is not
    assert not any(h["folder"] == "payments" and h["number"] == 5 for h in hits)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_folder_ref_and_ambiguity(run, two: tuple[Path, Path]) -> None:
    result = run(*dirs(two), "show", "5")
    assert result.code == 2
    assert result.err == "mistakes: 5 is in payments and search; say payments:5\n"
    shown = run(*dirs(two), "show", "search:5", "--json")
    assert Path(shown.json["path"]).name == "005-pool-again.md"
    assert run(*dirs(two), "show", "7").code == 0  # only payments has 007
    result = run(*dirs(two), "set", "search:005", "severity=low")
    assert result.code == 0, result.err
    assert "severity: low" in (two[1] / "005-pool-again.md").read_text()
    assert "severity: low" not in next(two[0].glob("005-*.md")).read_text()
    done = run(*dirs(two), "done", "search:2", "3", "--json")
    assert done.code == 0, done.err
    assert Path(done.json["path"]).parent == two[1]


def test_new_in_a_named_folder(run, two: tuple[Path, Path]) -> None:
    result = run(*dirs(two), "new", "--title", "Goes to the first", "--no-env")
    assert Path(result.out.strip()).parent == two[0]
    result = run(*dirs(two), "new", "--title", "Goes to search", "--in", "search", "--no-env")
    assert result.code == 0, result.err
    assert Path(result.out.strip()).parent == two[1]
    result = run(*dirs(two), "new", "--title", "x", "--in", "nope")
    assert result.code == 2
    assert "no folder named 'nope' (folders: payments, search)" in result.err


def test_named_dirs_and_name_clash(run, cwd: Path, two: tuple[Path, Path]) -> None:
    other = cwd / "elsewhere" / "search"
    other.mkdir(parents=True)
    result = run("--dir", str(two[1]), "--dir", str(other), "list")
    assert result.code == 2
    assert str(two[1]) in result.err and str(other) in result.err
    result = run("--dir", str(two[1]), "--dir", f"ops={other}", "list", "--json")
    assert result.code == 0, result.err


def test_config_folders_are_used(run, two: tuple[Path, Path], isolated_home: Path) -> None:
    config = isolated_home / ".config" / "mistakes" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'folders = [{{ name = "pay", dir = "{two[0]}" }}, "{two[1]}"]\n', "utf-8")
    result = run("todo", "--json")
    assert result.code == 0, result.err
    assert {i["folder"] for i in result.json} == {"pay", "search"}
    result = run("check", "--json")
    assert {p["folder"] for p in result.json} <= {"pay", "search"}


def test_link_across_folders_is_refused(run, two: tuple[Path, Path]) -> None:
    result = run(*dirs(two), "link", "payments:1", "search:2")
    assert result.code == 2
    assert "different folders" in result.err


def test_serve_starts_the_app_over_every_folder(tmp_path: Path) -> None:
    import shlex

    from mistakes.cli.web import app_command
    from mistakes.services.folders import open_folders

    a, b = tmp_path / "pay ments", tmp_path / "search"
    command = shlex.split(app_command([("pay", a), ("search", b)], None))
    assert command[3:] == ["--dir", f"pay={a.resolve()}", "--dir", f"search={b.resolve()}"]
    dirs = [w for w in command[3:] if w != "--dir"]
    assert open_folders(dirs).names == ["pay", "search"]


def test_stats_names_the_folder_of_each_recurring_entry(run, two: tuple[Path, Path]) -> None:
    """Both folders have a 005: stats says which one was seen how often."""
    for ref in ("payments:5", "search:5", "search:5"):
        assert run(*dirs(two), "seen", ref, "--note", "again").code == 0
    result = run(*dirs(two), "stats", "--json")
    assert result.code == 0, result.err
    recurring = result.json["most_recurring"]
    assert [(r["folder"], r["number"], r["seen"]) for r in recurring] == [
        ("search", 5, 2),
        ("payments", 5, 1),
    ]
    for item in recurring:
        assert list(item) == ["number", "title", "path", "folder", "seen"]
        assert Path(item["path"]).parent == (two[0] if item["folder"] == "payments" else two[1])
    text = run(*dirs(two), "stats").out
    assert "  search:005  seen   2  " in text and "  payments:005  seen   1  " in text
    # one folder: as it always was, without folder
    one = run("--dir", str(two[1]), "stats", "--json").json["most_recurring"]
    assert [list(item) for item in one] == [["number", "title", "path", "seen"]]
    assert "  005  seen   2  " in run("--dir", str(two[1]), "stats").out
