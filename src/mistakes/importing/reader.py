"""A hand-written mistake log read into entries, with a report of what went where."""

from __future__ import annotations

from dataclasses import dataclass, field

from mistakes.domain.template import Template
from mistakes.importing.build import (
    NOTES_TAG,
    EntryBuilder,
    ImportedEntry,
    add_tags,
    apply_frontmatter,
    finish,
    has_content,
    is_placeholder_only,
)
from mistakes.importing.source import Source, read_source
from mistakes.importing.split import Part, links_to_files, split
from mistakes.importing.vocabulary import Vocabulary, strip_symbols


@dataclass
class Skipped:
    """Lines deliberately not made into an entry, and why."""

    start_line: int
    end_line: int
    reason: str
    text: str
    # "preamble" (the title and the words under it), "contents", "how-to", "template",
    # "index" (links to other files), "group" (a group heading: its meaning is in the
    # entries' fields); "notes" for a part kept in the file's notes entry
    kind: str = "other"

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
    # parts that are no entry but were kept, in the notes entry (tag imported-notes)
    kept: list[Skipped] = field(default_factory=list)
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
    vocab = _vocabulary(template)
    source = read_source(data, path)
    report = FileImport(source=path, warnings=list(source.warnings))
    layout = split(source, vocab)
    report.level = layout.level
    single = layout.level == 0
    notes: list[Part] = []
    template_end = -1  # the file's own template goes on to here (its sections, unfilled)
    for part in layout.parts:
        if part.kind == "skipped" and part.start < template_end:
            continue
        if part.kind == "skipped":
            if part.skip_kind == "notes":
                notes.append(part)
            elif part.reason != "blank":
                _skip(report, source, part.start, part.end, part.reason, part.skip_kind)
            continue
        result = EntryBuilder(source, vocab, part).build()
        plain = not part.pattern and not has_content(result) and not _plain(source)
        if single and plain and is_index(source):
            _skip(
                report,
                source,
                part.start,
                part.end,
                "an index of other files: no heading or label maps to a template section",
                "index",
            )
            continue
        if is_placeholder_only(result):
            end = _template_end(source, vocab, layout.parts, part)
            _skip(report, source, part.start, end, "the template (placeholders only)", "template")
            template_end = end
            continue
        _add(report, result, source, vocab, part.groups, single=single, notes=single and plain)
        if single and plain:  # rules, lessons, a session's notes: kept whole, tagged as notes
            _skip(
                report,
                source,
                part.start,
                part.end,
                "no heading or label maps to a template section: kept whole as the entry "
                f"'{result.entry.title}' (tag {NOTES_TAG})",
                "notes",
                into=report.kept,
            )
    if notes and any(_has_words(source, part) for part in notes):
        _add_notes(report, source, vocab, notes)
    return report


def _template_end(source: Source, vocab: Vocabulary, parts: list[Part], template: Part) -> int:
    """Where the file's own template ends: the parts right after its placeholder heading
    that are the template's sections, unfilled (``## Configuration`` with its hint)."""
    end = template.end
    for part in parts[parts.index(template) + 1 :]:
        if part.kind != "skipped":
            break
        heading = next((h for h in source.headings if h.index == part.start), None)
        if part.reason != "blank" and (
            heading is None or not vocab.is_structural_title(heading.text)
        ):
            break
        end = part.end
    return end


def _add(
    report: FileImport,
    result: ImportedEntry,
    source: Source,
    vocab: Vocabulary,
    groups: list[str],
    *,
    single: bool,
    notes: bool = False,
) -> None:
    result.notes = result.notes or notes
    if source.frontmatter:
        apply_frontmatter(result, source.frontmatter, vocab, single=single)
    finish(result, vocab, groups)
    if not result.entry.title:
        result.entry.fields["title"] = _fallback_title(report.source, len(report.entries) + 1)
    if result.notes and vocab.template.tags_field is not None:
        add_tags(result.entry, vocab.template.tags_field, [NOTES_TAG])
    report.entries.append(result)
    report.warnings += result.warnings


def _add_notes(report: FileImport, source: Source, vocab: Vocabulary, parts: list[Part]) -> None:
    """The parts of a file outside its entries that are no title, contents, how-to, template
    or index (rules, lessons, statistics, ...) kept as one entry, "Notes from FILE"."""
    ranges = [(part.start, part.end) for part in parts]
    whole = Part("entry", ranges[0][0], ranges[-1][1], ranges=ranges)
    result = EntryBuilder(source, vocab, whole).build()
    result.notes = True
    result.entry.fields["title"] = f"Notes from {_file_title(source)}"
    _add(report, result, source, vocab, [], single=False)
    name = result.entry.title
    for part in parts:
        _skip(
            report,
            source,
            part.start,
            part.end,
            f"{part.reason}: kept in the entry '{name}' (tag {NOTES_TAG})",
            "notes",
            into=report.kept,
        )


_VOCABULARIES: dict[int, tuple[Template, Vocabulary]] = {}


def _vocabulary(template: Template) -> Vocabulary:
    """The vocabulary of a template, built once per template (an import reads many files)."""
    cached = _VOCABULARIES.get(id(template))
    if cached is None or cached[0] is not template:
        if len(_VOCABULARIES) > 8:
            _VOCABULARIES.clear()
        cached = _VOCABULARIES[id(template)] = (template, Vocabulary(template))
    return cached[1]


def _has_words(source: Source, part: Part) -> bool:
    return any(not line.blank for line in source.lines[part.start : part.end])


def _file_title(source: Source) -> str:
    first = next((h for h in source.headings if h.index >= source.body_start), None)
    if first is not None and first.level == 1:
        return strip_symbols(first.text).replace("**", "").strip() or first.text
    return source.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def is_index(source: Source) -> bool:
    """A file whose items are links to other files (a folder's README): no entry of its own."""
    lines = [
        line.text
        for line in source.lines[source.body_start :]
        if not line.blank and not line.fenced and not line.text.lstrip().startswith("#")
    ]
    links = links_to_files(lines)
    return links >= 5 and links * 4 >= len(lines)


def _plain(source: Source) -> bool:
    """A file of text under at most one heading: a note about one mistake."""
    body = [h for h in source.headings if h.index >= source.body_start]
    return len(body) <= 1 and any(
        not line.blank and not line.text.lstrip().startswith("#")
        for line in source.lines[source.body_start :]
    )


def _skip(
    report: FileImport,
    source: Source,
    start: int,
    end: int,
    reason: str,
    kind: str,
    *,
    into: list[Skipped] | None = None,
) -> None:
    lines = source.lines[start:end]
    while lines and lines[-1].blank:
        lines = lines[:-1]
    while lines and lines[0].blank:
        lines = lines[1:]
    if not lines:
        return
    text = "\n".join(line.text for line in lines)
    (report.skipped if into is None else into).append(
        Skipped(lines[0].number, lines[-1].number, reason, text, kind)
    )


def _fallback_title(path: str, number: int) -> str:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(words) or f"Imported entry {number}"
