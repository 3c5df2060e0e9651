"""Optional API keys: `X-API-Key: <key>`, `Authorization: Bearer <key>`, or HTTP basic auth
whose password is a key (any user name): Label Studio's ML backend form offers only basic auth.

With no keys configured (RABAT_API_KEYS empty) every endpoint is open. With keys, every
endpoint but /health, /ready and the docs needs one: 401 without a key, 403 with a wrong one.
Keys are compared in constant time against every configured key.
"""

from __future__ import annotations

import base64
import hmac
import logging
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from service.errors import ApiError

logger = logging.getLogger(__name__)

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
_bearer = HTTPBearer(auto_error=False)


async def require_api_key(
    request: Request,
    api_key: Annotated[str | None, Depends(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """A dependency: passes when keys are off or the request carries a configured key.
    `async` (it does no I/O) so that FastAPI calls it on the event loop, not in a thread."""
    presented = api_key or (bearer.credentials if bearer else None) or basic_password(request)
    check_key(request, presented)


async def require_query_key(
    request: Request,
    api_key: Annotated[str | None, Depends(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """`require_api_key`, also taking the key from `?key=`, as Google's APIs (Perspective) do.
    The access log records the route, never the query string, so the key stays out of logs."""
    presented = (
        request.query_params.get("key") or api_key or (bearer.credentials if bearer else None)
    )
    check_key(request, presented)


def check_key(request: Request, presented: str | None) -> None:
    """Pass when keys are off or `presented` is a configured key; 401 or 403 otherwise."""
    keys: list[SecretStr] = request.app.state.settings.api_keys
    if not keys:
        return
    if not presented:
        raise ApiError(
            401,
            "unauthorized",
            "an API key is required: send it in the X-API-Key header, as Authorization: "
            "Bearer <key>, as the password of HTTP basic auth (Label Studio's ML backend form), "
            "or as ?key= on the Perspective endpoint",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not key_matches(presented, keys):
        logger.warning("rejected a request with an unknown API key")
        raise ApiError(
            403, "forbidden", "the API key is not valid: use a key configured for this service"
        )


def basic_password(request: Request) -> str | None:
    """The password of an `Authorization: Basic` header; None when absent or malformed."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        return None
    _, colon, password = decoded.partition(":")
    return password if colon and password else None


def key_matches(presented: str, keys: list[SecretStr]) -> bool:
    """Constant-time comparison against every key (no early exit on a match)."""
    given = presented.encode("utf-8", "surrogatepass")
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(given, key.get_secret_value().encode("utf-8"))
    return matched
