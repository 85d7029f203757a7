"""`mistakes import`: read hand-written logs from files and folders and write them as entries.

An import records history as the source has it: a Resolved entry is written even when its
root cause or fix is empty (the report counts them; ``check --strict`` lists them), and it
gets ``resolved:`` only when the source gives the day (``**Resolved**: 2025-08-03``, a
``date_resolved`` key; see :func:`mistakes.importing.build.stamp_resolved`), never the day
of the import."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mistakes.domain.entry import Entry
from mistakes.domain.occurrences import resolved_on
from mistakes.domain.resolution import is_resolved
from mistakes.importing.reader import FileImport, read_log
from mistakes.services.entries import EntryService
from mistakes.storage.folder import StoredEntry, safe_filename
from mistakes.storage.reading import FileRefused, read_regular

SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".txt"}
MAX_SOURCE_BYTES = 8 * 1024 * 1024


@dataclass
class SourceResult:
    """What one source file became."""

    source: Path
    report: FileImport | None  # None when the file could not be read at all
    written: list[Path] = field(default_factory=list)  # or the paths a dry run would write
    stored: list[StoredEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Resolved entries: how many, how many with the day they were resolved (from the
    # source), and how many leave a section Resolved requires empty (written all the same:
    # a log's history is not refused; ``check --strict`` lists them)
    resolved: int = 0
    resolved_with_day: int = 0
    resolved_incomplete: int = 0

    def to_json(self) -> dict[str, Any]:
        report = self.report
        return {
            "source": str(self.source),
            "entries": [str(p) for p in self.written],
            "unmapped": report.unmapped if report else [],
            "warnings": self.warnings,
            "resolved": {
                "entries": self.resolved,
                "with_day": self.resolved_with_day,
                "without_write_up": self.resolved_incomplete,
            },
            "titles": [item.title for item in report.entries] if report else [],
            "mapped": _mapped(report) if report else {},
            "skipped": [
                {"lines": [s.start_line, s.end_line], "reason": s.reason}
                for s in (report.skipped if report else [])
            ],
            # no entry, but kept in the file's notes entry (tag imported-notes)
            "kept": [
                {"lines": [s.start_line, s.end_line], "reason": s.reason}
                for s in (report.kept if report else [])
            ],
        }


def _mapped(report: FileImport) -> dict[str, str]:
    """``{"Root Cause": "section:why_it_happened", "**Severity**": "field:severity", ...}``."""
    seen: dict[str, str] = {}
    for item in report.entries:
        for mapping in item.mappings:
            kind = mapping.target.split(":", 1)[0]
            if kind in {"title", "original", "empty"}:
                continue
            seen.setdefault(mapping.label, mapping.target)
    return seen


def source_files(paths: list[Path], exclude: Path) -> Iterator[tuple[Path, str | None]]:
    """Each Markdown file under the paths, in order, with a reason when it is passed over."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])
            )
            if not found:
                yield path, "no Markdown files (*.md, *.markdown, *.txt) in this folder"
        elif path.exists():
            found = [path]
        else:
            yield path, "no such file or folder"
            continue
        for file in found:
            resolved = file.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            if resolved.parent == exclude:
                yield file, "it is already in the entries folder"
            else:
                yield file, None


class Importer:
    def __init__(self, service: EntryService) -> None:
        self.service = service

    def run(self, paths: list[Path], *, dry_run: bool = False) -> list[SourceResult]:
        root = self.service.root.resolve()
        results: list[SourceResult] = []
        planned = self.service.folder.next_number()
        for file, passed_over in source_files(paths, root):
            result = SourceResult(file, None)
            results.append(result)
            if passed_over is not None:
                result.warnings.append(f"{file}: skipped: {passed_over}")
                continue
            try:
                # a FIFO or a device named *.md would hang or never end; the size is known
                # before a byte is read (a named file may be a link: the user chose it)
                data = read_regular(file, MAX_SOURCE_BYTES, follow_links=True)
            except FileRefused as exc:
                result.warnings.append(f"{file}: skipped: {exc.reason}")
                continue
            except OSError as exc:
                result.warnings.append(f"{file}: cannot read it ({exc.strerror or exc})")
                continue
            if b"\x00" in data[:8192]:
                result.warnings.append(f"{file}: skipped: a binary file (it holds NUL bytes)")
                continue
            report = read_log(data, str(file), self.service.template)
            result.report = report
            result.warnings += report.warnings
            for item in report.entries:
                self._count_resolved(result, item.entry)
                if dry_run:
                    name = safe_filename(planned, item.entry.title)
                    planned += 1
                    result.written.append(root / name)
                    continue
                stored = self.service.create(item.entry)
                result.stored.append(stored)
                result.written.append(stored.path)
        return results

    def _count_resolved(self, result: SourceResult, entry: Entry) -> None:
        if not is_resolved(entry.text("status")):
            return
        result.resolved += 1
        result.resolved_with_day += bool(resolved_on(entry))
        result.resolved_incomplete += bool(self.service.missing_for_resolved(entry))
