"""The model: the network and its saved directory, the torch and ONNX backends that run it,
language routing between two models, and the one loader that picks a backend
(`rabat.model.loader`)."""
