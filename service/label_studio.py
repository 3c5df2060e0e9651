"""Label Studio's side of the ML backend protocol: the bodies it sends, what the service keeps
from them (where each project's Label Studio is, annotation counts), and `start_retraining`,
the one way every trigger (POST /retrain, START_TRAINING, /train, RABAT_RETRAIN_EVERY) starts
a job.

Label Studio names a project "<id>.<created timestamp>" in /setup, /predict and /train, and
sends the serialised project (with its integer "id") in webhooks. Bodies allow extra fields:
Label Studio adds some from version to version.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from rabat.review.labeling import config_differences
from service.errors import ApiError
from service.retrain_job import RetrainBusy, RetrainJob
from service.retraining import Retrainer, RetrainUnavailable, ReviewSource
from service.runtime import RuntimeDep
from service.settings import Settings

logger = logging.getLogger(__name__)

PROJECT_UID = r"^[0-9]+(\.[0-9]+)?$"  # "<id>.<created timestamp>"
ANNOTATION_ACTIONS = frozenset({"ANNOTATION_CREATED", "ANNOTATION_UPDATED"})
KNOWN_ACTIONS = ANNOTATION_ACTIONS | {"START_TRAINING"}


class _LabelStudioBody(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class SetupRequest(_LabelStudioBody):
    project: str = Field(pattern=PROJECT_UID, description='"<id>.<created timestamp>"')
    label_config: str = Field(alias="schema", description="the project's labeling config XML")
    hostname: str | None = Field(None, description="where Label Studio answers")
    access_token: SecretStr | None = Field(None, description="the project creator's token")
    extra_params: Any = None


class Task(_LabelStudioBody):
    id: int | None = None
    data: dict[str, Any]


class PredictRequest(_LabelStudioBody):
    tasks: list[Task]
    project: str | None = Field(None, pattern=PROJECT_UID)
    label_config: str | None = None
    params: dict[str, Any] | None = None


class LegacyTrainRequest(_LabelStudioBody):
    project: str = Field(pattern=PROJECT_UID)
    label_config: str | None = None


class WebhookProject(_LabelStudioBody):
    id: int


class WebhookEvent(_LabelStudioBody):
    action: str = Field(min_length=1)
    project: WebhookProject | None = None


def project_id(uid: str) -> int:
    """ "12.1717171717" -> 12."""
    return int(uid.split(".")[0])


def check_label_config(config: str, field: str) -> None:
    """422 naming every difference between a project's labeling config and Rabat's form."""
    try:
        problems = config_differences(config)
    except ValueError as err:
        problems = [str(err)]
    if problems:
        logger.warning("refused a Label Studio labeling config: %s", "; ".join(problems))
        raise ApiError(
            422,
            "label_config_mismatch",
            "the project's labeling config is not Rabat's review form: "
            + "; ".join(problems)
            + ". Create or update the project with `python -m annotation setup`, which writes "
            "the form from the label list",
            field,
        )


@dataclass
class Connection:
    url: str | None
    token: SecretStr | None


class LabelStudioState:
    """What the service knows of the Label Studio projects connected to it (in memory)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connections: dict[int, Connection] = {}
        self.last_project: int | None = None
        self.annotations: Counter[int] = Counter()  # per project, since its last job started

    def connect(self, project: int, hostname: str | None, token: SecretStr | None) -> None:
        """Remember where a project's Label Studio is (from its /setup call)."""
        url = hostname.rstrip("/") if hostname and hostname.startswith("http") else None
        self.connections[project] = Connection(url, token)
        self.last_project = project

    def source_for(self, project: int | None) -> ReviewSource | None:
        """Where to pull `project`'s reviews from (default: the last project set up); None when
        no project is known. RABAT_LS_URL and RABAT_LS_TOKEN win over what /setup said."""
        project = project if project is not None else self.last_project
        if project is None:
            return None
        known = self.connections.get(project, Connection(None, None))
        url = self.settings.ls_url or known.url
        token = self.settings.ls_token or known.token
        if not url or token is None:
            raise RetrainUnavailable(
                f"cannot pull the reviews of Label Studio project {project}: its URL and token "
                "are unknown. Connect the project to this ML backend (its /setup call brings "
                "them), or set RABAT_LS_URL and RABAT_LS_TOKEN"
            )
        return ReviewSource(project, url, token)


def start_retraining(
    retrainer: Retrainer, label_studio: LabelStudioState, trigger: str, project: int | None
) -> RetrainJob:
    """Start a retraining job for `project` (None: the last one set up, if any); 409 with the
    reason when one is running or it cannot start."""
    try:
        if retrainer.job is not None and retrainer.running:
            raise RetrainBusy(retrainer.job)
        job = retrainer.start(trigger, label_studio.source_for(project))
    except (RetrainBusy, RetrainUnavailable) as err:
        code = "retrain_running" if isinstance(err, RetrainBusy) else "retrain_unavailable"
        raise ApiError(409, code, str(err)) from None
    if job.project is not None:
        label_studio.annotations[job.project] = 0
    return job


def get_label_studio(request: Request) -> LabelStudioState:
    """A dependency: the app's Label Studio state."""
    state: LabelStudioState = request.app.state.label_studio
    return state


def get_retrainer(request: Request, runtime: RuntimeDep) -> Retrainer:
    """A dependency: the retrainer (503 like the runtime while the service starts or stops)."""
    retrainer: Retrainer = request.app.state.retrainer
    return retrainer


LabelStudioDep = Annotated[LabelStudioState, Depends(get_label_studio)]
RetrainerDep = Annotated[Retrainer, Depends(get_retrainer)]
