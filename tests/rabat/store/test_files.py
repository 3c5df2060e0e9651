"""Atomic writers: a target is the old content or the new, never half; temp files go on error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rabat.store.files import (
    point_link,
    remove_stale,
    staged,
    staged_dir,
    staged_together,
    write_text,
)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_failed_write_keeps_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_text(target, "old")
    with pytest.raises(RuntimeError), staged(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old" and listing(tmp_path) == ["a.txt"]


def test_files_staged_together_appear_together_or_not_at_all(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.jsonl"
    with pytest.raises(RuntimeError), staged_together([a, b]) as (ta, tb):
        ta.write_text("report")
        raise RuntimeError("the second file does not fit")
    assert listing(tmp_path) == []
    with staged_together([a, b]) as (ta, tb):
        ta.write_text("report")
        tb.write_text("rows")
    assert (a.read_text(), b.read_text()) == ("report", "rows")


def test_a_rename_that_fails_half_way_removes_the_renamed_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.jsonl"
    real, calls = os.replace, []

    def replace(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("rename failed")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError), staged_together([a, b]) as (ta, tb):
        ta.write_text("report")
        tb.write_text("rows")
    assert listing(tmp_path) == []


def test_a_directory_is_replaced_whole_or_kept(tmp_path: Path) -> None:
    target = tmp_path / "model"
    with staged_dir(target) as tmp:
        (tmp / "weights").write_text("v1")
    with pytest.raises(RuntimeError), staged_dir(target) as tmp:
        (tmp / "weights").write_text("v2 half")
        raise RuntimeError("disk full")
    assert listing(tmp_path) == ["model"] and (target / "weights").read_text() == "v1"
    with staged_dir(target) as tmp:
        (tmp / "weights").write_text("v2")
    assert listing(tmp_path) == ["model"] and listing(target) == ["weights"]
    assert (target / "weights").read_text() == "v2"


def test_a_link_is_swapped_in_one_step(tmp_path: Path) -> None:
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    point_link(tmp_path / "latest", "v1")
    point_link(tmp_path / "latest", "v2")
    assert os.readlink(tmp_path / "latest") == "v2"
    assert listing(tmp_path) == ["latest", "v1", "v2"]


def test_only_temp_files_of_dead_writers_are_cleared(tmp_path: Path) -> None:
    dead = tmp_path / ".a.jsonl.999999999.abcd1234.tmp"
    mine = tmp_path / f".b.jsonl.{os.getpid()}.abcd1234.tmp"
    other = tmp_path / ".notes.tmp"
    for path in (dead, mine, other):
        path.write_text("x")
    assert remove_stale(tmp_path) == [dead]
    assert listing(tmp_path) == sorted([mine.name, other.name])
