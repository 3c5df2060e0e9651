"""Batch scoring: label a file or archive of texts with a Rabat model."""
