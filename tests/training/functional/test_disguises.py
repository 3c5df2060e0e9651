"""Disguises per script (Devanagari letters, Chinese sound-alikes), and the Dutch, Hindi and
Chinese suites they disguise."""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from training.augment import Disguise, spaced
from training.functional.disguises import HOMOPHONES, by_units, dotted, homophone, pinyin, units
from training.functional.spec import OBFUSCATED, check_template, load_spec, obfuscations
from training.functional.suite import LANGUAGES, build_cases

_KEY = re.compile(r"\[([^\]]+)\]")
_TWIN = re.compile(r"(\w)\1")
# Hindi postpositions: a plural before one takes its oblique form, which groups.yaml does not list.
_POSTPOSITION = re.compile(r"\{group\}\s*(से|को|का|के|की|में|पर|ने|तक)(?=[\s,।?!]|$)")


def test_units_keep_vowel_signs_and_conjuncts_on_their_letter() -> None:
    assert units("नफ़रत") == ["न", "फ़", "र", "त"]
    assert units("बर्दाश्त") == ["ब", "र्दा", "श्त"]
    assert units("कामचोर") == ["का", "म", "चो", "र"]
    assert units("haine") == list("haine") and units("恶心") == ["恶", "心"]


def test_devanagari_disguises_never_split_a_letter() -> None:
    rng = random.Random(3)
    assert by_units(spaced)("नफ़रत", rng) == "न फ़ र त"
    for _ in range(20):
        found = dotted("बर्दाश्त", rng)
        assert found[1] in "*.-_" and found.replace(found[1], "") == "बर्दाश्त"


def test_chinese_characters_are_written_as_they_sound_or_spelt_out() -> None:
    rng = random.Random(0)
    assert homophone("瘟疫", rng) == "温疫" and pinyin("瘟疫", rng) == "wen疫"
    assert dotted("placeholder", rng) != "placeholder"
    assert homophone("placeholder", rng) != "placeholder"  # no known character: dotted
    assert all(len(sound) == 1 and pin.isascii() for pin, sound in HOMOPHONES.values())


def test_each_script_has_its_disguises() -> None:
    assert set(obfuscations("nl")) == set(obfuscations("en"))
    assert set(obfuscations("hi")) == {"spaced", "dotted", "dropped", "doubled"}
    assert set(obfuscations("zh")) == {"spaced", "dotted", "homophone", "pinyin"}


def test_the_shortest_disguised_word_is_counted_in_letters() -> None:
    check_template("{group}真让人[恶心]。", obfuscated=True, letters=2)
    with pytest.raises(ValueError, match="exactly one \\[bracketed\\] word of 4 letters"):
        check_template("{group}真让人[恶心]。", obfuscated=True)
    with pytest.raises(ValueError, match="of 4 letters"):
        check_template("{group} मुझे [ज़हर] लगते हैं।", obfuscated=True)  # three: ज़ ह र
    check_template("{group} मुझे [ज़हर] लगते हैं।", obfuscated=True, letters=3)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_fills_with_every_group(language: str) -> None:
    spec = load_spec(language)
    for category in spec.categories.values():
        for template in category.templates:
            if "{slur}" in template or ("{group}" not in template and "{Group}" not in template):
                continue
            filled = spec.fill(template, [])
            assert [group for _, group in filled] == list(spec.groups), template
            assert len({text for text, _ in filled}) == len(spec.groups), template


@pytest.mark.parametrize("language", LANGUAGES)
def test_disguises_change_the_text_and_keep_most_of_its_characters(
    language: str, lexicon: Path
) -> None:
    spec = load_spec(language)
    slurs = ["placeholderone"]
    for kind, how in obfuscations(language).items():
        rng = random.Random(7)
        for category in OBFUSCATED:
            for template in spec.categories[category].templates:
                for text, _ in spec.fill(template, slurs):
                    plain = _KEY.sub(r"\1", text)
                    hidden = _hide(text, how, rng)
                    kept = sum((Counter(plain) & Counter(hidden)).values()) / len(plain)
                    assert kept >= 0.6, (kind, plain, hidden)
                    # the augmenter's swap of two like letters ("aa") changes nothing
                    same = hidden == plain
                    assert not same or (kind == "swapped" and _TWIN.search(plain)), (kind, plain)


def _hide(text: str, how: Disguise, rng: random.Random) -> str:
    return _KEY.sub(lambda match: how(match.group(1), rng), text)


def test_hindi_disguises_leave_no_vowel_sign_without_its_letter(lexicon: Path) -> None:
    cases = build_cases(lexicon.parent, lexicon, language="hi")
    hidden = [c.text for c in cases if c.category.startswith("obfuscation_")]
    assert hidden
    for text in hidden:
        for before, mark in itertools.pairwise(text):
            if unicodedata.category(mark).startswith("M"):
                assert before not in " *.-_", text


def test_hindi_groups_never_stand_before_a_postposition() -> None:
    for name, category in load_spec("hi").categories.items():
        for template in category.templates:
            assert not _POSTPOSITION.search(template), (name, template)


def test_chinese_disguised_words_have_a_sound_alike_character() -> None:
    spec = load_spec("zh")
    for category in OBFUSCATED:
        for template in spec.categories[category].templates:
            word = _KEY.search(template).group(1)  # type: ignore[union-attr]
            assert word == "{slur}" or set(word) & set(HOMOPHONES), template


def test_pronouns_and_verbs_agree_with_women_in_hindi_and_chinese() -> None:
    hindi = dict((g, t) for t, g in load_spec("hi").fill("{group} {लगते|लगती} हैं", []))
    assert hindi["औरतें"].endswith("लगती हैं") and hindi["मुसलमान"].endswith("लगते हैं")
    chinese = dict((g, t) for t, g in load_spec("zh").fill("{group} {他们|她们}", []))
    assert chinese["女人"].endswith("她们") and chinese["穆斯林"].endswith("他们")
    dutch = load_spec("nl").fill("{Group} en {group}", [])
    assert ("Zwarte mensen en zwarte mensen", "zwarte mensen") in dutch
