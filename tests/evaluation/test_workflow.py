"""The review workflow: 调档 → 公示 → 异议 → 终评, each a named action in the history; 终评 freezes."""
import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zoneops.core.changelog import change_context
from zoneops.core.models import ObjectChange
from zoneops.evaluation import services
from zoneops.evaluation.models import Objection, Result, Run, RunState

from . import support

pytestmark = pytest.mark.django_db


def actions(obj):
    ct = ContentType.objects.get_for_model(obj.__class__)
    return list(ObjectChange.objects.filter(content_type=ct, object_id=str(obj.pk)).order_by("time", "id")
                .values_list("action", flat=True))


@pytest.fixture
def run(zone_a, staff_a):
    support.population(zone_a, 12)
    with change_context(user=staff_a):
        return support.make_run(zone_a, user=staff_a)


def today():
    return timezone.localdate()


def test_adjust_needs_a_reason_and_is_in_the_history(run, staff_a):
    r = run.results.get(rank=12)
    assert r.final_class == "D"
    with pytest.raises(services.WorkflowError, match="理由"):
        services.adjust_class(r, "C", "  ")
    with pytest.raises(services.WorkflowError, match="A、B、C、D"):
        services.adjust_class(r, "Z", "笔误")
    with change_context(user=staff_a):
        services.adjust_class(r, "C", "新投产设备已验收，经管委会会议研究")
    r.refresh_from_db()
    assert (r.class_code, r.final_class) == ("D", "C") and "管委会" in r.class_note
    change = ObjectChange.objects.get(object_id=str(r.pk), action="调档",
                                      content_type=ContentType.objects.get_for_model(Result))
    assert change.user == staff_a and change.before == {"final_class": "D"}
    assert change.after["理由"].startswith("新投产设备")
    run.refresh_from_db()
    assert run.state == RunState.ADJUSTING and "调档" in actions(run)
    assert run.class_counts["above"]["C"] == 4  # 3 by percentile + the adjusted one


def test_publish_dates_are_checked(run):
    with pytest.raises(services.WorkflowError, match="不能早于"):
        services.publish(run, today(), today() - datetime.timedelta(days=1))
    with pytest.raises(services.WorkflowError):
        services.publish(run, "2025-01-01", "2025-01-05")
    services.publish(run, today(), today() + datetime.timedelta(days=5))
    run.refresh_from_db()
    assert run.state == RunState.PUBLISHED and "公示" in actions(run)
    r = run.results.first()
    with pytest.raises(services.WorkflowError, match="公示前"):
        services.adjust_class(r, "A", "太迟了")


def test_objection_rescored_with_corrected_figures(run, staff_a):
    services.publish(run, today(), today() + datetime.timedelta(days=5))
    worst = run.results.select_related("run").get(rank=12)
    assert worst.final_class == "D"
    with pytest.raises(services.WorkflowError, match="佐证材料"):
        services.file_objection(worst, "税收漏报", None, staff_a)
    with pytest.raises(services.WorkflowError, match="佐证材料：.*类型不允许"):
        services.file_objection(worst, "税收漏报", support.evidence("a.exe"), staff_a)
    objection = services.file_objection(worst, "2023 年税收漏报 500 万元", support.evidence(), staff_a)
    run.refresh_from_db()
    assert run.state == RunState.OBJECTION
    with pytest.raises(services.WorkflowError, match="待处理"):
        services.file_objection(worst, "再提一次", support.evidence(), staff_a)
    with pytest.raises(services.WorkflowError, match="还有待处理的异议"):
        services.finalize(run)
    with pytest.raises(services.WorkflowError, match="更正数据或改定等级"):
        services.decide_objection(objection, True, "属实")
    others_before = dict(run.results.exclude(pk=worst.pk).values_list("pk", "final_class"))
    services.decide_objection(objection, True, "经税务部门核实属实", staff_a, corrections={"tax": "1000"})
    worst.refresh_from_db()
    objection.refresh_from_db()
    assert worst.items["tax_per_mu"]["v"] == pytest.approx(50.0)  # 1000 万元 / 20 亩
    assert worst.final_class == "A" and worst.class_code == "D"
    assert objection.status == "accepted" and objection.new_class == "A"
    assert dict(run.results.exclude(pk=worst.pk).values_list("pk", "final_class")) == others_before
    assert "异议采纳" in actions(worst) and "提出异议" in actions(worst)
    # re-running still reproduces everyone else from the snapshot
    assert services.recompute(run) == []


def test_objection_rejected_or_class_changed(run, staff_a):
    services.publish(run, today(), today() + datetime.timedelta(days=5))
    a, b = run.results.get(rank=11), run.results.get(rank=10)
    assert (a.final_class, b.final_class) == ("C", "C")
    o1 = services.file_objection(a, "不服", support.evidence(), staff_a)
    o2 = services.file_objection(b, "不服", support.evidence("说明.docx", b"PK.."), staff_a)
    with pytest.raises(services.WorkflowError, match="理由"):
        services.decide_objection(o1, False, "")
    services.decide_objection(o1, False, "材料不足以证明", staff_a)
    services.decide_objection(o2, True, "会议研究同意", staff_a, new_class="B")
    a.refresh_from_db(), b.refresh_from_db()
    assert a.final_class == "C" and b.final_class == "B"
    assert "异议驳回" in actions(a)


def test_enterprise_objection_only_within_the_window(run, staff_a):
    r = run.results.get(rank=12)
    services.publish(run, today() - datetime.timedelta(days=10), today() - datetime.timedelta(days=3))
    with pytest.raises(services.WorkflowError, match="不在公示期内"):
        services.file_objection(r, "晚了", support.evidence(), None, by_enterprise=True)
    services.file_objection(r, "工作人员代为登记", support.evidence(), staff_a)  # staff may still register


def test_final_freezes_everything(run, staff_a):
    services.publish(run, today(), today() + datetime.timedelta(days=5))
    r = run.results.get(rank=12)
    o = services.file_objection(r, "不服", support.evidence(), staff_a)
    services.decide_objection(o, False, "不予采纳", staff_a)
    with change_context(user=staff_a):
        services.finalize(run, staff_a)
    run.refresh_from_db()
    assert run.state == RunState.FINAL and run.finalized_at is not None and "终评" in actions(run)
    frozen = list(Result.objects.filter(run=run).order_by("pk").values_list("pk", "final_class", "total"))
    for attempt in (lambda: services.adjust_class(r, "A", "理由"),
                    lambda: services.publish(run, today(), today()),
                    lambda: services.file_objection(r, "再议", support.evidence(), staff_a),
                    lambda: services.decide_objection(o, True, "改判", staff_a, new_class="A"),
                    lambda: services.finalize(run),
                    lambda: services.delete_run(run)):
        with pytest.raises(services.WorkflowError):
            attempt()
    assert list(Result.objects.filter(run=run).order_by("pk").values_list("pk", "final_class", "total")) == frozen
    assert Run.objects.get(pk=run.pk).state == RunState.FINAL
    assert Objection.objects.get(pk=o.pk).status == "rejected"


def test_compare_runs(zone_a):
    firms = support.population(zone_a, 8, year=2022)
    for i, f in enumerate(firms):  # the order reverses the next year
        support.add_year(f, 2023, tax=str(500 - 40 * i), va=str(2700 - 150 * i))
    old = support.make_run(zone_a, year=2022)
    new = support.make_run(zone_a, year=2023)
    assert services.previous_run(new) == old
    matrix, moved = services.compare(old, new)
    assert matrix["A"]["D"] >= 1 and matrix["D"]["A"] >= 1
    assert sum(sum(row.values()) for row in matrix.values()) == 8
    assert {m[0] for m in moved} <= {f.pk for f in firms} and len(moved) >= 2
