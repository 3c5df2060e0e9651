"""Text: the clean-up shared by training and inference, language detection, and marker words."""
