#!/usr/bin/env bash
# `make run`: train the default model unless one exists, export it to ONNX unless it is, then
# serve it in the foreground and say where once it is ready. Ctrl-C stops the service.
#
#   MODEL or RABAT_MODEL_DIR  the model to serve (default models/rabat-multilingual/latest,
#                             trained from CONFIG when missing; a model named explicitly must
#                             exist)
#   CONFIG                    what to train (default configs/multilingual.yaml; the English
#                             model: configs/train.yaml)
#   QUICK_CONFIG              the quick model served while CONFIG trains in the background on a
#                             first run (default configs/quick.yaml; QUICK_FIRST=0 waits instead)
#   RABAT_DATA_DIR            the corpora, needed only to train (default ../shared/data)
#   RABAT_HOST, RABAT_PORT    where the service listens (127.0.0.1:8000); every other RABAT_*
#                             setting reaches it too (service/README.md)
set -euo pipefail
PY=${PY:-.venv/bin/python}
CONFIG=${CONFIG:-configs/multilingual.yaml}  # rabat/defaults.py

published_path() {  # where a config publishes: models/<its name>/latest
  "$PY" -c 'import sys
from training.config import load_config
config = load_config(sys.argv[1])
print(f"{config.output_dir}/{config.name}/latest")' "$1"
}

corpus_folders() {  # the folders of RABAT_DATA_DIR a config reads
  "$PY" -c 'import sys
from training.config import load_config
from training.corpora import corpus_folders
print(" ".join(corpus_folders(load_config(sys.argv[1]).corpora)))' "$1"
}

DEFAULT_MODEL=$(published_path "$CONFIG")  # models/rabat-multilingual/latest for the default config
MODEL=${MODEL:-${RABAT_MODEL_DIR:-$DEFAULT_MODEL}}
QUICK_CONFIG=${QUICK_CONFIG:-configs/quick.yaml}
QUICK_FIRST=${QUICK_FIRST:-1}
DATA=${RABAT_DATA_DIR:-../shared/data}
HOST=${RABAT_HOST:-127.0.0.1}
PORT=${RABAT_PORT:-8000}

check_corpora() {
  local missing=() name corpora
  read -r -a corpora <<<"$(corpus_folders "$CONFIG")"
  for name in "${corpora[@]}"; do
    [ -d "$DATA/$name" ] || missing+=("$name/")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  cat >&2 <<MSG
No model at $MODEL, and the corpora to train one are not in $(readlink -m "$DATA")
(missing: ${missing[*]}).
Put the corpus folders (${corpora[*]/%//}) in one directory, each with the files
docs/corpora.md lists, then either move that directory to $(readlink -m ../shared/data) and run
\`make run\`, or run
  RABAT_DATA_DIR=/path/to/that/directory make run
MSG
  exit 1
}

train_model() {
  if [ "$MODEL" != "$DEFAULT_MODEL" ]; then
    echo "no model at $MODEL (rabat_model.json missing): point MODEL or RABAT_MODEL_DIR at a" \
      "directory \`make train\` wrote, or leave both unset to train the default model" >&2
    exit 1
  fi
  check_corpora
  echo "no model at $MODEL: training $CONFIG (about $(training_minutes) minutes on 2 CPU cores;" \
    "an interrupted run resumes from its checkpoint when started again)"
  PUBLISHED=$(mktemp)
  trap 'rm -f "$PUBLISHED"' EXIT
  RABAT_DATA_DIR=$DATA "$PY" -m training --config "$CONFIG" --published-to "$PUBLISHED"
  # another CONFIG publishes under its own name: serve what it wrote
  [ -f "$MODEL/rabat_model.json" ] || MODEL=$(cat "$PUBLISHED")
  rm -f "$PUBLISHED"
}

export_onnx() {
  echo "exporting $MODEL to ONNX (fp32 and int8) and checking it on 2,000 dev texts" \
    "(\`make export-onnx\` checks the whole dev split)"
  "$PY" -m training.export_onnx --model "$MODEL" --dev-limit 2000
}

quick_first() {
  # A first run serves a quick model (the same recipe on a sample) within minutes, trains the
  # full one in the background and follows it: the service swaps it in once it is trained,
  # exported and checked (service/follow.py). One background training at a time (a lock).
  check_corpora
  FULL=$DEFAULT_MODEL
  QUICK=$(published_path "$QUICK_CONFIG")
  mkdir -p runs
  if [ ! -f "$QUICK/rabat_model.json" ]; then
    echo "no model yet: training the quick model $QUICK_CONFIG first (about 3 minutes on 2" \
      "CPU cores), then the full $CONFIG in the background"
    RABAT_DATA_DIR=$DATA "$PY" -m training --config "$QUICK_CONFIG"
  fi
  MODEL=$QUICK
  [ -f "$MODEL/onnx_export.json" ] || export_onnx
  LOG=runs/full-training.log
  RABAT_DATA_DIR=$DATA setsid nohup flock -n runs/full-training.lock bash -c \
    '"$1" -m training --config "$2" && "$1" -m training.export_onnx --model "$3" --dev-limit 2000' \
    _ "$PY" "$CONFIG" "$FULL" >>"$LOG" 2>&1 </dev/null &
  export RABAT_FOLLOW_MODEL=$FULL
  BACKGROUND="the full model ($CONFIG) is training in the background (log: $LOG, about
$(training_minutes) minutes on 2 CPU cores); the service swaps it in when it is ready: GET
/model shows \`follow\`. A later \`make run\` serves it at once."
}

training_minutes() {  # measured on 2 cores (docs/multilingual.md, README); machines differ 2.2x
  case "$(basename "$CONFIG")" in
    multilingual.yaml) echo "20 to 70" ;;
    train.yaml) echo "9 to 25" ;;
    *) echo "some" ;;
  esac
}

url_host() {  # where a client on this machine reaches RABAT_HOST
  case "$HOST" in
    0.0.0.0 | "") echo 127.0.0.1 ;;
    ::) echo "[::1]" ;;
    *:*) echo "[$HOST]" ;;
    *) echo "$HOST" ;;
  esac
}

port_taken() {
  "$PY" -c 'import socket, sys
try:
    socket.create_connection((sys.argv[1].strip("[]"), int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)' "$1" "$2"
}

wait_ready() {  # until $1/ready answers 200 (exit 0) or process $2 is gone (exit 1)
  "$PY" -c 'import os, sys, time, urllib.request
url, pid = sys.argv[1] + "/ready", int(sys.argv[2])
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
while True:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(1)
    try:
        with opener.open(url, timeout=2):
            sys.exit(0)
    except OSError:
        time.sleep(0.2)' "$1" "$2"
}

greet_when_ready() {
  local url=$1 key_header=""
  wait_ready "$url" "$2" || return 0  # the service stopped: its own log says why
  if [ -n "${RABAT_API_KEYS:-}" ]; then
    key_header=" -H 'X-API-Key: <one of RABAT_API_KEYS>'"
  fi
  cat <<MSG

Rabat is ready at $url (API docs: $url/docs). Try:
  curl -s $url/classify -H 'content-type: application/json'$key_header -d '{"text": "have a nice day"}'
Ctrl-C stops it. Evaluate the model against the baselines with: make eval MODEL=$MODEL
${BACKGROUND:+
Serving the quick model for now: $BACKGROUND
}
MSG
}

BACKGROUND=""
if [ -f "$MODEL/rabat_model.json" ]; then
  echo "using the trained model $(readlink -f "$MODEL")"
elif [ "$MODEL" = "$DEFAULT_MODEL" ] && [ "$QUICK_FIRST" = 1 ]; then
  quick_first
else
  train_model
fi
[ -f "$MODEL/onnx_export.json" ] || export_onnx
export RABAT_BACKEND=${RABAT_BACKEND:-onnx-int8} RABAT_MODEL_DIR=$MODEL

url="http://$(url_host):$PORT"
if port_taken "$(url_host)" "$PORT"; then
  echo "port $PORT on $HOST is taken by another program: stop it, or pick another port," \
    "e.g. RABAT_PORT=$((PORT + 1)) make run" >&2
  exit 1
fi
echo "starting the service at $url (model $MODEL, RABAT_BACKEND=$RABAT_BACKEND)"
# The service replaces this shell, so Ctrl-C reaches it directly and it shuts down cleanly. A
# helper prints the address once /ready answers (or gives up when the service exits); started
# from a subshell, so that it is not the service's child and ends without leaving a zombie.
(greet_when_ready "$url" $$ &)
exec "$PY" -m service
