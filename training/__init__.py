"""Training adapter: corpus recipes, fine-tuning, evaluation. Imports `rabat`, never the service."""
