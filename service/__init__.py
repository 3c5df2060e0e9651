"""The HTTP service around rabat.analysis.Analyzer: `python -m service` or `make serve`."""
