"""Fixtures of the import tests (defined in import_support), available to every test here."""
from .import_support import immediate_tasks, media_root  # noqa: F401
