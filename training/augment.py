"""Training-time augmentation: robustness by construction, deterministic per seed.

Two kinds (both in the model card, `augmentation` in metrics.json):

- **Obfuscation** of a fraction of the training rows of every label alike: one or two words of
  a row (its longest, where the content usually is, or a random one) get spaces inside, leetspeak,
  a dropped, swapped or doubled character, or an emoji in place of a word. The label stays: a
  word spelt oddly means the same. Only words of letters are touched, in any script written with
  spaces (Latin with its accents, Arabic, Cyrillic, ...), never mentions or links. Arabic-script
  words get elongation with tatweel instead of leetspeak (digits stand for letters only in
  Latin-script Arabizi). Scripts without spaces (Chinese, Thai, Burmese, ...) are left alone: a
  "word" there would be a whole sentence.
- **Identity mentions**: `none` rows that name an identity group are repeated, so naming a
  group weighs as much against "hateful" as the hateful rows that name one weigh for it.
- **Contrastive rows** made from hateful training rows: the row is quoted, reported or
  condemned inside a frame ("Reporting this post: ..."), which makes a text *about* hate that
  is not hate: `none`, no target, no call to violence. The frames are code; the hateful text is
  only ever read from the data.

Rows are chosen by a seeded generator, so the same seed gives the same training set.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pandas as pd

from rabat.labels import HATEFUL
from rabat.text.cleaning import IDEOGRAPHIC, UNSPACED_PHONETIC, char_class, clean
from training.corpora.targets import mentions_identity

# Four or more letters (no digits, no underscore), not inside a mention, a link or a longer token.
_WORD = re.compile(r"(?<![@/\w])(?!(?:http|https|user)\b)[^\W\d_]{4,}(?![\w/:.]\w)")
_UNSPACED = re.compile(char_class(IDEOGRAPHIC + UNSPACED_PHONETIC))
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
# Arabic letters that do not join the next one: a tatweel after them would float alone.
_NON_JOINING = frozenset("\u0627\u0623\u0625\u0622\u062f\u0630\u0631\u0632\u0648\u0624\u0629")
TATWEEL = "\u0640"
_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})
# Ordinary words and the emoji people write in their place (the Hatemoji pattern).
EMOJI = {
    "love": "\u2764\ufe0f",
    "heart": "\u2764\ufe0f",
    "laugh": "\U0001f602",
    "fire": "\U0001f525",
    "burn": "\U0001f525",
    "kill": "\U0001f52a",
    "knife": "\U0001f52a",
    "stab": "\U0001f52a",
    "shoot": "\U0001f52b",
    "gun": "\U0001f52b",
    "bomb": "\U0001f4a3",
    "dead": "\U0001f480",
    "death": "\U0001f480",
    "die": "\U0001f480",
    "pig": "\U0001f437",
    "pigs": "\U0001f437",
    "rat": "\U0001f400",
    "rats": "\U0001f400",
    "snake": "\U0001f40d",
    "snakes": "\U0001f40d",
    "monkey": "\U0001f412",
    "monkeys": "\U0001f412",
    "ape": "\U0001f98d",
    "apes": "\U0001f98d",
    "dog": "\U0001f415",
    "dogs": "\U0001f415",
    "cockroach": "\U0001fab3",
    "cockroaches": "\U0001fab3",
    "trash": "\U0001f5d1\ufe0f",
    "garbage": "\U0001f5d1\ufe0f",
    "money": "\U0001f4b0",
    "angry": "\U0001f620",
}
_EMOJI_WORD = re.compile(r"\b(" + "|".join(sorted(EMOJI, key=len, reverse=True)) + r")\b", re.I)
# Frames around a hateful text that make the whole a report or a rebuttal of it.
FRAMES = (
    'Someone just posted "{text}" and I reported it. This is not okay.',
    'Reporting this post: "{text}". Hate like this has no place here.',
    '"{text}" Can you believe people still say things like this? Disgusting.',
    "I keep seeing comments like '{text}' and it breaks my heart.",
    'Quoting a troll so everyone can see: "{text}". Please block and report.',
    "Nobody should ever have to read '{text}'. Shame on whoever wrote it.",
    'My teacher showed us the message "{text}" as an example of hate speech.',
    'He said "{text}" and he was rightly banned for it.',
    "Stop writing things like '{text}'. It is cruel and it is wrong.",
    'The article documents slogans such as "{text}" used to harass people.',
    'It is simply not true that "{text}". That is a lie spread to make people hate.',
    'No, "{text}" is wrong, and nobody decent believes it.',
    'I would never say "{text}". People who say it should be ashamed.',
)


def spaced(word: str, rng: random.Random) -> str:
    return " ".join(word)


def leet(word: str, rng: random.Random) -> str:
    changed = word.translate(_LEET)
    return changed if changed != word else word[:-1] + "*"


def dropped(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]


def swapped(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def doubled(word: str, rng: random.Random) -> str:
    i = rng.randrange(0, len(word))
    return word[:i] + word[i] + word[i:]


def elongated(word: str, rng: random.Random) -> str:
    """Stretch a joining Arabic letter with tatweel, as people do to dodge filters."""
    joining = [i for i, ch in enumerate(word[:-1]) if ch not in _NON_JOINING]
    if not joining:
        return word[0] + word
    i = rng.choice(joining)
    return word[: i + 1] + TATWEEL * 3 + word[i + 1 :]


Disguise = Callable[[str, random.Random], str]
OBFUSCATIONS: dict[str, Disguise] = {
    "spaced": spaced,
    "leet": leet,
    "dropped": dropped,
    "swapped": swapped,
    "doubled": doubled,
}
# Arabic script: no leetspeak, elongation instead (the same number of kinds, so the draw is alike).
ARABIC_OBFUSCATIONS: dict[str, Disguise] = {
    **{kind: how for kind, how in OBFUSCATIONS.items() if kind != "leet"},
    "elongated": elongated,
}
_EVERY = {**OBFUSCATIONS, **ARABIC_OBFUSCATIONS}


def obfuscations_for(text: str) -> dict[str, Disguise]:
    """The obfuscations of `text`'s script: ARABIC_OBFUSCATIONS if it has Arabic letters."""
    return ARABIC_OBFUSCATIONS if _ARABIC.search(text) else OBFUSCATIONS


def obfuscate(text: str, rng: random.Random, kind: str | None = None) -> str:
    """`text` with one or two words obfuscated (or a word put as an emoji); `kind` picks one of
    OBFUSCATIONS, ARABIC_OBFUSCATIONS or "emoji", else one of its script's is chosen at random."""
    kind = kind or rng.choice([*obfuscations_for(text), "emoji"])
    if kind == "emoji":
        emojied = _EMOJI_WORD.sub(lambda m: EMOJI[m.group(1).lower()], text, count=1)
        if emojied != text:
            return emojied
        kind = "spaced"
    words = [word for word in _WORD.finditer(text) if not _UNSPACED.search(word.group())]
    if not words:
        return text
    targets = {max(words, key=lambda m: len(m.group()))}
    if len(words) > 1 and rng.random() < 0.5:
        targets.add(rng.choice(words))
    out, last = [], 0
    for match in sorted(targets, key=lambda m: m.start()):
        out += [text[last : match.start()], _EVERY[kind](match.group(), rng)]
        last = match.end()
    return "".join(out) + text[last:]


def obfuscate_rows(frame: pd.DataFrame, fraction: float, seed: int) -> pd.DataFrame:
    """A copy of `frame` where `fraction` of the rows, drawn the same way in every label, have
    obfuscated text."""
    rng = random.Random(seed)
    out = frame.copy()
    chosen = out.groupby("label", group_keys=False).sample(frac=fraction, random_state=seed).index
    # cleaned again as every text is (emoji become their names, as at inference)
    out.loc[chosen, "text"] = [clean(obfuscate(text, rng)) for text in out.loc[chosen, "text"]]
    return out


def identity_mentions(frame: pd.DataFrame, copies: int) -> pd.DataFrame:
    """`copies` more of every `none` row that names an identity group: a group named is not a
    group attacked, and the corpora have fewer such rows than hateful ones that name groups."""
    if copies == 0:
        return frame.iloc[0:0].copy()
    chosen = frame[(frame["label"] == "none") & frame["text"].map(mentions_identity)]
    return pd.concat([chosen] * copies, ignore_index=True)


def corpus_none_copies(frame: pd.DataFrame, copies: dict[str, int]) -> pd.DataFrame:
    """`copies[source]` more of each `none` row of that source."""
    parts = [
        pd.concat([frame[(frame["label"] == "none") & (frame["source"] == source)]] * n)
        for source, n in copies.items()
        if n > 0
    ]
    return pd.concat(parts, ignore_index=True) if parts else frame.iloc[0:0].copy()


def contrastive_rows(
    frame: pd.DataFrame, rows: int, seed: int, max_chars: int = 280
) -> pd.DataFrame:
    """`rows` new `none` rows, each a hateful row of `frame` inside a reporting or condemning
    frame (short hateful rows only, so the frame stays the point of the text). The frames are
    English, so only English rows are framed."""
    english = frame["language"] == "en" if "language" in frame else True
    hateful = frame[frame["label"].isin(HATEFUL) & (frame["text"].str.len() <= max_chars) & english]
    if hateful.empty or rows == 0:
        return frame.iloc[0:0].copy()
    rng = random.Random(seed)
    picked = hateful.sample(n=rows, replace=len(hateful) < rows, random_state=seed)
    made = picked.copy()
    made["text"] = [clean(rng.choice(FRAMES).format(text=text.strip())) for text in picked["text"]]
    made["label"] = "none"
    made["source"] = "contrastive"
    made["targets"] = [[] for _ in range(len(made))]
    made["targets_known"] = True
    made["call_to_violence"] = 0
    made["dehumanisation"] = 0
    return made.reset_index(drop=True)
