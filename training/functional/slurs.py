"""Slurs for the {slur} templates, derived from the corpora at run time, never stored.

- English (`derive_slurs`): words that HateXplain's annotators marked as the rationale of hate
  and that are far more frequent in Davidson's hate class than in its other classes.
- French and Arabic (`derive_mlma_slurs`): MLMA was collected with keyword searches, so its
  hostile tweets keep returning to the same loaded words. Taken: words in at least 15 tweets
  that annotators called hostile (no `normal` sentiment) and aimed at a protected group, more
  frequent there than in `normal` tweets, and rare in ordinary text (in at most 0.2% of the
  language's RTP-LX prompts, which rules out function words without a stop list).
- German, Spanish, Italian, Portuguese, Polish, Dutch, Hindi and Chinese
  (`derive_hurtlex_slurs`): Hurtlex's conservative nouns for ethnic slurs and negative
  stereotypes (`ps`) and for homosexuality (`om`), single words, minus the words Hurtlex also
  files under cognitive, moral or physical defects (`ddp`, `dmc`, `ddf`: "idiot", "stupid",
  insults for anyone). Hurtlex has no frequency, so the words are ranked by how many of the
  language's RTP-LX prompts that annotators scored as an identity attack contain them; a word
  must be in at least two such prompts and in more of them than of the other prompts
  (Chinese is written without spaces, so there a word is found as a substring).
  Hurtlex and RTP-LX are non-commercial: used here only to build evaluation cases.

Identity words (groups.yaml) are never taken. A lexicon file replaces the derivation. Without
the data a derivation needs, the language has no slur cases (logged).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)

MAX_SLURS = 6
# Hurtlex's categories for words that attack a group: ethnic slurs and negative stereotypes,
# and homosexuality. `cds` (derogatory words) and the defect categories insult anyone.
HURTLEX_SLURS = frozenset({"ps", "om"})
HURTLEX_INSULTS = frozenset({"ddp", "dmc", "ddf"})
# The languages slurs are taken from Hurtlex for, and their RTP-LX locale files.
HURTLEX_LOCALES = {
    "de": ("DE",),
    "es": ("ES",),
    "it": ("IT",),
    "pt": ("PT",),
    "pl": ("PL",),
    "nl": ("NL",),
    "hi": ("HI",),
    "zh": ("ZH-Hans", "ZH-Hant"),
}
# Written without spaces between words: a word is found as a substring.
_SPACELESS = frozenset({"zh"})
MLMA_LOCALES = {"fr": "FR", "ar": "AR"}
# MLMA's `group` values that are not protected groups.
_UNPROTECTED = frozenset({"other", "individual", "left_wing_people"})
# MLMA's placeholders and Twitter's own words, frequent in every kind of tweet.
_TWITTER = frozenset({"user", "url", "tweet", "tweets", "twitter"})
_LETTERS = re.compile(r"[^\W\d_]+")
_ARTICLE = "ال"
_HEH, _TEH_MARBUTA = "\u0647", "\u0629"


def read_lexicon(path: Path) -> list[str]:
    """One slur per line; blank lines and lines starting with # are skipped."""
    words = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [w for w in words if w and not w.startswith("#")]


def slurs_for(
    language: str, data_dir: Path, identity_words: Sequence[str], lexicon: Path | None = None
) -> list[str]:
    """The lexicon's words if one is given, else the words derived for `language` (none for a
    language without a derivation)."""
    if lexicon is not None:
        return read_lexicon(lexicon)
    derive = DERIVATIONS.get(language)
    return derive(data_dir, identity_words) if derive else []


def derive_slurs(data_dir: Path, identity_words: Sequence[str]) -> list[str]:
    """English slurs from HateXplain and Davidson, singular forms, most enriched first."""
    hatexplain = pd.read_csv(data_dir / "hatexplain/train.csv", keep_default_na=False)
    davidson = pd.read_csv(data_dir / "davidson/labeled_data.csv", keep_default_na=False)
    marked = _doc_freq(hatexplain.loc[hatexplain["label"] == 2, "rationale_pos"])
    hate = davidson[davidson["class"] == 0]["tweet"]
    rest = davidson[davidson["class"] != 0]["tweet"]
    in_hate, in_rest = _doc_freq(hate), _doc_freq(rest)
    skip = {w.lower() for w in identity_words}
    scored = []
    for word, count in marked.items():
        if count < 20 or len(word) < 4 or word in skip or in_hate[word] < 15:
            continue
        ratio = ((in_hate[word] + 1) / len(hate)) / ((in_rest[word] + 1) / len(rest))
        if ratio > 6:
            scored.append((ratio, word))
    words = [w for _, w in sorted(scored, reverse=True)]
    singular = [w for w in words if not (w.endswith("s") and w[:-1] in words)]
    return singular[:MAX_SLURS]


def _doc_freq(texts: pd.Series) -> Counter[str]:
    return Counter(w for text in texts for w in set(re.findall(r"[a-z]+", str(text).lower())))


def derive_mlma_slurs(data_dir: Path, language: str, identity_words: Sequence[str]) -> list[str]:
    """French or Arabic slurs from MLMA (see the module docstring), most frequent first."""
    mlma = pd.read_csv(data_dir / f"mlma/{language}_dataset.csv", keep_default_na=False)
    normal = mlma["sentiment"].str.contains("normal")
    hostile = mlma[~normal & ~mlma["group"].isin(_UNPROTECTED)]["tweet"]
    rest = mlma[normal]["tweet"]
    prompts = pd.read_csv(data_dir / "rtp-lx/prompts.csv", keep_default_na=False)
    ordinary = prompts[prompts["file_locale"] == MLMA_LOCALES[language]]["Prompt"]
    in_hostile, in_rest, in_ordinary = (
        _letter_freq(hostile),
        _letter_freq(rest),
        _letter_freq(ordinary),
    )
    skip = {w.lower() for w in identity_words} | _TWITTER
    words = []
    for word, count in in_hostile.most_common():
        if count < 15 or len(word) < 4 or word in skip:
            continue
        enriched = (count / len(hostile)) / ((in_rest[word] + 1) / len(rest)) > 1.2
        if enriched and in_ordinary[word] <= 0.002 * len(ordinary):
            words.append(word)
    forms = _arabic_forms(words) if language == "ar" else _french_forms(words)
    return [w for w in forms if w not in skip][:MAX_SLURS]


def _letter_freq(texts: Iterable[str]) -> Counter[str]:
    return Counter(w for text in texts for w in set(_LETTERS.findall(str(text).lower())))


def _french_forms(words: list[str]) -> list[str]:
    """Singular forms: a word ending in s is dropped when the word without it is there too."""
    return [w for w in words if not (w.endswith("s") and w[:-1] in words)]


def _arabic_forms(words: list[str]) -> list[str]:
    """Without the article (a vocative takes none), one spelling per word: a final heh and a
    final teh marbuta are the same letter written two ways."""
    out: list[str] = []
    seen: set[str] = set()
    for word in words:
        bare = word[2:] if word.startswith(_ARTICLE) and len(word) >= 6 else word
        key = bare[:-1] + _TEH_MARBUTA if bare.endswith(_HEH) else bare
        if key not in seen:
            seen.add(key)
            out.append(bare)
    return out


def derive_hurtlex_slurs(data_dir: Path, language: str, identity_words: Sequence[str]) -> list[str]:
    """Slurs from Hurtlex ranked by RTP-LX identity attacks (see the module docstring), most
    frequent first; none, with a warning, when either file is missing."""
    lexicon = data_dir / f"hurtlex/hurtlex_{language.upper()}.csv"
    prompts_path = data_dir / "rtp-lx/prompts.csv"
    missing = [str(p) for p in (lexicon, prompts_path) if not p.exists()]
    if missing:
        logger.warning("no %s slur cases: %s missing (set RABAT_DATA_DIR)", language, missing)
        return []
    skip = {w.lower() for w in identity_words}
    candidates = [w for w in _hurtlex_candidates(lexicon) if w not in skip]
    prompts = pd.read_csv(prompts_path, keep_default_na=False)
    prompts = prompts[prompts["file_locale"].isin(HURTLEX_LOCALES[language])]
    attack = (prompts["IdentityAttack"] >= 2).tolist()
    texts = [str(text).lower() for text in prompts["Prompt"]]
    searched: list[str | set[str]] = (
        list(texts) if language in _SPACELESS else [set(_LETTERS.findall(t)) for t in texts]
    )
    scored = []
    for word in candidates:
        found = [word in text for text in searched]
        hits = sum(f and a for f, a in zip(found, attack, strict=True))
        others = sum(found) - hits
        if hits >= 2 and hits > others:
            scored.append((-hits, others, word))
    return [word for _, _, word in sorted(scored)][:MAX_SLURS]


def _hurtlex_candidates(path: Path) -> list[str]:
    """Conservative single-word nouns filed under a slur category and never under an insult."""
    rows = pd.read_csv(path, keep_default_na=False)
    rows = rows[rows["level"] == "conservative"]
    lemmas = rows["lemma"].str.lower()
    insults = set(lemmas[rows["category"].isin(HURTLEX_INSULTS)])
    slurs = lemmas[(rows["pos"] == "n") & rows["category"].isin(HURTLEX_SLURS)]
    return sorted({w for w in slurs if _LETTERS.fullmatch(w) and len(w) >= 2 and w not in insults})


def _hurtlex_derivation(language: str) -> Callable[[Path, Sequence[str]], list[str]]:
    return lambda data_dir, words: derive_hurtlex_slurs(data_dir, language, words)


DERIVATIONS: dict[str, Callable[[Path, Sequence[str]], list[str]]] = {
    "en": derive_slurs,
    "fr": lambda data_dir, words: derive_mlma_slurs(data_dir, "fr", words),
    "ar": lambda data_dir, words: derive_mlma_slurs(data_dir, "ar", words),
    **{language: _hurtlex_derivation(language) for language in HURTLEX_LOCALES},
}
