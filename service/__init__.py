"""The HTTP service around `rabat.assessment.analysis.Analyzer`: `python -m service`."""
