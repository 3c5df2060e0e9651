"""`make bench-pool`: peak memory of `push --dry-run` on a 1 GB pool, against a small pool run
in the same script; memory must stay flat whatever the file's size.

    .venv/bin/python scripts/bench_pool.py --model models/rabat-minilm/latest

Both pools hold the same N ordinary texts (the model's own dev split, repeated with a number so
that none is a repeat); the large one also holds over-long lines (10 MB each, past the 10,000
character limit) up to the size asked for. Each run is `python -m annotation push POOL
--dry-run` as a user runs it (read, check, predict; nothing imported, no Label Studio), timed,
its resident memory sampled every 50 ms from /proc. Printed: seconds, texts/s, peak memory, the
over-long lines it named, and the large-to-small ratios. Target (issue 15): peak under 1 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from rabat.defaults import DEFAULT_MODEL_DIR

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 1024.0
LONG_LINE = 10 * 1024 * 1024


def write_pool(model_dir: Path, out: Path, texts: int, size: int) -> int:
    """`texts` ordinary rows, then 10 MB lines interleaved until the file reaches `size` bytes;
    returns how many over-long lines were written."""
    dev = [json.loads(line)["text"] for line in (model_dir / "splits/dev.jsonl").open()]
    long_lines = 0
    with out.open("w", encoding="utf-8") as handle:
        for i in range(texts):
            handle.write(json.dumps({"text": f"{dev[i % len(dev)]} ({i})"}) + "\n")
            if i % 200 == 0 and handle.tell() + LONG_LINE < size:
                handle.write('{"text": "' + "x" * LONG_LINE + '"}\n')
                long_lines += 1
        while handle.tell() + LONG_LINE < size:
            handle.write('{"text": "' + "x" * LONG_LINE + '"}\n')
            long_lines += 1
    return long_lines


def measure(pool: Path, model_dir: Path) -> dict[str, Any]:
    """Run the dry run and sample its memory; returns seconds, peak MB and what it printed."""
    command = [sys.executable, "-m", "annotation", "push", str(pool), "--model", str(model_dir)]
    env_free = {"RABAT_LS_URL": "http://127.0.0.1:9"}  # a dry run needs no Label Studio
    start = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--dry-run"],
        cwd=ROOT,
        env={**__import__("os").environ, **env_free},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _rss_mb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"push --dry-run failed ({process.returncode}):\n{stderr[-3000:]}")
    return {
        "seconds": round(time.perf_counter() - start, 1),
        "peak_mb": round(peak[0], 1),
        "named_over_long": stderr.count("skipped: a line of"),
        "summary": stdout.strip().splitlines()[-1],
    }


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / DEFAULT_MODEL_DIR)
    parser.add_argument("--texts", type=int, default=20_000, help="ordinary texts in each pool")
    parser.add_argument("--gb", type=float, default=1.0, help="size of the large pool")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rabat-bench-pool-") as work:
        small, large = Path(work) / "small.jsonl", Path(work) / "large.jsonl"
        write_pool(args.model, small, args.texts, 0)
        long_lines = write_pool(args.model, large, args.texts, int(args.gb * 1024**3))
        runs = {"small": measure(small, args.model), "large": measure(large, args.model)}
        sizes = {"small": small.stat().st_size, "large": large.stat().st_size}
    for name, run in runs.items():
        rate = args.texts / run["seconds"]
        print(
            f"{name:5s} pool {sizes[name] / 1024**2:8.1f} MB: {run['seconds']:6.1f} s "
            f"({rate:.0f} texts/s), peak {run['peak_mb']:.0f} MB, "
            f"over-long lines named {run['named_over_long']}"
        )
        print(f"      {run['summary']}")
    big, base = runs["large"], runs["small"]
    print(
        f"large / small: file {sizes['large'] / sizes['small']:.0f}x, peak memory "
        f"{big['peak_mb'] / base['peak_mb']:.2f}x, time {big['seconds'] / base['seconds']:.2f}x"
    )
    print(f"over-long lines written {long_lines}, named {big['named_over_long']}")
    print(
        f"peak {big['peak_mb']:.0f} MB against the {TARGET_MB:.0f} MB target: "
        f"{big['peak_mb'] / TARGET_MB:.2f}"
    )
    return 0 if big["named_over_long"] == long_lines else 1


if __name__ == "__main__":
    sys.exit(main())
