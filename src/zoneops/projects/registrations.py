"""Features, menu entries and tabs of this app."""
