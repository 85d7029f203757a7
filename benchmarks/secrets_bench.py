"""What masking secrets costs ``capture``: ``mask_secrets`` on a 1 MB capture.

    PYTHONPATH=src python benchmarks/secrets_bench.py [--size-mb 1] [--repeat 5]

Three texts of the size asked: a build/test log (pytest output, tracebacks with hex ids and
SHAs, a few log lines carrying secrets), the same with no secret, and the shared corpus of
real mistake logs repeated (prose that talks about passwords and tokens a lot: the keyword
plugin's worst case). Prints the first call in a fresh process (the import of
detect-secrets and requests) and the median of ``--repeat`` calls, in ms.

``capture`` masks only what it writes: the last ``--lines`` lines (100 by default) of at
most 256 KB of output, and the command line; 1 MB is the worst case of a paste.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from mistakes.services.secrets import mask_secrets  # noqa: E402

SECRET_LINES = [
    "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "connecting to postgres://app:hunter2pass@db.internal:5432/orders",
    "POST /login?user=bob&password=s3cr3t&next=/ 401",
    "remote: ghp_16C7e42F292c6912E7710c838347Ae178B4a rejected",
]


def build_log(size: int, rng: random.Random, secrets: bool) -> str:
    lines: list[str] = []
    total = 0
    n = 0
    while total < size:
        n += 1
        sha = f"{rng.getrandbits(160):040x}"
        block = [
            f"tests/test_orders.py::test_checkout[{n}] FAILED",
            "Traceback (most recent call last):",
            f'  File "/home/ci/work/app/orders.py", line {rng.randint(1, 900)}, in checkout',
            "    session = pool.acquire(timeout=settings.POOL_TIMEOUT)",
            f"sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, "
            f"connection timed out, timeout 30.00 (Background on this error at: "
            f"https://sqlalche.me/e/20/3o7r) <Pool at 0x{rng.getrandbits(48):x}>",
            f"2026-11-03T10:{n % 60:02d}:01.123Z INFO [worker-{n % 8}] request_id="
            f"{rng.getrandbits(128):032x} commit {sha} took {rng.random():.3f}s",
        ]
        if n % 20 == 0:  # code that names a password without holding one
            block.append(f"    password = get_password(user)  # frame {n}")
        if secrets and n % 50 == 0:
            block.append(rng.choice(SECRET_LINES))
        text = "\n".join(block)
        lines.append(text)
        total += len(text) + 1
    return "\n".join(lines)[:size]


def corpus_text(size: int) -> str:
    corpus = REPO.parent / "shared" / "corpus"
    for folder in REPO.parents:
        if (folder / "shared" / "corpus").is_dir():
            corpus = folder / "shared" / "corpus"
            break
    parts = [p.read_text("utf-8", errors="replace") for p in sorted(corpus.rglob("*.md"))]
    text = "\n".join(parts)
    if not text:
        return ""
    return (text * (size // len(text) + 1))[:size]


def first_call_ms() -> float:
    code = (
        "import time, sys; sys.path.insert(0, 'src');"
        "from mistakes.services.secrets import mask_secrets;"
        "t = time.perf_counter(); mask_secrets('password=abc'); "
        "print((time.perf_counter() - t) * 1000)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    size = int(args.size_mb * 1024 * 1024)
    rng = random.Random(7)
    print(f"first call in a fresh process (imports detect-secrets): {first_call_ms():.0f} ms")
    texts = {
        "build log with secrets": build_log(size, rng, secrets=True),
        "build log, no secret": build_log(size, rng, secrets=False),
        "real mistake logs (prose)": corpus_text(size),
    }
    mask_secrets("warm up")
    for name, text in texts.items():
        if not text:
            print(f"{name}: no corpus found; skipped")
            continue
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = mask_secrets(text)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{name}: {len(text) / 1e6:.2f} MB, {text.count(chr(10)) + 1:,} lines, "
            f"masked {result.count}: median {statistics.median(times):.0f} ms, "
            f"max {max(times):.0f} ms"
        )


if __name__ == "__main__":
    main()
