"""Rabat's own functional test suite: templates x identity groups x slurs, scored per category.

See suite.py; the English templates are templates.yaml and groups.yaml, the other languages'
languages/<code>/ (spec.py reads them, slurs.py derives slurs). `python -m evaluation functional
--model DIR` scores a model in every language (README.md).
"""
