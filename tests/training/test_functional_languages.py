"""The functional suite in every language besides English: files, cases, slurs and scores."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from rabat.labels import LABELS
from training.augment import TATWEEL
from training.functional import spec as spec_module
from training.functional.slurs import HURTLEX_LOCALES, derive_hurtlex_slurs, slurs_for
from training.functional.spec import (
    EXPECTED,
    Spec,
    check_template,
    load_spec,
    obfuscations,
)
from training.functional.suite import (
    LANGUAGES,
    OBFUSCATED,
    Case,
    build_cases,
    score_languages,
    table_rows,
)

OTHERS = tuple(language for language in LANGUAGES if language != "en")
_FIELD = re.compile(r"\{([^{}]*)\}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_loads_with_known_expectations_and_placeholders(language: str) -> None:
    spec = load_spec(language)
    assert spec.language == language and len(spec.groups) >= 6
    for category in spec.categories.values():
        assert category.expect in EXPECTED
        for template in category.templates:
            for field in _FIELD.findall(template):
                assert field in {"group", "Group", "slur"} or field.count("|") == 1, template


@pytest.mark.parametrize("language", OTHERS)
def test_every_language_mirrors_the_english_categories(language: str) -> None:
    english = load_spec("en").categories
    found = load_spec(language).categories
    assert list(found) == list(english)
    assert {name: c.expect for name, c in found.items()} == {
        name: c.expect for name, c in english.items()
    }


def test_templates_with_unknown_placeholders_or_no_bracket_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"placeholders are \{group\}"):
        check_template("{groups} are fine", obfuscated=False)
    with pytest.raises(ValueError, match="no \\{group\\} to agree"):
        check_template("Ils sont {tous|toutes} là.", obfuscated=False)
    with pytest.raises(ValueError, match="exactly one \\[bracketed\\] word"):
        check_template("{Group} are [bad].", obfuscated=True)
    check_template("Les {group} sont [{sales|sales}].", obfuscated=True)
    with pytest.raises(ValueError, match="unknown functional-suite language 'xx'"):
        load_spec("xx")


def test_a_category_with_an_unknown_expectation_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "languages" / "fr"
    folder.mkdir(parents=True)
    (folder / "groups.yaml").write_text("groups:\n  religion: [juifs]\n")
    (folder / "templates.yaml").write_text("x:\n  expect: rude\n  templates: [Bonjour.]\n")
    monkeypatch.setattr(spec_module, "HERE", tmp_path)
    with pytest.raises(ValueError, match="expect is 'rude'; use one of hateful"):
        load_spec("fr")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_declared_category_yields_cases_in_its_language(
    language: str, tmp_path: Path, lexicon: Path
) -> None:
    cases = build_cases(tmp_path, lexicon, language=language)
    declared = set(load_spec(language).categories)
    disguised = {f"obfuscation_{kind}" for kind in obfuscations(language)}
    assert {case.category for case in cases} == declared | disguised
    assert {case.language for case in cases} == {language}
    assert all(not re.search(r"[{}\[\]|]", case.text) for case in cases)
    assert build_cases(tmp_path, lexicon, language=language) == cases  # deterministic
    reseeded = build_cases(tmp_path, lexicon, seed=8, language=language)
    assert [c.text for c in reseeded] != [c.text for c in cases]


def test_slurs_are_derived_for_french_and_arabic_from_mlma(data_dir: Path) -> None:
    for language in ("fr", "ar"):
        spec = load_spec(language)
        words = slurs_for(language, data_dir, spec.identity_words)
        assert 1 <= len(words) <= 6 and all(w.isalpha() and len(w) >= 4 for w in words)
        assert not {w.lower() for w in spec.identity_words} & set(words)


# Hindi's Hurtlex list matches no identity-attack prompt twice: no slur cases (README.md)
HURTLEX_SUITES = tuple(c for c in OTHERS if c in HURTLEX_LOCALES and c != "hi")


def test_hindi_gets_no_hurtlex_slur_and_so_no_slur_case(data_dir: Path) -> None:
    spec = load_spec("hi")
    assert slurs_for("hi", data_dir, spec.identity_words) == []
    assert "slur" not in {c.category for c in build_cases(data_dir, language="hi")}


@pytest.mark.parametrize("language", HURTLEX_SUITES)
def test_slurs_are_derived_from_hurtlex_without_identity_words(
    language: str, data_dir: Path
) -> None:
    spec = load_spec(language)
    words = slurs_for(language, data_dir, spec.identity_words)
    assert 1 <= len(words) <= 6 and len(set(words)) == len(words)
    assert all(w.isalpha() and w == w.lower() for w in words)
    assert not {w.lower() for w in spec.identity_words} & set(words)
    group_words = {w.lower() for group in spec.groups for w in group.split()}
    assert not group_words & set(words)
    assert slurs_for(language, data_dir, spec.identity_words) == words  # deterministic
    fewer = derive_hurtlex_slurs(data_dir, language, [*spec.identity_words, words[0]])
    assert words[0] not in fewer and fewer[: len(words) - 1] == words[1:]
    slur_cases = [c for c in build_cases(data_dir, language=language) if c.category == "slur"]
    assert len(slur_cases) == len(words) * len(spec.categories["slur"].templates)


def test_hurtlex_slurs_fall_back_to_none_without_the_data(tmp_path: Path) -> None:
    assert derive_hurtlex_slurs(tmp_path, "de", []) == []
    categories = {c.category for c in build_cases(tmp_path, language="pl")}
    assert "slur" not in categories and "derogation_emotion" in categories


@pytest.mark.parametrize("language", LANGUAGES)
def test_groups_fill_capitalised_at_the_start_and_as_written_elsewhere(language: str) -> None:
    spec = load_spec(language)
    for category in spec.categories.values():
        for template in category.templates:
            for text, group in spec.fill(template, []):
                if group is None:
                    continue
                capital = group[0].upper() + group[1:]
                if template.startswith("{Group}"):
                    assert text.startswith(capital), text
                if "{group}" in template:
                    assert group in text, text


def test_german_groups_keep_their_lower_case_inside_a_sentence() -> None:
    texts = [t for t, g in load_spec("de").fill("{Group} sind da, ich mag {group}.", [])]
    assert "Trans Menschen sind da, ich mag trans Menschen." in texts
    assert "Asiatische Menschen sind da, ich mag asiatische Menschen." in texts


def test_choices_agree_with_the_group() -> None:
    spec = Spec("xx", {}, ("amis", "amies"), frozenset({"amies"}), ())
    assert spec.fill("Les {group} sont {tous|toutes} {là|ici}.", []) == [
        ("Les amis sont tous là.", "amis"),
        ("Les amies sont toutes ici.", "amies"),
    ]
    french = dict((g, t) for t, g in load_spec("fr").fill("Les {group} sont {tous|toutes}.", []))
    assert french["femmes"].endswith("toutes.") and french["musulmans"].endswith("tous.")
    polish = dict((g, t) for t, g in load_spec("pl").fill("{Group} {byli|były} tu.", []))
    assert polish["Żydzi"] == "Żydzi byli tu." and polish["kobiety"] == "Kobiety były tu."
    portuguese = dict((g, t) for t, g in load_spec("pt").fill("{Os|As} {group}.", []))
    assert portuguese["mulheres"] == "As mulheres." and portuguese["judeus"] == "Os judeus."
    italian = dict((g, t) for t, g in load_spec("it").fill("{Group} sono {tutti|tutte}.", []))
    assert italian["gli ebrei"] == "Gli ebrei sono tutti." and italian["le donne"].endswith(
        "tutte."
    )
    arabic = dict((g, t) for t, g in load_spec("ar").fill("{group} {كلهم|كلهن}", []))
    assert arabic["النساء"].endswith("كلهن") and arabic["اليهود"].endswith("كلهم")


def test_arabic_is_disguised_without_leetspeak_and_with_tatweel(
    tmp_path: Path, lexicon: Path
) -> None:
    cases = build_cases(tmp_path, lexicon, language="ar")
    categories = {case.category for case in cases}
    assert "obfuscation_leet" not in categories
    stretched = [c.text for c in cases if c.category == "obfuscation_elongated"]
    assert stretched and all(TATWEEL * 3 in text for text in stretched)
    assert "obfuscation_leet" in {c.category for c in build_cases(tmp_path, lexicon, language="fr")}
    assert set(OBFUSCATED) <= categories


def test_scores_per_language_match_a_hand_count() -> None:
    cases = {
        "fr": [
            Case("a", "threat", "incitement", language="fr"),  # predicted incitement: right
            Case("b", "threat", "incitement", language="fr"),  # hate_speech: wrong
            Case("c", "neutral", "not_hateful", language="fr"),  # offensive: right
        ],
        "de": [
            Case("d", "neutral", "not_hateful", language="de"),  # hate_speech: wrong
            Case("a", "slur", "hateful", language="de"),  # incitement: right
        ],
    }
    predicted = {"a": "incitement", "b": "hate_speech", "c": "offensive", "d": "hate_speech"}

    def fake(texts: list[str]) -> np.ndarray:
        return np.asarray([np.eye(len(LABELS))[LABELS.index(predicted[t])] for t in texts])

    results = score_languages(cases, fake)
    assert list(results) == ["fr", "de"]
    assert results["fr"]["categories"]["threat"] == {"accuracy": 0.5, "cases": 2}
    assert results["fr"]["overall"] == pytest.approx(2 / 3)
    assert results["fr"]["mean_of_categories"] == pytest.approx((0.5 + 1.0) / 2)
    assert results["de"]["overall"] == 0.5 and results["de"]["worst"] == "neutral"
    head, rows = table_rows({"fr": results["fr"]})
    assert head == ["category (cases)", "fr"]
    assert rows[0] == ["threat (2)", "0.500"] and rows[-2] == ["overall", "0.667"]


@pytest.mark.parametrize(
    ("language", "merging"),
    [
        ("it", r"di|a|da|in|su|tra|fra"),  # would merge with the group's article, or read oddly
        ("pl", r"w|we|z|ze|na|do|o|od|przez|dla|przeciw|przeciwko|u|po|za|bez|przy|ku"),
    ],
)
def test_groups_never_follow_a_preposition_that_changes_them(language: str, merging: str) -> None:
    after = re.compile(rf"\b({merging}) \{{[Gg]roup\}}", re.IGNORECASE)
    for category in load_spec(language).categories.values():
        for template in category.templates:
            assert not after.search(template), template


@pytest.mark.parametrize("language", ("it", "pt", "pl"))
def test_latin_script_languages_get_the_augmenters_five_obfuscations(language: str) -> None:
    assert set(obfuscations(language)) == {"spaced", "leet", "dropped", "swapped", "doubled"}
