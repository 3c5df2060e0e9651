"""The Rabat Plan of Action assessment: the caller's context, the policy, the six factors, the
threshold decision, and the Analyzer that puts a model's prediction and the assessment together."""
