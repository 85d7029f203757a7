"""A static HTML site of the folder: ``index.html`` and one page per entry.

It works offline and from any file server (no CDN, no server code): plain HTML with its
style inline, and a small inline script that sorts and filters the index (the page reads
the same without it). Text from the files is escaped: the Markdown renderer runs with raw
HTML off, so a ``<script>`` in a title or a section stays text. Links between entries
(``[005](005-pool.md)``) point at the entry's page; any other local link or image that
would not resolve inside the site is shown as text, so every local link resolves.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from mistakes.domain.naming import parse_entry_filename
from mistakes.domain.template import TITLE_KEY, Template
from mistakes.domain.text import visible
from mistakes.export.entries import open_follow_ups
from mistakes.storage.folder import StoredEntry

INDEX = "index.html"

STYLE = """\
body{font:16px/1.5 system-ui,sans-serif;max-width:62rem;margin:0 auto;padding:1rem;color:#222}
a{color:#0645ad}a.missing{color:inherit;text-decoration:underline dotted}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;
border-bottom:1px solid #ddd;vertical-align:top}th{cursor:pointer;white-space:nowrap}
pre{background:#f5f5f5;padding:.5rem;overflow-x:auto}code{background:#f5f5f5}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}dt{font-weight:600}
dd{margin:0}nav{display:flex;gap:1rem;margin-bottom:1rem}.num{font-variant-numeric:tabular-nums}
.sev-critical,.sev-high{font-weight:600}#filter{margin:.5rem 0;padding:.25rem;width:20rem}
@media (prefers-color-scheme: dark){body{background:#111;color:#ddd}a{color:#8ab4f8}
pre,code{background:#222}th,td{border-color:#333}}
"""

# sorts on a header click, filters on typing; the table is complete without it
SCRIPT = """\
(function(){
var table=document.getElementById('entries');if(!table)return;
var body=table.tBodies[0],filter=document.getElementById('filter');
filter.hidden=false;
filter.addEventListener('input',function(){
 var words=filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
 Array.prototype.forEach.call(body.rows,function(row){
  var text=row.textContent.toLowerCase();
  row.hidden=!words.every(function(w){return text.indexOf(w)>=0;});});});
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(cell,i){
 cell.title='sort';
 cell.addEventListener('click',function(){
  var down=cell.getAttribute('aria-sort')!=='ascending';
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){
   c.removeAttribute('aria-sort');});
  cell.setAttribute('aria-sort',down?'ascending':'descending');
  var rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(a,b){
   var x=a.cells[i].getAttribute('data-sort')||a.cells[i].textContent;
   var y=b.cells[i].getAttribute('data-sort')||b.cells[i].textContent;
   var n=Number(x)-Number(y);
   var r=(x!==''&&y!==''&&!isNaN(n))?n:x.localeCompare(y);
   return down?r:-r;});
  rows.forEach(function(row){body.appendChild(row);});});});
})();
"""


def _e(text: str) -> str:
    """Escaped for HTML text and attributes; control characters shown (``^[``)."""
    return html.escape(visible(text), quote=True)


def page_name(stored: StoredEntry) -> str:
    return f"{stored.path.stem}.html"


def _href(name: str) -> str:
    return quote(name)


def _page(title: str, body: str, script: str = "") -> str:
    tail = f"<script>\n{script}</script>\n" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n"
        f"{body}{tail}</body>\n</html>\n"
    )


class LinkMap:
    """Where a link written in an entry goes in the site: another entry's page, an
    address outside, or nowhere (shown as text)."""

    def __init__(self, entries: list[StoredEntry], folder: str = "mistakes") -> None:
        self.folders = {"mistakes", folder}  # mistakes/005-x.md, ../mistakes/005-x.md
        self.by_name = {s.path.name: s for s in entries}
        counts = Counter(s.number for s in entries)
        self.by_number = {s.number: s for s in entries if counts[s.number] == 1}

    def target(self, href: str) -> str | None:
        """The href to write, or None when the link would not resolve in the site."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            return href  # outside the site (http:, mailto:); markdown-it drops javascript:
        if not parts.path:
            return href  # #anchor or ?query on the same page
        path = PurePosixPath(unquote(parts.path))
        folders = [p for p in path.parent.parts if p != "."]
        if folders not in ([], *([f] for f in self.folders), *(["..", f] for f in self.folders)):
            return None  # another folder: not in this site
        stored = self.by_name.get(path.name)
        if stored is None and path.suffix == ".md":
            number = parse_entry_filename(path.name)
            stored = self.by_number.get(number) if number is not None else None
        if stored is None:
            return None
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return _href(page_name(stored)) + fragment


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


_NOT_IN_ANCHOR = re.compile(r"[^\w\- ]")


def heading_anchor(text: str) -> str:
    """GitHub's anchor for a heading: ``The Fix`` -> ``the-fix`` (so ``005-x.md#the-fix``
    lands on the same heading in the site as on GitHub)."""
    return _NOT_IN_ANCHOR.sub("", text.strip().lower()).replace(" ", "-")


def _adjust(tokens: list[Token], links: LinkMap) -> None:
    """Links to where they go in the site; headings get GitHub's anchors as ids."""
    seen: Counter[str] = Counter()
    for position, token in enumerate(tokens):
        if token.children:
            token.children = _rewrite_inline(token.children, links)
            if position >= 2 and tokens[position - 2].type == "list_item_open":
                _checkbox(token.children)
        if token.type == "heading_open" and position + 1 < len(tokens):
            anchor = heading_anchor(tokens[position + 1].content)
            if anchor:
                token.attrs["id"] = f"{anchor}-{seen[anchor]}" if seen[anchor] else anchor
                seen[anchor] += 1


_BOXES = {"[ ] ": "\u2610 ", "[x] ": "\u2611 ", "[X] ": "\u2611 "}


def _checkbox(children: list[Token]) -> None:
    """A checklist item (``- [x] Add tests``) shows a ticked or empty box."""
    first = children[0] if children else None
    if first is not None and first.type == "text" and first.content[:4] in _BOXES:
        first.content = _BOXES[first.content[:4]] + first.content[4:]


def _rewrite_inline(children: list[Token], links: LinkMap) -> list[Token]:
    out: list[Token] = []
    for token in children:
        if token.type == "link_open":
            href = str(token.attrs.get("href", ""))
            target = links.target(href)
            if target is None:
                token.attrs = {"class": "missing", "title": f"not in this export: {href}"}
            else:
                token.attrs["href"] = target
        elif token.type == "image":
            # no picture is loaded: a local one is not in the site, a remote one would
            # load from the network (offline, and it tells the server who reads)
            src = str(token.attrs.get("src", ""))
            alt = token.content or PurePosixPath(urlsplit(src).path).name or "image"
            text = Token("text", "", 0, content=f"[image: {alt}]")
            target = links.target(src)
            if target is not None and urlsplit(src).scheme in ("http", "https"):
                out += [
                    Token("link_open", "a", 1, attrs={"href": target}),
                    text,
                    Token("link_close", "a", -1),
                ]
            else:
                out.append(text)
            continue
        out.append(token)
    return out


def markdown_html(text: str, links: LinkMap) -> str:
    """The entry's Markdown as HTML: raw HTML in it stays text, links go where they can."""
    md = _markdown()
    tokens = md.parse(visible(text.replace("\r\n", "\n")))
    _adjust(tokens, links)
    return str(md.renderer.render(tokens, md.options, {}))


def _body_text(stored: StoredEntry) -> str:
    """The file's Markdown after the frontmatter, as written (preamble and sections)."""
    return "".join(block.raw for block in stored.document.blocks)


def _title(stored: StoredEntry) -> str:
    return stored.entry.title.strip() or "(untitled)"


def _facts(stored: StoredEntry, template: Template) -> str:
    rows = []
    entry = stored.entry
    for spec in template.all_fields():
        if spec.key == TITLE_KEY:
            continue
        value = entry.value(spec)
        shown = ", ".join(value) if isinstance(value, list) else value
        if shown:
            rows.append(f"<dt>{_e(spec.label)}</dt><dd>{_e(shown)}</dd>")
    if entry.follow_up:
        rows.append(
            f"<dt>Open follow-ups</dt><dd>{open_follow_ups(stored)} of {len(entry.follow_up)}</dd>"
        )
    return "<dl>\n" + "\n".join(rows) + "\n</dl>\n" if rows else ""


def entry_page(
    stored: StoredEntry,
    template: Template,
    links: LinkMap,
    previous: StoredEntry | None = None,
    following: StoredEntry | None = None,
) -> str:
    nav = [f'<a href="{INDEX}">All entries</a>']
    if previous is not None:
        nav.append(f'<a href="{_href(page_name(previous))}" rel="prev">Previous</a>')
    if following is not None:
        nav.append(f'<a href="{_href(page_name(following))}" rel="next">Next</a>')
    heading = f"{stored.number:03d} {_title(stored)}"
    body = (
        f"<nav>{' '.join(nav)}</nav>\n<header>\n<h1>{_e(heading)}</h1>\n"
        f"{_facts(stored, template)}</header>\n<main>\n"
        f"{markdown_html(_body_text(stored), links)}</main>\n"
        f"<footer><p>From <code>{_e(stored.path.name)}</code></p></footer>\n"
    )
    return _page(heading, body)


def _cell(text: str, sort: str | None = None, css: str = "") -> str:
    attrs = f' data-sort="{_e(sort)}"' if sort is not None else ""
    attrs += f' class="{_e(css)}"' if css else ""
    return f"<td{attrs}>{_e(text)}</td>"


def index_page(entries: list[StoredEntry], template: Template, folder: str) -> str:
    rows = []
    for stored in entries:
        entry = stored.entry
        severity = entry.text("severity")
        rank = _rank(template, "severity", severity)
        title = f'<td><a href="{_href(page_name(stored))}">{_e(_title(stored))}</a></td>'
        rows.append(
            "<tr>"
            + _cell(f"{stored.number:03d}", str(stored.number), "num")
            + title
            + _cell(entry.date)
            + _cell(severity, rank, f"sev-{severity}" if severity else "")
            + _cell(entry.text("status"))
            + _cell(", ".join(entry.tags(template)))
            + _cell(str(open_follow_ups(stored)), css="num")
            + "</tr>"
        )
    head = "".join(
        f"<th>{name}</th>"
        for name in ("No.", "Title", "Date", "Severity", "Status", "Tags", "Open follow-ups")
    )
    count = len(entries)
    body = (
        f"<header>\n<h1>{_e(folder)}</h1>\n"
        f"<p>{count} {'entry' if count == 1 else 'entries'}. Click a column to sort.</p>\n"
        '<input id="filter" type="search" placeholder="Filter" aria-label="Filter" hidden>\n'
        "</header>\n<main>\n"
        f'<table id="entries">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</main>\n"
    )
    return _page(folder, body, SCRIPT)


def _rank(template: Template, key: str, value: str) -> str:
    """Sort key of a choice: its place in the template's list (critical before low)."""
    spec = template.field_named(key)
    if spec is None or not spec.choices or value not in spec.choices:
        return value
    return str(spec.choices.index(value))


def write_site(
    entries: list[StoredEntry], template: Template, out: Path, folder: str
) -> list[Path]:
    """Write the site into ``out`` (created when missing); returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    links = LinkMap(entries, folder)
    written = []
    for position, stored in enumerate(entries):
        previous = entries[position - 1] if position > 0 else None
        following = entries[position + 1] if position + 1 < len(entries) else None
        path = out / page_name(stored)
        path.write_text(
            entry_page(stored, template, links, previous, following), "utf-8", newline="\n"
        )
        written.append(path)
    index = out / INDEX
    index.write_text(index_page(entries, template, folder), "utf-8", newline="\n")
    return [index, *written]
