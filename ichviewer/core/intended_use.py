"""The "not for clinical use" wording, in one place for the status bar, AI dock, PDF, About box and CLI."""

NOT_FOR_CLINICAL_USE = "Research tool — not for clinical use"
NOT_A_MEDICAL_DEVICE = "It is not a medical device and must not be used for diagnosis, triage or treatment decisions."
HEATMAP_CAVEAT = "Heatmaps show where the model looked, not the extent of any bleed."
