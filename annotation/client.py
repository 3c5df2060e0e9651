"""One way to talk to Label Studio: the SDK client with timeouts and retries, and its failures
turned into a `LabelStudioError` that says what happened and what to do.

The SDK already retries refused connections and 5xx/429 answers with exponential backoff
(`max_retries`); `call` adds the same for timeouts on reads, which are safe to repeat. Writes
are not repeated blindly: push and pull are built so that rerunning them is safe instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from annotation.credentials import api_token
from annotation.settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")


class LabelStudioError(RuntimeError):
    """Label Studio refused or failed a request; the message says what to do."""


def connect(settings: Settings) -> LabelStudio:
    """A client for `settings.base_url`, checked with one authenticated request."""
    client = LabelStudio(
        base_url=settings.base_url,
        api_key=api_token(settings),
        timeout=settings.timeout_s,
        max_retries=settings.retries,
    )
    call(settings, "check the API token", lambda: client.projects.list(page_size=1), read=True)
    return client


def call(settings: Settings, what: str, fn: Callable[[], T], read: bool = False) -> T:
    """Run one SDK call; `read=True` also retries timeouts. Raises LabelStudioError."""
    attempt = (
        retry(
            retry=retry_if_exception_type(httpx.TimeoutException),
            wait=wait_exponential(multiplier=1, max=20),
            stop=stop_after_attempt(settings.retries + 1),
            reraise=True,
        )(fn)
        if read
        else fn
    )
    try:
        return attempt()
    except ApiError as err:
        raise LabelStudioError(_api_message(settings, what, err)) from None
    except httpx.TimeoutException:
        raise LabelStudioError(
            f"Label Studio at {settings.base_url} did not answer within {settings.timeout_s:g} s "
            f"to {what} ({settings.retries} retries). It may be overloaded: raise "
            "RABAT_LS_TIMEOUT_S, or rerun (push and pull resume safely)."
        ) from None
    except httpx.TransportError as err:
        raise LabelStudioError(
            f"cannot reach Label Studio at {settings.base_url} to {what} after "
            f"{settings.retries} retries ({type(err).__name__}: {err}). Is it running? Start it "
            "with `make label-studio`, or set RABAT_LS_URL to the one you use."
        ) from None


def _api_message(settings: Settings, what: str, err: ApiError) -> str:
    body: Any = err.body
    detail = (
        body.get("detail") or body.get("validation_errors") or body
        if isinstance(body, dict)
        else body
    )
    if err.status_code in (401, 403):
        return (
            f"Label Studio at {settings.base_url} refused the API token ({err.status_code}) when "
            f"trying to {what}: set RABAT_LS_TOKEN to a valid token (Account & Settings > "
            "Legacy token; legacy tokens must be enabled), or use the one `make label-studio` "
            f"wrote to {settings.credentials_file}"
        )
    return f"Label Studio answered {err.status_code} when trying to {what}: {detail}"


def every_item(fetch: Callable[[int, int], Any], page_size: int = 100) -> Iterator[Any]:
    """Every item of a paginated list, page by page, without asking for the page past the end
    (the SDK's own iteration does, and Label Studio logs an `Invalid page` traceback for it).
    `fetch(page, page_size)` returns one SDK pager; its response's `total` or `count`, when
    given, says when the last page has been read."""
    page, seen = 1, 0
    while True:
        pager = fetch(page, page_size)
        items = list(pager.items or [])
        yield from items
        seen += len(items)
        response = getattr(pager, "response", None)
        total = getattr(response, "total", None)
        total = getattr(response, "count", None) if total is None else total
        if len(items) < page_size or (total is not None and seen >= total):
            return
        page += 1
