"""The service's settings: environment variables with the `RABAT_` prefix, read and validated
in one place (`load_settings`), at start-up.

    RABAT_MODEL_DIR=models/rabat-release/latest RABAT_API_KEYS=key-one,key-two \
        python -m service

List settings (`RABAT_API_KEYS`, `RABAT_CORS_ORIGINS`) take comma-separated values.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from rabat.assessment.routing import language_codes
from rabat.defaults import DEFAULT_CONFIG, DEFAULT_MODEL_DIR
from rabat.text.cleaning import MAX_TEXT_CHARS

logger = logging.getLogger(__name__)

ENV_PREFIX = "RABAT_"
# Read by other parts of Rabat (training), not by the service: not a typo.
OTHER_RABAT_VARIABLES = frozenset({"RABAT_DATA_DIR"})
MIN_API_KEY_CHARS = 16
# Never echoed in an error (a URL may hold a password).
SECRET_SETTINGS = frozenset({"api_keys", "ls_token", "ls_url"})


class SettingsError(ValueError):
    """A setting has a bad value; the message names the environment variable."""


class Settings(BaseSettings):
    """Every knob of the HTTP service; see the README's "Service" section."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    model_dir: Path = DEFAULT_MODEL_DIR
    policy_path: Path = Path("configs/rabat.yaml")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    max_text_chars: int = Field(MAX_TEXT_CHARS, ge=1, le=1_000_000)
    max_batch_items: int = Field(64, ge=1, le=10_000)
    max_body_bytes: int = Field(1_000_000, ge=1_024, le=100_000_000)

    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    log_text: bool = False
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    batch_max_size: int = Field(32, ge=1, le=1_024)
    batch_max_wait_ms: float = Field(5.0, ge=0, le=1_000)
    queue_max_items: int = Field(1_024, ge=1, le=1_000_000)
    request_timeout_s: float = Field(30.0, gt=0, le=3_600)
    # None = all the cores this process may use, less one for the event loop (at least 1):
    # one worker thread makes every torch call, so torch's own pool is the only parallelism,
    # and an OpenMP pool that competes with the event loop for cores slows down sharply.
    torch_threads: int | None = Field(None, ge=1, le=256)
    # evidence spans from the model's evidence head (the same forward pass, any backend)
    evidence: bool = True
    # texts per model call inside a micro-batch, after sorting by length: small, same-length
    # groups waste little on padding (a 32-text batch pads every text to the longest)
    model_batch_size: int = Field(8, ge=1, le=1_024)
    # onnx-int8: 2.2-2.4x the torch model's throughput at equal macro-F1 (see the README);
    # needs `make export-onnx` first.
    backend: Literal["torch", "onnx", "onnx-int8"] = "torch"

    # Label Studio's ML backend and retraining (service/retraining.py asks the retraining job,
    # which watches retrain_log_dir: its requests, statuses and logs)
    ml_backend_explain: bool = (
        True  # evidence spans in /predict pre-annotations (free: the forward pass)
    )
    retrain_config: Path = DEFAULT_CONFIG
    reviews_dir: Path = Path("reviews")
    retrain_log_dir: Path = Path("runs/retrain")
    retrain_every: int = Field(0, ge=0, le=1_000_000)  # 0: only on request
    # the multilingual recipe trains for 22 to 70 minutes on 2 cores, by the machine's speed
    retrain_timeout_s: float = Field(3 * 3_600.0, gt=0, le=7 * 24 * 3_600)
    # routing (rabat/assessment/routing.py): texts whose languages are all in route_languages (or
    # cannot be told) go to model_dir, the others to route_model_dir, e.g. the multilingual model
    route_model_dir: Path | None = None
    route_languages: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["en"])
    # a model path to follow (service/follow.py): what it comes to name is checked and swapped in
    follow_model: Path | None = None
    follow_interval_s: float = Field(10.0, gt=0, le=3_600)
    # Override what Label Studio's /setup call says (its hostname can be an internal default).
    ls_url: str | None = None
    ls_token: SecretStr | None = None

    @field_validator("api_keys", "cors_origins", "route_languages", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("api_keys")
    @classmethod
    def _long_enough(cls, keys: list[SecretStr]) -> list[SecretStr]:
        short = [i for i, key in enumerate(keys) if len(key.get_secret_value()) < MIN_API_KEY_CHARS]
        if short:
            raise ValueError(
                f"API key(s) number {[i + 1 for i in short]} are shorter than {MIN_API_KEY_CHARS} "
                "characters; generate keys with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return keys

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        bad = [o for o in origins if o != "*" and not o.startswith(("http://", "https://"))]
        if bad:
            raise ValueError(
                f"CORS origins must be '*' or start with http:// or https://, found {bad}"
            )
        return origins

    @field_validator("route_languages")
    @classmethod
    def _language_codes(cls, codes: list[str]) -> list[str]:
        return language_codes(codes)

    @field_validator("ls_url")
    @classmethod
    def _ls_url(cls, url: str | None) -> str | None:
        if not url:
            return None
        if not url.startswith(("http://", "https://")):
            raise ValueError("the Label Studio URL must start with http:// or https://")
        return url.rstrip("/")

    @model_validator(mode="after")
    def _queue_fits_a_batch(self) -> Settings:
        if self.queue_max_items < self.max_batch_items:
            raise ValueError(
                f"queue_max_items ({self.queue_max_items}) must be at least max_batch_items "
                f"({self.max_batch_items}), or a full /classify/batch request could never be queued"
            )
        return self

    @property
    def resolved_torch_threads(self) -> int:
        """`torch_threads`, or the default described on the field."""
        if self.torch_threads is not None:
            return self.torch_threads
        return max(1, len(os.sched_getaffinity(0)) - 1)

    @property
    def auth_enabled(self) -> bool:
        return bool(self.api_keys)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment (and `overrides`); a bad value is a SettingsError."""
    _warn_unknown_variables()
    try:
        return Settings(**overrides)
    except ValidationError as err:
        raise SettingsError(_describe(err)) from None


def _describe(err: ValidationError) -> str:
    lines = ["invalid service settings:"]
    for e in err.errors():
        name = ".".join(str(part) for part in e["loc"]) or "settings"
        variable = f"{ENV_PREFIX}{name.split('.')[0].upper()}" if e["loc"] else "settings"
        secret = name.split(".")[0] in SECRET_SETTINGS
        found = "" if secret else f" (found {e.get('input')!r})"
        message = str(e["msg"]).removeprefix("Value error, ")
        lines.append(f"  {variable}: {message}{found}")
    lines.append("Fix the environment variable(s) above and start the service again.")
    return "\n".join(lines)


def _warn_unknown_variables() -> None:
    """A typo in a variable name would silently keep a default: say so."""
    known = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    for name in sorted(os.environ):
        if name.startswith(ENV_PREFIX) and name not in known | OTHER_RABAT_VARIABLES:
            logger.warning(
                "environment variable %s is not a service setting and is ignored; known: %s",
                name,
                ", ".join(sorted(known)),
            )
