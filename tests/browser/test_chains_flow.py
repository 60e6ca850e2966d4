"""Chains in a real browser: open a chain, see the panorama, click a segment, confirm a mapping,
export the panorama PNG; another zone's user gets a 404."""

import pytest

from zoneops.chains import services
from zoneops.chains.models import ChainLeader, ChainMapping
from zoneops.core.models import Membership
from zoneops.registry.models import Enterprise

from ..conftest import make_user
from ..registry import factories as reg
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_panorama_click_segment_confirm_mapping(live_server, page, zone_a, zone_b):
    make_user("chen", zone_a, Membership.Role.STAFF)
    make_user("other", zone_b, Membership.Role.STAFF)
    from zoneops.chains import treeio

    chain = services.create_chain(zone_a, treeio.load_template("auto"), chief_name="王建国", chief_title="区长")
    firms = [("台州浏览器刹车片有限公司", "3670", "汽车刹车片、制动盘制造"),
             ("台州浏览器制动器有限公司", "3670", "盘式制动器、制动钳制造"),
             ("台州浏览器车灯有限公司", "3670", "汽车车灯、前照灯制造"),
             ("台州浏览器线束有限公司", "3670", "汽车线束制造"),
             ("台州浏览器整车有限公司", "3611", "乘用车整车制造")]
    for i, (name, code, scope) in enumerate(firms):
        ent = reg.enterprise(zone_a, i, name=name, industry_id=code, business_scope=scope,
                             scale="above" if i % 2 == 0 else "below")
        reg.figures(ent, 2024, revenue=50000 + 10000 * i)
    services.run_mapping(zone_a)
    ChainLeader.objects.create(zone=zone_a, chain=chain, enterprise=Enterprise.objects.get(name=firms[0][0]))
    base = live_server.url

    login(page, base, "chen", "pw-chen")
    page.goto(f"{base}{chain.get_absolute_url()}")
    page.wait_for_function("window.zoPanorama !== undefined")
    assert "汽车整车及零部件" in page.inner_text("h1")
    assert "环节覆盖" in page.content()
    shot(page, "chains-panorama")

    # Click the 制动系统 node: find its pixel position from the chart's layout.
    pos = page.evaluate("""() => {
        const c = window.zoPanorama; const model = c.getModel().getSeriesByIndex(0);
        const data = model.getData(); let out = null;
        for (let i = 0; i < data.count(); i++) {
            if (data.getName(i) === '制动系统') { const el = data.getItemGraphicEl(i); out = el.transformCoordToGlobal(0, 0); }
        }
        return out; }""")
    box = page.locator("#panorama").bounding_box()
    page.mouse.click(box["x"] + pos[0], box["y"] + pos[1])
    page.wait_for_selector("#segment-panel:has-text('台州浏览器刹车片有限公司')")
    shot(page, "chains-segment-panel")

    m = ChainMapping.objects.get(enterprise__name="台州浏览器制动器有限公司")
    page.click(f"#mapping-{m.pk} button:has-text('确认')")
    page.wait_for_selector(f"#mapping-{m.pk}:has-text('人工确认')")
    m.refresh_from_db()
    assert m.source == "confirmed"

    with page.expect_download() as info:
        page.click("#png-btn")
    data = info.value.path().read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"

    page.goto(f"{base}{chain.get_absolute_url()}?tab=gaps")
    assert "缺失" in page.content() and "补链" in page.content()
    shot(page, "chains-gaps")
    page.goto(f"{base}{chain.get_absolute_url()}?tab=tree")
    shot(page, "chains-tree")

    page.context.clear_cookies()
    login(page, base, "other", "pw-other")
    r = page.goto(f"{base}{chain.get_absolute_url()}")
    assert r.status == 404 and "台州浏览器" not in page.content()
