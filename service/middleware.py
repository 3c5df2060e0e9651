"""Pure ASGI middleware: a request id, metrics and one log line per request; a body-size limit.

The log line holds the request id, endpoint, status, latency and what the router adds in
`request.state.summary` (text lengths and labels, never the text unless RABAT_LOG_TEXT is on).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import error_response
from service.telemetry import ServiceMetrics

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
QUIET_ENDPOINTS = frozenset({"/health", "/ready", "/metrics"})  # probes and scrapes: DEBUG
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


class RequestContextMiddleware:
    """Gives each request an id (an incoming valid X-Request-ID, else a uuid4), echoes it on the
    response, and records metrics and one access-log line per request."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope) or str(uuid.uuid4())
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500  # what the client gets if the app raises before answering
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            endpoint = _endpoint(scope)
            self.metrics.observe_request(endpoint, scope["method"], status, seconds)
            level = logging.DEBUG if endpoint in QUIET_ENDPOINTS and status < 400 else logging.INFO
            logger.log(
                level,
                "request_id=%s %s %s status=%d ms=%.1f%s",
                request_id,
                scope["method"],
                endpoint,
                status,
                seconds * 1000,
                f" {state['summary']}" if state.get("summary") else "",
            )


class BodyLimitMiddleware:
    """Rejects bodies over `max_bytes` with 413: at once when Content-Length says so, else while
    reading the stream (chunked uploads). The body is read here and replayed to the app."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._reject(scope, receive, send, f"declares {declared} bytes (Content-Length)")
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                await self.app(scope, _replay(None, receive, message), send)
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._reject(scope, receive, send, f"reached {len(body)} bytes while reading")
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, found: str) -> None:
        message = (
            f"the request body {found}; the limit is {self.max_bytes} bytes "
            "(RABAT_MAX_BODY_BYTES): send fewer or shorter texts, or split the batch"
        )
        request_id = scope.get("state", {}).get("request_id")
        response = error_response(
            413,
            "body_too_large",
            message,
            "body",
            request_id,
            headers={"Connection": "close"},
            path=scope["path"],
        )
        await response(scope, receive, send)


def incoming_request_id(scope: Scope) -> str | None:
    """The caller's X-Request-ID if it is a sane token (letters, digits, . _ : -; 128 at most)."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _VALID_REQUEST_ID.fullmatch(text) else None
    return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the HTTP server rejects these before they get here
    return None


def _endpoint(scope: Scope) -> str:
    """The route's path template (bounded metric labels), or "unmatched"."""
    route = scope.get("route")
    if route is not None:
        return str(getattr(route, "path", "unmatched"))
    app = scope.get("app")
    known = {getattr(r, "path", None) for r in getattr(app, "routes", [])}
    return scope["path"] if scope["path"] in known else "unmatched"


def _replay(body: bytes | None, receive: Receive, first: Message | None = None) -> Receive:
    """A receive() that hands out the buffered body once, then defers to the real one."""
    pending: list[Message] = (
        [first]
        if first is not None
        else [{"type": "http.request", "body": body or b"", "more_body": False}]
    )

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
