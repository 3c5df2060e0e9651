"""The retraining job: pull -> train -> export -> publish, in a process of its own.

It imports `rabat` and the standard library only, and runs each step as a subprocess of its own
CLI (`python -m annotation pull`, `python -m training`, `python -m training.export_onnx`); the
service asks for runs through `rabat.store.retrain_queue` and follows the versions they publish.
"""
