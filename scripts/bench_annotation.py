"""`make bench-annotation`: push 10,000 texts and pull 10,000 annotations against a real Label
Studio that this script starts (fresh data folder, loopback), one run.

    .venv/bin/python scripts/bench_annotation.py --model models/rabat-minilm/latest --n 10000

Push is timed end to end as `python -m annotation push` runs it (read the pool, predict with
the model, check the project for texts already there, import with predictions), and its parts.
Pull is timed on a second project holding N tasks with one annotation each (imported with
their annotations, as reviewers' work would be): export, resolution, agreement, file writing.
Targets (issue 4): push <= 120 s, pull <= 60 s; the ratio to the target is printed.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from annotation.client import connect
from annotation.credentials import ensure_credentials
from annotation.pool import PoolFile, check_pool, read_pool
from annotation.pull import annotator_names, convert, export_tasks, write_version
from annotation.push import load_predictor, push
from annotation.server import launch_plan, wait_ready
from annotation.settings import Settings, load_settings
from rabat.defaults import DEFAULT_MODEL_DIR
from rabat.review.labeling import LABEL, TEXT, label_config

PUSH_TARGET_S, PULL_TARGET_S = 120.0, 60.0


def pool_file(model_dir: Path, n: int, out: Path) -> Path:
    rows = [json.loads(line) for line in (model_dir / "splits/train.jsonl").open()]
    random.Random(3).shuffle(rows)
    out.write_text("".join(json.dumps({"text": r["text"]}) + "\n" for r in rows[:n]))
    return out


def bench_push(settings: Settings, model: Path, pool_path: Path, backend: str) -> dict[str, Any]:
    client = connect(settings)
    project = client.projects.create(title="bench push", label_config=label_config())
    start = time.perf_counter()
    pool = PoolFile(pool_path)
    texts = check_pool(pool).texts
    predict, version = load_predictor(model, backend)
    timed: dict[str, float] = {"predict": 0.0}

    def timed_predict(texts: Any) -> Any:
        t0 = time.perf_counter()
        found = predict(texts)
        timed["predict"] += time.perf_counter() - t0
        return found

    project_id = int(project.id or 0)
    report = push(
        client, settings, project_id, read_pool(pool), timed_predict, version, total=texts
    )
    total = time.perf_counter() - start
    rerun_start = time.perf_counter()
    again = push(client, settings, project_id, read_pool(pool), timed_predict, version, total=texts)
    return {
        "imported": report.imported,
        "seconds": round(total, 1),
        "predict_seconds": round(timed["predict"], 1),
        "rerun_imported": again.imported,
        "rerun_seconds": round(time.perf_counter() - rerun_start, 1),
    }


def bench_pull(settings: Settings, pool_path: Path, out: Path) -> dict[str, Any]:
    client = connect(settings)
    project = client.projects.create(title="bench pull", label_config=label_config())
    texts = [json.loads(line)["text"] for line in pool_path.open()]
    labels = ["none", "offensive", "hate_speech", "incitement"]
    tasks = [
        {
            "data": {TEXT: text},
            "annotations": [
                {
                    "result": [
                        {
                            "from_name": LABEL,
                            "to_name": TEXT,
                            "type": "choices",
                            "value": {"choices": [labels[i % 4]]},
                        }
                    ]
                }
            ],
        }
        for i, text in enumerate(texts)
    ]
    for first in range(0, len(tasks), 2000):
        client.projects.import_tasks(int(project.id or 0), request=tasks[first : first + 2000])  # type: ignore[arg-type]
    start = time.perf_counter()
    exported = export_tasks(client, settings, int(project.id or 0))
    exported_s = time.perf_counter() - start
    conversion = convert(exported, annotator_names(client, settings))
    path, report = write_version(conversion, out, {"id": project.id})
    return {
        "annotations": report["annotations"],
        "seconds": round(time.perf_counter() - start, 1),
        "export_seconds": round(exported_s, 1),
        "file_mb": round(path.stat().st_size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--backend", default="auto", choices=["auto", "torch", "onnx-int8"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rabat-bench-ls-"))
    settings = load_settings(port=8097, data_dir=work / "ls", project="bench")
    plan = launch_plan(settings)
    with (work / "ls.log").open("wb") as log:
        server = subprocess.Popen(plan.argv, env=plan.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(plan.url, ensure_credentials(settings), 180, lambda: server.poll() is None)
        pool_path = pool_file(args.model, args.n, work / "pool.jsonl")
        pushed = bench_push(settings, args.model, pool_path, args.backend)
        pulled = bench_pull(settings, pool_path, work / "reviews")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"push {pushed['imported']} texts: {pushed['seconds']} s "
        f"(predicting {pushed['predict_seconds']} s), target {PUSH_TARGET_S:g} s: "
        f"{pushed['seconds'] / PUSH_TARGET_S:.2f}x the budget; rerun imported "
        f"{pushed['rerun_imported']} in {pushed['rerun_seconds']} s"
    )
    print(
        f"pull {pulled['annotations']} annotations: {pulled['seconds']} s "
        f"(export {pulled['export_seconds']} s, file {pulled['file_mb']} MB), target "
        f"{PULL_TARGET_S:g} s: {pulled['seconds'] / PULL_TARGET_S:.2f}x the budget"
    )


if __name__ == "__main__":
    main()
