"""The Label Studio admin's password and API token: generated once into a local file that only
its owner can read, so nothing secret is ever typed into a command line or committed."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from annotation.settings import Settings
from rabat.store.files import staged


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    token: str


def ensure_credentials(settings: Settings) -> Credentials:
    """The stored credentials, or new ones written atomically (mode 0600) on first use."""
    path = settings.credentials_file
    if path.is_file():
        return read_credentials(path)
    found = Credentials(
        username=settings.username,
        password=secrets.token_urlsafe(18),
        token=settings.token.get_secret_value() if settings.token else secrets.token_hex(20),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with staged(path) as tmp:  # owner-only from the start: the secret is never world-readable
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(found), handle)
    return found


def read_credentials(path: Path) -> Credentials:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(data["username"], data["password"], data["token"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(
            f"cannot read the Label Studio credentials in {path} ({err}): restore the file, or "
            "delete it together with the Label Studio data folder to start afresh"
        ) from None


def api_token(settings: Settings) -> str:
    """RABAT_LS_TOKEN, else the credentials file's token; a clear error when neither exists."""
    if settings.token is not None:
        return settings.token.get_secret_value()
    if settings.credentials_file.is_file():
        return read_credentials(settings.credentials_file).token
    raise ValueError(
        f"no Label Studio API token: set RABAT_LS_TOKEN, or start the bundled server once with "
        f"`make label-studio` (it writes {settings.credentials_file})"
    )
