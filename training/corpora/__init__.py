"""One recipe per corpus: each maps its file(s) onto Rabat's labels and auxiliary signals, and
carries the corpus's licence (recorded in every model's data manifest and model card).

The mapping decisions and their reasons are tabulated in docs/corpora.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import datasets

from training.corpora import (
    ban_pl,
    bangla,
    cold,
    counter_speech,
    davidson,
    edos,
    gab_hate,
    germeval2018,
    germeval_harmful,
    haspeede2,
    hatemoji,
    hateval2019_es,
    hatexplain,
    implicit_hate,
    mlma,
    mpold,
    myhatespeech,
    olid,
    online_misogyny,
    osact2020_ar,
    pejorativity,
    reddit_bias,
    rtp_lx,
    sbic,
    told_br,
    toxic_spans,
    uli,
)

# A corpus says its language (ISO 639-1); a row with none (a reviewed row) is taken to be this.
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Recipe:
    """How to load a corpus, the files it reads, and the terms it comes under.

    `commercial`: True when the licence allows commercial use, False when it forbids it
    (NonCommercial), None when no licence is stated (check before commercial use)."""

    load: Callable[[Path], datasets.Dataset]
    files: tuple[str, ...]
    licence: str
    commercial: bool | None
    language: str = DEFAULT_LANGUAGE
    restriction: str | None = None


RECIPES: dict[str, Recipe] = {
    "davidson": Recipe(davidson.load, davidson.FILES, "MIT", True),
    "edos": Recipe(edos.load, edos.FILES, "CC0-1.0", True),
    "gab_hate": Recipe(gab_hate.load, gab_hate.FILES, "none stated in the copy used", None),
    "hatemoji": Recipe(hatemoji.load, hatemoji.FILES, "CC-BY-4.0", True),
    "hatexplain": Recipe(hatexplain.load, hatexplain.FILES, "MIT", True),
    "implicit_hate": Recipe(implicit_hate.load, implicit_hate.FILES, "CC-BY-4.0", True),
    "mlma": Recipe(mlma.load, mlma.FILES, "MIT", True),
    "olid": Recipe(olid.load, olid.FILES, "CC-BY-4.0", True),
    "sbic": Recipe(sbic.load, sbic.FILES, "CC-BY-4.0", True),
    "toxic_spans": Recipe(toxic_spans.load, toxic_spans.FILES, "CC0-1.0", True),
    "qian_counter_speech": Recipe(
        counter_speech.load_qian, (counter_speech.QIAN,), "CC-BY-NC-4.0", False
    ),
    "hickey_counter_speech": Recipe(
        counter_speech.load_hickey, (counter_speech.HICKEY,), "MIT", True
    ),
    "reddit_bias": Recipe(reddit_bias.load, reddit_bias.FILES, "MIT", True),
    "online_misogyny": Recipe(online_misogyny.load, online_misogyny.FILES, "MIT", True),
    # Non-English corpora (configs/multilingual.yaml); `restriction`: terms beyond the licence.
    "mlma_fr": Recipe(mlma.load_fr, mlma.FILES_FR, "MIT", True, "fr"),
    "mlma_ar": Recipe(mlma.load_ar, mlma.FILES_AR, "MIT", True, "ar"),
    "germeval_harmful": Recipe(
        germeval_harmful.load,
        germeval_harmful.FILES,
        "GPL-3.0",
        True,
        "de",
        "copyleft: a model trained on it may be a derivative work under the GPL",
    ),
    "germeval2018": Recipe(germeval2018.load, germeval2018.FILES, "CC-BY-4.0", True, "de"),
    "cold": Recipe(cold.load, cold.FILES, "Apache-2.0", True, "zh"),
    "ban_pl": Recipe(
        ban_pl.load,
        ban_pl.FILES,
        "CC-BY-4.0",
        True,
        "pl",
        "the source asks that the data be kept internal and not used to train LLMs",
    ),
    "told_br": Recipe(told_br.load, told_br.FILES, "CC-BY-SA-4.0", True, "pt", "share-alike"),
    "pejorativity": Recipe(pejorativity.load, pejorativity.FILES, "CC-BY (no version)", True, "it"),
    "uli": Recipe(uli.load, uli.FILES, "CC-BY-4.0", True, "hi"),
    "bengali_hate": Recipe(
        bangla.load_bengali_hate,
        (bangla.BENGALI_HATE,),
        "MIT",
        True,
        "bn",
        "its README says research purposes only",
    ),
    "bangla_multihate": Recipe(
        bangla.load_multihate, (bangla.MULTIHATE,), "CC-BY-NC-SA-4.0", False, "bn"
    ),
    "myhatespeech": Recipe(myhatespeech.load, myhatespeech.FILES, "CC-BY-NC-SA-4.0", False, "my"),
    "osact2020_ar": Recipe(osact2020_ar.load, osact2020_ar.FILES, "CC-BY (no version)", True, "ar"),
    "mpold": Recipe(mpold.load, mpold.FILES, "Apache-2.0", True, "ar"),
    "hateval2019_es": Recipe(
        hateval2019_es.load,
        hateval2019_es.FILES,
        "CC-BY-NC-4.0",
        False,
        "es",
        "the organisers' older disclaimer: for academic purposes only; use only in "
        "non-commercial recipes and research",
    ),
    "haspeede2": Recipe(
        haspeede2.load, haspeede2.FILES, "CC-BY-NC-SA-4.0", False, "it", "share-alike"
    ),
    "rtp_lx": Recipe(
        rtp_lx.load,
        rtp_lx.FILES,
        "MIT, metadata also CC-BY-NC-4.0",
        None,
        "multi",
        "may not be used in any system that could cause harm, or in surveillance applications",
    ),
}


def recipe(name: str) -> Recipe:
    """The recipe of a corpus; unknown names list the known ones."""
    if name not in RECIPES:
        raise ValueError(f"unknown corpus {name!r}: expected one of {sorted(RECIPES)}")
    return RECIPES[name]


def load_corpus(name: str, data_dir: Path) -> datasets.Dataset:
    """Load one corpus by name as unified records."""
    return recipe(name).load(data_dir)


def corpus_folders(names: Iterable[str]) -> list[str]:
    """The folders of the data directory that these corpora read, e.g. ["davidson", "mlma"]."""
    return sorted({file.split("/", 1)[0] for name in names for file in recipe(name).files})
