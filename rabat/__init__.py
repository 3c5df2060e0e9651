"""Rabat: hate-speech and incitement classification with a Rabat Plan of Action explanation.

The domain core. It imports no web, annotation or training framework; heavy libraries (torch,
transformers) load only when a model is loaded.
"""

from rabat.labels import LABELS, Label

__all__ = ["LABELS", "Label"]
__version__ = "0.1.0"
