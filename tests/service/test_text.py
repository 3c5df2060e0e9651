"""Lone surrogates are replaced one for one, so offsets still point into the text as sent."""

from __future__ import annotations

from service.text import REPLACEMENT, printable, replace_lone_surrogates


def test_lone_surrogates_are_replaced_one_for_one() -> None:
    text = "a\ud800b\udfffc"
    fixed = replace_lone_surrogates(text)
    assert fixed == f"a{REPLACEMENT}b{REPLACEMENT}c"
    assert len(fixed) == len(text)
    fixed.encode("utf-8")  # encodable now


def test_real_astral_characters_are_kept() -> None:
    assert replace_lone_surrogates("\U0001f600 ok") == "\U0001f600 ok"


def test_printable_is_capped() -> None:
    assert printable("x" * 5000, limit=10) == "xxxxxxx..."
    assert printable("\udc00") == REPLACEMENT
