"""地块地图 in a real browser: the parcels of a demo-like zone drawn by ECharts (no tiles), the
legend with counts and 亩, a click on a parcel opens its card, colour modes; and the boundary
import from upload to preview to commit."""
import json
import random
from decimal import Decimal

import pytest

from zoneops.core import geo
from zoneops.core.models import Membership
from zoneops.land import demo_map
from zoneops.registry.models import Parcel

from ..conftest import make_user
from ..registry import factories
from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATUSES = ["producing"] * 6 + ["building", "sold", "acquired", "reserved", "inefficient", "redeveloping"]


def demo_zone(zone, n=240):
    rng = random.Random(5)
    firms = [factories.enterprise(zone, i, name=f"台州{name}有限公司") for i, name in
             enumerate(["路桥汽配", "峰江再生金属", "新桥机电", "金清卫浴", "螺洋模具", "横街电机", "桐屿塑业", "路南精工"])]
    for i in range(n):
        area = round(min(200, max(5, rng.lognormvariate(3.2, 0.7))), 2)
        factories.parcel(zone, f"LQ-{2010 + i // 40}-{i:03}", area=str(area), name=f"{rng.choice(['峰江', '新桥', '金清'])}工业地块{i}",
                         status=rng.choice(STATUSES), holder=rng.choice(firms) if rng.random() < 0.8 else None,
                         floor_area_ratio=Decimal(str(round(rng.uniform(0.4, 3.2), 2))) if rng.random() < 0.9 else None)
    demo_map.load_demo_map([zone], seed=1)


def test_map_card_colours_and_import(live_server, page, zone_a, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    make_user("tudi", zone_a, Membership.Role.STAFF, first_name="陈土地")
    demo_zone(zone_a)
    login(page, base, "tudi", "pw-tudi")
    page.goto(f"{base}/land/map/")
    page.wait_for_selector("#land-map[data-ready='1'] canvas")
    page.wait_for_timeout(300)
    legend = page.locator("#map-legend").inner_text()
    assert "投产" in legend and "合计" in legend
    assert page.locator("#legend-count").inner_text() == "240"
    shot(page, "land-map")

    # a real click on a parcel's centre opens its card
    target = Parcel.objects.filter(zone=zone_a, area_mu__gte=60).order_by("code").first()
    lon, lat = geo.centroid(target.geometry)
    px = page.evaluate(f"window.zoneopsLandMap.chart.convertToPixel({{seriesIndex: 0}}, [{lon}, {lat}])")
    box = page.locator("#land-map").bounding_box()
    page.mouse.click(box["x"] + px[0], box["y"] + px[1])
    page.locator("#parcel-card:not([hidden])").wait_for()
    card = page.locator("#parcel-card").inner_text()
    assert target.code in card and target.get_status_display() in card
    assert page.locator("#card-link").get_attribute("href") == f"/registry/parcels/{target.pk}/"
    shot(page, "land-map-card")

    page.select_option("#map-colour", "far")
    page.click("#filter-form button[type=submit]")
    page.wait_for_selector("#land-map[data-ready='1'] canvas")
    assert "1.2 – 1.5" in page.locator("#map-legend").inner_text()
    page.select_option("#id_status", "producing")
    page.click("#filter-form button[type=submit]")
    page.wait_for_selector("#land-map[data-ready='1'] canvas")
    producing = Parcel.objects.filter(zone=zone_a, status="producing").count()
    assert page.locator("#legend-count").inner_text() == str(producing)
    shot(page, "land-map-far")

    # import: one good boundary, one broken, one unknown code
    good = geo.synthetic_polygon(121.40, 28.55, float(target.area_mu), seed=9)
    broken = {"type": "Polygon", "coordinates": [good["coordinates"][0][:-1]]}
    path = tmp_path / "边界.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"地块编号": target.code}, "geometry": good},
        {"type": "Feature", "properties": {"地块编号": "LQ-2010-001"}, "geometry": broken},
        {"type": "Feature", "properties": {"地块编号": "NO-SUCH"}, "geometry": good}]}, ensure_ascii=False))
    page.goto(f"{base}/land/map/")
    page.click("text=导入地块边界")
    page.set_input_files("#id_file", str(path))
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector("#import-problems")
    problems = page.locator("#import-problems").inner_text()
    assert "外环未闭合" in problems and "本开发区没有编号为 NO-SUCH 的地块" in problems
    shot(page, "land-map-import-preview")
    page.check("#id_valid_only")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("#land-map[data-ready='1'] canvas")
    assert "已导入：更新 1 个地块边界" in page.content()
    target.refresh_from_db()
    assert target.geometry == geo.validate(good)[0]
