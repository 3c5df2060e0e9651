"""`make label-studio`: credentials kept locally, a running server found, a taken port named."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest

from annotation.__main__ import main
from annotation.credentials import api_token, ensure_credentials
from annotation.server import ServerError, check_port, launch_plan
from annotation.settings import Settings, load_settings


def test_credentials_are_generated_once_and_readable_by_the_owner_only(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "ls")
    first = ensure_credentials(settings)
    assert ensure_credentials(settings) == first
    assert len(first.token) >= 40 and len(first.password) >= 20
    mode = stat.S_IMODE(settings.credentials_file.stat().st_mode)
    assert mode == 0o600
    assert api_token(settings) == first.token
    assert (
        api_token(load_settings(data_dir=tmp_path / "ls", token="from-env-123")) == "from-env-123"
    )
    with pytest.raises(ValueError, match=r"RABAT_LS_TOKEN.*make label-studio"):
        api_token(load_settings(data_dir=tmp_path / "elsewhere"))


def test_secrets_go_through_the_environment_not_the_command_line(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "ls", bin=Path(__file__))  # any existing file
    plan = launch_plan(settings)
    creds = ensure_credentials(settings)
    assert creds.token not in " ".join(plan.argv) and creds.password not in " ".join(plan.argv)
    assert plan.env["LABEL_STUDIO_USER_TOKEN"] == creds.token
    assert "--enable-legacy-api-token" in plan.argv and settings.host in plan.argv
    with pytest.raises(ServerError, match=r"not installed.*make label-studio"):
        launch_plan(load_settings(data_dir=tmp_path / "ls", bin=tmp_path / "nope"))


def test_a_port_held_by_another_program_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        settings = load_settings(data_dir=tmp_path / "ls", port=port)
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is taken.*RABAT_LS_PORT"):
            check_port(settings)


@pytest.mark.slow
def test_running_it_again_only_says_it_is_running(
    label_studio: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert check_port(label_studio) is True
    for name, value in {
        "RABAT_LS_PORT": str(label_studio.port),
        "RABAT_LS_DATA_DIR": str(label_studio.data_dir),
        "RABAT_LS_BIN": str(label_studio.bin),
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["server"]) == 0
    assert "already running" in capsys.readouterr().out
