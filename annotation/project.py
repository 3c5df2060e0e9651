"""`setup`: create the review project, or bring an existing one's form up to date.

The form comes from `rabat.review.labeling.label_config()`, generated from the label list. Before
touching Label Studio, the label list is checked against the model that will make the
pre-annotations (a model directory, or a running service's GET /model): a mismatch stops setup
loudly, since reviewers would otherwise label with a list the model cannot learn.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from label_studio_sdk import LabelStudio

from annotation.client import LabelStudioError, call, every_item
from annotation.settings import Settings
from rabat.labels import check_labels
from rabat.review.labeling import config_differences, label_config

logger = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Label the text with the UN Strategy's levels, then rate each factor of the Rabat Plan of "
    "Action's threshold test (choose \"can't tell\" when the text alone does not say), tick the "
    "groups attacked, and mark the words your judgement rests on. The model's proposal is "
    "pre-filled: correct it freely."
)


@dataclass(frozen=True)
class ProjectInfo:
    id: int
    title: str
    created: bool
    updated: bool


def check_model_labels(
    model_dir: Path | None, service_url: str | None, key: str | None = None
) -> list[str]:
    """Check the model's (and/or the service's) label list; returns what was checked. `key`:
    one of the service's API keys, when it has them."""
    checked = []
    if model_dir is not None:
        from rabat.model.meta import ModelMeta  # checks the labels as it reads

        ModelMeta.read(model_dir)
        checked.append(str(model_dir))
    if service_url is not None:
        url = service_url.rstrip("/") + "/model"
        request = urllib.request.Request(url, headers={"X-API-Key": key} if key else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                labels = json.load(response)["labels"]
        except (urllib.error.URLError, OSError, ValueError, KeyError) as err:
            hint = (
                " (the service has API keys: set RABAT_LS_BACKEND_KEY to one of them)"
                if isinstance(err, urllib.error.HTTPError) and err.code in (401, 403)
                else ""
            )
            raise ValueError(
                f"cannot read the served model's labels from {url}: {err}{hint}"
            ) from None
        check_labels(labels, f"the model served at {service_url}")
        checked.append(url)
    return checked


def find_project(client: LabelStudio, settings: Settings) -> Any | None:
    """The project titled `settings.project`, or None; more than one is an error."""

    def fetch() -> list[Any]:
        return list(
            every_item(
                lambda page, size: client.projects.list(
                    title=settings.project, page=page, page_size=size
                )
            )
        )

    listed = call(settings, "list projects", fetch, read=True)
    found = [p for p in listed if p.title == settings.project]
    if len(found) > 1:
        raise LabelStudioError(
            f"{len(found)} projects are titled {settings.project!r} (ids "
            f"{[p.id for p in found]}): rename the extra ones, or set RABAT_LS_PROJECT"
        )
    return found[0] if found else None


def require_project(client: LabelStudio, settings: Settings) -> Any:
    project = find_project(client, settings)
    if project is None:
        raise LabelStudioError(
            f"no project titled {settings.project!r} at {settings.base_url}: create it with "
            "`python -m annotation setup`"
        )
    return project


def setup_project(client: LabelStudio, settings: Settings, overlap: int | None) -> ProjectInfo:
    """Create the project, or update its form and settings; never another copy. `overlap`:
    reviewers per task, on every task (None keeps the project's own)."""
    config = label_config()
    options: dict[str, Any] = {
        "label_config": config,
        "expert_instruction": INSTRUCTIONS,
        "show_instruction": True,
        "sampling": "Uncertainty sampling",
        "show_collab_predictions": True,
    }
    if overlap is not None:
        # every task goes to `overlap` reviewers (100 % of tasks in the overlap cohort), so
        # agreement can be measured on all of them
        options["maximum_annotations"] = overlap
        options["overlap_cohort_percentage"] = 100
    project = find_project(client, settings)
    if project is None:
        created = call(
            settings,
            "create the project",
            lambda: client.projects.create(title=settings.project, **options),
        )
        logger.info("created project %s (%d)", settings.project, created.id)
        return ProjectInfo(int(created.id or 0), settings.project, created=True, updated=False)
    differences = config_differences(project.label_config or "<View/>")
    # Label Studio itself refuses a form that would orphan existing annotations: its answer is
    # passed on as it is, and nothing is changed.
    call(settings, "update the project", lambda: client.projects.update(project.id, **options))
    return ProjectInfo(project.id, settings.project, created=False, updated=bool(differences))


def connect_ml_backend(client: LabelStudio, settings: Settings, project_id: int, url: str) -> bool:
    """Connect the Rabat service at `url` as the project's ML backend (live predictions,
    retraining); False when it already is. Label Studio checks /health and /setup at once.

    With `RABAT_LS_BACKEND_KEY` (a key of the service's), Label Studio authenticates with HTTP
    basic auth, and the webhook it creates for the backend gets the key as a header: that
    webhook sends no credentials of its own."""
    url = url.rstrip("/")

    def listed() -> list[Any]:
        found: Any = client.ml.list(project=project_id)
        return list(found)

    backends = call(settings, "list ML backends", listed, read=True)
    if any((b.url or "").rstrip("/") == url for b in backends):
        return False
    key = settings.backend_key.get_secret_value() if settings.backend_key else None
    auth: dict[str, Any] = (
        {"auth_method": "BASIC_AUTH", "basic_auth_user": "label-studio", "basic_auth_pass": key}
        if key
        else {}
    )
    call(
        settings,
        f"connect the ML backend at {url} (is the Rabat service running there? `make serve`; "
        "with RABAT_API_KEYS set, set RABAT_LS_BACKEND_KEY to one of them)",
        lambda: client.ml.create(
            project=project_id,
            url=url,
            title="Rabat",
            is_interactive=False,
            auto_update=True,
            **auth,
        ),
    )
    if key:
        _add_key_to_webhook(client, settings, project_id, f"{url}/webhook", key)
    return True


def _add_key_to_webhook(
    client: LabelStudio, settings: Settings, project_id: int, webhook_url: str, key: str
) -> None:
    def listed() -> list[Any]:
        found: Any = client.webhooks.list(project=str(project_id))
        return list(found)

    for hook in call(settings, "list webhooks", listed, read=True):
        if (hook.url or "").rstrip("/") == webhook_url:
            _set_headers(client, settings, int(hook.id), {**(hook.headers or {}), "X-API-Key": key})


def _set_headers(
    client: LabelStudio, settings: Settings, hook_id: int, headers: dict[str, str]
) -> None:
    call(
        settings,
        "add the API key to the ML backend's webhook",
        lambda: client.webhooks.update(hook_id, headers=headers),
    )
