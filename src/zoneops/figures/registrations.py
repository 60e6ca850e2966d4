"""Features, menu entries and hooks of this app (filled in as the app grows)."""
