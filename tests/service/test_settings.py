"""Settings: the defaults, comma-separated lists from the environment, clear start-up errors."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from rabat.defaults import DEFAULT_CONFIG, DEFAULT_MODEL_DIR
from service.settings import Settings, SettingsError, load_settings

KEY = "s3cret-" + "x" * 20


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("RABAT_") and name != "RABAT_DATA_DIR":
            monkeypatch.delenv(name)


def test_defaults() -> None:
    s = load_settings()
    assert s.model_dir == Path("models/rabat-release/latest") == DEFAULT_MODEL_DIR
    assert s.policy_path == Path("configs/rabat.yaml")
    assert (s.max_text_chars, s.max_batch_items, s.max_body_bytes) == (10_000, 64, 1_000_000)
    assert s.api_keys == [] and not s.auth_enabled
    assert s.cors_origins == [] and s.log_text is False and s.evidence is True
    assert (s.batch_max_size, s.batch_max_wait_ms) == (32, 5.0)
    assert s.torch_threads is None
    assert s.retrain_config == Path("configs/retrain.yaml") == DEFAULT_CONFIG
    assert s.reviews_dir == Path("reviews")
    assert s.retrain_log_dir == Path("runs/retrain") and s.retrain_timeout_s == 3 * 3600
    assert s.retrain_every == 0 and s.ml_backend_explain is True
    assert s.ls_url is None and s.ls_token is None


def test_label_studio_connection_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RABAT_LS_URL", "http://127.0.0.1:8080/")
    monkeypatch.setenv("RABAT_LS_TOKEN", "tok-" + "z" * 20)
    s = load_settings()
    assert s.ls_url == "http://127.0.0.1:8080"
    assert s.ls_token is not None and "zzzz" not in repr(s) and "zzzz" not in str(s.ls_token)


def test_a_bad_label_studio_url_is_refused_without_showing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RABAT_LS_URL", "ftp://user:pw-secret@example.org")
    with pytest.raises(SettingsError, match=r"RABAT_LS_URL.*http://") as err:
        load_settings()
    assert "pw-secret" not in str(err.value)


def test_environment_with_comma_separated_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RABAT_API_KEYS", f"{KEY}, {KEY}2 ,")
    monkeypatch.setenv("RABAT_CORS_ORIGINS", "https://a.example,https://b.example")
    monkeypatch.setenv("RABAT_MAX_TEXT_CHARS", "500")
    monkeypatch.setenv("RABAT_LOG_TEXT", "true")
    monkeypatch.setenv("RABAT_ROUTE_LANGUAGES", "EN, fr")
    s = load_settings()
    assert s.route_languages == ["en", "fr"]
    assert [k.get_secret_value() for k in s.api_keys] == [KEY, f"{KEY}2"]
    assert s.cors_origins == ["https://a.example", "https://b.example"]
    assert s.max_text_chars == 500 and s.log_text is True and s.auth_enabled


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "RABAT_MAX_TEXT_CHARS",
            "0",
            "RABAT_MAX_TEXT_CHARS: Input should be greater than or equal to 1",
        ),
        ("RABAT_MAX_BATCH_ITEMS", "many", "RABAT_MAX_BATCH_ITEMS: Input should be a valid integer"),
        ("RABAT_BATCH_MAX_WAIT_MS", "-1", "RABAT_BATCH_MAX_WAIT_MS"),
        ("RABAT_TORCH_THREADS", "0", "RABAT_TORCH_THREADS"),
        ("RABAT_PORT", "70000", "RABAT_PORT"),
        ("RABAT_CORS_ORIGINS", "example.org", "http:// or https://"),
        ("RABAT_QUEUE_MAX_ITEMS", "10", "must be at least max_batch_items"),
        ("RABAT_LOG_TEXT", "perhaps", "RABAT_LOG_TEXT"),
        ("RABAT_RETRAIN_EVERY", "-1", "RABAT_RETRAIN_EVERY"),
        ("RABAT_RETRAIN_TIMEOUT_S", "0", "RABAT_RETRAIN_TIMEOUT_S"),
        ("RABAT_ROUTE_LANGUAGES", "english", r"RABAT_ROUTE_LANGUAGES.*ISO 639.*\['english'\]"),
        ("RABAT_ROUTE_LANGUAGES", ",", r"RABAT_ROUTE_LANGUAGES.*found none"),
    ],
)
def test_a_bad_value_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=expected) as err:
        load_settings()
    assert "Fix the environment variable" in str(err.value)


def test_a_short_api_key_is_refused_without_showing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RABAT_API_KEYS", f"{KEY},tiny-key")
    with pytest.raises(SettingsError, match=r"RABAT_API_KEYS.*number \[2\].*16 characters") as err:
        load_settings()
    assert "tiny-key" not in str(err.value) and KEY not in str(err.value)


def test_a_misspelt_variable_is_reported(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("RABAT_MAX_TEXTCHARS", "5")
    with caplog.at_level(logging.WARNING, logger="service.settings"):
        s = load_settings()
    assert s.max_text_chars == 10_000
    assert "RABAT_MAX_TEXTCHARS is not a service setting" in caplog.text
    assert "RABAT_DATA_DIR" not in caplog.text  # read by training: not a typo


def test_torch_threads_leave_a_core_for_the_event_loop() -> None:
    cores = len(os.sched_getaffinity(0))
    assert Settings().resolved_torch_threads == max(1, cores - 1)
    assert Settings(torch_threads=3).resolved_torch_threads == 3


def test_settings_are_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        Settings().max_text_chars = 5  # type: ignore[misc]
