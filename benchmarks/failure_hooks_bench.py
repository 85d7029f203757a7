"""Whole-process cost of the "seen before" integrations: a failing pytest run without the
plugin, with it installed but off, and on (``--mistakes=DIR``); a program dying of an
uncaught exception with and without ``mistakes.hook``.

    PYTHONPATH=src python benchmarks/synth.py --entries 10000 --out /tmp/mistakes-10k
    PYTHONPATH=src python benchmarks/failure_hooks_bench.py /tmp/mistakes-10k [--runs 5]

The folder gets one more entry, a copy of sample entry 003 (UnicodeDecodeError on
customer names), which the failing test reproduces. The index lives in a cache folder of
the benchmark's own: the first run with the plugin on builds it (printed apart: that is
the cost of the first lookup ever on a machine, as for ``mistakes search``); the others
find it built and only bring it in step with the folder. Prints the median and the
range of wall-clock seconds over ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = next((REPO / "sample_mistakes").glob("003-*.md"))

TEST_FILE = """\
def read_staging(data: bytes) -> str:
    return data.decode("ascii")


def test_export_reads_customer_names():
    assert read_staging(b"Jos\\xc3\\xa9 Garc\\xc3\\xada\\tjose@example.com")


def test_passes():
    assert True
"""
PROGRAM = """\
{head}
def read_staging(data):
    return data.decode("ascii")


read_staging(b"Jos\\xc3\\xa9 Garc\\xc3\\xada")
"""


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall-clock and CPU (user + system) seconds of the whole process, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout + done.stderr


def series(name: str, args: list[str], cwd: Path, env: dict[str, str], runs: int) -> str:
    walls, cpus = [], []
    out = ""
    for _ in range(runs):
        wall, cpu, out = timed(args, cwd, env)
        walls.append(wall)
        cpus.append(cpu)
    seen = sum(1 for line in out.splitlines() if "seen before: " in line)
    print(
        f"{name}: wall median {statistics.median(walls):.2f} s "
        f"({min(walls):.2f}-{max(walls):.2f}), CPU median {statistics.median(cpus):.2f} s, "
        f"{seen} 'seen before' lines"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="an entries folder (benchmarks/synth.py)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--cache", type=Path, help="the index cache folder to use and keep (default: a new one)"
    )
    args = parser.parse_args()
    folder: Path = args.folder.resolve()
    numbers = [int(p.name.split("-", 1)[0]) for p in folder.glob("*.md")]
    target = folder / f"{max(numbers) + 1:03d}-{SAMPLE.name.split('-', 1)[1]}"
    if not any(p.name.endswith(SAMPLE.name.split("-", 1)[1]) for p in folder.glob("*.md")):
        shutil.copyfile(SAMPLE, target)
    print(f"{len(list(folder.glob('*.md'))):,} entries in {folder}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "test_export.py").write_text(TEST_FILE)
        (work / "pytest.ini").write_text("[pytest]\n")
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO / "src")
        env["XDG_CACHE_HOME"] = str(args.cache.resolve() if args.cache else work / "cache")
        env.pop("MISTAKES_DIR", None)
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        plugin = [*pytest, "-p", "mistakes.pytest_plugin"]
        on = [*plugin, f"--mistakes={folder}"]
        wall, cpu, _ = timed(on, work, env)
        print(
            f"pytest --mistakes=DIR, first run (builds a missing index): {wall:.2f} s, "
            f"CPU {cpu:.2f} s"
        )
        series("pytest, no plugin", pytest, work, env, args.runs)
        series("pytest, plugin installed, off", plugin, work, env, args.runs)
        series("pytest --mistakes=DIR (index built)", on, work, env, args.runs)
        for name, head in (
            ("program, no hook", "#\n#"),
            (
                "program, import mistakes.hook",
                f"import mistakes.hook\nmistakes.hook.install(dir={str(folder)!r})",
            ),
        ):
            (work / "prog.py").write_text(PROGRAM.format(head=head))
            series(name, [sys.executable, "prog.py"], work, env, args.runs)


if __name__ == "__main__":
    main()
