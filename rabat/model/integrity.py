"""Checks that a model directory's files are whole before anything loads them.

A truncated or damaged file (a copy cut short, a full disk, a bad restore) would otherwise
surface as a library's traceback that does not name the file. `check_model_files` reads only
the headers: a safetensors file must be exactly as long as its header says, a JSON file must
parse. ONNX files are checked when ONNX Runtime opens them (`rabat.model.onnx_backend`), with
the same error.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

SAFETENSORS = ("model.safetensors", "aux_heads.safetensors")
JSON_FILES = ("rabat_model.json", "config.json", "tokenizer.json", "tokenizer_config.json")
FIX = (
    "Restore the model directory from a backup, retrain it with `make train`, or point "
    "RABAT_MODEL_DIR (or --model) at another model"
)
ONNX_FIX = "Re-export it with `python -m training.export_onnx --model {dir}`, or restore it"
MAX_HEADER = 100 * 1024 * 1024


class DamagedModelError(ValueError):
    """A file of a model directory is incomplete or damaged; the message names it."""


def damaged(path: Path, what: str, fix: str = FIX) -> DamagedModelError:
    """The error for a damaged `path`, saying what is wrong and how to fix it."""
    return DamagedModelError(f"damaged model file {path}: {what}. {fix}")


def check_model_files(model_dir: Path, weights: bool = True) -> None:
    """Raise DamagedModelError naming the first incomplete file of `model_dir`; `weights=False`
    skips the PyTorch weights (an ONNX-only load)."""
    for name in JSON_FILES:
        path = model_dir / name
        if path.is_file():
            _check_json(path)
    for name in SAFETENSORS if weights else ():
        path = model_dir / name
        if path.is_file():
            check_safetensors(path)


def check_safetensors(path: Path) -> None:
    """A safetensors file is an 8-byte header length, a JSON header, then exactly the bytes its
    tensors' offsets cover: anything shorter or longer is damaged."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(8)
        if len(head) < 8:
            raise damaged(path, f"{size} bytes, too short for a safetensors header")
        (length,) = struct.unpack("<Q", head)
        if length > min(MAX_HEADER, size - 8):
            raise damaged(path, f"the header claims {length:,} bytes, the file has {size:,}")
        try:
            header = json.loads(handle.read(length))
            end = max(
                (int(t["data_offsets"][1]) for k, t in header.items() if k != "__metadata__"),
                default=0,
            )
        except (ValueError, KeyError, TypeError, IndexError):
            raise damaged(path, "its header is not valid safetensors JSON") from None
    expected = 8 + length + end
    if size != expected:
        cut = "truncated" if size < expected else "longer than its header says"
        raise damaged(path, f"{cut}: {size:,} bytes where its header needs {expected:,}")


def _check_json(path: Path) -> None:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise damaged(path, f"not valid JSON ({err})") from None
