"""One language's suite as written: its template and group files, read and validated.

English is `templates.yaml` and `groups.yaml` beside this module; every other language is
`languages/<code>/templates.yaml` and `groups.yaml`. A template may hold {group} (a group as
written), {Group} (the same capitalised), {slur}, and {masculine|feminine} choices, which take
their second form for the groups that groups.yaml lists under `feminine`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rabat.labels import HATEFUL, LABELS
from training.augment import ARABIC_OBFUSCATIONS, OBFUSCATIONS, Disguise
from training.functional.disguises import DEVANAGARI_OBFUSCATIONS, HAN_OBFUSCATIONS, units

HERE = Path(__file__).parent
LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "ar", "it", "pt", "pl", "nl", "hi", "zh")
EXPECTED = {
    "hateful": frozenset(HATEFUL),
    "incitement": frozenset({"incitement"}),
    "not_hateful": frozenset(LABELS) - frozenset(HATEFUL),
}
OBFUSCATED = ("derogation_emotion", "derogation_attribute", "derogation_dehumanising", "slur")
PLACEHOLDERS = frozenset({"group", "Group", "slur"})
_BRACES = re.compile(r"\{([^{}]*)\}")
_CHOICE = re.compile(r"\{([^{}|]+)\|([^{}|]+)\}")
_KEY = re.compile(r"\[([^\]]+)\]")
_GROUP_KEYS = frozenset({"groups", "identity_words", "feminine"})
# Letters (`units`) a disguised word needs: four, but a Chinese word is mostly two characters and
# a Hindi word two or three letters (dropping one needs three).
MIN_LETTERS = {"zh": 2, "hi": 3}


@dataclass(frozen=True)
class Category:
    expect: str  # a key of EXPECTED
    templates: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    """A language's categories, groups and the words that name groups."""

    language: str
    categories: dict[str, Category]
    groups: tuple[str, ...]
    feminine: frozenset[str]
    identity_words: tuple[str, ...]

    def fill(self, template: str, slurs: list[str]) -> list[tuple[str, str | None]]:
        """The template filled with every slur, or every group, or as it is: (text, group)."""
        if "{slur}" in template:
            return [(template.replace("{slur}", slur), None) for slur in slurs]
        if "{group}" in template or "{Group}" in template:
            return [(self._with_group(template, g), g) for g in self.groups]
        return [(template, None)]

    def _with_group(self, template: str, group: str) -> str:
        text = _resolve(template, 2 if group in self.feminine else 1)
        return text.replace("{group}", group).replace("{Group}", group[0].upper() + group[1:])


def files(language: str) -> tuple[Path, Path]:
    """The template and group files of `language`."""
    if language not in LANGUAGES:
        raise ValueError(
            f"unknown functional-suite language {language!r}: expected one of "
            f"{', '.join(LANGUAGES)} (add languages/<code>/ and the code to LANGUAGES)"
        )
    folder = HERE if language == "en" else HERE / "languages" / language
    return folder / "templates.yaml", folder / "groups.yaml"


def load_spec(language: str = "en") -> Spec:
    """Read and validate `language`'s files; errors name the file, category and template."""
    templates_path, groups_path = files(language)
    groups_file = _read_mapping(groups_path)
    unknown = set(groups_file) - _GROUP_KEYS
    if unknown or "groups" not in groups_file:
        raise ValueError(
            f"{groups_path}: expected the keys groups, identity_words and optionally feminine; "
            f"found {sorted(groups_file)}"
        )
    groups = tuple(name for names in groups_file["groups"].values() for name in names)
    feminine = frozenset(groups_file.get("feminine") or ())
    if feminine - set(groups):
        raise ValueError(
            f"{groups_path}: `feminine` names {sorted(feminine - set(groups))}, which are not "
            "groups; list only names that appear under `groups`"
        )
    categories = {
        name: _category(templates_path, name, raw, MIN_LETTERS.get(language, 4))
        for name, raw in _read_mapping(templates_path).items()
    }
    missing = [name for name in OBFUSCATED if name not in categories]
    if missing:
        raise ValueError(f"{templates_path}: the obfuscation categories need {missing}; add them")
    return Spec(
        language, categories, groups, feminine, tuple(groups_file.get("identity_words") or ())
    )


def _read_mapping(path: Path) -> dict[str, Any]:
    found = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(found, dict):
        raise ValueError(f"{path}: expected a mapping at the top, found {type(found).__name__}")
    return found


def _category(path: Path, name: str, raw: Any, letters: int) -> Category:
    where = f"{path}, category {name}"
    if not isinstance(raw, dict) or set(raw) != {"expect", "templates"}:
        raise ValueError(f"{where}: expected exactly the keys expect and templates, found {raw!r}")
    if raw["expect"] not in EXPECTED:
        raise ValueError(f"{where}: expect is {raw['expect']!r}; use one of {', '.join(EXPECTED)}")
    templates = raw["templates"]
    if not templates or not all(isinstance(t, str) for t in templates):
        raise ValueError(f"{where}: templates must be a non-empty list of strings")
    for template in templates:
        check_template(template, obfuscated=name in OBFUSCATED, where=where, letters=letters)
    return Category(raw["expect"], tuple(templates))


def check_template(
    template: str, obfuscated: bool, where: str = "template", letters: int = 4
) -> None:
    """Raise if `template` has a placeholder the suite cannot fill, or (for the obfuscation
    categories) not exactly one [bracketed] word of at least `letters` letters (`units`) in
    every form."""
    fields = _BRACES.findall(template)
    unknown = [f for f in fields if f not in PLACEHOLDERS and f.count("|") != 1]
    if unknown:
        raise ValueError(
            f"{where}: {template!r} has {unknown}; placeholders are {{group}}, {{Group}}, "
            "{slur} and {masculine|feminine}"
        )
    choices = [f for f in fields if "|" in f]
    if choices and not {"group", "Group"} & set(fields):
        raise ValueError(
            f"{where}: {template!r} has a {{masculine|feminine}} choice but no {{group}} to agree "
            "with; write the form out"
        )
    if not obfuscated:
        return
    keys = _KEY.findall(template)
    shortest = min((len(units(form)) for key in keys for form in _forms(key)), default=0)
    if len(keys) != 1 or shortest < letters:
        raise ValueError(
            f"{where}: {template!r} needs exactly one [bracketed] word of {letters} letters or "
            "more for the obfuscation categories to disguise"
        )


def _forms(key: str) -> list[str]:
    if key == "{slur}":
        return ["slur"]
    return [_resolve(key, form) for form in (1, 2)]


def _resolve(text: str, form: int) -> str:
    """Every {masculine|feminine} choice in `text` replaced by its `form` (1 or 2)."""
    return _CHOICE.sub(lambda match: match.group(form), text)


def obfuscations(language: str) -> dict[str, Disguise]:
    """The disguises tested in `language`: the augmenter's, except that Arabic script has no
    leetspeak (digits stand for letters only in Latin-script Arabizi) and gains elongation, and
    Hindi and Chinese have their script's (disguises.py)."""
    return dict(_SCRIPT_OBFUSCATIONS.get(language, OBFUSCATIONS))


_SCRIPT_OBFUSCATIONS = {
    "ar": ARABIC_OBFUSCATIONS,
    "hi": DEVANAGARI_OBFUSCATIONS,
    "zh": HAN_OBFUSCATIONS,
}
