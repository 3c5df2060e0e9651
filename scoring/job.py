"""What one scoring run is: input, output, model, engine settings; checked before it starts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rabat.assessment.routing import language_codes
from rabat.model.meta import ModelMeta
from scoring.inputs import JSONL_SUFFIXES, Limits, Source

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POLICY = ROOT / "configs" / "rabat.yaml"
OUTPUT_FORMATS = {".parquet": "parquet", ".pq": "parquet"} | dict.fromkeys(JSONL_SUFFIXES, "jsonl")
BACKENDS = ("onnx-int8", "onnx", "torch")


class JobError(ValueError):
    """The command cannot run as given; the message says what to change."""


@dataclass(frozen=True)
class WorkerSettings:
    """What a scoring process loads: the model (and the routed one), policy, backend, threads."""

    model_dir: Path
    policy: Path
    backend: str
    threads: int | None
    route_model_dir: Path | None = None
    route_languages: tuple[str, ...] = ("en",)


@dataclass(frozen=True)
class Job:
    """One run: `input` scored by the model in `model_dir` into `output` (Parquet or JSON lines,
    by its suffix), bad rows into `rejects` (default: beside the output, `.rejects.jsonl`).
    With `route_model_dir`, texts not in `route_languages` are scored by that model instead
    (rabat/assessment/routing.py), and each row names the model that scored it."""

    input: Path
    output: Path
    model_dir: Path
    policy: Path = DEFAULT_POLICY
    rejects: Path | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    chunk_rows: int = 1000
    limits: Limits = field(default_factory=Limits)
    backend: str = "onnx-int8"
    route_model_dir: Path | None = None
    route_languages: tuple[str, ...] = ("en",)
    restart: bool = False
    overwrite: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        if self.output.suffix.lower() not in OUTPUT_FORMATS:
            raise JobError(
                f"output {self.output}: expected a .parquet or .jsonl file, got "
                f"{self.output.suffix or 'no suffix'!r}"
            )
        if self.output.resolve() == self.input.resolve():
            raise JobError(f"output {self.output} is the input: write the results elsewhere")
        if self.workers < 1 or self.chunk_rows < 1:
            raise JobError(
                f"workers and chunk rows must be positive, got {self.workers} and {self.chunk_rows}"
            )
        if self.backend not in BACKENDS:
            raise JobError(f"unknown backend {self.backend!r}: expected {', '.join(BACKENDS)}")
        if not (self.model_dir / "rabat_model.json").is_file():
            raise JobError(
                f"no Rabat model at {self.model_dir} (rabat_model.json missing): train one with "
                "`make train` (and `make export-onnx`), or pass --model DIR"
            )
        if self.route_model_dir is not None:
            if not (self.route_model_dir / "rabat_model.json").is_file():
                raise JobError(
                    f"no Rabat model at {self.route_model_dir} (rabat_model.json missing): pass "
                    "--route-model DIR with a trained model, e.g. "
                    "models/rabat-release/latest, or leave it out"
                )
            try:
                codes = tuple(language_codes(self.route_languages))
            except ValueError as err:
                raise JobError(f"--route-languages: {err}") from err
            object.__setattr__(self, "route_languages", codes)  # frozen: normalised once here
        if not self.policy.is_file():
            raise JobError(f"Rabat policy {self.policy} not found: pass --policy FILE")

    @property
    def output_format(self) -> str:
        return OUTPUT_FORMATS[self.output.suffix.lower()]

    @property
    def rejects_path(self) -> Path:
        if self.rejects is not None:
            return self.rejects
        stem = self.output.name[: -len(self.output.suffix)]
        return self.output.with_name(f"{stem}.rejects.jsonl")

    @property
    def model_version(self) -> str:
        """The model's version; routed, both: `primary+other`."""
        version = ModelMeta.read(self.model_dir).version
        if self.route_model_dir is None:
            return version
        return f"{version}+{ModelMeta.read(self.route_model_dir).version}"

    def worker_settings(self) -> WorkerSettings:
        """What a worker process needs to load the model: one thread each, one per core."""
        return WorkerSettings(
            self.model_dir, self.policy, self.backend, 1, self.route_model_dir, self.route_languages
        )

    def key(self, source: Source) -> dict[str, Any]:
        """What must match for an interrupted run to be continued."""
        return {
            "input": str(self.input.resolve()),
            "input_bytes": self.input.stat().st_size,
            "model_version": self.model_version,
            "format": self.output_format,
            "keep": list(source.keep),
            "max_chars": self.limits.max_chars,
            "id_column": self.limits.id_column,
            "backend": self.backend,
        } | ({"route_languages": list(self.route_languages)} if self.route_model_dir else {})

    def check_output_free(self, staging_dir: Path) -> None:
        """Refuse to overwrite a finished output unless asked to."""
        if self.output.exists() and not staging_dir.exists() and not self.overwrite:
            raise JobError(
                f"{self.output} exists: pass --overwrite to replace it, or choose another output"
            )
