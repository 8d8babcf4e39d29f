"""Synthetic head CT with known truth: phantom volumes, a DICOM writer for nine transfer syntaxes, the demo study."""
