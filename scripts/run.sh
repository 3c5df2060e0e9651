#!/usr/bin/env bash
# `make run`: find the corpora, train the default model unless one exists, evaluate it.
set -euo pipefail
PY=${PY:-.venv/bin/python}
MODEL=${MODEL:-models/rabat-minilm/latest}
CONFIG=${CONFIG:-configs/train.yaml}
DATA=${RABAT_DATA_DIR:-../shared/data}

if [ ! -d "$DATA/davidson" ]; then
  cat >&2 <<MSG
The training corpora were not found at $DATA.
Put the corpus folders (davidson/, edos/, gab-hate-corpus/, hatemoji/, hatexplain/,
implicit-hate/, mlma/, olid/, sbic/; see docs/corpora.md) in one directory and run
  RABAT_DATA_DIR=/path/to/that/directory make run
MSG
  exit 1
fi
if [ -f "$MODEL/rabat_model.json" ]; then
  echo "using the trained model $(readlink -f "$MODEL")"
else
  echo "no model at $MODEL: training the default one (about 15 minutes on 2 CPU cores)"
  "$PY" -m training --config "$CONFIG"
fi
if [ ! -f "$MODEL/eval/report.html" ]; then
  "$PY" -m training.eval_cli --model "$MODEL" "$MODEL/splits/dev.jsonl" "$MODEL/splits/test.jsonl"
fi
echo "evaluation report: $(readlink -f "$MODEL")/eval/report.html"
