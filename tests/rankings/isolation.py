"""Zone A's rankings records for tests/core/test_isolation.py.

Only the annual summary: it is zone data and must stay invisible to zone B. Ranking results are
deliberately not created here: issue 8 lets every zone's users see the ranking table (other
zones' names, scores and totals), so a zone-B user seeing "甲开发区" in a ranking is intended;
tests/rankings/test_views.py proves what stays hidden (links, item values, summaries)."""
from zoneops.rankings import summary
from zoneops.rankings.models import AnnualSummary


def zone_a_records(data, zone_b):
    zone = data["zone"]
    obj = AnnualSummary(zone=zone, year=2023)
    summary.apply(obj, summary.generate(zone, 2023))
    obj.highlights += "\n甲区机密企业有限公司签约。"
    obj.save()
    other = AnnualSummary(zone=zone_b, year=2023)
    summary.apply(other, summary.generate(zone_b, 2023))
    other.save()
    data["summary"] = obj
