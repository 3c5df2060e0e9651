"""Writing a finished model directory: everything staged in a temporary folder, then renamed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from rabat.model import ModelMeta, MultiTaskModel


def save_model(model: MultiTaskModel, tokenizer: Any, meta: ModelMeta, out_dir: Path) -> None:
    """Save a loadable model directory (weights, tokenizer, rabat_model.json) atomically."""
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save(tmp)
    tokenizer.save_pretrained(str(tmp))
    meta.write(tmp)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)


def publish(
    best_dir: Path, final_dir: Path, files: dict[str, str | dict[str, Any]], dirs: dict[str, Path]
) -> None:
    """Copy the best checkpoint to `final_dir` with the extra files and folders, then point
    `latest` at it. Readers never see a half-written model directory."""
    tmp = final_dir.with_name("." + final_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(best_dir, tmp)
    for name, source in dirs.items():
        shutil.copytree(source, tmp / name)
    for name, content in files.items():
        text = content if isinstance(content, str) else json.dumps(content, indent=2) + "\n"
        (tmp / name).write_text(text, encoding="utf-8")
    if final_dir.exists():
        shutil.rmtree(final_dir)
    os.replace(tmp, final_dir)
    link = final_dir.parent / "latest"
    tmp_link = final_dir.parent / ".latest.tmp"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(final_dir.name)
    os.replace(tmp_link, link)
