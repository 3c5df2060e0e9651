"""Which language a text is written in: the code every classification result carries.

The detector is langid.py's naive-Bayes model as `py3langid` ships it inside its wheel (139
languages and `zxx`, "not language"): nothing is downloaded, ever. It is loaded once per process,
on first use (about 0.8 s). Measurements and the alternatives weighed: docs/language.md.

A text is `und` (undetermined) rather than given a confident wrong guess when too little of it is
language: no letters (digits, emoji, a URL), a single distinct word, or a best guess below
`MIN_CONFIDENCE`. A text mixing languages gets its dominant one; `found` also lists the others
that whole clauses of it are written in.

    >>> detect("Nous sommes allés au marché ce matin").code
    'fr'
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rabat.text.cleaning import IDEOGRAPHIC, UNSPACED_PHONETIC, char_class

logger = logging.getLogger(__name__)

UNDETERMINED = "und"
# The model's probabilities are tempered by the text's length: correct guesses on two-word texts
# score from 0.21, while words of no language ("hello world", "lol ok", a URL) score 0.15 or
# less (docs/language.md). Below this bar the guess is not given.
MIN_CONFIDENCE = 0.2
# Distinct words a text needs before a language is guessed; a single word ("ok", "Paris",
# "covid") belongs to too many languages.
MIN_WORDS = 2
# A language other than the dominant one is listed in `found` when clauses written in it hold
# at least this share of the text's letters.
MIN_SHARE = 0.1
# `found` reads the clauses of the text's first characters only: each clause is a model call,
# and a 10,000-character text would take 15 ms instead of 3.
FOUND_SCAN_CHARS = 2_000

# The model's labels are ISO 639-1 where one exists, else ISO 639-3; these are varieties of a
# language that has a two-letter code (Moroccan Arabic is Arabic, Cantonese is Chinese), or a
# language given its three-letter code though it has a two-letter one (Kikuyu).
_TWO_LETTER = {
    "ary": "ar",
    "arz": "ar",
    "fuv": "ff",
    "gug": "gn",
    "kik": "ki",
    "sdh": "ku",
    "uzs": "uz",
    "wuu": "zh",
    "yue": "zh",
}
_NO_LANGUAGE = "zxx"
_NOT_LANGUAGE = re.compile(
    r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|@\w+|\[(?:URL|USER)\]", re.IGNORECASE
)
_CLAUSE_END = re.compile(r"[.!?;:,\n\u3002\uff01\uff1f\uff0c\u3001\u061f\u060c\u104a\u104b\u0964]+")
# Scripts written without spaces between words, where a run of letters is a phrase: in Chinese
# and Japanese a character is taken as a word, in Thai, Lao, Burmese, Khmer and Tibetan (whose
# letters are sounds) three code points.
_IDEOGRAPHIC = re.compile(char_class(IDEOGRAPHIC))
_UNSPACED = re.compile(char_class(UNSPACED_PHONETIC))

_lock = threading.Lock()
_detector: Any = None


@dataclass(frozen=True)
class Language:
    """A text's language: `code` (ISO 639-1, or ISO 639-3 for a language without a two-letter
    code; `und` when undetermined), the model's `confidence` in it (0 for `und`), and `found`:
    the languages whole clauses are written in, the dominant first (empty for `und`)."""

    code: str
    confidence: float
    found: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "confidence": self.confidence, "found": list(self.found)}


UNKNOWN = Language(UNDETERMINED, 0.0)


def detect(text: str) -> Language:
    """The language of one text (see the module docstring for when it is `und`)."""
    letters = _letters(_NOT_LANGUAGE.sub(" ", text))
    if _words(letters) < MIN_WORDS:
        return UNKNOWN
    code, confidence = _predict(letters)
    if confidence < MIN_CONFIDENCE:
        return UNKNOWN
    return Language(code, round(confidence, 4), _found(text, code))


def detect_batch(texts: Sequence[str]) -> list[Language]:
    """`detect` for each text, in order (the model loads once, before the first)."""
    _model()
    return [detect(text) for text in texts]


def _found(text: str, dominant: str) -> tuple[str, ...]:
    """The dominant language, then the others whole clauses are confidently written in."""
    shares: dict[str, int] = {}
    for clause in _CLAUSE_END.split(_NOT_LANGUAGE.sub(" ", text[:FOUND_SCAN_CHARS])):
        letters = _letters(clause)
        if _words(letters) < MIN_WORDS:
            continue
        code, confidence = _predict(letters)
        if confidence >= MIN_CONFIDENCE:
            shares[code] = shares.get(code, 0) + len(letters)
    total = sum(shares.values())
    others = sorted(
        (code for code, n in shares.items() if code != dominant and n >= MIN_SHARE * total),
        key=lambda code: -shares[code],
    )
    return (dominant, *others)


def _letters(text: str) -> str:
    """The text's letters (with their combining marks), every other run made one space."""
    kept = [ch if unicodedata.category(ch)[0] in "LM" else " " for ch in text]
    return " ".join("".join(kept).split())


def _words(letters: str) -> int:
    """Distinct words, a run of an unspaced script counted as the words it holds (see above)."""
    count = 0
    for word in set(letters.lower().split()):
        if _IDEOGRAPHIC.match(word):
            count += len(word)
        elif _UNSPACED.match(word):
            count += max(1, len(word) // 3)
        else:
            count += 1
    return count


def _predict(letters: str) -> tuple[str, float]:
    code, confidence = _model().classify(letters)
    if code == _NO_LANGUAGE:
        return UNDETERMINED, 0.0
    return _TWO_LETTER.get(code, code), float(confidence)


def _model() -> Any:
    """The detector, built on first use (once, whichever thread gets here first)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                # norm_probs: a probability in [0, 1] rather than a log-likelihood
                detector = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                detector.classify("warm up")
                logger.info("language detector loaded (py3langid)")
                _detector = detector
    return _detector
