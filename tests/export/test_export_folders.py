"""`mistakes export` over several folders (``--dir`` repeated): every folder is exported,
and each entry names its folder: ``folder`` in JSON Lines, a first CSV column, the folder's
name in the OpenSearch ``_id`` (so two folders' 005 are two documents in one index), and a
site per folder under a page listing them. One folder's export is unchanged (test_export)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import Result, split_samples

from .test_export import parse

Run = Callable[..., Result]


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path]:
    """The samples split over payments/mistakes and search, with 005 in both."""
    return split_samples(tmp_path)


def dirs(two: tuple[Path, Path]) -> list[str]:
    return ["--dir", str(two[0]), "--dir", str(two[1])]


def counts(two: tuple[Path, Path]) -> dict[str, int]:
    return {"payments": len(list(two[0].glob("*.md"))), "search": len(list(two[1].glob("*.md")))}


def test_jsonl_has_every_folder_and_names_it(two: tuple[Path, Path], run: Run) -> None:
    result = run(*dirs(two), "export", "--format", "jsonl", "--out", "-")
    assert result.code == 0, result.err
    records = [json.loads(line) for line in result.out.splitlines()]
    assert len(records) == sum(counts(two).values())
    for record in records:
        assert list(record)[:2] == ["path", "folder"]
        folder = two[0] if record["folder"] == "payments" else two[1]
        assert Path(record["path"]).parent == folder
    assert sorted(r["folder"] for r in records if r["number"] == 5) == ["payments", "search"]


def test_csv_has_a_folder_column_and_one_header(two: tuple[Path, Path], run: Run) -> None:
    result = run(*dirs(two), "export", "--format", "csv", "--out", "-")
    assert result.code == 0, result.err
    rows = list(csv.reader(io.StringIO(result.out, newline="")))
    assert rows[0][:3] == ["folder", "number", "file"]
    assert sum(1 for row in rows if row[0] == "folder") == 1
    by_folder = {name: sum(1 for row in rows[1:] if row[0] == name) for name in counts(two)}
    assert by_folder == counts(two)


def test_opensearch_ids_are_unique_across_folders(
    two: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    out, mapping = tmp_path / "bulk.ndjson", tmp_path / "mapping.json"
    result = run(
        *dirs(two), "export", "--format", "opensearch", "--out", str(out), "--mapping", str(mapping)
    )
    assert result.code == 0, result.err
    lines = out.read_text("utf-8").splitlines()
    actions, documents = lines[0::2], lines[1::2]
    ids = [json.loads(a)["index"]["_id"] for a in actions]
    assert len(ids) == len(set(ids)) == sum(counts(two).values())
    assert {"payments-005", "search-005"} <= set(ids)
    for action, document in zip(actions, documents, strict=True):
        folder = json.loads(document)["folder"]
        assert json.loads(action)["index"]["_id"].startswith(folder + "-")
    assert "folder" in json.loads(mapping.read_text("utf-8"))["mappings"]["properties"]


def test_html_a_site_per_folder_under_a_page_that_lists_them(
    two: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = run(*dirs(two), "export", "--format", "html", "--out", str(out))
    assert result.code == 0, result.err
    top = parse(out / "index.html")
    assert {url for _tag, url in top.links} == {"payments/index.html", "search/index.html"}
    for name, folder in (("payments", two[0]), ("search", two[1])):
        pages = {p.name for p in (out / name).glob("*.html")}
        assert pages == {"index.html"} | {f"{e.stem}.html" for e in folder.glob("*.md")}
    for path in out.rglob("*.html"):  # every local link resolves
        for _tag, url in parse(path).links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = path.parent / unquote(parts.path)
            assert target.is_file(), f"{path}: {url} does not resolve"


def test_csv_of_folders_with_different_templates_is_refused(
    two: tuple[Path, Path], run: Run, tmp_path: Path
) -> None:
    default = Path(__file__).parents[2] / "src" / "mistakes" / "templates" / "default.md"
    text = default.read_text("utf-8")
    assert "**Reporter:**" in text
    template = tmp_path / "other.md"  # the same template less the reporter: other columns
    template.write_text(
        "".join(line for line in text.splitlines(True) if "**Reporter:**" not in line), "utf-8"
    )
    (two[1] / ".mistakes.toml").write_text(f'template = "{template}"\n', "utf-8")
    result = run(*dirs(two), "export", "--format", "csv", "--out", "-")
    assert result.code != 0
    assert "different templates" in result.err
    assert result.out == ""
