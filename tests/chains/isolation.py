"""Zone A's chain records for tests/core/test_isolation.py (called through its app hook)."""
from . import factories


def zone_a_records(data, zone_b):
    factories.zone_records(data["zone"], data["enterprise"])
