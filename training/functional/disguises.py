"""Disguises for scripts the augmenter leaves as they are, used by the functional suite.

The augmenter (training/augment.py) disguises words of scripts written with spaces; a Chinese
"word" there would be a whole sentence, and its code-point edits would split a Devanagari vowel
sign from its letter. The suite disguises one [bracketed] word, so it can do both scripts:

- Devanagari (`DEVANAGARI_OBFUSCATIONS`): the augmenter's spaced, dropped and doubled on whole
  letters (`units`); no leetspeak (no digit stands for a Devanagari letter) and no swap (most
  words have three letters or fewer, and a swap keeps the first and last); `dotted` instead.
- Chinese (`HAN_OBFUSCATIONS`): spaces or symbols between characters, and one character written
  as it sounds: in pinyin, or as a homophone (a small table of the suite's own words).
"""

from __future__ import annotations

import random
import unicodedata

from training.augment import Disguise, doubled, dropped, spaced

_VIRAMA = "\u094d"
_SYMBOLS = ("*", ".", "-", "_")
# Characters of the functional suite's Chinese [bracketed] words: the pinyin people type in their
# place (no tones) and a character that sounds alike. No slur: lexicon words fall back to `dotted`.
HOMOPHONES: dict[str, tuple[str, str]] = {
    "恶": ("e", "饿"),
    "心": ("xin", "芯"),
    "厌": ("yan", "燕"),
    "恨": ("hen", "很"),
    "鄙": ("bi", "比"),
    "视": ("shi", "事"),
    "骗": ("pian", "片"),
    "蠢": ("chun", "春"),
    "脏": ("zang", "赃"),
    "胃": ("wei", "未"),
    "累": ("lei", "泪"),
    "懒": ("lan", "烂"),
    "虫": ("chong", "冲"),
    "畜": ("chu", "出"),
    "瘟": ("wen", "温"),
    "垃": ("la", "拉"),
    "圾": ("ji", "鸡"),
}


def units(word: str) -> list[str]:
    """The letters of `word` as a reader sees them: a combining mark (a Devanagari vowel sign, a
    nukta) stays on its letter, and a consonant after a virama on the conjunct it makes."""
    out: list[str] = []
    for ch in word:
        if out and (unicodedata.category(ch).startswith("M") or out[-1].endswith(_VIRAMA)):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def by_units(how: Disguise) -> Disguise:
    """`how` applied to `units` instead of code points, so no vowel sign leaves its letter."""

    def disguised(word: str, rng: random.Random) -> str:
        parts = units(word)
        # one private-use character per unit lets `how` work on units unchanged
        code = {part: chr(0xE000 + i) for i, part in enumerate(dict.fromkeys(parts))}
        back = {c: part for part, c in code.items()}
        return "".join(back.get(ch, ch) for ch in how("".join(code[p] for p in parts), rng))

    return disguised


def dotted(word: str, rng: random.Random) -> str:
    """A symbol between the letters (`units`), as people write a word to get past filters."""
    return rng.choice(_SYMBOLS).join(units(word))


def homophone(word: str, rng: random.Random) -> str:
    """One Chinese character swapped for one that sounds alike (HOMOPHONES), else `dotted`."""
    return _sound_alike(word, rng, 1)


def pinyin(word: str, rng: random.Random) -> str:
    """One Chinese character written in pinyin (HOMOPHONES), else `dotted`."""
    return _sound_alike(word, rng, 0)


def _sound_alike(word: str, rng: random.Random, which: int) -> str:
    known = [i for i, ch in enumerate(word) if ch in HOMOPHONES]
    if not known:
        return dotted(word, rng)
    i = rng.choice(known)
    return word[:i] + HOMOPHONES[word[i]][which] + word[i + 1 :]


DEVANAGARI_OBFUSCATIONS: dict[str, Disguise] = {
    "spaced": by_units(spaced),
    "dotted": dotted,
    "dropped": by_units(dropped),
    "doubled": by_units(doubled),
}
# Chinese: spaces or symbols between characters, and a character written as it sounds.
HAN_OBFUSCATIONS: dict[str, Disguise] = {
    "spaced": spaced,
    "dotted": dotted,
    "homophone": homophone,
    "pinyin": pinyin,
}
