"""The review format shared with Label Studio: the labeling form, pre-filled predictions, and
reviewers' decisions resolved into training rows."""
