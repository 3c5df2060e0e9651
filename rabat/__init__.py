"""Rabat: hate-speech and incitement classification with a Rabat Plan of Action explanation.

The domain core. It imports no web, annotation or training framework; heavy libraries (torch,
transformers) load only when a model is loaded. Its rooms, from the bottom up:

    labels.py, signals.py   the labels and the target groups (one source of truth each)
    defaults.py             the model trained and served when nothing says otherwise
    text/                   clean-up shared by training and inference, language, marker words
    model/                  the network, its directory, the torch and ONNX backends, evidence,
                            and the one loader (model/loader.py)
    assessment/             the caller's context, the policy, the six factors, the decision,
                            the Analyzer that joins a prediction and its assessment, and
                            routing between two models
    review/                 the review form and reviews, the format shared with Label Studio
    store/                  rows read from CSV or JSON lines, files written whole, the
                            retraining queue the service and the job share
"""

from rabat.labels import LABELS, Label

__all__ = ["LABELS", "Label"]
__version__ = "0.1.0"
