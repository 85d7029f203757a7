"""One call per export, for the CLI (and anything else): the folder in, files out."""

from __future__ import annotations

import json
from pathlib import Path

from mistakes.export import opensearch
from mistakes.export.entries import Exported, one_per_line, readable_entries, refuse_entry_path
from mistakes.services.entries import EntryService, UsageError
from mistakes.services.folders import FolderSet, with_folder
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
    name: str | None = None,
) -> tuple[Exported, str]:
    """Export every readable entry as ``fmt`` into ``out`` (a folder for html, a file
    otherwise). ``out`` None: the text is returned instead of written (not for html).
    Files that cannot be read are left out and listed in ``problems``. ``name``: the
    folder's name in the site's heading and the OpenSearch ``_id`` (default: the folder's
    own name)."""
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
    name = name or folder_name(service)
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


def export_folders(
    folders: FolderSet,
    fmt: str,
    out: Path | None,
    *,
    mapping: Path | None = None,
    index: str = opensearch.DEFAULT_INDEX,
) -> tuple[Exported, str]:
    """:func:`export_folder` over every folder of the set. One folder: exactly that. Several:
    each entry names its folder (its name in the set, as ``search`` labels it): ``folder``
    after ``path`` in JSON Lines, a first ``folder`` column in CSV, the folder's name in
    each OpenSearch ``_id`` and document (so every folder loads into one index), and an
    HTML site per folder (``OUT/NAME/``) under a page that lists them."""
    if not folders.several:
        return export_folder(folders.service(), fmt, out, mapping=mapping, index=index)
    services = [(item.name, folders.service(item.name)) for item in folders]
    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")
    if fmt == "csv" and len({_template_key(s) for _n, s in services}) > 1:
        raise UsageError(
            "the folders use different templates, so their CSV columns differ: "
            "export them one by one (--dir FOLDER)"
        )
    if fmt == "html":
        return _sites(services, out)
    done = Exported()
    texts: list[str] = []
    for position, (name, service) in enumerate(services):
        part, text = _one(service, fmt, name, mapping if position == 0 else None, index)
        done.entries += part.entries
        done.problems += part.problems
        done.notes += [f"{name}: {note}" for note in part.notes]
        done.files += part.files
        if fmt == "csv" and position > 0:
            text = text.split("\r\n", 1)[1]  # one header line
        texts.append(text)
    text = "".join(texts)
    if out is None:
        return done, text
    for _name, service in services:
        refuse_entry_path(service, out)
    try:
        out.write_text(text, "utf-8", newline="" if fmt == "csv" else "\n")
    except IsADirectoryError:
        raise SaveError(out, "is a folder; not written") from None
    except OSError as exc:
        raise SaveError(out, f"not written: {exc.strerror or exc}") from None
    done.files.insert(0, out)
    return done, ""


def _template_key(service: EntryService) -> tuple[str, ...]:
    from mistakes.export.records import csv_header

    return tuple(csv_header(service.template))


def _one(
    service: EntryService, fmt: str, name: str, mapping: Path | None, index: str
) -> tuple[Exported, str]:
    """One folder of several, as text: entries named by ``name``."""
    done, text = export_folder(service, fmt, None, mapping=mapping, index=index, name=name)
    if fmt == "jsonl":
        lines = [json.loads(line) for line in text.splitlines()]
        text = one_per_line(
            json.dumps(with_folder(item, name), ensure_ascii=False, separators=(",", ":"))
            for item in lines
        )
    elif fmt == "csv":  # a cell may hold a line break: the rows are parsed, not split
        import csv
        import io

        from mistakes.export.records import _cell

        table = list(csv.reader(io.StringIO(text, newline="")))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["folder", *table[0]])
        for row in table[1:]:
            writer.writerow([_cell(name), *row])
        text = buffer.getvalue()
    return done, text


def _sites(services: list[tuple[str, EntryService]], out: Path | None) -> tuple[Exported, str]:
    """A site per folder in ``OUT/NAME/`` and ``OUT/index.html`` listing them."""
    from html import escape

    if out is None:
        raise UsageError("--format html needs --out FOLDER")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: not a folder (--format html writes a folder)")
    done = Exported()
    rows = []
    for name, service in services:
        part, _text = export_folder(service, "html", out / name, name=name)
        done.entries += part.entries
        done.problems += part.problems
        done.notes += [f"{name}: {note}" for note in part.notes]
        done.files += part.files
        rows.append(
            f'<li><a href="{escape(name, quote=True)}/index.html">{escape(name)}</a>'
            f" ({part.entries} entries)</li>"
        )
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Mistakes log</title>\n</head>\n<body>\n<h1>Mistakes log</h1>\n<ul>\n"
        + "\n".join(rows)
        + "\n</ul>\n</body>\n</html>\n"
    )
    index_page = out / "index.html"
    try:
        index_page.write_text(page, "utf-8", newline="\n")
    except OSError as exc:
        raise SaveError(index_page, f"not written: {exc.strerror or exc}") from None
    done.files.insert(0, index_page)
    return done, ""
