"""Zone A's peer records for tests/core/test_isolation.py (a report with an accepted figure)."""
from zoneops.peers import services

from . import factories


def zone_a_records(data, zone_b):
    r = factories.report(data["zone"], peer_name="甲区机密地块同行",
                         text="甲区机密地块指标完成固定资产投资38.5亿元,同比增长40.9%。")
    services.accept_all(r, data.get("author"))
    factories.report(zone_b, peer_name="乙区同行")
    data["peer_report"] = r
