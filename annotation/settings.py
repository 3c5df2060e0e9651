"""The annotation tool's settings, read once from the environment (prefix `RABAT_LS_`).

The API token comes from `RABAT_LS_TOKEN`, else from the credentials file `make label-studio`
generates (`<data_dir>/credentials.json`, readable by its owner only, never committed).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from rabat.review.labeling import PROPOSAL_TARGET_BAR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RABAT_LS_", extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="where `make label-studio` listens (loopback)")
    port: int = Field(8080, ge=1, le=65535)
    url: str | None = Field(None, description="a Label Studio to use; default http://host:port")
    token: SecretStr | None = Field(None, description="API token; default: the credentials file")
    username: str = Field(
        "admin@rabat.local", description="the admin user `make label-studio` makes"
    )
    data_dir: Path = Field(Path(".label-studio"), description="Label Studio's database and files")
    bin: Path = Field(Path(".venv-ls/bin/label-studio"), description="the label-studio command")
    project: str = Field("Rabat review", min_length=1, description="the project's title")
    backend_key: SecretStr | None = Field(
        None, description="one of the service's RABAT_API_KEYS, for `setup --ml-backend`"
    )
    timeout_s: float = Field(60.0, gt=0, description="per request")
    retries: int = Field(4, ge=0, description="retries (exponential backoff) when it is down")
    start_timeout_s: float = Field(180.0, gt=0, description="how long a start may take")
    overlap: int = Field(2, ge=1, le=20, description="reviewers per task that `setup` sets")
    gold_bar: float = Field(
        0.7, ge=0, le=1, description="gold-task accuracy below which a reviewer is flagged"
    )
    gold_min_tasks: int = Field(5, ge=1, description="gold tasks a reviewer needs to be judged")
    gold_weights: bool = Field(
        False, description="weigh each reviewer's label votes by their gold-task accuracy"
    )
    target_bar: float = Field(
        PROPOSAL_TARGET_BAR,
        ge=0,
        le=1,
        description="pre-tick a target group only at this probability or above (hateful texts)",
    )

    @property
    def base_url(self) -> str:
        return (self.url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "credentials.json"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a bad value is a ValueError naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as err:
        problems = "; ".join(
            f"RABAT_LS_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in err.errors()
        )
        raise ValueError(f"invalid annotation settings: {problems}") from None
