"""`mistakes export`: the static site (parsed with an HTML parser), JSON Lines, the
OpenSearch bulk file and mapping, CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from mistakes.domain.template import Template
from tests.conftest import Result

Run = Callable[..., Result]
EVIL = "<script>alert(1)</script>"
POOL = "005-connection-pool-exhausted-after-deploy-of-v2-3"
PODS = "007-pods-in-crashloopbackoff-after-renaming-database-url-env-var"


class Page(HTMLParser):
    """The links, the script elements and the text of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.scripts = 0
        self.text: list[str] = []
        self.anchors_without_href = 0
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts += 1
        for name in ("href", "src"):
            url = values.get(name)
            if url is not None:
                self.links.append((tag, url))
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and "href" not in values:
            self.anchors_without_href += 1
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler attribute {name}={value}"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text("utf-8"))
    page.close()
    return page


@pytest.fixture
def evil_entry(samples_copy: Path, run: Run) -> Path:
    """An entry from an untrusted clone: HTML in its title and body, links of every kind."""
    body = (
        f"{EVIL} <img src=x onerror=alert(3)> see [the pool one]({POOL}.md#the-fix), "
        "[by number](019-renamed-since.md), [elsewhere](../other-team/003-x.md), "
        "[missing](042-never-written.md), [js](javascript:alert(4)), "
        f"[from the repo root](samples/{PODS}.md), "
        "![diagram](pics/diagram.png) and [the docs](https://example.com/docs)"
    )
    made = run(
        "new", "--dir", str(samples_copy), "--title", EVIL, "--section", f"What Happened={body}"
    )
    assert made.code == 0, made.err
    return Path(made.out.strip())


def test_html_site_every_local_link_resolves_and_text_stays_text(
    samples_copy: Path, evil_entry: Path, run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = run("export", "--dir", str(samples_copy), "--format", "html", "--out", str(out))
    assert result.code == 0, result.err
    pages = sorted(out.glob("*.html"))
    entries = sorted(samples_copy.glob("[0-9]*.md"))
    assert {p.name for p in pages} == {"index.html"} | {f"{e.stem}.html" for e in entries}
    for path in pages:
        page = parse(path)
        for tag, url in page.links:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https"):
                continue
            assert not parts.scheme, f"{path.name}: {tag} {url}"
            if parts.path:
                assert (out / unquote(parts.path)).is_file(), f"{path.name}: {url} does not resolve"
            if parts.fragment:  # lands on a heading, as it would on GitHub
                target = parse(out / unquote(parts.path)) if parts.path else page
                assert parts.fragment in target.ids, f"{path.name}: {url}: no such anchor"
        # the index's own sorting script is the only script anywhere
        assert page.scripts == (1 if path.name == "index.html" else 0), path.name

    index = parse(out / "index.html")
    hrefs = {url for _tag, url in index.links}
    assert {f"{e.stem}.html" for e in entries} <= hrefs  # every entry is listed
    assert EVIL in "".join(index.text)  # the title, as text
    evil = parse(out / f"{evil_entry.stem}.html")
    text = "".join(evil.text)
    assert EVIL in text and "<img src=x onerror=alert(3)>" in text
    links = {url for _tag, url in evil.links}
    assert f"{POOL}.html#the-fix" in links  # to another entry's page
    assert "019-connection-pool-exhausted-again-after-async-sqlalchemy.html" in links  # by number
    assert f"{PODS}.html" in links  # samples/ is the folder's own name
    assert "https://example.com/docs" in links
    assert "index.html" in links
    # elsewhere, missing, javascript: and the local image are not links (shown as text)
    assert not any("javascript" in url or url.endswith(".png") for url in links)
    assert evil.anchors_without_href == 2
    assert "[image: diagram]" in text


def test_html_index_lists_the_facts(samples_copy: Path, run: Run, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run("export", "--dir", str(samples_copy), "-f", "html", "-o", str(out)).code == 0
    html_text = (out / "index.html").read_text("utf-8")
    row = html_text[html_text.index(f'href="{POOL}.html"') :].split("</tr>")[0]
    cells = [c.split(">", 1)[1].removesuffix("</td>") for c in row.split("<td")[1:]]
    open_items = (samples_copy / f"{POOL}.md").read_text("utf-8").count("\n- [ ] ")
    assert open_items == 1
    assert cells == [
        "2025-04-09",
        "critical",
        "resolved",
        "database, postgres, deployment, performance",
        "1",
    ]
    page = "".join(parse(out / f"{POOL}.html").text)
    assert "\u2611 Add tests to catch this type of error" in page  # the checklist's boxes
    assert "\u2610 Add pool metrics to the default service dashboard" in page


def test_jsonl_is_show_json_per_entry(samples_copy: Path, run: Run) -> None:
    result = run("export", "--dir", str(samples_copy), "--format", "jsonl", "--out", "-")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == 24
    for line in lines:
        record = json.loads(line)
        shown = run("show", "--dir", str(samples_copy), str(record["number"]), "--json")
        assert record == shown.json


def test_opensearch_bulk_pairs_and_mapping(
    samples_copy: Path, evil_entry: Path, run: Run, tmp_path: Path, template: Template
) -> None:
    # a second 005 from another branch: both stay, under different ids
    twin = samples_copy / "005-pool-again-on-another-branch.md"
    twin.write_text("---\ntitle: Pool again\ndate: not yet known\n---\n", "utf-8")
    bulk, mapping = tmp_path / "bulk.ndjson", tmp_path / "mapping.json"
    result = run(
        "export", "--dir", str(samples_copy), "-f", "opensearch", "-o", str(bulk),
        "--mapping", str(mapping), "--index", "team-mistakes",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "numbers used twice" in result.err
    data = bulk.read_text("utf-8")
    assert data.endswith("\n")  # _bulk needs the last line ended
    lines = [json.loads(line) for line in data.splitlines()]
    assert len(lines) == 2 * 26
    actions, documents = lines[0::2], lines[1::2]
    ids = []
    for action, document in zip(actions, documents, strict=True):
        assert list(action) == ["index"] and action["index"]["_index"] == "team-mistakes"
        assert "index" not in document and document["folder"] == "samples"
        ids.append(action["index"]["_id"])
    assert len(set(ids)) == len(ids)
    assert "samples-001" in ids and "samples-005-pool-again-on-another-branch" in ids
    by_file = {d["file"]: d for d in documents}
    twin_doc = by_file[twin.name]
    assert "date" not in twin_doc and twin_doc["date_text"] == "not yet known"
    pool = by_file[f"{POOL}.md"]
    assert pool["severity"] == "critical" and "postgres" in pool["tags"]
    assert pool["sections"]["fix"].strip()

    body = json.loads(mapping.read_text("utf-8"))
    props = body["mappings"]["properties"]
    for key in ("severity", "status", "tags", "folder"):
        assert props[key]["type"] == "keyword", key
    assert props["date"]["type"] == "date"
    assert props["title"] == {**props["title"], "type": "text", "analyzer": "english"}
    for leaf in template.leaves():
        assert props["sections"]["properties"][leaf.key]["analyzer"] == "english"
    # every field a document holds is mapped (or under a mapped object)
    for document in documents:
        assert set(document) <= set(props), set(document) - set(props)


def test_csv_rows_with_the_template_header(
    samples_copy: Path, evil_entry: Path, run: Run, template: Template
) -> None:
    run("set", "--dir", str(samples_copy), "1", 'reporter==HYPERLINK("http://x")')
    result = run("export", "--dir", str(samples_copy), "--format", "csv", "--out", "-")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out, newline="")))
    expected = ["number", "file", *(f.dotted for f in template.all_fields()), "follow_ups_open"]
    assert list(rows[0]) == expected
    assert "environment.os" in expected
    assert len(rows) == 25
    by_number = {row["number"]: row for row in rows}
    assert by_number["5"]["severity"] == "critical"
    assert by_number["5"]["tags"] == "database, postgres, deployment, performance"
    assert by_number["25"]["title"] == EVIL
    assert by_number["1"]["reporter"] == '\'=HYPERLINK("http://x")'  # not a formula


def test_export_never_writes_over_an_entry(samples_copy: Path, run: Run) -> None:
    target = samples_copy / f"{POOL}.md"
    before = target.read_bytes()
    result = run("export", "--dir", str(samples_copy), "-f", "jsonl", "-o", str(target))
    assert result.code == 2 and "not written over" in result.err
    assert target.read_bytes() == before


def test_export_to_a_file_that_is_a_folder_is_one_line(
    samples_copy: Path, run: Run, tmp_path: Path
) -> None:
    result = run("export", "--dir", str(samples_copy), "-f", "csv", "-o", str(tmp_path))
    assert result.code == 1
    assert result.err.startswith("mistakes: ") and len(result.err.splitlines()) == 1


def test_csv_columns_follow_a_teams_own_template(run: Run, tmp_path: Path) -> None:
    from tests.cli.test_cli import BUG_TEMPLATE

    template = tmp_path / "bug-template.md"
    template.write_text(BUG_TEMPLATE, "utf-8")
    folder = str(tmp_path / "bugs")
    common = ("--dir", folder, "--template", str(template))
    made = run("new", *common, "--title", "Login loops", "--field", "severity=P1", "--no-env")
    assert made.code == 0, made.err
    run("set", *common, "1", "team=payments")
    result = run("export", *common, "--format", "csv", "--out", "-")
    rows = list(csv.reader(io.StringIO(result.out, newline="")))
    assert rows[0] == ["number", "file", "title", "severity", "team", "follow_ups_open"]
    assert rows[1][2:] == ["Login loops", "p1", "payments", "1"]


def test_a_file_that_cannot_be_read_is_named_and_left_out(samples_copy: Path, run: Run) -> None:
    (samples_copy / "030-broken.md").write_text("---\ntitle: [unclosed\n---\n", "utf-8")
    result = run("export", "--dir", str(samples_copy), "--format", "jsonl", "--out", "-")
    assert result.code == 0
    assert len(result.out.splitlines()) == 24
    assert result.err.startswith(f"mistakes: warning: {samples_copy / '030-broken.md'}:")
    assert result.err.rstrip().endswith("; not exported")


@pytest.mark.parametrize("name", ["Mistakes", "team mistakes", "-x", "_x", "a/b", "a,b", "a*"])
def test_an_index_name_the_cluster_would_refuse_is_a_usage_error(
    samples_copy: Path, run: Run, tmp_path: Path, name: str
) -> None:
    bulk = tmp_path / "bulk.ndjson"
    result = run(
        "export", "--dir", str(samples_copy), "-f", "opensearch", "-o", str(bulk), f"--index={name}"
    )
    assert result.code == 2 and "is not an index name" in result.err
    assert not bulk.exists()


@pytest.mark.parametrize("name", ["mistakes", "team-a_mistakes.2026", "m"])
def test_index_names_the_cluster_takes(name: str) -> None:
    from mistakes.export.opensearch import index_name_problem

    assert index_name_problem(name) is None
