"""Counter-speech: replies that push back on hateful posts. They name the group or quote the slur
and are not hate themselves, which is what a model must learn to tell apart.

Two sources, two recipes (their licences differ):
- `qian_counter_speech` (Qian et al. 2019, **CC BY-NC 4.0**): every response is counter-speech,
  `none`. The phrasing is formulaic ("Please refrain from ..."); at most `QIAN_ROWS` rows are
  kept, sampled by seed, so the style does not become a shortcut.
- `hickey_counter_speech` (Yu et al. 2023 as Hickey et al. ship it, MIT): the replies. Label 2
  (counter-speech) is `none`, except the `insult` strategy, which is hostile to the author:
  `offensive`. Label 0 (neutral) is `none`. Label 1 (the reply agrees with the hate) is left
  out: agreeing can be anything from a nod to more hate. The hateful parents are not used (their
  level is not annotated), nor are the GPT-4o labels (not human).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

QIAN = "counter-speech/qian2019-intervention/responses.csv"
HICKEY = "counter-speech/hickey-toxic-counterspeech/yu_et_al_2023.csv"
QIAN_ROWS = 3000
SEED = 13


def convert_hickey(row: dict[str, Any]) -> Record | None:
    label = str(row["label"]).strip()
    if label.startswith("2"):
        if str(row["Gold_label"]).strip() == "insult":
            return Record(Label.OFFENSIVE, call_to_violence=False)
        return Record(Label.NONE)
    if label.startswith("0"):
        return Record(Label.NONE)
    return None


def load_qian(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / QIAN, ["response"])
    table = table.shuffle(seed=SEED).select(range(min(QIAN_ROWS, len(table))))
    return to_records(table, "qian_counter_speech", "response", lambda row: Record(Label.NONE))


def load_hickey(data_dir: Path) -> datasets.Dataset:
    table = read_table(data_dir / HICKEY, ["reply", "label", "Gold_label"])
    return to_records(table, "hickey_counter_speech", "reply", convert_hickey)
