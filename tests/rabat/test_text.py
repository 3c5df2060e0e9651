"""Text clean-up and the deduplication key."""

from __future__ import annotations

from rabat.text import clean, dedup_key


def test_clean_unifies_mentions_links_and_entities() -> None:
    assert clean("RT @someone: look &amp; see https://example.org/x") == "@user: look & see http"
    assert clean("[USER] hi [URL]") == "@user hi http"
    assert clean("@USER   hello\n\tURL") == "@user hello http"


def test_clean_keeps_any_unicode() -> None:
    text = "שלום 👋🏽 e\u0301 zero\u200bwidth"
    assert clean(text) == text


def test_dedup_key_ignores_case_punctuation_and_spacing_but_not_emoji() -> None:
    assert dedup_key("Hello, World!!") == dedup_key("hello world")
    assert dedup_key("nice 🐍") != dedup_key("nice 🌹")
