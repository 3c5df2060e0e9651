"""Mapping free-text target descriptions (as in Latent Hatred) onto Rabat's identity categories."""

from __future__ import annotations

import re

# Checked in order; a description may match several categories ("black women").
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("migration", r"immigra|migrant|refugee|asylum|alien|foreigner"),
    ("religion", r"muslim|islam|jew|jewish|christian|catholic|hindu|sikh|religio|atheist"),
    (
        "race_ethnicity",
        r"black|white|asian|hispanic|latin|arab|mexican|african|race|racial|"
        r"minorit|indian|chinese|ethnic|people of colou?r|non-white|europe|nation|semit",
    ),
    ("sexual_orientation", r"\bgay|lesbian|lgbt|homosexual|queer|bisexual"),
    ("gender", r"wom[ae]n|female|feminis|\bmen\b|\bmale|girl|trans|gender"),
    ("disability", r"disab|autis|mental"),
)
_COMPILED = tuple((group, re.compile(pattern)) for group, pattern in _KEYWORDS)


def groups_from_description(description: str) -> frozenset[str]:
    """Identity categories named in a free-text target; `other` when none is recognised.

    >>> sorted(groups_from_description("Black women"))
    ['gender', 'race_ethnicity']
    """
    text = description.strip().lower()
    if not text:
        return frozenset()
    found = frozenset(group for group, pattern in _COMPILED if pattern.search(text))
    return found or frozenset({"other"})


_MENTION = re.compile(r"\b(?:" + "|".join(pattern for _, pattern in _KEYWORDS) + ")", re.IGNORECASE)


def mentions_identity(text: str) -> bool:
    """Whether a text names an identity group (a word starting like one of the keywords)."""
    return _MENTION.search(text) is not None
