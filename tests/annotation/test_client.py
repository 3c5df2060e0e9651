"""Label Studio down, slow or refusing the token: retries, then an error that says what to do."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from annotation.__main__ import main
from annotation.client import LabelStudioError, connect
from annotation.settings import Settings, load_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Slow(BaseHTTPRequestHandler):
    calls = 0

    def do_GET(self) -> None:
        type(self).calls += 1
        time.sleep(1.0)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_server_that_is_down_is_retried_then_named(tmp_path: Path) -> None:
    settings = load_settings(url=f"http://127.0.0.1:{_free_port()}", token="t0ken", retries=2)
    start = time.monotonic()
    with pytest.raises(
        LabelStudioError,
        match=r"cannot reach Label Studio at .* after 2 retries.*make label-studio",
    ):
        connect(settings)
    assert time.monotonic() - start >= 1.0  # it waited between tries (exponential backoff)


def test_a_slow_server_is_retried_then_named(slow_server: str) -> None:
    _Slow.calls = 0
    settings = load_settings(url=slow_server, token="t0ken", retries=2, timeout_s=0.2)
    with pytest.raises(LabelStudioError, match=r"did not answer within 0.2 s.*RABAT_LS_TIMEOUT_S"):
        connect(settings)
    assert _Slow.calls == 3  # the first try and two retries


@pytest.mark.slow
def test_a_wrong_token_says_where_the_right_one_is(
    label_studio: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RABAT_LS_URL", label_studio.base_url)
    monkeypatch.setenv("RABAT_LS_TOKEN", "not-the-token")
    assert main(["pull"]) == 2
    err = capsys.readouterr().err
    assert "refused the API token (401)" in err and "RABAT_LS_TOKEN" in err


class _Pager:
    def __init__(self, items: list[int], total: int | None) -> None:
        self.items = items
        self.response = type("Response", (), {"total": total})()


# without a total, a full last page cannot be told from a middle one: Label Studio's list
# answers give `total` (tasks) or `count` (projects), so that case does not arise
@pytest.mark.parametrize(
    ("count", "total_known"), [(0, True), (5, True), (10, True), (7, False), (23, True)]
)
def test_every_item_never_asks_for_the_page_past_the_end(count: int, total_known: bool) -> None:
    from annotation.client import every_item

    asked: list[int] = []

    def fetch(page: int, size: int) -> _Pager:
        asked.append(page)
        if (page - 1) * size >= max(count, 1) and page > 1:
            raise AssertionError(f"page {page} is past the end")
        items = list(range(count))[(page - 1) * size : page * size]
        return _Pager(items, count if total_known else None)

    found = list(every_item(fetch, page_size=5))
    assert found == list(range(count))
    assert len(asked) == max(1, -(-count // 5))
