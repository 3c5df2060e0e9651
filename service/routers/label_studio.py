"""Label Studio's ML backend protocol: POST /setup, /predict, /webhook and (older Label Studio)
/train; GET /health is in routers/health.py.

Connect a project at Settings -> Model with this service's URL: Label Studio calls /setup (the
labeling config must be Rabat's form), /predict for pre-annotations, and /webhook with
annotation events and START_TRAINING. See service/README.md, "Label Studio's ML backend".
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from rabat.review.labeling import TEXT, to_prediction
from service.errors import ApiError
from service.handling import analyze, check_length, require_json
from service.label_studio import (
    KNOWN_ACTIONS,
    LabelStudioDep,
    LabelStudioState,
    LegacyTrainRequest,
    PredictRequest,
    RetrainerDep,
    SetupRequest,
    Task,
    WebhookEvent,
    check_label_config,
    project_id,
    start_retraining,
)
from service.retraining import Retrainer
from service.runtime import RuntimeDep
from service.schemas import CONFLICT_RESPONSES, ERROR_RESPONSES, ClassifyRequest
from service.security import require_api_key

router = APIRouter(
    tags=["label-studio"],
    dependencies=[Depends(require_api_key), Depends(require_json)],
    responses=ERROR_RESPONSES,
)


@router.post("/setup", summary="Label Studio connects a project")
async def setup(
    body: SetupRequest, runtime: RuntimeDep, label_studio: LabelStudioDep
) -> dict[str, str]:
    """Checks the project's labeling config is Rabat's form (422 naming the differences) and
    answers the model version; remembers where the project's Label Studio is, for pulls."""
    check_label_config(body.label_config, "schema")
    label_studio.connect(project_id(body.project), body.hostname, body.access_token)
    return {"model_version": runtime.model_version}


@router.post("/predict", summary="Pre-annotations for Label Studio tasks")
async def predict(body: PredictRequest, request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """One prediction per task, in order: the label with its probability, the six Rabat
    factors' levels, the target groups, and (RABAT_ML_BACKEND_EXPLAIN) evidence spans."""
    settings = runtime.settings
    if body.label_config is not None:
        check_label_config(body.label_config, "label_config")
    if len(body.tasks) > settings.queue_max_items:
        raise ApiError(
            422,
            "too_many_items",
            f"tasks has {len(body.tasks)} entries; the limit is {settings.queue_max_items} "
            "(RABAT_QUEUE_MAX_ITEMS): retrieve predictions for fewer tasks at a time",
            "tasks",
        )
    texts = [task_text(task, i, settings.max_text_chars) for i, task in enumerate(body.tasks)]
    explain = settings.ml_backend_explain
    items = [ClassifyRequest(text=text, explain=explain) for text in texts if text.strip()]
    analyses, served = await analyze(runtime, items)
    bar, found = served.analyzer.target_bar, iter(analyses)
    # a blank text gets an empty prediction: Label Studio needs one result per task, in order
    results = [
        predicted(next(found).to_dict(target_bar=bar), served.version, text)
        if text.strip()
        else {"result": [], "score": 1.0, "model_version": served.version}  # nothing to review
        for text in texts
    ]
    labels = [analysis.prediction.label for analysis in analyses]
    runtime.metrics.count_labels(labels)
    request.state.summary = f"tasks={len(texts)} labels={','.join(labels)}"
    return {"results": results, "model_version": served.version}


def predicted(result: dict[str, Any], version: str, text: str) -> dict[str, Any]:
    """A Label Studio prediction, named for the model that made it (with routing, the one the
    text's language went to)."""
    return to_prediction(result, result.get("model_version", version), text)


@router.post("/webhook", summary="Label Studio events", responses=CONFLICT_RESPONSES)
async def webhook(
    body: WebhookEvent,
    runtime: RuntimeDep,
    retrainer: RetrainerDep,
    label_studio: LabelStudioDep,
) -> dict[str, Any]:
    """START_TRAINING starts a retraining job (409 with the reason while one runs);
    ANNOTATION_CREATED and ANNOTATION_UPDATED are counted (RABAT_RETRAIN_EVERY of them start
    a job); other actions are acknowledged and ignored."""
    action = body.action
    runtime.metrics.ls_events.labels(action if action in KNOWN_ACTIONS else "other").inc()
    if action not in KNOWN_ACTIONS:
        return {"status": "ignored", "action": action}
    if body.project is None:
        raise ApiError(
            422, "missing_field", f"a {action} event must carry the project: project.id", "project"
        )
    project = body.project.id
    if action == "START_TRAINING":
        job = start_retraining(retrainer, label_studio, "label_studio", project)
        return {"status": "started", "job_id": job.id, "project": project}
    return count_annotation(retrainer, label_studio, action, project)


@router.post("/train", summary="Older Label Studio: start training", responses=CONFLICT_RESPONSES)
async def train(
    body: LegacyTrainRequest, retrainer: RetrainerDep, label_studio: LabelStudioDep
) -> dict[str, Any]:
    """What Label Studio without training webhooks calls: the same job as START_TRAINING."""
    if body.label_config is not None:
        check_label_config(body.label_config, "label_config")
    project = project_id(body.project)
    job = start_retraining(retrainer, label_studio, "label_studio", project)
    return {"status": "started", "job_id": job.id, "project": project}


def task_text(task: Task, index: int, limit: int) -> str:
    """The text of a task (its `data.text`), within the length limit."""
    field = f"tasks[{index}].data.{TEXT}"
    text = task.data.get(TEXT)
    if not isinstance(text, str):
        found = "nothing" if text is None else type(text).__name__
        raise ApiError(
            422,
            "invalid_field",
            f"{field} must be a string: Rabat's form reads the task's text from data.{TEXT}; "
            f"found {found}",
            field,
        )
    check_length(text, limit, field)
    return text


def count_annotation(
    retrainer: Retrainer, label_studio: LabelStudioState, action: str, project: int
) -> dict[str, Any]:
    """Count a reviewed task; with RABAT_RETRAIN_EVERY set, start a job once enough came in."""
    label_studio.annotations[project] += 1
    count = label_studio.annotations[project]
    answer: dict[str, Any] = {
        "status": "ok",
        "action": action,
        "project": project,
        "annotations_since_training": count,
        "retraining": None,
    }
    every = label_studio.settings.retrain_every
    if every and count >= every and not retrainer.running:
        try:
            answer["retraining"] = start_retraining(
                retrainer, label_studio, "annotations", project
            ).id
        except ApiError as err:  # the event itself was fine: say why no job started
            answer["retraining_refused"] = err.message
    return answer
