"""What Rabat trains and serves when nothing says otherwise.

The released model is the default: it is committed in release/ (rabat/model/release.py), trained
once per release by `make release` (configs/release.yaml, on corpora whose licences allow
commercial use), and installed by `make run` as models/rabat-release/latest. Retraining
(`make train REVIEWS=...`, the review loop's job) continues from it with configs/retrain.yaml and
publishes the next version under the same name, so everything that reads the default path (the
service, the annotation tools, `make eval`) follows. The English model stays one setting away
(`CONFIG=configs/train.yaml`, `RABAT_MODEL_DIR=models/rabat-minilm/latest`), and routing serves
English text with it beside the multilingual one (`RABAT_ROUTE_MODEL_DIR`).

The Python entry points read these names; the Makefile, scripts/run.sh, scripts/image-check.sh,
the Dockerfile, compose.yaml and the container's entrypoint (standard library only) spell them
out, and tests/test_deploy.py checks that they agree.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_CONFIG = Path("configs/retrain.yaml")
DEFAULT_MODEL_DIR = Path("models/rabat-release/latest")
RELEASE_CONFIG = Path("configs/release.yaml")
RELEASE_DIR = Path("release")
ENGLISH_CONFIG = Path("configs/train.yaml")
ENGLISH_MODEL_DIR = Path("models/rabat-minilm/latest")
