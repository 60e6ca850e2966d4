"""Peer figures in a real browser: paste a public report, review the extracted figures (the
figure highlighted in its sentence), correct one, drop one, accept the rest, compare; another
zone's user gets a 404."""
import pathlib

import pytest

from zoneops.core.models import Membership
from zoneops.peers.models import PeerFigure, PeerReport

from ..conftest import make_user
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = pathlib.Path(__file__).resolve().parents[1] / "data" / "peers" / "tongling-edz-2021.txt"


def test_paste_review_accept_compare(live_server, page, zone_a, zone_b):
    make_user("chen", zone_a, Membership.Role.STAFF)
    make_user("other", zone_b, Membership.Role.STAFF)
    text = "".join(line for line in REPORT.read_text(encoding="utf-8").splitlines(keepends=True)
                   if not line.startswith("# "))
    base = live_server.url

    login(page, base, "chen", "pw-chen")
    page.goto(f"{base}/peers/")
    page.click("text=新建")
    page.fill("#id_peer_name", "铜陵经济技术开发区")
    page.fill("#id_title", "市经开区抓项目育动能强工业")
    page.fill("#id_report_date", "2021-05-10")
    page.fill("#id_text", text)
    page.click("button:has-text('保存并提取')")
    page.wait_for_load_state()
    errors = page.locator(".mb-3.row:has(.field-error)").all_inner_texts()
    assert not errors, errors
    page.wait_for_selector("#review-table")
    assert "核对提取结果" in page.inner_text("h1")
    marks = page.locator("#review-table mark").all_inner_texts()
    assert "90亿元" in marks and "4000万美元" in marks and "600亩" in marks
    shot(page, "peers-review")

    report = PeerReport.objects.get()
    idx = {c["value"]: c["index"] for c in report.candidates}
    # correct the 外资 row's metric, drop the 22天 row, accept all others
    page.fill(f"input[name=metric-{idx[4000.0]}]", "到位外资")
    page.check(f"input[name=action-{idx[4000.0]}][value=accept]")
    page.check(f"input[name=action-{idx[22.0]}][value=drop]")
    page.click("button[name=save] >> nth=0")
    page.wait_for_selector(".alert-success, .alert")
    page.click("#accept-all")
    page.wait_for_load_state()
    assert PeerFigure.objects.count() == len(report.candidates) - 1
    fx = PeerFigure.objects.get(candidate_index=idx[4000.0])
    assert fx.metric == "到位外资" and fx.corrected and fx.kind == "target"

    page.goto(f"{base}/peers/compare/?metric=总投资")
    assert "铜陵经济技术开发区" in page.inner_text("main") if page.locator("main").count() else page.content()
    shot(page, "peers-compare")

    page.goto(f"{base}/logout/") if False else None
    page.context.clear_cookies()
    login(page, base, "other", "pw-other")
    resp = page.goto(f"{base}/peers/peer-reports/{report.pk}/review/")
    assert resp.status == 404
