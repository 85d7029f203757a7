"""Lines lost by `mistakes import` over the corpus, overall and per file (see lossless.py).

    PYTHONPATH=src python -m tests.importing.measure [CORPUS] [--worst N] [--lines]

prints the entries made, the lines lost overall, the files with no entry and the worst files
by share of lines lost (``--lines`` also prints the lost lines of those files).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from mistakes.domain.template import Template
from mistakes.importing.reader import FileImport, read_log
from mistakes.storage.template_file import load_template
from tests.conftest import CORPUS
from tests.importing.lossless import Accounting, account


def corpus_files(corpus: Path = CORPUS) -> list[Path]:
    if not corpus.is_dir():
        return []
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "SOURCES.md")


@dataclass
class FileMeasure:
    rel: str
    report: FileImport
    accounting: Accounting


@dataclass
class Measure:
    files: list[FileMeasure]

    @property
    def entries(self) -> int:
        return sum(len(f.report.entries) for f in self.files)

    @property
    def lines(self) -> int:
        return sum(f.accounting.lines for f in self.files)

    @property
    def lost(self) -> int:
        return sum(len(f.accounting.lost) for f in self.files)

    @property
    def lost_share(self) -> float:
        return self.lost / self.lines if self.lines else 0.0

    @property
    def empty(self) -> list[str]:
        return [f.rel for f in self.files if not f.report.entries]

    def worst(self, count: int) -> list[FileMeasure]:
        ranked = sorted(self.files, key=lambda f: (-f.accounting.lost_share, f.rel))
        return ranked[:count]


def measure(corpus: Path = CORPUS, template: Template | None = None) -> Measure:
    template = template or load_template(None)
    files = []
    for path in corpus_files(corpus):
        rel = str(path.relative_to(corpus))
        data = path.read_bytes()
        report = read_log(data, rel, template)
        files.append(FileMeasure(rel, report, account(data, rel, report, template)))
    return Measure(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--worst", type=int, default=15)
    parser.add_argument("--lines", action="store_true", help="print the lost lines too")
    args = parser.parse_args(argv)
    result = measure(args.corpus)
    notes = sum(1 for f in result.files for e in f.report.entries if getattr(e, "notes", False))
    print(
        f"{len(result.files)} files, {result.entries} entries ({notes} of them notes), "
        f"{result.lost}/{result.lines} lines lost ({result.lost_share:.2%}), "
        f"{len(result.empty)} files with no entry"
    )
    left: dict[str, int] = {}
    for item in result.files:
        for kind, count in item.accounting.left_out.items():
            left[kind] = left.get(kind, 0) + count
    print("left out, as a file may: " + ", ".join(f"{k} {v}" for k, v in sorted(left.items())))
    for rel in result.empty:
        print(f"  no entry: {rel}")
    print("worst files:")
    for item in result.worst(args.worst):
        acc = item.accounting
        print(f"  {acc.lost_share:6.1%} {len(acc.lost):4d}/{acc.lines:<4d} {item.rel}")
        if args.lines:
            for number, text in acc.lost:
                print(f"        {number}: {text[:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
