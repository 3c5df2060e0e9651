"""Text clean-up shared by training and inference, and the key used to find duplicates.

Corpora spell user mentions, links and HTML entities differently (`@USER`, `[USER]`, `&amp;`);
the model must see them one way, in training and in service alike.
"""

from __future__ import annotations

import html
import re
import unicodedata

_MENTION = re.compile(r"(?:\[USER\]|@USER\b|@\w{1,30})", re.IGNORECASE)
_URL = re.compile(r"(?:\[URL\]|https?://\S+|www\.\S+|\bURL\b)", re.IGNORECASE)
_RETWEET = re.compile(r"^(?:RT\s+)+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Unescape HTML, unify mentions (`@user`) and links (`http`), collapse white space.

    >>> clean("RT @someone:  look &amp; see https://example.org")
    '@user: look & see http'
    """
    text = html.unescape(html.unescape(text))
    text = _URL.sub("http", text)
    text = _MENTION.sub("@user", text)
    text = _SPACE.sub(" ", text).strip()
    return _RETWEET.sub("", text)


def dedup_key(text: str) -> str:
    """A key equal for texts that differ only in case, punctuation, spacing, mentions or links.

    Emoji and other symbols are kept: in Hatemoji an emoji is often the only difference.
    """
    folded = unicodedata.normalize("NFKC", clean(text)).casefold()
    kept = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("P"))
    return _SPACE.sub(" ", kept).strip()
