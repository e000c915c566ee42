"""Models of the app (none yet)."""
