#!/usr/bin/env bash
# `make image-check`: build the image with podman, run it with a trained model mounted, wait for
# its health check, classify a text over HTTP and check the answer; then run it without a model
# and check that it waits (not ready, with how to provide one) instead of exiting, and serves
# once a model is copied in. Containers are removed at the end, also on failure; the image stays
# (IMAGE), so a second run rebuilds only what changed.
#
#   MODEL         the trained model to serve (default models/rabat-release/latest)
#   EXPECT_LABEL  the label expected for "have a nice day" (default none; empty: any label, for a
#                 model trained for seconds)
#   BACKEND       RABAT_BACKEND in the container (default torch)
#   READY_WITHIN  seconds the health check may take to pass (default 60)
#   IMAGE         the tag to build (default localhost/rabat:check)
#   BASE_IMAGE    the base (default: scripts/podman-setup.sh's stand-in when it exists here,
#                 python:3.11-slim otherwise)
#   WHEELS_DIR    a directory holding torch's CPU wheel, used instead of PyTorch's index
#                 (default: pip's find-links here, where it holds the pinned torch)
#   CA_BUNDLE     the CA bundle pip trusts in the build (default: pip's `cert` here, or
#                 /etc/ssl/certs/ca-certificates.crt)
#
# Podman must be set up first: scripts/podman-setup.sh (Debian, root) does it.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${MODEL:-models/rabat-release/latest}
EXPECT_LABEL=${EXPECT_LABEL-none}
BACKEND=${BACKEND:-torch}
READY_WITHIN=${READY_WITHIN:-60}
IMAGE=${IMAGE:-localhost/rabat:check}
STAND_IN=localhost/rabat-python:3.11-slim
IN_IMAGE_MODEL=/app/models/rabat-release/latest
TORCH_PIN=$(grep -o -m 1 '"torch==[^"]*"' pyproject.toml | tr -d '"')

CHECK_STARTED=$(date +%s.%N)
say() { echo "image-check: $*"; }
fail() {
  echo "image-check: FAILED: $*" >&2
  exit 1
}
seconds_since() { python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.1f}")' "$1"; }

[ -f "$MODEL/rabat_model.json" ] ||
  fail "no trained model at $MODEL (rabat_model.json missing): train one (make train) or set MODEL=DIR"
command -v podman >/dev/null || fail "podman is not installed: run scripts/podman-setup.sh (root)"
MODEL_DIR=$(readlink -f "$MODEL")
MODEL_VERSION=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' \
  "$MODEL_DIR/rabat_model.json")

# --- what this machine offers the build -------------------------------------------------------
if [ -z "${BASE_IMAGE:-}" ]; then
  BASE_IMAGE=python:3.11-slim
  podman image exists "$STAND_IN" && BASE_IMAGE=$STAND_IN
fi
if [ -z "${WHEELS_DIR+set}" ]; then
  WHEELS_DIR=""
  for dir in ${PIP_FIND_LINKS:-} $(python3 -m pip config get global.find-links 2>/dev/null || true); do
    if compgen -G "$dir/${TORCH_PIN/==/-}[+-]*cp311*.whl" >/dev/null; then
      WHEELS_DIR=$dir
      break
    fi
  done
fi
if [ -z "${CA_BUNDLE+set}" ]; then
  CA_BUNDLE=${PIP_CERT:-$(python3 -m pip config get global.cert 2>/dev/null || true)}
  [ -n "$CA_BUNDLE" ] || CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
fi
# the serving target only: the retraining job's image (--target retrain) is not built here
build=(podman build --format docker --target serve -t "$IMAGE" --build-arg "BASE_IMAGE=$BASE_IMAGE")
# docker format: OCI image configs have no HEALTHCHECK, and buildah's default format is OCI
podman image exists "$BASE_IMAGE" && build+=(--pull=never)
if [ -n "$WHEELS_DIR" ]; then
  build+=(--build-context "wheels=$WHEELS_DIR" --build-arg "TORCH_SOURCE=--find-links /wheels")
fi
[ -f "$CA_BUNDLE" ] && build+=(--secret "id=ca-bundle,src=$CA_BUNDLE")

# --- build ---------------------------------------------------------------------------------------
say "building $IMAGE on $BASE_IMAGE${WHEELS_DIR:+ (torch from $WHEELS_DIR)}"
started=$(date +%s.%N)
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
nice -n 10 "${build[@]}" . >/dev/null || fail "podman build failed (above)"
# the image this one replaces, and its layers that nothing else uses (each holds GBs)
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  podman rmi "$previous" >/dev/null 2>&1 || true
fi
say "built in $(seconds_since "$started") s, $(podman image inspect --format '{{.Size}}' "$IMAGE" |
  awk '{printf "%.0f MB", $1 / 1e6}')"
[[ "$(podman image inspect --format '{{json .Config.Healthcheck}}' "$IMAGE")" == */ready* ]] ||
  fail "the image has no HEALTHCHECK on /ready (built in OCI format?)"
[ "$(podman image inspect --format '{{.Config.User}}' "$IMAGE")" = rabat ] ||
  fail "the image does not run as the rabat user"

# --- the serving extra only ----------------------------------------------------------------------
podman run --rm --no-healthcheck "$IMAGE" python -c 'import importlib.util as u, sys
found = [m for m in ("training", "evaluation", "annotation", "retraining", "scoring", "datasets", "label_studio_sdk") if u.find_spec(m)]
sys.exit(f"the serving image holds {found}" if found else 0)' ||
  fail "the serving image holds more than the serving extra (above)"
say "the image holds the service and the serving extra only"

# --- serving a mounted model --------------------------------------------------------------------
CONTAINERS=()
WORK=$(mktemp -d)
cleanup() {
  local c
  for c in "${CONTAINERS[@]}"; do
    podman rm -f -v "$c" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
SERVE=rabat-check-serve-$$  # this run's own names: two runs do not clash
WAIT=rabat-check-wait-$$

start() {  # start NAME [podman run options]: a detached container of IMAGE, port 8000 published
  local name=$1
  shift
  CONTAINERS+=("$name")
  # podman without systemd logs that it cannot schedule the health check: wait_healthy runs it
  podman run -d --name "$name" -p 127.0.0.1::8000 -e "RABAT_BACKEND=$BACKEND" "$@" "$IMAGE" \
    >/dev/null 2>"$WORK/run.log" || {
    cat "$WORK/run.log" >&2
    fail "podman run $name failed (above)"
  }
}

url_of() { echo "http://$(podman port "$1" 8000/tcp | head -n 1)"; }

wait_healthy() {  # wait_healthy NAME STARTED: run the image's own health check until it passes;
  local name=$1 started=$2 elapsed  # sets HEALTHY_AFTER (seconds since STARTED)
  while true; do
    if podman healthcheck run "$name" >/dev/null 2>&1; then
      HEALTHY_AFTER=$(seconds_since "$started")
      return 0
    fi
    [ "$(podman inspect --format '{{.State.Running}}' "$name")" = true ] || {
      podman logs "$name" >&2
      fail "$name stopped before its health check passed (log above)"
    }
    elapsed=$(seconds_since "$started")
    if python3 -c 'import sys; sys.exit(float(sys.argv[1]) < float(sys.argv[2]))' "$elapsed" \
      "$READY_WITHIN"; then
      podman logs "$name" >&2
      fail "$name not healthy within $READY_WITHIN s (log above)"
    fi
    sleep 1
  done
}

classify() {  # classify URL: POST /classify and check the answer
  python3 - "$1" "$KEY" "$MODEL_VERSION" "$EXPECT_LABEL" <<'PY'
import json, sys, time, urllib.error, urllib.request

url, key, version, expect = sys.argv[1:]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
body = json.dumps({"text": "have a nice day"}).encode()
labels = ["none", "offensive", "hate_speech", "incitement"]


def need(condition, message):
    if not condition:
        sys.exit(f"image-check: FAILED: POST /classify: {message}")


def post(headers):
    headers = {"content-type": "application/json", **headers}
    request = urllib.request.Request(f"{url}/classify", body, headers)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


status, answer = post({})
need(status == 401, f"without the API key: {status}, not 401: {answer}")
started = time.monotonic()
status, answer = post({"X-API-Key": key})
took = time.monotonic() - started
need(status == 200, f"{status}: {answer}")
label, scores = answer.get("label"), answer.get("scores", {})
need(label in labels, f"label {label!r} is not one of {labels}")
need(sorted(scores) == sorted(labels), f"scores for {sorted(scores)}, not the four labels")
need(abs(sum(scores.values()) - 1) < 1e-3, f"scores sum to {sum(scores.values())}, not 1")
need(answer.get("model_version") == version, f"model {answer.get('model_version')}, not {version}")
need(answer.get("request_id") and "decision" in answer.get("rabat", {}), f"no request_id or Rabat decision: {answer}")
need(not expect or label == expect, f"label {label} for a greeting, not {expect}: {scores}")
print(f"label {label} (p={scores[label]:.3f}), model {version}, {took * 1000:.0f} ms")
PY
}

MOUNTED=$MODEL_DIR
unreadable=$(find "$MODEL_DIR" ! -perm -o=r -printf '%P ' | sed 's/ $//')
if [ -n "$unreadable" ]; then
  # the image runs as uid 10001: a file only its owner may read cannot be served as it is
  say "note: $MODEL_DIR holds files only their owner can read ($unreadable): the image's" \
    "rabat user could not read them mounted as they are (chmod -R a+rX DIR); mounting a" \
    "readable copy"
  MOUNTED=$WORK/model
  cp -r "$MODEL_DIR" "$MOUNTED"
  chmod -R a+rX "$MOUNTED"
fi
say "serving $MODEL_DIR ($MODEL_VERSION) with RABAT_BACKEND=$BACKEND"
started=$(date +%s.%N)
start "$SERVE" -v "$MOUNTED:$IN_IMAGE_MODEL:ro" -e "RABAT_API_KEYS=$KEY"
wait_healthy "$SERVE" "$started"
say "healthy after $HEALTHY_AFTER s (limit $READY_WITHIN s)"
answer=$(classify "$(url_of "$SERVE")") || fail "POST /classify: a wrong answer (above)"
say "POST /classify: $answer"

# --- no model: a waiting state, not a restart loop ----------------------------------------------
started=$(date +%s.%N)
start "$WAIT" -e "RABAT_API_KEYS=$KEY"
python3 - "$(url_of "$WAIT")" "$IN_IMAGE_MODEL" <<'PY' ||
import json, sys, time, urllib.error, urllib.request

url, model_dir = sys.argv[1:]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
deadline = time.monotonic() + 30
while True:
    try:
        with opener.open(f"{url}/health", timeout=2) as response:
            if json.load(response).get("status") == "waiting":
                break
            sys.exit("/health does not say it is waiting")
    except (OSError, ValueError):
        if time.monotonic() > deadline:
            sys.exit("no answer on /health within 30 s")
        time.sleep(0.5)
try:
    opener.open(f"{url}/ready", timeout=2)
    sys.exit("/ready answered 200 without a model")
except urllib.error.HTTPError as err:
    if err.code != 503:
        sys.exit(f"/ready answered {err.code}, not 503")
    message = json.load(err)["error"]["message"]
if f"no model at {model_dir}" not in message or "python -m training" not in message:
    sys.exit(f"/ready's message does not say how to provide a model: {message}")
PY
  fail "the container without a model does not wait as it should (above)"
podman healthcheck run "$WAIT" >/dev/null 2>&1 && fail "healthy without a model"
sleep 5
[ "$(podman inspect --format '{{.State.Running}}' "$WAIT")" = true ] ||
  fail "the container without a model stopped: $(podman logs "$WAIT" 2>&1 | tail -n 3)"
say "without a model: running and waiting after $(seconds_since "$started") s, /ready 503 says how to provide one"
started=$(date +%s.%N)
podman cp "$MODEL_DIR" "$WAIT:$IN_IMAGE_MODEL"
wait_healthy "$WAIT" "$started"
say "model copied in: healthy after $HEALTHY_AFTER s"
answer=$(classify "$(url_of "$WAIT")") || fail "POST /classify: a wrong answer (above)"
say "POST /classify: $answer"
say "passed in $(seconds_since "$CHECK_STARTED") s"
