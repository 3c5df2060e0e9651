"""Writing files so that no reader ever sees half of one.

Everything is staged beside its target under a hidden temporary name and renamed onto it only
when complete. On any error (a full disk included) the staged files are removed and the target
is left as it was: the old file, or nothing.

    with staged(path) as tmp:             # one file
        tmp.write_text(...)
    with staged_together([a, b]) as (ta, tb):   # files that only make sense together
        ...
    with staged_dir(model_dir) as tmp:    # a whole directory
        ...
    point_link(latest, target_name)       # a symbolic link, swapped in one rename
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


def temp_name(target: Path) -> Path:
    """A hidden name beside `target`, distinct for every writer (two at once do not collide)."""
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """A temporary path for `target`, renamed onto it if the block succeeds, removed if not."""
    with staged_together([target]) as (tmp,):
        yield tmp


@contextmanager
def staged_together(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary paths for several new files that belong together (a version and its report).

    They are renamed only once the block has written all of them, in the order given: put the
    file readers look for last. If a rename fails, the ones already renamed are removed again,
    so the set appears whole or not at all."""
    tmps = [temp_name(target) for target in targets]
    renamed: list[Path] = []
    try:
        yield tmps
        for tmp, target in zip(tmps, targets, strict=True):
            os.replace(tmp, target)
            renamed.append(target)
    except BaseException:
        for path in [*tmps, *renamed]:
            path.unlink(missing_ok=True)
        raise


def write_text(target: Path, text: str) -> None:
    """Write `text` (UTF-8) to `target` atomically, flushed to disk before the rename."""
    with staged(target) as tmp, tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


@contextmanager
def staged_dir(target: Path) -> Iterator[Path]:
    """A temporary directory for `target`, swapped in if the block succeeds, removed if not.

    An existing `target` is moved aside first and deleted after the swap."""
    tmp = temp_name(target)
    tmp.mkdir(parents=True)
    try:
        yield tmp
        old = temp_name(target) if target.exists() else None
        if old is not None:
            os.replace(target, old)
        try:
            os.replace(tmp, target)
        except BaseException:
            if old is not None:
                os.replace(old, target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def point_link(link: Path, target: str) -> None:
    """Make `link` a symbolic link to `target` (relative), replacing what was there in one step."""
    tmp = temp_name(link)
    try:
        tmp.symlink_to(target)
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove_stale(folder: Path) -> list[Path]:
    """Remove temporary files and folders that a killed writer left in `folder`; returns them.

    Only names this module makes (`.NAME.<pid>.<id>.tmp`) whose process is gone are touched."""
    removed = []
    for path in folder.glob(".*.tmp"):
        parts = path.name.split(".")
        if len(parts) < 4 or not parts[-3].isdigit() or _alive(int(parts[-3])):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
