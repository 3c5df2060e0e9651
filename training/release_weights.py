"""Between the released int8 ONNX file and PyTorch weights: which ONNX initializer holds which
parameter (recorded when the release is built), and the dequantised PyTorch model directory a
retraining run starts from (the release ships int8 only, to fit in git).

    write_weights_map(model_dir)                          # model.onnx against model.safetensors
    base = ensure_release_base(Path("release"), Path("models/bases"))
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rabat.model.network import MultiTaskModel
from rabat.store.files import write_text

logger = logging.getLogger(__name__)

MAP_FILE = "weights_map.json"
# the files a training run needs beside the weights (the encoder's config and the tokenizer)
BASE_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "aux_heads.safetensors")


def write_weights_map(model_dir: Path) -> dict[str, Any]:
    """Match every initializer of DIR/model.onnx to the PyTorch parameters it holds (equal, or
    equal transposed) and write DIR/weights_map.json: onnx name -> [[parameter, transposed]]."""
    import onnx
    from onnx import numpy_helper

    state = {
        name: tensor.detach().numpy()
        for name, tensor in MultiTaskModel.load(model_dir).state_dict().items()
    }
    by_shape: dict[tuple[int, ...], list[str]] = {}
    for name, value in state.items():
        by_shape.setdefault(value.shape, []).append(name)
        if value.ndim == 2:
            by_shape.setdefault(value.T.shape, []).append(name)
    graph = onnx.load(str(model_dir / "model.onnx")).graph
    found: dict[str, list[list[Any]]] = {}
    for init in graph.initializer:
        value = numpy_helper.to_array(init)
        for name in dict.fromkeys(by_shape.get(value.shape, [])):
            if state[name].shape == value.shape and np.array_equal(state[name], value):
                found.setdefault(init.name, []).append([name, False])
            elif state[name].ndim == 2 and np.array_equal(state[name].T, value):
                found.setdefault(init.name, []).append([name, True])
    missing = sorted(set(state) - {name for pairs in found.values() for name, _ in pairs})
    write_text(model_dir / MAP_FILE, json.dumps({"map": found, "not_in_graph": missing}, indent=1))
    return {"initializers_mapped": len(found), "parameters_not_in_graph": missing}


def dequantised_state(onnx_path: Path, weights_map: dict[str, Any]) -> dict[str, torch.Tensor]:
    """The PyTorch parameters the int8 file holds: q - zero_point, times scale (per tensor or
    per output column), transposed back where the export transposed them."""
    import onnx
    from onnx import numpy_helper

    inits = {i.name: i for i in onnx.load(str(onnx_path)).graph.initializer}

    def array(name: str) -> np.ndarray:
        return numpy_helper.to_array(inits[name])

    state: dict[str, torch.Tensor] = {}
    for onnx_name, pairs in weights_map["map"].items():
        param = pairs[0][0]
        flip = False
        if onnx_name in inits:
            value = array(onnx_name).astype(np.float32)
        else:
            stem = next(
                (s for s in (onnx_name, f"{onnx_name}_Transposed") if f"{s}_quantized" in inits),
                None,
            )
            if stem is None:
                raise ValueError(f"{onnx_path} has no initializer for {onnx_name} ({param})")
            flip = stem.endswith("_Transposed")
            q = array(f"{stem}_quantized").astype(np.float32)
            value = (q - array(f"{stem}_zero_point").astype(np.float32)) * array(f"{stem}_scale")
        if flip:
            value = value.T
        for name, transposed in pairs:  # one initializer may hold several equal parameters
            state[name] = torch.from_numpy(np.ascontiguousarray(value.T if transposed else value))
    return state


def ensure_release_base(release_dir: Path, bases_dir: Path) -> Path:
    """A PyTorch model directory built from the release (once per release version), for
    `base_model: release`: its encoder, label head (its prior correction taken back out) and
    signal heads, dequantised."""
    version = json.loads((release_dir / "rabat_model.json").read_text(encoding="utf-8"))["version"]
    target = bases_dir / f"release-{version}-uncorrected"
    if (target / "model.safetensors").is_file():
        return target
    staging = bases_dir / f".release-{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in BASE_FILES:
        shutil.copy2(release_dir / name, staging / name)
    weights_map = json.loads((release_dir / MAP_FILE).read_text(encoding="utf-8"))
    state = dequantised_state(release_dir / "model.int8.onnx", weights_map)
    encoder = {k.removeprefix("encoder."): v for k, v in state.items() if k.startswith("encoder.")}
    # Publication folded the release's label-prior correction into the head's bias; a run from
    # the release fits its own, so it starts from the head as trained (not corrected twice).
    metrics = json.loads((release_dir / "metrics.json").read_text(encoding="utf-8"))
    bias = (metrics.get("prior_correction") or {}).get("bias")
    if bias is not None and "classifier.bias" in encoder:
        encoder["classifier.bias"] = encoder["classifier.bias"] - torch.tensor(bias)
    from safetensors.torch import save_file

    save_file(encoder, str(staging / "model.safetensors"), metadata={"format": "pt"})
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    logger.info("dequantised the release %s into %s", version, target)
    return target
