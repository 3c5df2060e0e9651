"""Text clean-up and the deduplication key."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from rabat.text.cleaning import clean, clean_with_offsets, dedup_key


def test_clean_unifies_mentions_links_and_entities() -> None:
    assert clean("RT @someone: look &amp; see https://example.org/x") == "@user: look & see http"
    assert clean("[USER] hi [URL]") == "@user hi http"
    assert clean("@USER   hello\n\tURL") == "@user hello http"


def test_clean_keeps_any_unicode_and_names_emoji() -> None:
    text = "שלום e\u0301 zero\u200bwidth"
    assert clean(text) == text
    assert clean("שלום 👋🏽 hi") == "שלום waving hand medium skin tone hi"
    assert clean("a🐍b") == "a snake b"  # the vocabularies have no emoji: their names instead


def test_emoji_names_map_back_to_the_emoji() -> None:
    raw = "you 🐍🐍 there"
    cleaned, offsets = clean_with_offsets(raw)
    assert cleaned == "you snake snake there"
    start = cleaned.index("snake")
    assert offsets.to_raw(start, start + 5) == (4, 5)
    assert offsets.to_raw(cleaned.rindex("snake"), len(cleaned) - len(" there")) == (5, 6)


def test_dedup_key_ignores_case_punctuation_and_spacing_but_not_emoji() -> None:
    assert dedup_key("Hello, World!!") == dedup_key("hello world")
    assert dedup_key("nice 🐍") != dedup_key("nice 🌹")


def test_offsets_map_cleaned_words_back_to_the_original() -> None:
    raw = "RT @bob:  hi &amp; see https://x.org now"
    cleaned, offsets = clean_with_offsets(raw)
    assert cleaned == "@user: hi & see http now"
    for word, original in [
        ("see", "see"),
        ("http", "https://x.org"),
        ("@user", "@bob"),
        ("&", "&amp;"),
    ]:
        start = cleaned.index(word)
        a, b = offsets.to_raw(start, start + len(word))
        assert raw[a:b] == original


def test_offsets_on_real_rows(data_dir: Path) -> None:
    texts = pd.read_csv(data_dir / "davidson/labeled_data.csv", nrows=3000)["tweet"]
    for raw in texts:
        cleaned, offsets = clean_with_offsets(raw)
        for match in re.finditer(r"[A-Za-z]{3,}", cleaned):
            if match.group(0) in {"user", "http"}:
                continue
            a, b = offsets.to_raw(match.start(), match.end())
            assert raw[a:b] == match.group(0)


def test_lone_surrogates_become_replacement_characters() -> None:
    cleaned, offsets = clean_with_offsets("a\ud800b")
    assert cleaned == "a\ufffdb"
    assert offsets.to_raw(2, 3) == (2, 3)


def test_raw_spans_land_on_the_cleaned_characters_they_became() -> None:
    from rabat.text.cleaning import clean_with_offsets

    raw = "RT  look &amp; see https://example.org now 😀 ok"
    cleaned, offsets = clean_with_offsets(raw)
    amp, url, smile = raw.index("&amp;"), raw.index("https"), raw.index("😀")
    see, now = raw.index("see"), raw.index("now")
    spans = offsets.to_clean([(amp, amp + 5), (see, see + 3), (url, url + 19), (smile, smile + 1)])
    assert [cleaned[a:b] for a, b in spans] == ["&", "see", "http", "grinning face"]
    assert offsets.to_clean([(now, now + 3)]) == [(cleaned.index("now"), cleaned.index("now") + 3)]
    assert offsets.to_clean([]) == []
