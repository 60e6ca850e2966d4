import pytest

from zoneops.peers import demo
from zoneops.peers.models import PeerFigure, PeerReport

pytestmark = pytest.mark.django_db


def test_demo_loads_collected_reports_accepted(zone_a, zone_b, staff_a):
    demo.load_demo([zone_a, zone_b], seed=1, last_year=2023)
    assert PeerReport.objects.filter(zone=zone_a).count() == 3
    assert PeerReport.objects.filter(zone=zone_a, status="reviewed").count() == 3
    n = PeerFigure.objects.filter(zone=zone_a).count()
    assert n >= 40 and PeerFigure.objects.filter(zone=zone_b).count() == n
    assert PeerFigure.objects.filter(zone=zone_a, reviewed_by=staff_a).count() == n
    demo.load_demo([zone_a], seed=1, last_year=2023)  # idempotent
    assert PeerReport.objects.filter(zone=zone_a).count() == 3


def test_peer_figures_command(tmp_path):
    import io
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    p = tmp_path / "r.txt"
    p.write_text("全年完成固定资产投资38.5亿元,同比增长40.9%。", encoding="utf-8")
    out = io.StringIO()
    call_command("peer_figures", str(p), "--date", "2022-12-31", "--json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["value"], r["kind"], r["period"]) for r in rows] == [(38.5, "level", "2022"), (40.9, "growth", "2022")]
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"\x00\x01\x02")
    with pytest.raises(CommandError, match="二进制"):
        call_command("peer_figures", str(bad))
