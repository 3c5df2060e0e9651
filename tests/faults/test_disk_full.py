"""A full disk under every writer: the error comes through, nothing half-written stays behind,
and what was there before is left whole. ENOSPC is injected where a tmpfs cannot be mounted,
and comes from a real 64 KiB tmpfs where it can."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest

from annotation import pull
from annotation.pull import Conversion, write_version
from rabat.assessment.policy import FACTORS
from rabat.review.reviews import Review, resolve

ENOSPC = OSError(errno.ENOSPC, "No space left on device")


def conversion(tasks: int, note: int = 10, unreadable: int = 0) -> Conversion:
    out = Conversion()
    for i in range(tasks):
        review = Review(
            annotation_id=i,
            annotator="a@x",
            label="none",
            factors=dict.fromkeys(FACTORS),
            target_groups=[],
            rationale=[],
            note="n" * note,
            created_at="2026-12-01T00:00:00Z",
            updated_at="2026-12-01T00:00:00Z",
        )
        out.tasks.append(resolve(i, f"text {i}", [review]))
    out.unreadable = [{"task": i, "annotation": i, "error": "e" * 60} for i in range(unreadable)]
    return out


def files_under(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_symlink() or not p.is_dir()
    )


def fail_on_write(monkeypatch: pytest.MonkeyPatch, which: int) -> None:
    """The `which`-th file pull writes gets half its text, then ENOSPC."""
    calls = {"n": 0}
    real = pull._write

    def write(path: Path, text: str) -> None:
        calls["n"] += 1
        if calls["n"] == which:
            path.write_text(text[: len(text) // 2], encoding="utf-8")
            raise ENOSPC
        real(path, text)

    monkeypatch.setattr(pull, "_write", write)


@pytest.mark.parametrize("which", [1, 2], ids=["report-fails", "reviews-file-fails"])
def test_a_pull_version_is_both_files_or_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: int
) -> None:
    out = tmp_path / "project-1"
    first, _ = write_version(conversion(3), out, {"id": 1})
    before = files_under(tmp_path)
    fail_on_write(monkeypatch, which)
    with pytest.raises(OSError, match="No space left"):
        write_version(conversion(5), out, {"id": 1})
    assert files_under(tmp_path) == before  # no temp file, no lone reviews file or report
    assert (out / "latest.jsonl").resolve() == first.resolve()

    monkeypatch.undo()
    path, report = write_version(conversion(5), out, {"id": 1})
    assert report["tasks"] == 5 and path.with_name(path.stem + ".report.json").is_file()
    assert (out / "latest.jsonl").resolve() == path.resolve()


def test_a_stale_temp_file_of_a_killed_pull_is_cleared(tmp_path: Path) -> None:
    out = tmp_path / "project-1"
    out.mkdir()
    (out / ".2026.jsonl.999999999.abcd1234.tmp").write_text("half")  # no such process
    write_version(conversion(2), out, {"id": 1})
    assert not list(out.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("tasks", "note", "unreadable"),
    [(200, 400, 0), (2, 10, 1500)],
    ids=["reviews-file-too-big", "report-too-big"],
)
def test_pull_onto_a_real_full_tmpfs(
    full_disk: Path, tasks: int, note: int, unreadable: int
) -> None:
    with pytest.raises(OSError) as raised:
        write_version(conversion(tasks, note, unreadable), full_disk / "p", {"id": 1})
    assert raised.value.errno == errno.ENOSPC
    assert files_under(full_disk) == []


def test_publishing_a_model_on_a_full_disk_keeps_the_old_one_and_latest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from training import artifacts

    models, best = tmp_path / "models", tmp_path / "best"
    best.mkdir()
    (best / "weights.bin").write_bytes(b"w" * 100)
    artifacts.publish(best, models / "v1", {"metrics.json": {"f1": 0.5}}, {})

    def full(*args: Any, **kwargs: Any) -> None:
        raise ENOSPC

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OSError, match="No space left"):
        artifacts.publish(best, models / "v2", {"metrics.json": {"f1": 0.6}}, {})
    monkeypatch.undo()
    assert files_under(models) == ["latest", "v1/metrics.json", "v1/weights.bin"]
    assert (models / "latest").resolve() == (models / "v1").resolve()


def test_a_checkpoint_that_cannot_be_written_leaves_the_last_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    from training import checkpoint

    model = torch.nn.Linear(2, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    checkpoint.save(tmp_path, checkpoint.Progress("v", step=1), model, optimizer, scheduler)
    real_save = torch.save

    def full(state: Any, path: Path) -> None:
        Path(path).write_bytes(b"half a checkpoint")
        raise ENOSPC

    monkeypatch.setattr(torch, "save", full)
    with pytest.raises(OSError, match="No space left"):
        checkpoint.save(tmp_path, checkpoint.Progress("v", step=2), model, optimizer, scheduler)
    monkeypatch.setattr(torch, "save", real_save)
    assert files_under(tmp_path) == [checkpoint.CHECKPOINT]
    progress = checkpoint.load(tmp_path, model, optimizer, scheduler)
    assert progress is not None and progress.step == 1


def test_an_evaluation_report_that_cannot_be_written_leaves_the_previous_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evaluation import report

    (tmp_path / "report.html").write_text("previous")
    (tmp_path / "signals_dev.json").write_text("{}")

    def full(*args: Any, **kwargs: Any) -> str:
        raise ENOSPC

    monkeypatch.setattr(report, "render_html", full)
    with pytest.raises(OSError, match="No space left"):
        report.write_report({}, tmp_path, {"model_version": "v"})
    assert files_under(tmp_path) == ["report.html", "signals_dev.json"]
    assert (tmp_path / "report.html").read_text() == "previous"
    assert json.loads((tmp_path / "signals_dev.json").read_text()) == {}
