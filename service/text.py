"""Unicode that Python accepts but tokenizers and UTF-8 encoders do not.

JSON may escape half of a surrogate pair on its own ("\\ud800"); Python decodes it into a str
that the Rust tokenizer and the UTF-8 response encoder both refuse. Each lone surrogate becomes
U+FFFD (the replacement character): one code point for one, so every offset the service returns
still points into the text exactly as the caller sent it.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def replace_lone_surrogates(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (same length)."""
    return _SURROGATE.sub(REPLACEMENT, text)


def with_content(text: str, field: str) -> str:
    """`text` with lone surrogates replaced; a ValueError naming `field` when it holds no
    non-space character (what was found: empty, or how many white-space characters)."""
    if not text.strip():
        found = "an empty string" if not text else f"{len(text)} white-space character(s)"
        raise ValueError(f"{field} must contain at least one non-space character, found {found}")
    return replace_lone_surrogates(text)


def printable(text: str, limit: int = 1_000) -> str:
    """Safe to put in a JSON response or a log line: no lone surrogates, at most `limit` chars."""
    text = replace_lone_surrogates(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
