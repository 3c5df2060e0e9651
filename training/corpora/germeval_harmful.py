"""GermEval 2026 "Harmful Content Detection" (German; GPL-3.0): calls to violence and action.

Three training files label the same posts (by `id`) for violence (`vio`), attacks on the
democratic order (`dbo`) and calls to action (`c2a`); a post's labels are merged by id, the most
severe reading winning:
- `vio` call2violence or prospensity (the will to use violence oneself), or `dbo` subversive (a
  will to remove the government by force): incitement, with the call-to-violence signal;
- `vio` support or glorification of violence: hate speech (endorsement, no call);
- `vio` other (worrying violence-related statements): offensive;
- otherwise none. The corpus has no hate label, so its `none` rows are thinned by
  `corpus_limits` (the posts come from an extremist movement's pages). `c2a` TRUE alone is a
  call to any action (a demonstration counts) and stays none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from rabat.labels import Label
from training.corpora.base import Record, read_table, to_records

FILES = (
    "germeval-harmful-content/vio_train_26.csv",
    "germeval-harmful-content/dbo_train_26.csv",
)
_INCITING = {"call2violence", "prospensity", "call2Violence", "propensity"}
_ENDORSING = {"support", "glorification"}


def convert(row: dict[str, Any]) -> Record | None:
    vio, dbo = str(row.get("vio") or "nothing"), str(row.get("dbo") or "nothing")
    if vio in _INCITING or dbo == "subversive":
        return Record(Label.INCITEMENT, call_to_violence=True)
    if vio in _ENDORSING:
        return Record(Label.HATE_SPEECH, call_to_violence=False)
    if vio == "other":
        return Record(Label.OFFENSIVE, call_to_violence=False)
    return Record(Label.NONE)


def load(data_dir: Path) -> datasets.Dataset:
    vio = read_table(data_dir / FILES[0], ["id", "description", "vio"]).to_pandas()
    dbo = read_table(data_dir / FILES[1], ["id", "description", "dbo"]).to_pandas()
    merged = vio.merge(dbo[["id", "dbo"]], on="id", how="outer")
    texts = dbo.drop_duplicates("id").set_index("id")["description"]
    merged["description"] = merged["description"].fillna(merged["id"].map(texts))
    merged = merged.drop_duplicates("id").fillna({"vio": "nothing", "dbo": "nothing"})
    table = datasets.Dataset.from_pandas(merged.reset_index(drop=True), preserve_index=False)
    return to_records(table, "germeval_harmful", "description", convert, language="de")
