"""Everything that measures a model: `python -m evaluation COMMAND` (see __main__.py).

It reads what `training` builds (corpora, configs, splits, the functional suite); `training`
never imports it.
"""
