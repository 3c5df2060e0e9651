"""The ONNX Runtime backend on a real (tiny) trained model, against the PyTorch classifier."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rabat.labels import LABELS
from rabat.model.onnx_backend import EXPORT_FILE, INT8_FILE, OnnxClassifier
from rabat.model.torch_backend import Classifier

pytestmark = pytest.mark.slow

TEXTS = [
    "have a nice day",
    "you are a silly goose",
    "what a lovely garden",
    "this is fine",
    "@someone look &amp; see the rainbow",
    "the weather is grey again, bring an umbrella",
    "i like tea",
    "thanks for the help yesterday, you are kind",
]


@pytest.fixture(scope="module")
def torch_classifier(onnx_model_dir: Path) -> Classifier:
    return Classifier.load(onnx_model_dir, batch_size=3)


@pytest.fixture(scope="module")
def fp32(onnx_model_dir: Path) -> OnnxClassifier:
    return OnnxClassifier.load(onnx_model_dir, quantized=False, threads=1, batch_size=3)


def test_fp32_matches_torch(torch_classifier: Classifier, fp32: OnnxClassifier) -> None:
    for ref, got in zip(torch_classifier.predict(TEXTS), fp32.predict(TEXTS), strict=True):
        assert got.label == ref.label
        assert got.scores == pytest.approx(ref.scores, abs=1e-4)
        assert got.target_groups == pytest.approx(ref.target_groups, abs=1e-4)
        assert got.call_to_violence == pytest.approx(ref.call_to_violence, abs=1e-4)
        assert got.dehumanisation == pytest.approx(ref.dehumanisation, abs=1e-4)


def test_int8_mostly_agrees_with_torch(torch_classifier: Classifier, onnx_model_dir: Path) -> None:
    int8 = OnnxClassifier.load(onnx_model_dir, quantized=True, threads=1)
    pairs = list(zip(torch_classifier.predict(TEXTS), int8.predict(TEXTS), strict=True))
    agreement = sum(ref.label == got.label for ref, got in pairs) / len(pairs)
    assert agreement >= 0.75
    for ref, got in pairs:
        assert list(got.scores) == list(LABELS)
        assert got.scores == pytest.approx(ref.scores, abs=0.1)


def test_interface_matches_classifier(fp32: OnnxClassifier, torch_classifier: Classifier) -> None:
    assert fp32.version == torch_classifier.version
    assert fp32.meta == torch_classifier.meta
    assert fp32.batch_size == 3


def test_batches_keep_input_order(fp32: OnnxClassifier) -> None:
    together = fp32.predict(TEXTS)
    alone = [fp32.predict([text])[0] for text in TEXTS]
    for a, b in zip(together, alone, strict=True):
        assert a.scores == pytest.approx(b.scores, abs=1e-4)


def test_long_text_is_read_in_windows_and_flagged(
    fp32: OnnxClassifier, torch_classifier: Classifier
) -> None:
    texts = ["a short note", "word " * 400]
    short, long = fp32.predict(texts)
    assert not short.truncated and long.truncated
    assert short.windows == 1 and long.windows > 1 and long.window is not None
    assert long.scores == pytest.approx(torch_classifier.predict(texts)[1].scores, abs=1e-4)


def test_single_string_is_a_clear_error(fp32: OnnxClassifier) -> None:
    with pytest.raises(TypeError, match="wrap it in"):
        fp32.predict("one text")  # type: ignore[arg-type]


def test_missing_export_says_how_to_fix(smoke_model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(smoke_model_dir, copy)
    with pytest.raises(FileNotFoundError, match=r"run `python -m training\.export_onnx --model"):
        OnnxClassifier.load(copy)


def test_missing_int8_file_says_how_to_fix(onnx_model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(onnx_model_dir, copy)
    (copy / INT8_FILE).unlink()
    with pytest.raises(FileNotFoundError, match=r"model\.int8\.onnx not found.*export_onnx"):
        OnnxClassifier.load(copy, quantized=True)


def test_stale_export_fails_loudly(onnx_model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(onnx_model_dir, copy)
    record = json.loads((copy / EXPORT_FILE).read_text())
    record["version"] = "an-older-model"
    (copy / EXPORT_FILE).write_text(json.dumps(record))
    with pytest.raises(ValueError, match="stale"):
        OnnxClassifier.load(copy)


def test_bad_thread_count_is_a_clear_error(onnx_model_dir: Path) -> None:
    with pytest.raises(ValueError, match="threads must be a positive integer"):
        OnnxClassifier.load(onnx_model_dir, threads=0)


TOKENIZER_PROBES = [
    "hello world",
    "Bonjour à tous",
    "مرحبا بكم في العالم",
    "नमस्ते दुनिया",
    "你好\uff0c世界",  # a full-width comma
]


@pytest.mark.parametrize("base", ["minilm", "xlm-r"])
def test_the_onnx_tokenizer_is_autotokenizers_without_torch(
    base: str, untrained_model_dir: Path, tmp_path: Path
) -> None:
    """The same ids and offsets (evidence spans rest on the offsets) for the English and the
    multilingual model's tokenizer; XLM-R's class builds its own pre-tokenizer, so a bare
    tokenizer.json would shift every word's start by its space."""
    from transformers import AutoTokenizer

    from rabat.model.onnx_backend import load_tokenizer

    folder = untrained_model_dir
    if base == "xlm-r":
        from training.e5_convert import write_tokenizer

        folder = tmp_path
        write_tokenizer(folder)
    ours = load_tokenizer(folder)(TOKENIZER_PROBES, return_offsets_mapping=True)
    auto = AutoTokenizer.from_pretrained(str(folder))(TOKENIZER_PROBES, return_offsets_mapping=True)
    assert ours["input_ids"] == auto["input_ids"]
    assert ours["offset_mapping"] == auto["offset_mapping"]


def test_the_onnx_backend_loads_without_torch(onnx_model_dir: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from rabat.assessment.analysis import Analyzer; "
        f"a = Analyzer.load({str(onnx_model_dir)!r}, 'configs/rabat.yaml', backend='onnx-int8'); "
        "a.analyze(['a placeholder text'], [None]); print('torch' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
