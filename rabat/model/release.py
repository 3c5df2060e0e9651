"""The released model: the folder `release/` in the repository (the one place weights are
committed), what it must hold, its checksums, and installing it as a served model.

    problems = verify(Path("release"))       # [] when every file is there and matches SHA256SUMS
    served = install(Path("release"), Path("models"))   # models/rabat-release/latest

`install` copies the release into `models/rabat-release/<version>/` and points `latest` at it,
unless `latest` already names a model retrained from a release (`make train REVIEWS=...`), which
it leaves served. The service, the annotation tools and `make eval` all read
`models/rabat-release/latest` (rabat/defaults.py), so they agree on what is served.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from rabat.store.files import point_link, sha256, staged_dir, write_text

RELEASE_NAME = "rabat-release"
RECORD = "release.json"
CHECKSUMS = "SHA256SUMS"
# the served model (int8 ONNX, tokenizer, heads, metadata, card) and what retraining reads
RELEASE_FILES = (
    "model.int8.onnx",
    "onnx_export.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "config.json",
    "aux_heads.safetensors",
    "rabat_model.json",
    "metrics.json",
    "data_manifest.json",
    "training_config.yaml",
    "attributes.json",
    "signal_policy.json",
    "weights_map.json",
    RECORD,
    "MODEL_CARD.md",
    CHECKSUMS,
)
# Texts whose probabilities release.json records and the release test recomputes: plain
# sentences in each served language, nothing hateful.
CHECK_TEXTS = (
    "Have a nice day, everyone.",
    "The meeting about the new bridge starts at nine.",
    "You are a fool and everybody knows it.",
    "Ich wünsche euch allen ein schönes Wochenende.",
    "Nos vemos mañana en la biblioteca.",
    "Le marché ouvre à huit heures le samedi.",
    "Domani andiamo al mare con i bambini.",
    "De trein naar Utrecht heeft vertraging.",
    "Dziękuję za pomoc przy przeprowadzce.",
    "O jogo de futebol foi adiado por causa da chuva.",
    "شكرا لكم على الدعوة الكريمة",
    "आज मौसम बहुत अच्छा है।",
    "我们明天去公园散步。",
)


def verify(release_dir: Path) -> list[str]:
    """What is wrong with a release folder: missing files, and files whose SHA-256 differs from
    SHA256SUMS. An empty list means it is whole."""
    if not release_dir.is_dir():
        return [f"{release_dir} does not exist"]
    missing = [name for name in RELEASE_FILES if not (release_dir / name).is_file()]
    if missing:
        return [f"{release_dir} lacks {', '.join(missing)}"]
    problems = []
    for name, digest in read_checksums(release_dir).items():
        if sha256(release_dir / name) != digest:
            problems.append(f"{release_dir / name} does not match its SHA-256 in {CHECKSUMS}")
    return problems


def read_checksums(release_dir: Path) -> dict[str, str]:
    """SHA256SUMS as file name -> hex digest (`sha256sum -c` reads the same file)."""
    out = {}
    for line in (release_dir / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        out[name.strip()] = digest.strip()
    return out


def write_checksums(release_dir: Path) -> None:
    """SHA256SUMS over every other file of the folder, in `sha256sum` format."""
    names = sorted(p.name for p in release_dir.iterdir() if p.is_file() and p.name != CHECKSUMS)
    lines = [f"{sha256(release_dir / name)}  {name}" for name in names]
    write_text(release_dir / CHECKSUMS, "\n".join(lines) + "\n")


def release_version(model_dir: Path) -> str:
    return str(json.loads((model_dir / "rabat_model.json").read_text(encoding="utf-8"))["version"])


def install(release_dir: Path, models_dir: Path) -> Path:
    """Install the release as `models/rabat-release/<version>` and return `latest`; `latest`
    moves to it unless it names a model retrained after a release."""
    problems = verify(release_dir)
    if problems:
        raise ValueError(
            "the released model is damaged: "
            + "; ".join(problems)
            + " (restore it with `git checkout -- release/`, or rebuild it with `make release`)"
        )
    version = release_version(release_dir)
    lineage = models_dir / RELEASE_NAME
    target = lineage / version
    if not (target / RECORD).is_file():
        lineage.mkdir(parents=True, exist_ok=True)
        with staged_dir(target) as tmp:
            for path in release_dir.iterdir():
                shutil.copy2(path, tmp / path.name)
    latest = lineage / "latest"
    retrained = latest.exists() and not (latest / RECORD).is_file()
    if not retrained:
        point_link(latest, version)
    return latest
