"""Writing a finished model directory: everything staged in a temporary folder, then renamed.

A failure on the way (a full disk) removes the staged folder and leaves the old model, and
`latest`, as they were (`rabat.store.files`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from rabat.model.meta import ModelMeta
from rabat.model.network import MultiTaskModel
from rabat.store.files import point_link, remove_stale, staged_dir


def save_model(model: MultiTaskModel, tokenizer: Any, meta: ModelMeta, out_dir: Path) -> None:
    """Save a loadable model directory (weights, tokenizer, rabat_model.json) atomically."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with staged_dir(out_dir) as tmp:
        model.save(tmp)
        tokenizer.save_pretrained(str(tmp))
        meta.write(tmp)


def publish(
    best_dir: Path,
    final_dir: Path,
    files: dict[str, str | dict[str, Any]],
    dirs: dict[str, Path],
    move_latest: bool = True,
) -> None:
    """Copy the best checkpoint to `final_dir` with the extra files and folders, then point
    `latest` at it (unless `move_latest` is false: a model the gate refused). Readers never see
    a half-written model directory."""
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(final_dir.parent)
    with staged_dir(final_dir) as tmp:
        shutil.copytree(best_dir, tmp, dirs_exist_ok=True)
        for name, source in dirs.items():
            shutil.copytree(source, tmp / name)
        for name, content in files.items():
            text = content if isinstance(content, str) else json.dumps(content, indent=2) + "\n"
            (tmp / name).write_text(text, encoding="utf-8")
    if move_latest:
        point_link(final_dir.parent / "latest", final_dir.name)
