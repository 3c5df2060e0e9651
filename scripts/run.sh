#!/usr/bin/env bash
# `make run`: serve the released model (release/, installed once as models/rabat-release/latest)
# or, once `make train REVIEWS=...` has published a retrained one there, that one; export a
# model to ONNX if it has not been; serve in the foreground and say where once it is ready.
# Ctrl-C stops the service. Nothing is trained here: the release is trained once per release
# (`make release`), not once per install.
#
#   MODEL or RABAT_MODEL_DIR  the model to serve (default models/rabat-release/latest; a model
#                             named explicitly must exist)
#   RABAT_HOST, RABAT_PORT    where the service listens (127.0.0.1:8000); every other RABAT_*
#                             setting reaches it too (service/README.md)
set -euo pipefail
PY=${PY:-.venv/bin/python}
DEFAULT_MODEL=models/rabat-release/latest  # rabat/defaults.py
MODEL=${MODEL:-${RABAT_MODEL_DIR:-$DEFAULT_MODEL}}
HOST=${RABAT_HOST:-127.0.0.1}
PORT=${RABAT_PORT:-8000}

install_release() {  # copy release/ into models/rabat-release/<version>, checked against SHA256SUMS
  "$PY" -c 'import sys
from pathlib import Path
from rabat.model.release import install
try:
    latest = install(Path("release"), Path("models"))
except ValueError as err:
    sys.exit(f"error: {err}")
print(f"serving {latest.resolve().name} from {latest}")'
}

export_onnx() {
  echo "exporting $MODEL to ONNX (fp32 and int8) and checking it on 2,000 dev texts" \
    "(\`make export-onnx\` checks the whole dev split)"
  "$PY" -m training.export_onnx --model "$MODEL" --dev-limit 2000
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
MSG
}

if [ "$MODEL" = "$DEFAULT_MODEL" ]; then
  if [ ! -d release ]; then
    echo "release/ is missing: restore it with \`git checkout -- release/\`, or build it with" \
      "\`make release\` (hours on 2 CPU cores)" >&2
    exit 1
  fi
  install_release
  # `make train REVIEWS=...` publishes the next version there: the service swaps it in
  export RABAT_FOLLOW_MODEL=${RABAT_FOLLOW_MODEL:-$DEFAULT_MODEL}
elif [ ! -f "$MODEL/rabat_model.json" ]; then
  echo "no model at $MODEL (rabat_model.json missing): point MODEL or RABAT_MODEL_DIR at a" \
    "directory \`make train\` wrote, or leave both unset to serve the released model" >&2
  exit 1
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
