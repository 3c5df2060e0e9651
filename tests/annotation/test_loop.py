"""The review loop against a real Label Studio: setup, push with predictions, reviewers'
annotations through the API, pull, and a tiny retrain that learns from them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from annotation.__main__ import main
from annotation.client import connect
from annotation.credentials import api_token
from annotation.settings import Settings
from rabat.labels import LABELS
from rabat.review.labeling import LABEL, TEXT, config_fields, factor_control
from rabat.text.cleaning import dedup_key

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ls_env(label_studio: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The CLI's environment pointing at the test server."""
    monkeypatch.setenv("RABAT_LS_URL", label_studio.base_url)
    monkeypatch.setenv("RABAT_LS_TOKEN", api_token(label_studio))
    monkeypatch.setenv("RABAT_LS_PROJECT", label_studio.project)
    return label_studio


@pytest.fixture(scope="module")
def pool(smoke_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 real dev texts as a JSONL pool, plus a repeat and a blank row."""
    rows = [json.loads(line) for line in (smoke_model_dir / "splits/dev.jsonl").open()][:40]
    path = tmp_path_factory.mktemp("pool") / "pool.jsonl"
    lines = [json.dumps({"text": r["text"], "id": f"p{i}"}) for i, r in enumerate(rows)]
    lines += [lines[0], json.dumps({"text": "  "})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_setup_creates_once_then_updates(
    ls_env: Settings, smoke_model_dir: Path, capsys: Any
) -> None:
    assert main(["setup", "--model", str(smoke_model_dir), "--overlap", "3"]) == 0
    assert main(["setup", "--model", str(smoke_model_dir), "--overlap", "3"]) == 0
    client = connect(ls_env)
    projects = [p for p in client.projects.list() if p.title == ls_env.project]
    assert len(projects) == 1
    fields = config_fields(projects[0].label_config)
    assert fields[LABEL] == list(LABELS)
    assert projects[0].maximum_annotations == 3
    out = capsys.readouterr().out
    assert "created" in out and "is up to date" in out


def test_setup_refuses_a_model_with_another_label_list(
    ls_env: Settings, smoke_model_dir: Path, tmp_path: Path, capsys: Any
) -> None:
    other = tmp_path / "model"
    shutil.copytree(smoke_model_dir, other)
    meta = json.loads((other / "rabat_model.json").read_text())
    meta["labels"] = [*meta["labels"][:3], "threat"]
    (other / "rabat_model.json").write_text(json.dumps(meta))
    assert main(["setup", "--model", str(other)]) == 2
    assert "label list mismatch" in capsys.readouterr().err


def test_push_imports_predictions_most_needed_first_and_only_once(
    ls_env: Settings, smoke_model_dir: Path, pool: Path, capsys: Any
) -> None:
    main(["setup", "--model", str(smoke_model_dir), "--overlap", "3"])
    assert main(["push", str(pool), "--model", str(smoke_model_dir)]) == 0
    assert "40 tasks imported" in capsys.readouterr().out
    assert main(["push", str(pool), "--model", str(smoke_model_dir)]) == 0
    again = capsys.readouterr().out
    assert "0 tasks imported" in again and "40 already there" in again and "1 repeated" in again
    client = connect(ls_env)
    project = next(p for p in client.projects.list() if p.title == ls_env.project)
    tasks = sorted(client.tasks.list(project=project.id, fields="all"), key=lambda t: t.id)
    assert len(tasks) == 40
    priorities = [t.data["priority"] for t in tasks]
    assert priorities == sorted(priorities, reverse=True)
    prediction = tasks[0].predictions[0]
    version = json.loads((smoke_model_dir / "rabat_model.json").read_text())["version"]
    assert prediction.model_version == version
    assert prediction.score == pytest.approx(1 - tasks[0].data["priority"], abs=1e-3)
    names = {r["from_name"] for r in prediction.result}
    assert {LABEL, factor_control("intent"), factor_control("likelihood_imminence")} <= names
    assert project.model_version == version


def test_reviewers_annotations_become_a_training_file_and_a_retrained_model(
    ls_env: Settings, smoke_model_dir: Path, pool: Path, data_dir: Path, tmp_path: Path, capsys: Any
) -> None:
    main(["setup", "--model", str(smoke_model_dir), "--overlap", "3"])
    main(["push", str(pool), "--model", str(smoke_model_dir)])
    client = connect(ls_env)
    project = next(p for p in client.projects.list() if p.title == ls_env.project)
    tasks = sorted(client.tasks.list(project=project.id), key=lambda t: t.id)[:8]
    reviewers = [_user(client, f"r{i}-{project.id}@rabat.local") for i in range(3)]
    # Tasks 0-5: three reviewers, two agree; task 6: a tie; task 7: one review and one skip.
    for task in tasks[:6]:
        for reviewer, label in zip(
            reviewers, ["incitement", "incitement", "hate_speech"], strict=False
        ):
            _annotate(client, task.id, reviewer, label, intent="high")
    _annotate(client, tasks[6].id, reviewers[0], "none", intent="low")
    _annotate(client, tasks[6].id, reviewers[1], "offensive", intent="low")
    _annotate(client, tasks[7].id, reviewers[0], "offensive", intent="medium")
    client.annotations.create(
        id=tasks[7].id, result=[], was_cancelled=True, completed_by=reviewers[1]
    )

    out = tmp_path / "reviews"
    assert main(["pull", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    path = Path(printed[-1])
    assert path.parent == out / f"project-{project.id}" and path.suffix == ".jsonl"
    rows = {row["task_id"]: row for row in map(json.loads, path.read_text().splitlines())}
    assert len(rows) == 8
    agreed = rows[tasks[0].id]
    assert agreed["label"] == "incitement" and agreed["resolution"] == "majority"
    assert agreed["factors"]["intent"] == "high" and agreed["factors"]["context"] is None
    assert agreed["text"] == tasks[0].data[TEXT]
    assert {a["annotator"] for a in agreed["annotations"]} == {
        f"r{i}-{project.id}@rabat.local" for i in range(3)
    }
    assert agreed["rationale"] and agreed["rationale"][0]["kind"] == "evidence"
    tie = rows[tasks[6].id]
    assert tie["label"] is None and tie["resolution"] == "tie" and "label" in tie["ties"]
    assert rows[tasks[7].id]["resolution"] == "single"

    report = json.loads(path.with_name(path.stem + ".report.json").read_text())
    assert report["cancelled"] == 1 and report["ties"] == 1 and report["trainable"] == 7
    label_alpha = report["agreement"]["fields"]["label"]
    assert label_alpha["units"] == 7 and label_alpha["alpha"] is not None
    assert label_alpha["alpha"] < 0.5  # a third of every contested vote disagrees
    assert report["agreement"]["fields"]["factor.intent"]["alpha"] is not None
    assert report["agreement"]["annotators"][f"r0-{project.id}@rabat.local"]["annotations"] == 8

    # Nothing changed: a second pull reuses the same version.
    assert main(["pull", "--out", str(out)]) == 0
    assert Path(capsys.readouterr().out.strip().splitlines()[-1]) == path

    _retrain_with(path, rows, smoke_model_dir, data_dir, tmp_path)


def _retrain_with(
    reviews: Path, rows: dict[int, Any], smoke_model_dir: Path, data_dir: Path, tmp_path: Path
) -> None:
    from training.config import AugmentConfig, load_config
    from training.train import train

    config = load_config(ROOT / "configs/smoke.yaml", reviews=[str(reviews)]).model_copy(
        update={
            "data_dir": data_dir,
            "output_dir": tmp_path / "models",
            "runs_dir": tmp_path / "runs",
            # no obfuscation: it would respell some reviewed texts, and this test finds them
            "augment": AugmentConfig(),
        }
    )
    model_dir = train(config)
    manifest = json.loads((model_dir / "data_manifest.json").read_text())
    assert manifest["sources"]["review"]["rows"] == 7
    # The pool came from the corpora: reviewers' labels replaced the corpus labels.
    assert manifest["deduplication"]["review_overrides"] >= 1
    assert str(reviews.resolve()) in manifest["sources"]["review"]["files"]
    split_rows = [
        json.loads(line)
        for name in ("train", "dev", "test")
        for line in (model_dir / f"splits/{name}.jsonl").open()
    ]
    reviewed = [r for r in split_rows if r["source"] == "review"]
    assert len(reviewed) == 7  # the tie stays out
    # by key: a reviewed text and its corpus copies merge, and the merged row may keep a copy's
    # spelling (case, punctuation) while it takes the reviewers' label
    texts = {dedup_key(r["text"]): r["label"] for r in reviewed}
    incitement_texts = [row["text"] for row in rows.values() if row["label"] == "incitement"]
    assert len(incitement_texts) == 6
    assert [texts.get(dedup_key(t)) for t in incitement_texts] == ["incitement"] * 6


def _user(client: Any, email: str) -> int:
    return int(client.users.create(email=email, username=email.split("@")[0]).id)


def _annotate(client: Any, task: int, user: int, label: str, intent: str) -> None:
    choice = lambda name, *v: {  # noqa: E731
        "from_name": name,
        "to_name": TEXT,
        "type": "choices",
        "value": {"choices": list(v)},
    }
    result = [
        choice(LABEL, label),
        choice(factor_control("intent"), intent),
        choice(factor_control("context"), "can't tell"),
        {
            "from_name": "rationale",
            "to_name": TEXT,
            "type": "labels",
            "value": {"start": 0, "end": 1, "text": "x", "labels": ["evidence"]},
        },
    ]
    client.annotations.create(id=task, result=result, completed_by=user)
