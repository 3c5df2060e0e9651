"""The model: the network and its saved directory, the torch and ONNX backends that run it (on
one base, `rabat.model.backend`), evidence, and the one loader that picks a backend
(`rabat.model.loader`). Routing between two loaded models is `rabat.assessment.routing`."""
