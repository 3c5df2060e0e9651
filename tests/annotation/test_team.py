"""A team of three reviewers against a real Label Studio: overlap 2 by default, agreement for
the label and every factor after 100 tasks, gold-task accuracy per reviewer as computed by
hand, invites, and no page-past-the-end requests in Label Studio's log."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from annotation.__main__ import main
from annotation.client import connect, every_item
from annotation.credentials import api_token
from annotation.settings import Settings
from rabat.assessment.policy import FACTORS
from rabat.review.labeling import LABEL, LEVELS, TEXT, factor_control

pytestmark = pytest.mark.slow
TASKS, GOLD_EVERY = 100, 5


@pytest.fixture
def team_env(label_studio: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("RABAT_LS_URL", label_studio.base_url)
    monkeypatch.setenv("RABAT_LS_TOKEN", api_token(label_studio))
    monkeypatch.setenv("RABAT_LS_PROJECT", "Rabat team test")
    return label_studio


def test_three_reviewers_with_overlap_two_give_agreement_and_gold_accuracy(
    team_env: Settings, smoke_model_dir: Path, tmp_path: Path, capsys: Any
) -> None:
    log = team_env.data_dir / "label-studio.log"
    log_start = log.stat().st_size if log.is_file() else 0
    rows = [
        json.loads(line)
        for name in ("train", "dev", "test")
        for line in (smoke_model_dir / f"splits/{name}.jsonl").open()
    ][:TASKS]
    pool = tmp_path / "pool.jsonl"
    with pool.open("w", encoding="utf-8") as out:
        for i, row in enumerate(rows):
            gold = {"gold_label": row["label"]} if i % GOLD_EVERY == 0 else {}
            out.write(json.dumps({"text": row["text"], "row": i, **gold}) + "\n")

    assert main(["setup", "--model", str(smoke_model_dir)]) == 0  # the default overlap: 2
    assert "every task goes to 2 reviewer(s)" in capsys.readouterr().out
    assert main(["push", str(pool), "--model", str(smoke_model_dir)]) == 0
    client = connect(team_env)
    project = next(p for p in client.projects.list(title="Rabat team test"))
    assert project.maximum_annotations == 2 and project.overlap_cohort_percentage == 100
    tasks = list(
        every_item(lambda page, size: client.tasks.list(project=project.id, page=page,
                                                        page_size=size))
    )  # fmt: skip
    assert len(tasks) == len({r["text"] for r in rows})
    team = [f"t{i}-{project.id}@rabat.local" for i in range(3)]
    ids = [int(client.users.create(email=e, username=e.split("@")[0]).id) for e in team]

    expected: dict[str, list[bool]] = {e: [] for e in team}
    for n, task in enumerate(sorted(tasks, key=lambda t: int(t.data["row"]))):
        known = rows[int(task.data["row"])]["label"]
        for who in (n % 3, (n + 1) % 3):  # every task on two of the three
            label = _label_of(who, n, known)
            levels = {f: LEVELS[(n + k + (who == 2)) % 3] for k, f in enumerate(FACTORS)}
            _annotate(client, task.id, ids[who], label, levels)
            if task.data.get("gold_label") is not None:
                expected[team[who]].append(label == task.data["gold_label"])

    out = tmp_path / "reviews"
    assert main(["pull", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    path = Path(printed[-1])
    assert path.is_absolute() and path.is_file()
    report = json.loads(path.with_name(path.stem + ".report.json").read_text())
    fields = report["agreement"]["fields"]
    assert fields["label"]["alpha"] is not None and fields["label"]["units"] == len(tasks)
    for factor in FACTORS:
        assert fields[f"factor.{factor}"]["alpha"] is not None, factor
    gold = report["gold"]
    assert gold["gold_tasks"] == sum(1 for t in tasks if t.data.get("gold_label"))
    for email, marks in expected.items():
        stats = gold["annotators"][email]
        assert (stats["gold_tasks"], stats["correct"]) == (len(marks), sum(marks))
        assert stats["accuracy"] == pytest.approx(sum(marks) / len(marks), abs=1e-4)
    assert gold["annotators"][team[2]]["flagged"] and not gold["annotators"][team[0]]["flagged"]
    assert any("BELOW THE BAR" in line and team[2] in line for line in printed)

    assert main(["reviewers", "add", team[0], f"new-{project.id}@rabat.local"]) == 0
    said = capsys.readouterr().out
    assert f"{team[0]}: already a member" in said
    link = next(line.split(": ", 1)[1] for line in said.splitlines() if line.startswith("invite"))
    assert link.startswith(team_env.base_url) and "token=" in link
    with urllib.request.urlopen(link, timeout=30) as page:
        assert page.status == 200
    assert main(["reviewers", "add", "not-an-address"]) == 2

    written = log.read_bytes()[log_start:].decode("utf-8", "replace") if log.is_file() else ""
    assert "Invalid page" not in written


def _label_of(who: int, n: int, known: str) -> str:
    """Reviewer 0 gives the known label, 1 misses every fourth, 2 always says `none`."""
    if who == 0 or (who == 1 and n % 4):
        return known
    return "none" if who == 2 or known != "none" else "offensive"


def _annotate(client: Any, task: int, user: int, label: str, levels: dict[str, str]) -> None:
    def choice(name: str, value: str) -> dict[str, Any]:
        return {"from_name": name, "to_name": TEXT, "type": "choices",
                "value": {"choices": [value]}}  # fmt: skip

    result = [choice(LABEL, label)]
    result += [choice(factor_control(f), level) for f, level in levels.items()]
    client.annotations.create(id=task, result=result, completed_by=user)
