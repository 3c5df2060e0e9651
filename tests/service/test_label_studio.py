"""Label Studio's side of the protocol: project ids, the labeling-config check, and where a
project's reviews are pulled from (what /setup said, or the settings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from rabat.review.labeling import label_config
from service.errors import ApiError
from service.label_studio import LabelStudioState, check_label_config, project_id
from service.retraining import RetrainUnavailable
from tests.service.conftest import settings_for


def test_a_project_uid_gives_its_id() -> None:
    assert project_id("12.1717171717") == 12
    assert project_id("3") == 3


def test_rabat_form_passes_the_check() -> None:
    check_label_config(label_config(), "schema")


def test_a_different_label_list_is_refused_loudly() -> None:
    changed = label_config().replace('value="incitement"', 'value="threat"')
    with pytest.raises(ApiError) as err:
        check_label_config(changed, "schema")
    assert err.value.status == 422 and err.value.code == "label_config_mismatch"
    assert "'threat'" in err.value.message and "'incitement'" in err.value.message
    assert "python -m annotation setup" in err.value.message and err.value.field == "schema"


def test_a_config_that_is_not_xml_is_refused() -> None:
    with pytest.raises(ApiError, match="not valid XML"):
        check_label_config("<View><Text", "label_config")


def test_no_project_means_no_pull(tmp_path: Path) -> None:
    assert LabelStudioState(settings_for(tmp_path)).source_for(None) is None


def test_setup_tells_where_to_pull_and_the_last_project_is_the_default(tmp_path: Path) -> None:
    state = LabelStudioState(settings_for(tmp_path))
    state.connect(4, "http://ls.example:8080/", SecretStr("token-four"))
    state.connect(9, "http://ls.example:8080", SecretStr("token-nine"))
    source = state.source_for(None)
    assert source is not None and source.project == 9 and source.url == "http://ls.example:8080"
    four = state.source_for(4)
    assert four is not None and four.token.get_secret_value() == "token-four"


def test_settings_win_over_what_setup_said(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, ls_url="http://ls.internal", ls_token="operator-token")
    state = LabelStudioState(settings)
    state.connect(4, "http://localhost:8080", SecretStr("creator-token"))
    source = state.source_for(4)
    assert source is not None and source.url == "http://ls.internal"
    assert source.token.get_secret_value() == "operator-token"


def test_a_project_without_url_or_token_says_how_to_connect(tmp_path: Path) -> None:
    state = LabelStudioState(settings_for(tmp_path))
    with pytest.raises(RetrainUnavailable, match=r"project 5.*RABAT_LS_URL and RABAT_LS_TOKEN"):
        state.source_for(5)
    state.connect(6, "not a url", SecretStr("token"))
    with pytest.raises(RetrainUnavailable, match="project 6"):
        state.source_for(6)
