# Rabat: `make run` sets up and runs the main job, `make test` passes the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
LS_VENV ?= .venv-ls
LABEL_STUDIO ?= label-studio==1.23.2
# label-studio 1.23.2 calls sentry_sdk.init(send_default_pii=...), which sentry-sdk 3.0 refuses
LABEL_STUDIO_PINS ?= sentry-sdk<3
PY := $(VENV)/bin/python
# the defaults of rabat/defaults.py: retraining continues from the released model (release/,
# served as models/rabat-release/latest); English: configs/train.yaml, models/rabat-minilm/latest
CONFIG ?= configs/retrain.yaml
MODEL ?= models/rabat-release/latest
RELEASE_CONFIG ?= configs/release.yaml
export RABAT_DATA_DIR ?= $(abspath ../shared/data)

.PHONY: help install system-deps test-deps train eval test lint run serve bench loadtest fuzz export-onnx \
	label-studio bench-annotation bench-pool cases clean image-check score bench-score measured \
	retrain retrain-watch bench-dropin calibrate release curve

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

install: $(VENV)/.installed $(LS_VENV)/.installed system-deps  ## create .venv (rabat and its extras) and .venv-ls (Label Studio)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[train,dev,serve,annotation,score,scale]"
	touch $@

# Label Studio pins its own Django stack: it gets an environment of its own.
$(LS_VENV)/.installed:
	$(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LS_VENV)/bin/python -m pip install --quiet "$(LABEL_STUDIO)" "$(LABEL_STUDIO_PINS)"
	touch $@

system-deps:  ## the en_US.UTF-8 locale the hatesonar baseline needs (Debian; root)
	@bash scripts/system-deps.sh

test-deps:  ## chromium and chromium-driver, for the /docs browser test (Debian; root)
	@bash scripts/system-deps.sh --browser

train: install  ## retrain from the release on reviewed rows (REVIEWS=reviews/project-1/latest.jsonl; CONFIG=...)
	$(PY) -m training --config $(CONFIG) $(if $(REVIEWS),--reviews $(REVIEWS))

release: install  ## train the release recipe (resumes after a kill; a GPU when there is one), then rebuild release/
	@mkdir -p runs
	$(PY) -m training --config $(RELEASE_CONFIG) --published-to runs/release-model.txt
	$(PY) -m training.release --model "$$(cat runs/release-model.txt)" --out release

curve: install  ## what pays in the release recipe: epochs x frozen layers x max_length (docs/curve/)
	$(PY) -m training.curve --config $(RELEASE_CONFIG) --out docs/curve

retrain: install  ## one retraining run now: pull (PROJECT=id), train CONFIG, export to ONNX, publish a new version
	$(PY) -m retraining run --config $(CONFIG) $(if $(PROJECT),--project $(PROJECT))

retrain-watch: install  ## the retraining job: run what POST /retrain and Label Studio ask the service for
	$(PY) -m retraining watch

eval: install  ## evaluate MODEL on its dev and test splits, HateXplain's validation split and the functional suites of every language, against the baselines
	$(PY) -m evaluation heldout --out $(MODEL)/eval/heldout --model $(MODEL)
	$(PY) -m evaluation report --model $(MODEL) $(MODEL)/splits/dev.jsonl $(MODEL)/splits/test.jsonl \
		$(MODEL)/eval/heldout/hatexplain_val.jsonl $(MODEL)/eval/heldout/dev_perturbed.jsonl
	$(PY) -m evaluation functional --model $(MODEL) --json $(MODEL)/eval/functional.json

cases: install  ## the Rabat decision on the case bank (docs/cases) and the functional suite's threats (MODEL=...)
	$(PY) -m evaluation cases --model $(MODEL)

test: install test-deps  ## the whole test suite, slow tests (real training, real model) included
	$(PY) -m pytest

# every package, the scripts and the tests
PACKAGES := $(wildcard rabat training evaluation retraining service annotation scoring)
lint: install  ## ruff and mypy on every package, the scripts and the tests
	$(VENV)/bin/ruff check $(PACKAGES) scripts tests
	$(VENV)/bin/ruff format --check $(PACKAGES) scripts tests
	$(VENV)/bin/mypy $(PACKAGES) scripts

run: $(VENV)/.installed  ## set up .venv and serve the released model (or the model retrained from it)
	@PY=$(PY) CONFIG=$(CONFIG) bash scripts/run.sh

serve: $(VENV)/.installed  ## serve the HTTP API on RABAT_HOST:RABAT_PORT (127.0.0.1:8000); RABAT_* settings
	$(PY) -m service

bench: install  ## pipeline in-process vs the service over HTTP at 1, 8, 32 clients (MODEL=...); runs/bench.json for make measured
	@mkdir -p runs
	$(PY) scripts/bench.py --model $(MODEL) --out runs/bench.json

loadtest: install  ## 60 s of valid and invalid requests against the service; fails on any 5xx
	$(PY) scripts/loadtest.py --model $(MODEL) --seconds 60

bench-dropin: install  ## /v1/moderations against /classify/batch, comments:analyze against /classify, same service and texts (MODEL=...); runs/bench-dropin.json
	@mkdir -p runs
	$(PY) scripts/bench_dropin.py --model $(MODEL) --out runs/bench-dropin.json

calibrate: install  ## calibrate MODEL's Perspective and OpenAI attribute scores on its dev split (attributes.json; training does it too)
	$(PY) -m training.attributes --model-dir $(MODEL)

fuzz: install  ## schemathesis against the service's /openapi.json (every endpoint, the drop-in ones included); fails on any 5xx
	$(PY) scripts/fuzz.py --model $(MODEL)

export-onnx: install  ## export MODEL to ONNX fp32 + int8 and check parity and macro-F1 on its dev split
	$(PY) -m training.export_onnx --model $(MODEL)

label-studio: install  ## the bundled Label Studio on RABAT_LS_HOST:RABAT_LS_PORT (127.0.0.1:8080)
	$(PY) -m annotation server

bench-annotation: install  ## push 10,000 texts and pull 10,000 annotations against a real Label Studio
	$(PY) scripts/bench_annotation.py --model $(MODEL)

bench-pool: install  ## peak memory of push --dry-run on a 1 GB pool against a small one (MODEL=...)
	$(PY) scripts/bench_pool.py --model $(MODEL)

score: install  ## score a file of texts: IN=posts.parquet OUT=scored.parquet [ENGINE=ray] [REPORT=report.html] [ARGS=...]
	@test -n "$(IN)" -a -n "$(OUT)" || { echo "usage: make score IN=posts.jsonl|.csv|.parquet OUT=scored.parquet|.jsonl [ENGINE=local|ray] [REPORT=report.html]" >&2; exit 2; }
	$(PY) -m scoring "$(IN)" "$(OUT)" --model $(MODEL) --engine $(or $(ENGINE),local) $(if $(REPORT),--report "$(REPORT)") $(ARGS)

bench-score: install  ## the local scoring engine against Ray (1 and 2 workers), the service and the HF pipeline, one run (MODEL=...); runs/bench-scoring.json
	@mkdir -p runs
	$(PY) scripts/bench_scoring.py --model $(MODEL) --out runs/bench-scoring.json

measured: install  ## docs/measured.md from MODEL's metrics files and runs/ (what is missing, it names)
	$(PY) scripts/measured.py --model $(MODEL) --out docs/measured.md

image-check:  ## build the image with podman (set up by scripts/podman-setup.sh), serve MODEL in it, check /ready and /classify
	bash scripts/podman-setup.sh
	MODEL=$(MODEL) bash scripts/image-check.sh

clean:  ## remove the environment and build outputs (models and runs are kept)
	rm -rf $(VENV) $(LS_VENV) .pytest_cache .mypy_cache .ruff_cache
