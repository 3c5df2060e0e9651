"""Regenerate tests/annotation/data/ls_export.json, the real Label Studio export the unit tests
read: `RABAT_LS_URL=... RABAT_LS_TOKEN=... .venv/bin/python tests/annotation/capture_export.py`.

It creates a throwaway project with mild placeholder texts, three reviewers' annotations (a
majority, a tie, a skipped one, a single review) and saves what Label Studio exports.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from annotation.client import connect
from annotation.settings import load_settings
from rabat.review.labeling import label_config

TEXTS = ["have a nice day", "you are a silly goose", "the weather is grey", "tea or coffee"]
OUT = Path(__file__).parent / "data" / "ls_export.json"


def choice(name: str, *values: str) -> dict[str, object]:
    return {
        "from_name": name,
        "to_name": "text",
        "type": "choices",
        "value": {"choices": list(values)},
    }


def form(label: str, intent: str = "low", groups: tuple[str, ...] = ()) -> list[dict[str, object]]:
    result = [
        choice("label", label),
        choice("factor_intent", intent),
        choice("factor_context", "can't tell"),
    ]
    if groups:
        result.append(choice("target_groups", *groups))
    result.append(
        {
            "from_name": "rationale",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 10, "end": 15, "text": "silly", "labels": ["evidence"]},
        }
    )
    result.append(
        {
            "from_name": "note",
            "to_name": "text",
            "type": "textarea",
            "value": {"text": ["a placeholder note"]},
        }
    )
    return result


def main() -> int:
    settings = load_settings()
    ls = connect(settings)
    project = ls.projects.create(title="fixture export", label_config=label_config())
    ls.projects.import_tasks(project.id, request=[{"data": {"text": t}} for t in TEXTS])
    users = [
        ls.users.create(email=f"reviewer{i}@rabat.local", username=f"reviewer{i}") for i in range(3)
    ]
    tasks = sorted(ls.tasks.list(project=project.id), key=lambda t: t.id)
    plan = {
        0: [("none", "low", ()), ("none", "low", ()), ("offensive", "medium", ())],
        1: [("offensive", "medium", ("other",)), ("hate_speech", "high", ("gender",))],
        2: [None, ("none", "low", ())],
        3: [("none", "medium", ())],
    }
    for index, answers in plan.items():
        for user, answer in zip(users, answers, strict=False):
            if answer is None:
                ls.annotations.create(
                    id=tasks[index].id, result=[], was_cancelled=True, completed_by=user.id
                )
            else:
                ls.annotations.create(
                    id=tasks[index].id, result=form(*answer), completed_by=user.id
                )
    exported = json.loads(
        b"".join(ls.projects.exports.download_sync(project.id, export_type="JSON"))
    )
    OUT.write_text(json.dumps(exported, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    names = {u.id: u.email for u in users}
    (OUT.parent / "ls_users.json").write_text(json.dumps(names, indent=1) + "\n", encoding="utf-8")
    ls.projects.delete(project.id)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
