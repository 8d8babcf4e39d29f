"""Reports of an analysed study (PDF)."""
