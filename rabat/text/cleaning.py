"""Text clean-up shared by training and inference, and the key used to find duplicates.

Corpora spell user mentions, links and HTML entities differently (`@USER`, `[USER]`, `&amp;`);
the model must see them one way, in training and in service alike. `clean_with_offsets` also
says where each piece of the cleaned text came from, so evidence found in the cleaned text can
point into the text exactly as the caller sent it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

import emoji

# The longest text one request, one pool row or one evaluation row may hold (characters): the
# service's RABAT_MAX_TEXT_CHARS and the file readers' --max-chars default to it.
MAX_TEXT_CHARS = 10_000

_PIECE = re.compile(
    r"(?P<url>\[URL\]|https?://\S+|www\.\S+|\bURL\b)"
    r"|(?P<mention>\[USER\]|@USER\b|@\w{1,30})"
    r"|(?P<entity>&(?:amp;)?(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});)"
    r"|(?P<space>\s+)",
    re.IGNORECASE,
)
_REPLACEMENT = {"url": "http", "mention": "@user", "space": " "}
_SURROGATE = re.compile("[\ud800-\udfff]")
_RETWEET = re.compile(r"^(?:RT\s+)+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class OffsetMap:
    """Maps character offsets in a cleaned text back to the original text."""

    clean_starts: list[int]
    raw_spans: list[tuple[int, int]]
    clean_length: int = 0

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) covering the cleaned [start, end)."""
        first = max(bisect_right(self.clean_starts, start) - 1, 0)
        last = max(bisect_right(self.clean_starts, max(end - 1, start)) - 1, 0)
        return self.raw_spans[first][0], self.raw_spans[last][1]

    def to_clean(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The cleaned [start, end) stretches that come from the original `spans` (merged, in
        order): how a corpus's character-offset rationale lands in the text the model reads."""
        if not spans:
            return []
        ends = [*self.clean_starts[1:], self.clean_length]
        out: list[tuple[int, int]] = []
        for clean_start, clean_end, (raw_start, raw_end) in zip(
            self.clean_starts, ends, self.raw_spans, strict=True
        ):
            if raw_end <= raw_start or not any(s < raw_end and raw_start < e for s, e in spans):
                continue
            if out and out[-1][1] == clean_start:
                out[-1] = (out[-1][0], clean_end)
            else:
                out.append((clean_start, clean_end))
        return out


def clean_with_offsets(text: str) -> tuple[str, OffsetMap]:
    """`clean(text)` and the map from its offsets to `text`'s.

    Lone surrogates (which no tokenizer or UTF-8 encoder accepts) become U+FFFD, one for one.
    Emoji become their names between spaces ("\u2764\ufe0f" -> " red heart "): the encoders'
    vocabularies have no emoji, so they would all read as the same unknown token.
    """
    text = _SURROGATE.sub("\ufffd", text)
    pieces: list[tuple[str, int, int]] = []
    position = 0
    for found in emoji.emoji_list(text):
        start, end = found["match_start"], found["match_end"]
        pieces += _plain_pieces(text, position, start)
        name = emoji.demojize(found["emoji"], delimiters=("", "")).replace("_", " ").strip()
        pieces += [(" ", start, start), (name or found["emoji"], start, end), (" ", end, end)]
        position = end
    pieces += _plain_pieces(text, position, len(text))
    pieces = _strip(_merge_spaces(pieces))
    starts, spans, out, length = [], [], [], 0
    for value, raw_start, raw_end in pieces:
        starts.append(length)
        spans.append((raw_start, raw_end))
        out.append(value)
        length += len(value)
    return "".join(out), OffsetMap(starts, spans, length)


def _plain_pieces(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """The cleaned pieces of text[start:end] (no emoji in it), with their raw spans."""
    pieces: list[tuple[str, int, int]] = []
    position = start
    for match in _PIECE.finditer(text, start, end):
        pieces.extend(
            (ch, i, i + 1) for i, ch in enumerate(text[position : match.start()], position)
        )
        kind = match.lastgroup or "space"
        entity = kind == "entity"
        value = html.unescape(html.unescape(match.group(0))) if entity else _REPLACEMENT[kind]
        if value.isspace():  # a non-breaking space entity is white space too
            value = " "
        pieces.append((value, match.start(), match.end()))
        position = match.end()
    pieces.extend((ch, i, i + 1) for i, ch in enumerate(text[position:end], position))
    return pieces


def clean(text: str) -> str:
    """Unescape HTML, unify mentions (`@user`) and links (`http`), collapse white space.

    >>> clean("RT @someone:  look &amp; see https://example.org")
    '@user: look & see http'
    """
    return clean_with_offsets(text)[0]


def _merge_spaces(pieces: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    merged: list[tuple[str, int, int]] = []
    for piece in pieces:
        if piece[0] == " " and merged and merged[-1][0] == " ":
            merged[-1] = (" ", merged[-1][1], piece[2])
        else:
            merged.append(piece)
    return merged


def _strip(pieces: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Drop leading and trailing white space and leading retweet markers."""
    while pieces and pieces[0][0] == " ":
        pieces.pop(0)
    while pieces and pieces[-1][0] == " ":
        pieces.pop()
    head = "".join(p[0] for p in pieces[:64])
    retweet = _RETWEET.match(head)
    if retweet:
        drop, length = 0, 0
        while length < retweet.end():
            length += len(pieces[drop][0])
            drop += 1
        pieces = pieces[drop:]
    return pieces


def dedup_key(text: str) -> str:
    """A key equal for texts that differ only in case, punctuation, spacing, mentions or links.

    Emoji and other symbols are kept: in Hatemoji an emoji is often the only difference.
    """
    folded = unicodedata.normalize("NFKC", clean(text)).casefold()
    kept = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("P"))
    return _SPACE.sub(" ", kept).strip()


# Scripts written without spaces between words, by code point range: ideographic ones (a
# character is a word: Chinese, Japanese kana) and ones whose letters are sounds (Thai, Lao,
# Tibetan, Burmese, Khmer). rabat.model.evidence and rabat.text.language read them.
IDEOGRAPHIC = ((0x3040, 0x30FF), (0x3400, 0x9FFF), (0xF900, 0xFAFF))
UNSPACED_PHONETIC = ((0x0E00, 0x0EFF), (0x0F00, 0x0FFF), (0x1000, 0x109F), (0x1780, 0x17FF))


def char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A regular-expression character class of code point ranges."""
    return "[" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges) + "]"
