"""Everything that computes: no Qt import anywhere below this package (checked by a test)."""
