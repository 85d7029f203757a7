"""The index page's inline script (sort on a header click, filter on typing), run with
node against a small stand-in for the DOM built from the exported table. Skipped where
node is not installed: the page works without the script anyway."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mistakes.export.html_site import SCRIPT

NODE = shutil.which("node")

STAND_IN = """
const data = JSON.parse(process.argv[1]);
function el(attrs, text) {
  const a = Object.assign({}, attrs), handlers = {};
  return {textContent: text, hidden: false, title: '',
    getAttribute: (k) => (k in a ? a[k] : null), setAttribute: (k, v) => { a[k] = v; },
    removeAttribute: (k) => { delete a[k]; },
    addEventListener: (e, f) => { handlers[e] = f; }, fire: (e) => handlers[e]()};
}
const rows = data.rows.map((cells) => {
  const row = {cells: cells.map((c) => el(c.sort === null ? {} : {'data-sort': c.sort}, c.text))};
  row.textContent = cells.map((c) => c.text).join(' ');
  return row;
});
const tbody = {rows: rows.slice(), appendChild(row) {
  this.rows.splice(this.rows.indexOf(row), 1); this.rows.push(row); }};
const head = data.head.map((h) => el({}, h));
const table = {tBodies: [tbody], tHead: {rows: [{cells: head}]}};
const filter = el({}, ''); filter.hidden = true; filter.value = '';
global.document = {getElementById: (id) => (id === 'entries' ? table : filter)};
eval(data.script);
const out = {filterShown: !filter.hidden};
head[3].fire('click');  // Severity
out.bySeverity = tbody.rows.map((r) => r.cells[0].textContent);
head[0].fire('click'); head[0].fire('click');  // No., twice: descending
out.byNumberDown = tbody.rows.map((r) => r.cells[0].textContent);
filter.value = 'POSTGRES resolved'; filter.fire('input');
out.shown = tbody.rows.filter((r) => !r.hidden).map((r) => r.cells[0].textContent);
console.log(JSON.stringify(out));
"""


class Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.head: list[str] = []
        self.rows: list[list[dict[str, str | None]]] = []
        self._cell: dict[str, str | None] | None = None
        self._in_th = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr" and self.head:
            self.rows.append([])
        elif tag == "th":
            self._in_th = True
            self.head.append("")
        elif tag == "td":
            self._cell = {"sort": dict(attrs).get("data-sort"), "text": ""}
            self.rows[-1].append(self._cell)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None
        elif tag == "th":
            self._in_th = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["text"] = str(self._cell["text"]) + data
        elif self._in_th:
            self.head[-1] += data


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_index_script_sorts_and_filters(samples_copy: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "site"
    assert run("export", "--dir", str(samples_copy), "-f", "html", "-o", str(out)).code == 0
    table = Table()
    table.feed((out / "index.html").read_text("utf-8"))
    data = {"head": table.head, "rows": table.rows, "script": SCRIPT}
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", STAND_IN, "--", json.dumps(data)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["filterShown"]
    severity = {row[0]["text"]: row[3]["text"] for row in table.rows}
    order = ["critical", "high", "medium", "low"]
    ranks = [order.index(severity[number]) for number in result["bySeverity"]]
    assert ranks == sorted(ranks) and ranks[0] == 0  # critical first, by rank not by name
    assert result["byNumberDown"] == [f"{n:03d}" for n in range(24, 0, -1)]
    expected = [
        row[0]["text"]
        for row in table.rows
        if "postgres" in row[5]["text"] and row[4]["text"] == "resolved"
    ]
    assert expected and sorted(result["shown"]) == sorted(expected)
