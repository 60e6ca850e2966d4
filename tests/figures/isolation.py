"""Zone A's figures for tests/core/test_isolation.py: a value (its note is one of the marker names
the test looks for) and a target; zone B gets its own."""
from . import factories


def zone_a_records(data, zone_b):
    zone = data["zone"]
    data["figure_value"] = factories.value(zone, "fixed_investment", 2023, 7, 123456.78, note="甲区机密来源")
    data["figure_target"] = factories.target(zone, "fixed_investment", 2023, 400000, note="甲区机密来源")
    factories.value(zone_b, "fixed_investment", 2023, 7, 1000, note="乙区填报")
    factories.target(zone_b, "fixed_investment", 2023, 2000)
