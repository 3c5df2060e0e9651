"""Reading a pool of texts to review: CSV or JSONL, blanks and repeats skipped, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotation.pool import read_pool


def test_a_csv_pool_keeps_extra_columns_and_skips_blanks_and_repeats(tmp_path: Path) -> None:
    path = tmp_path / "pool.csv"
    path.write_text(
        "id,text,channel\n1,have a nice day,forum\n2,,forum\n3,Have  a nice day,chat\n"
        '4,"you are a silly goose, really",chat\n',
        encoding="utf-8",
    )
    pool = read_pool(path)
    assert [item.text for item in pool.items] == [
        "have a nice day",
        "you are a silly goose, really",
    ]
    assert pool.items[0].extra == {"id": "1", "channel": "forum"}
    assert (pool.blank, pool.repeated) == (1, 1)


def test_a_jsonl_pool(tmp_path: Path) -> None:
    path = tmp_path / "pool.jsonl"
    path.write_text('{"text": "tea or coffee", "source": "s1"}\n\n{"text": "grey skies"}\n')
    pool = read_pool(path)
    assert [(i.text, i.extra) for i in pool.items] == [
        ("tea or coffee", {"source": "s1"}),
        ("grey skies", {}),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("pool.csv", "id,body\n1,hello\n", r"no `text` column; found \['id', 'body'\]"),
        ("pool.jsonl", '{"body": "hello"}\n', r"pool.jsonl:1: expected an object with a `text`"),
        ("pool.jsonl", '["hello"]\n', r"found list"),
        ("pool.jsonl", "{oops\n", r"pool.jsonl:1: not a JSON object"),
    ],
)
def test_malformed_pools_say_what_was_expected(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        read_pool(path)
    with pytest.raises(ValueError, match="no pool file"):
        read_pool(tmp_path / "missing.csv")
