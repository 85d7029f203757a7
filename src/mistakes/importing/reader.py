"""A hand-written mistake log read into entries, with a report of what went where."""

from __future__ import annotations

from dataclasses import dataclass, field

from mistakes.domain.template import Template
from mistakes.importing.build import (
    EntryBuilder,
    ImportedEntry,
    apply_frontmatter,
    finish,
    has_content,
    is_placeholder_only,
)
from mistakes.importing.source import Source, read_source
from mistakes.importing.split import split
from mistakes.importing.vocabulary import Vocabulary


@dataclass
class Skipped:
    """Lines deliberately not made into an entry, and why."""

    start_line: int
    end_line: int
    reason: str
    text: str

    @property
    def lines(self) -> str:
        if self.start_line == self.end_line:
            return f"line {self.start_line}"
        return f"lines {self.start_line}-{self.end_line}"


@dataclass
class FileImport:
    source: str
    entries: list[ImportedEntry] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    level: int = 0  # the heading level entries repeat at (0: the file is one entry)

    @property
    def unmapped(self) -> list[str]:
        seen: list[str] = []
        for entry in self.entries:
            seen += [title for title in entry.unmapped if title not in seen]
        return seen


def read_log(data: bytes, path: str, template: Template) -> FileImport:
    """Entries from one file's bytes. Never raises on odd Markdown; warns instead."""
    vocab = Vocabulary(template)
    source = read_source(data, path)
    report = FileImport(source=path, warnings=list(source.warnings))
    layout = split(source, vocab)
    report.level = layout.level
    single = layout.level == 0
    for part in layout.parts:
        if part.kind == "skipped":
            if part.reason != "blank":
                _skip(report, source, part.start, part.end, part.reason)
            continue
        result = EntryBuilder(source, vocab, part).build()
        if single and not part.pattern and not has_content(result) and not _plain(source):
            _skip(
                report,
                source,
                part.start,
                part.end,
                "no entry found: no heading or label maps to a template section",
            )
            continue
        if is_placeholder_only(result):
            _skip(report, source, part.start, part.end, "the template (placeholders only)")
            continue
        if source.frontmatter:
            apply_frontmatter(result, source.frontmatter, vocab, single=single)
        finish(result, vocab, part.groups)
        if not result.entry.title:
            result.entry.fields["title"] = _fallback_title(path, len(report.entries) + 1)
        report.entries.append(result)
        report.warnings += result.warnings
    return report


def _plain(source: Source) -> bool:
    """A file of text under at most one heading: a note about one mistake."""
    body = [h for h in source.headings if h.index >= source.body_start]
    return len(body) <= 1 and any(
        not line.blank and not line.text.lstrip().startswith("#")
        for line in source.lines[source.body_start :]
    )


def _skip(report: FileImport, source: Source, start: int, end: int, reason: str) -> None:
    lines = source.lines[start:end]
    while lines and lines[-1].blank:
        lines = lines[:-1]
    while lines and lines[0].blank:
        lines = lines[1:]
    if not lines:
        return
    text = "\n".join(line.text for line in lines)
    report.skipped.append(Skipped(lines[0].number, lines[-1].number, reason, text))


def _fallback_title(path: str, number: int) -> str:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(words) or f"Imported entry {number}"
