# Two images: the HTTP service on CPU (the default target, `serve`, the serving extra only) and
# the retraining job (`--target retrain`: pull -> train -> export, `python -m retraining`).
#
#   docker build -t rabat .                    # the model comes from the /app/models volume
#   docker build -t rabat --build-context model="$(readlink -f models/rabat-release/latest)" .
#                                              # or is baked in (and seeds an empty volume)
#   docker run -p 8000:8000 -v rabat-models:/app/models rabat
#   docker build -t rabat-retrain --target retrain .
#
# With podman, on a machine without Docker Hub or PyTorch's index: scripts/image-check.sh
# (`make image-check`) builds the serving image with the options below and checks it running. No
# `# syntax=` line: BuildKit would fetch that frontend from Docker Hub before reading line 2.
# compose.yaml runs both beside Label Studio. tests/test_deploy.py keeps the pins below in step
# with the Makefile and constraints.txt.
#
# Build arguments and contexts, all optional:
#   BASE_IMAGE             default python:3.11-slim; scripts/podman-setup.sh builds a stand-in
#   TORCH_SOURCE           where pip finds torch's CPU build: PyTorch's CPU index beside PyPI by
#                          default; with `--build-context wheels=DIR`, "--find-links /wheels"
#   --secret id=ca-bundle  a CA bundle pip trusts (a network path that re-signs TLS), e.g.
#                          src=/etc/ssl/certs/ca-certificates.crt; used by the build only
ARG BASE_IMAGE=python:3.11-slim
ARG TORCH_SOURCE="--extra-index-url https://download.pytorch.org/whl/cpu"

# Empty, unless `--build-context model=DIR` replaces it with a trained model directory.
FROM scratch AS model
# Empty, unless `--build-context wheels=DIR` replaces it with a directory of wheels.
FROM scratch AS wheels

# --- the retraining job: `python -m retraining watch` runs what the service asks for ----------
FROM ${BASE_IMAGE} AS retrain
ARG TORCH_SOURCE

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1

# The en_US.UTF-8 locale, which the hatesonar baseline of the `train` extra needs
# (scripts/system-deps.sh on a host).
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends locales >/dev/null \
 && sed -i 's/^# *en_US.UTF-8/en_US.UTF-8/' /etc/locale.gen \
 && locale-gen \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin rabat
WORKDIR /app

# As the serving image below, with the extras its three steps need: `annotation` (the pull) and
# `train` (training and the ONNX export).
COPY pyproject.toml constraints.txt ./
RUN --mount=type=bind,from=wheels,target=/wheels \
    --mount=type=secret,id=ca-bundle \
    if [ -f /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
 && mkdir rabat training annotation retraining \
 && touch README.md rabat/__init__.py training/__init__.py annotation/__init__.py \
    retraining/__init__.py \
 && python -m pip install --no-cache-dir --quiet -c constraints.txt --upgrade pip setuptools \
 && python -m pip install --no-cache-dir --quiet -c constraints.txt ${TORCH_SOURCE} \
    torch==2.13.0 \
 && python -m pip install --no-cache-dir --quiet -c constraints.txt --no-build-isolation \
    ".[train,annotation]" \
 && rm -rf README.md rabat training annotation retraining build ./*.egg-info \
 && mkdir -p /app/models /app/data /app/runs /app/reviews \
 && chown rabat:rabat /app/models /app/data /app/runs /app/reviews

COPY pyproject.toml README.md ./
COPY rabat/ rabat/
COPY training/ training/
COPY annotation/ annotation/
COPY retraining/ retraining/
COPY configs/ configs/
# the released model: configs/retrain.yaml continues from it
COPY release/ release/
RUN python -m pip install --no-cache-dir --quiet --no-build-isolation --no-deps --force-reinstall . \
 && rm -rf build ./*.egg-info

USER rabat
ENV RABAT_DATA_DIR=/app/data
VOLUME ["/app/models"]
CMD ["python", "-m", "retraining", "watch", "--dir", "/app/runs/retrain"]

# --- the HTTP service: the default target -----------------------------------------------------
FROM ${BASE_IMAGE} AS serve
ARG TORCH_SOURCE

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin rabat
WORKDIR /app

# Dependencies first, in a layer of their own: pyproject.toml with empty packages, so that a code
# change does not reinstall torch. The commands and pins of `make install`, with three differences:
# - every version comes from constraints.txt, the tested .venv's (scripts/constraints.sh),
#   setuptools too: the project builds with it, without build isolation, so that the code layer
#   needs no network;
# - torch comes from PyTorch's CPU index (TORCH_SOURCE): PyPI's Linux wheel of the same version
#   pulls in CUDA (several GB of nvidia-* packages) that a CPU service never loads. An extra
#   index, so that torch's own dependencies come from PyPI at their constrained versions; the
#   constraint torch==2.13.0+cpu admits only the CPU build;
# - the `serve` extra only (onnxruntime for the ONNX backends included): retraining is the job
#   above, batch scoring a job of its own, tests and linters stay on the host.
COPY pyproject.toml constraints.txt ./
RUN --mount=type=bind,from=wheels,target=/wheels \
    --mount=type=secret,id=ca-bundle \
    if [ -f /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
 && mkdir rabat service \
 && touch README.md rabat/__init__.py service/__init__.py \
 && python -m pip install --no-cache-dir --quiet -c constraints.txt --upgrade pip setuptools \
 && python -m pip install --no-cache-dir --quiet -c constraints.txt ${TORCH_SOURCE} \
    torch==2.13.0 \
 && python -m pip install --no-cache-dir --quiet -c constraints.txt --no-build-isolation \
    ".[serve]" \
 && rm -rf README.md rabat service build ./*.egg-info

# The baked-in model, if any, as training lays it out: a version directory and `latest`, the
# link that retraining repoints.
COPY --from=model --chown=rabat:rabat . /app/models/rabat-release/baked/
RUN cd /app/models/rabat-release \
 && if [ -f baked/rabat_model.json ]; then ln -s baked latest; \
    elif [ -n "$(ls -A baked)" ]; then \
      echo "--build-context model=DIR: DIR has no rabat_model.json, it is not a model" >&2; exit 1; \
    else rmdir baked; fi \
 && mkdir -p /app/runs \
 && find /app/models /app/runs -maxdepth 2 -exec chown -h rabat:rabat {} +

# The code, installed over the empty packages without touching the dependencies.
COPY pyproject.toml README.md ./
COPY rabat/ rabat/
COPY service/ service/
COPY configs/ configs/
COPY scripts/container_entrypoint.py /app/container_entrypoint.py
RUN python -m pip install --no-cache-dir --quiet --no-build-isolation --no-deps --force-reinstall . \
 && rm -rf build ./*.egg-info

USER rabat
ENV RABAT_HOST=0.0.0.0 \
    RABAT_PORT=8000 \
    RABAT_MODEL_DIR=/app/models/rabat-release/latest \
    RABAT_RETRAIN_LOG_DIR=/app/runs/retrain
VOLUME ["/app/models"]
EXPOSE 8000
# slim has no curl: Python asks /ready, which answers 200 once the model is loaded
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/ready' % os.environ.get('RABAT_PORT', '8000'), timeout=4)"]
# Without a model (an empty volume) the entrypoint waits, /ready answering 503 with how to
# provide one, instead of the service exiting 3 into a restart loop; other commands run as given.
ENTRYPOINT ["python", "/app/container_entrypoint.py"]
CMD ["python", "-m", "service"]
