"""Rabat's answer in other services' terms: the calibrated quantities behind Perspective's
attributes and OpenAI's moderation categories (`quantities`, `calibration`), and the two
mappings (`perspective`, `moderation`). Pure logic: the service's drop-in endpoints use it, and
training/attributes.py fits the calibration curves."""
