"""One router per resource: classify, health (and the model card), metrics, Label Studio's ML
backend protocol, retraining."""
