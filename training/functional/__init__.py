"""Rabat's own functional test suite: templates x identity groups x slurs, scored per category.

See suite.py; the templates are templates.yaml, the groups groups.yaml.
"""
