"""Plans: the evaluation snapshot, pre-filling from a candidate, measures and notes on the plan page."""
import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.core.models import ObjectChange
from zoneops.evaluation.models import Result
from zoneops.improvement.models import ImprovementPlan, Measure, ProgressNote

from ..registry import factories
from . import helpers

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
SOON = TODAY + datetime.timedelta(days=300)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def firm_d(zone_a):
    ent = factories.enterprise(zone_a, 1, name="甲区低效企业有限公司")
    factories.parcel(zone_a, "P-D", holder=ent, area="25")
    run = helpers.run(zone_a, 2024, state="final")
    helpers.result(run, ent, cls="D", total=31.5, land=25.0,
                   explanation={"next_class": "C", "need_tax_per_mu": 14.25, "gap_score": 3.1})
    return ent


@pytest.fixture
def plan_a(firm_d, staff_a):
    return helpers.plan(firm_d, owner=staff_a, title="甲区低效企业提升方案")


def changes(obj):
    return ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)),
                                       object_id=str(obj.pk))


# -- creation ------------------------------------------------------------------------------------

def test_plan_copies_the_class_at_creation_and_keeps_it(client_a, firm_d, staff_a):
    r = client_a.post("/improvement/plans/add/", {
        "zone": firm_d.zone_id, "enterprise": firm_d.uscc, "deadline": SOON.isoformat(), "status": "drafting",
        "owner": staff_a.pk})
    assert r.status_code == 302, r.context["form"].errors
    plan = ImprovementPlan.objects.get()
    assert (plan.eval_year, plan.eval_class, plan.eval_total) == (2024, "D", 31.5)
    assert str(plan) == "甲区低效企业有限公司 一企一策"
    # A later 调档 (or a new run) does not rewrite why the plan was made.
    Result.objects.filter(enterprise=firm_d).update(final_class="C")
    plan.status = "active"
    plan.save()
    plan.refresh_from_db()
    assert plan.eval_class == "D"
    assert changes(plan).filter(action="create").get().user == staff_a


def test_plan_for_a_firm_without_results(client_a, zone_a, staff_a):
    ent = factories.enterprise(zone_a, 2)
    plan = helpers.plan(ent, owner=staff_a)
    assert plan.eval_year is None and plan.eval_class == ""


def test_prefill_from_candidate(client_a, firm_d, staff_a):
    r = client_a.get("/improvement/plans/add/", {"enterprise": firm_d.pk})
    assert r.status_code == 200
    form = r.context["form"]
    assert form["enterprise"].value() == firm_d.uscc
    assert form["target_class"].value() == "C"
    assert float(form["target_tax_per_mu"].value()) == 14.25
    assert "D 类" in form["situation"].value() and "31.50" in form["situation"].value()
    assert form["owner"].value() == staff_a.pk
    html = r.content.decode()
    assert "甲区低效企业有限公司" in html and "升至 C 类约需亩均税收 14.25" in html


def test_prefill_ignores_another_zones_firm(client_b, firm_d):
    r = client_b.get("/improvement/plans/add/", {"enterprise": firm_d.pk})
    assert r.status_code == 200
    html = r.content.decode()
    assert firm_d.name not in html and firm_d.uscc not in html
    assert client_b.get("/improvement/plans/add/", {"enterprise": "x"}).status_code == 200


def test_viewer_cannot_create(client, viewer_a, firm_d):
    client.force_login(viewer_a)
    assert client.get("/improvement/plans/add/", {"enterprise": firm_d.pk}).status_code == 403


# -- measures and notes ---------------------------------------------------------------------------

def test_plan_page_shows_forms_to_writers_only(client, client_a, plan_a, viewer_a):
    html = client_a.get(plan_a.get_absolute_url()).content.decode()
    assert 'id="measure-form"' in html and 'id="note-form"' in html
    client.force_login(viewer_a)
    html = client.get(plan_a.get_absolute_url()).content.decode()
    assert "甲区低效企业提升方案" in html
    assert 'id="measure-form"' not in html and 'id="note-form"' not in html


def test_add_measure_htmx_and_plain(client_a, plan_a, staff_a):
    url = f"/improvement/plans/{plan_a.pk}/measures/"
    data = {"category": "revitalize", "content": "收回闲置土地 8 亩，引入新项目", "department": "自然资源和规划分局",
            "person": "王科长", "deadline": SOON.isoformat(), "state": "pending"}
    r = client_a.post(url, data, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith('<section id="measures"') and "收回闲置土地 8 亩" in html and "强制盘活" in html
    m = Measure.objects.get()
    assert m.zone_id == plan_a.zone_id and m.plan == plan_a
    assert changes(m).get().user == staff_a
    r = client_a.post(url, {**data, "category": "excel", "content": "申报省级技术中心"})
    assert r.status_code == 302 and r["Location"].endswith("#measures")
    assert plan_a.measures.count() == 2


@pytest.mark.parametrize("overrides, message", [
    ({"content": "   "}, "必填"),
    ({"content": "长" * 2001}, "2000"),
    ({"deadline": "2001-01-01"}, "不能早于制定日期"),
    ({"category": "nonsense"}, "选择一个有效的选项"),
])
def test_add_measure_invalid(client_a, plan_a, overrides, message):
    data = {"category": "supervise", "content": "督促企业按期投产", "deadline": SOON.isoformat(), "state": "pending",
            **overrides}
    for extra in (HTMX, {}):
        r = client_a.post(f"/improvement/plans/{plan_a.pk}/measures/", data, **extra)
        assert r.status_code == 400
        assert message in r.content.decode()
    assert not Measure.objects.exists()


def test_measure_state_edit_delete(client_a, plan_a, staff_a):
    m = Measure.objects.create(zone=plan_a.zone, plan=plan_a, category="merge", content="引导兼并重组")
    r = client_a.post(f"/improvement/measures/{m.pk}/state/", {"state": "doing"}, **HTMX)
    assert r.status_code == 200 and 'value="doing" selected' in r.content.decode()
    m.refresh_from_db()
    assert m.state == "doing"
    update = changes(m).filter(action="update").get()
    assert update.before["state"] == "pending" and update.after["state"] == "doing" and update.user == staff_a
    assert client_a.get(f"/improvement/measures/{m.pk}/edit/").status_code == 200
    r = client_a.post(f"/improvement/measures/{m.pk}/edit/", {"category": "merge", "content": "", "state": "doing"})
    assert r.status_code == 400 and "必填" in r.content.decode()
    r = client_a.post(f"/improvement/measures/{m.pk}/edit/", {"category": "renovate", "content": "厂房改造提容",
                                                              "state": "done"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert (m.category, m.content, m.state) == ("renovate", "厂房改造提容", "done")
    r = client_a.post(f"/improvement/measures/{m.pk}/delete/", **HTMX)
    assert r.status_code == 200 and not Measure.objects.exists()
    assert changes(m).filter(action="delete").exists()


def test_progress_notes(client_a, plan_a, staff_a):
    url = f"/improvement/plans/{plan_a.pk}/notes/"
    r = client_a.post(url, {"date": TODAY.isoformat(), "text": "已约谈企业负责人，企业承诺年内腾退 5 亩。"}, **HTMX)
    assert r.status_code == 200 and "已约谈企业负责人" in r.content.decode()
    note = ProgressNote.objects.get()
    assert note.author == staff_a and note.zone_id == plan_a.zone_id
    for data, message in [({"date": TODAY.isoformat(), "text": " "}, "必填"),
                          ({"date": (TODAY + datetime.timedelta(days=3)).isoformat(), "text": "未来"}, "不能晚于今天"),
                          ({"date": TODAY.isoformat(), "text": "长" * 2001}, "2000")]:
        r = client_a.post(url, data, **HTMX)
        assert r.status_code == 400 and message in r.content.decode()
    assert ProgressNote.objects.count() == 1
    html = client_a.get(plan_a.get_absolute_url()).content.decode()
    assert "已约谈企业负责人" in html and "staff_a" in html
    r = client_a.post(f"/improvement/notes/{note.pk}/delete/")
    assert r.status_code == 302 and not ProgressNote.objects.exists()


def test_other_zone_and_viewers_cannot_touch_measures_or_notes(client, plan_a, staff_b, viewer_a):
    m = Measure.objects.create(zone=plan_a.zone, plan=plan_a, category="merge", content="甲区机密措施")
    note = ProgressNote.objects.create(zone=plan_a.zone, plan=plan_a, text="甲区机密进展")
    for user in (staff_b, viewer_a):
        client.force_login(user)
        for url, data in [(f"/improvement/plans/{plan_a.pk}/measures/", {"category": "merge", "content": "x"}),
                          (f"/improvement/plans/{plan_a.pk}/notes/", {"text": "x", "date": TODAY.isoformat()}),
                          (f"/improvement/measures/{m.pk}/state/", {"state": "done"}),
                          (f"/improvement/measures/{m.pk}/edit/", {"category": "merge", "content": "改"}),
                          (f"/improvement/measures/{m.pk}/delete/", {}),
                          (f"/improvement/notes/{note.pk}/delete/", {})]:
            r = client.post(url, data, **HTMX)
            assert r.status_code == 404, (user, url)
            assert "机密" not in r.content.decode()
        assert client.get(f"/improvement/measures/{m.pk}/edit/").status_code == 404
    m.refresh_from_db()
    assert (m.state, m.content) == ("pending", "甲区机密措施")
    assert Measure.objects.count() == 1 and ProgressNote.objects.count() == 1


def test_plan_page_queries_do_not_grow(client_a, plan_a, staff_a, django_assert_max_num_queries):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client_a.get(plan_a.get_absolute_url()).status_code == 200
        return len(ctx)

    Measure.objects.create(zone=plan_a.zone, plan=plan_a, category="merge", content="措施")
    ProgressNote.objects.create(zone=plan_a.zone, plan=plan_a, text="进展", author=staff_a)
    few = count()
    for i in range(15):
        Measure.objects.create(zone=plan_a.zone, plan=plan_a, category="excel", content=f"措施{i}")
        ProgressNote.objects.create(zone=plan_a.zone, plan=plan_a, text=f"进展{i}", author=staff_a)
    with django_assert_max_num_queries(12):
        assert count() == few


def test_plan_list_queries_do_not_grow(client_a, zone_a, staff_a):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client_a.get("/improvement/plans/", {"cols": "title,enterprise,categories,owner,zone"}).status_code == 200
        return len(ctx)

    def add(i):
        p = helpers.plan(factories.enterprise(zone_a, 200 + i), owner=staff_a)
        Measure.objects.create(zone=zone_a, plan=p, category="excel", content="x")

    add(0)
    few = count()
    for i in range(1, 20):
        add(i)
    assert count() == few
