"""Training and evaluation of the hemorrhage classifier (uses torch; not needed to view studies)."""
