# syntax=docker/dockerfile:1
# Rabat's HTTP service on CPU, with the training and annotation CLIs its retraining runs.
#
#   docker build -t rabat .                    # the model comes from the /app/models volume
#   docker build -t rabat --build-context model="$(readlink -f models/rabat-minilm/latest)" .
#                                              # or is baked in (and seeds an empty volume)
#   docker run -p 8000:8000 -v rabat-models:/app/models rabat
#
# compose.yaml runs it beside Label Studio. tests/test_deploy.py keeps the pins below in step
# with the Makefile.

# Empty, unless `--build-context model=DIR` replaces it with a trained model directory.
FROM scratch AS model

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin rabat
WORKDIR /app

# Dependencies first, in a layer of their own: pyproject.toml with empty packages, so that a code
# change does not reinstall torch. The commands and pins of `make install`, with two differences:
# - torch comes from PyTorch's CPU index: PyPI's Linux wheel of the same version pulls in CUDA
#   (several GB of nvidia-* packages) that a CPU service never loads;
# - no `dev` extra (tests and linters). `train` and `annotation` stay: the onnx-int8 backend needs
#   onnxruntime (in `train`), and retraining runs `python -m annotation pull` and
#   `python -m training` in this container.
COPY pyproject.toml ./
RUN mkdir rabat training service annotation \
 && touch README.md rabat/__init__.py training/__init__.py service/__init__.py \
    annotation/__init__.py \
 && python -m pip install --no-cache-dir --quiet --upgrade pip \
 && python -m pip install --no-cache-dir --quiet --index-url https://download.pytorch.org/whl/cpu \
    torch==2.13.0 \
 && python -m pip install --no-cache-dir --quiet ".[train,serve,annotation]" \
 && rm -rf README.md rabat training service annotation build ./*.egg-info

# The baked-in model, if any, as training lays it out: a version directory and `latest`, the
# link that retraining repoints.
COPY --from=model --chown=rabat:rabat . /app/models/rabat-minilm/baked/
RUN cd /app/models/rabat-minilm \
 && if [ -f baked/rabat_model.json ]; then ln -s baked latest; \
    elif [ -n "$(ls -A baked)" ]; then \
      echo "--build-context model=DIR: DIR has no rabat_model.json, it is not a model" >&2; exit 1; \
    else rmdir baked; fi \
 && mkdir -p /app/data /app/runs /app/reviews \
 && find /app/models /app/data /app/runs /app/reviews -maxdepth 2 -exec chown -h rabat:rabat {} +

# The code, installed over the empty packages without touching the dependencies.
COPY pyproject.toml README.md ./
COPY rabat/ rabat/
COPY training/ training/
COPY service/ service/
COPY annotation/ annotation/
COPY configs/ configs/
RUN python -m pip install --no-cache-dir --quiet --no-deps --force-reinstall . \
 && rm -rf build ./*.egg-info

USER rabat
ENV RABAT_HOST=0.0.0.0 \
    RABAT_PORT=8000 \
    RABAT_MODEL_DIR=/app/models/rabat-minilm/latest \
    RABAT_DATA_DIR=/app/data
VOLUME ["/app/models"]
EXPOSE 8000
# slim has no curl: Python asks /ready, which answers 200 once the model is loaded
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/ready' % os.environ.get('RABAT_PORT', '8000'), timeout=4)"]
CMD ["python", "-m", "service"]
