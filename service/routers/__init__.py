"""One router per resource: classify, health (and the model card), metrics."""
