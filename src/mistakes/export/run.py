"""One call per export, for the CLI (and anything else): the folder in, files out."""

from __future__ import annotations

import json
from pathlib import Path

from mistakes.export import opensearch
from mistakes.export.entries import Exported, one_per_line, readable_entries, refuse_entry_path
from mistakes.services.entries import EntryService, UsageError
from mistakes.storage.atomic import SaveError

FORMATS = ("html", "jsonl", "opensearch", "csv")


def folder_name(service: EntryService) -> str:
    """The folder's own name (``payments-mistakes``): the site's heading and the first part
    of each OpenSearch ``_id``."""
    return service.root.resolve().name or "mistakes"


def export_folder(
    service: EntryService,
    fmt: str,
    out: Path | None,
    *,
    mapping: Path | None = None,
    index: str = opensearch.DEFAULT_INDEX,
) -> tuple[Exported, str]:
    """Export every readable entry as ``fmt`` into ``out`` (a folder for html, a file
    otherwise). ``out`` None: the text is returned instead of written (not for html).
    Files that cannot be read are left out and listed in ``problems``."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")
    if mapping is not None and fmt != "opensearch":
        raise UsageError("--mapping goes with --format opensearch")
    problem = opensearch.index_name_problem(index) if fmt == "opensearch" else None
    if problem:
        raise UsageError(problem)
    if fmt == "html" and out is None:
        raise UsageError("--format html needs --out FOLDER")
    for path in (out, mapping):
        if path is not None:
            refuse_entry_path(service, path)
    entries, problems = readable_entries(service)
    done = Exported(entries=len(entries), problems=problems)
    template = service.template
    name = folder_name(service)
    text = ""
    from mistakes.export import records  # csv: when exporting

    try:
        if fmt == "html":
            assert out is not None
            if out.exists() and not out.is_dir():
                raise UsageError(f"{out}: not a folder (--format html writes a folder)")
            from mistakes.export import html_site  # markdown-it: for this format only

            done.files = html_site.write_site(entries, template, out, name)
            return done, ""
        if fmt == "jsonl":
            from mistakes.services.links import show_records  # links: this format only

            text = one_per_line(records.jsonl_lines(show_records(service, entries)))
        elif fmt == "csv":
            text = records.csv_text(entries, template)
        else:
            text = one_per_line(opensearch.bulk_lines(entries, template, name, index))
            shared = len(entries) - len({s.number for s in entries})
            if shared:
                done.notes.append(
                    "numbers used twice: those entries' _id is <folder>-<file stem> "
                    "(mistakes renumber gives one a free number)"
                )
            if mapping is not None:
                body = json.dumps(opensearch.mapping(template), indent=2) + "\n"
                mapping.write_text(body, "utf-8", newline="\n")
                done.files.append(mapping)
        if out is None:
            return done, text
        newline = "" if fmt == "csv" else "\n"  # csv writes its own \r\n
        out.write_text(text, "utf-8", newline=newline)
        done.files.insert(0, out)
        return done, ""
    except IsADirectoryError as exc:
        raise SaveError(Path(exc.filename or str(out)), "is a folder; not written") from None
    except OSError as exc:
        where = Path(exc.filename) if exc.filename else (out or Path("."))
        raise SaveError(where, f"not written: {exc.strerror or exc}") from None
