"""Moves with the database, figures, agenda, problems, meeting reports."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from zoneops.core.changelog import change_context
from zoneops.core.models import ObjectChange
from zoneops.projects import engine, reports, services
from zoneops.projects.models import Approval, MeetingItem, Project, StageEvent

from ..registry import factories as reg
from . import factories

D = dt.date


def test_new_project_gets_checklist_event_and_plan(zone_a, staff_a):
    with change_context(user=staff_a):
        p = factories.project(zone_a, planned_signed=D(2020, 1, 1))
    assert list(p.approvals.values_list("name", flat=True)) == list(engine.DEFAULT_APPROVALS)
    assert StageEvent.objects.get(project=p).user == staff_a
    assert p.next_due == D(2020, 1, 1) and p.plan_status == engine.BEHIND
    hq = factories.project(zone_a, 1, project_type=factories.ptype(zone_a, "总部"))
    assert list(hq.approvals.values_list("name", flat=True)) == ["立项/备案"]


def test_move_records_who_when_and_history(zone_a, staff_a):
    p = factories.project(zone_a)
    with change_context(user=staff_a):
        services.move(p, "signed", staff_a, dates={"talks": D(2024, 1, 5), "signed": D(2024, 2, 1)})
    p.refresh_from_db()
    assert p.stage == "signed" and p.talks_on == D(2024, 1, 5) and p.signed_on == D(2024, 2, 1)
    ev = StageEvent.objects.filter(project=p).exclude(from_stage="").get()
    assert (ev.from_stage, ev.to_stage, ev.actual_on, ev.user) == ("lead", "signed", D(2024, 2, 1), staff_a)
    named = ObjectChange.objects.get(object_id=str(p.pk), action="stage_move")
    assert named.user == staff_a and named.after["stage"] == "signed"
    with pytest.raises(services.MoveError, match="终止原因"):
        services.move(p, "terminated", staff_a)
    services.move(p, "terminated", staff_a, reason="用地指标无法落实")
    p.refresh_from_db()
    assert p.termination_reason == "用地指标无法落实" and p.plan_status is None


def test_figures_for_a_period(zone_a, zone_b):
    def mk(i, zone=zone_a, **kw):
        return factories.project(zone, i, **kw)

    mk(1, agreed_investment=Decimal(30000), signed_on=D(2024, 1, 10), land_on=D(2024, 3, 1),
       started_on=D(2024, 3, 27), producing_on=D(2024, 9, 1), stage="producing", land_mu=Decimal(50))
    mk(2, agreed_investment=Decimal(29999.99), signed_on=D(2024, 2, 1), stage="signed")
    mk(3, agreed_investment=Decimal(100000), signed_on=D(2023, 12, 31), stage="signed")  # before the period
    mk(4, agreed_investment=Decimal(500000), signed_on=D(2024, 12, 31), land_on=D(2024, 12, 31),
       started_on=D(2025, 1, 10), stage="started")  # started after the period
    mk(5, zone_b, agreed_investment=Decimal(900000), signed_on=D(2024, 5, 1), stage="signed")
    p1 = Project.objects.get(name__endswith="项目001")
    Approval.objects.filter(project=p1, name="立项/备案").update(applied_on=D(2023, 12, 30), granted_on=D(2024, 1, 2))
    f = services.period_figures([zone_a.pk], D(2024, 1, 1), D(2024, 12, 31), today=D(2025, 2, 1))
    assert f["signed"] == 3
    assert f["bands"] == {"3亿以上": 2, "10亿以上": 1, "20亿以上": 1, "50亿以上": 1}
    assert f["agreed_total"] == pytest.approx(30000 + 29999.99 + 500000)
    assert f["start_rate"] == pytest.approx(33.3)  # one of three signed started within the period
    assert f["durations"]["land_started"]["median"] == 26
    assert f["approvals"][0]["name"] == "立项/备案" and f["approvals"][0]["median"] == 3  # across the year end
    tables = reports.figure_tables(f)
    content = reports.xlsx_tables(tables.values())
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content))
    assert "签约项目规模分档" in book.sheetnames


def test_agenda_selection(zone_a, staff_a):
    from zoneops.service.models import Department, ProblemCategory

    ent = reg.enterprise(zone_a, 1)
    behind = factories.project(zone_a, 1, planned_signed=D(2020, 1, 1))
    on_plan = factories.project(zone_a, 2, planned_signed=D(2099, 1, 1))
    with_problem = factories.project(zone_a, 3, investor=ent)
    moved = factories.project(zone_a, 4)
    old = factories.meeting(zone_a, dt.date.today() - dt.timedelta(days=14))
    services.move(moved, "talks", staff_a, dates={"talks": dt.date.today()})
    dept = Department.objects.create(zone=zone_a, name="建设局")
    ProblemCategory.ensure_defaults([zone_a.pk])
    problem = services.raise_problem(with_problem, staff_a, title="施工许可待办", description="x", department=dept,
                                     deadline=dt.date.today())
    meeting = factories.meeting(zone_a, dt.date.today() + dt.timedelta(days=1), s=old.series)
    services.build_agenda(meeting)
    items = {i.project_id: i.reasons for i in MeetingItem.objects.filter(meeting=meeting)}
    assert items[behind.pk] == ["behind"]
    assert items[with_problem.pk] == ["overdue"]  # its deadline (today) is before the meeting
    assert items[moved.pk] == ["moved"]
    assert on_plan.pk not in items
    assert problem.subject == with_problem and problem.enterprise == ent


def test_agenda_is_built_set_based_and_rebuilt_keeping_decisions(zone_a, zone_b, staff_a):
    today = dt.date.today()
    behind = [factories.project(zone_a, i, planned_signed=D(2020, 1, 1)) for i in range(3)]
    fine = factories.project(zone_a, 9, planned_signed=D(2099, 1, 1))
    moved = factories.project(zone_a, 10)
    stopped = factories.project(zone_a, 11, planned_signed=D(2020, 1, 1))
    services.move(stopped, "terminated", staff_a, reason="投资方撤资")
    services.move(moved, "talks", staff_a, dates={"talks": today})
    other = factories.project(zone_b, 1, planned_signed=D(2020, 1, 1))  # another zone's late project
    meeting = factories.meeting(zone_a, today)
    services.build_agenda(meeting)
    items = list(MeetingItem.objects.filter(meeting=meeting).order_by("order", "project_id"))
    # the set-based build matches the pure selection, in its order
    assert [(i.project_id, i.reasons) for i in items] == services.agenda_ids(meeting)
    assert [i.project_id for i in items] == [*(p.pk for p in behind), moved.pk, stopped.pk]
    assert dict((i.project_id, i.reasons) for i in items)[stopped.pk] == ["moved"]  # terminated: its move only
    assert all(i.stage == Project.objects.get(pk=i.project_id).stage and i.zone_id == zone_a.pk for i in items)
    assert fine.pk not in {i.project_id for i in items} and other.pk not in {i.project_id for i in items}
    assert ObjectChange.objects.filter(object_id=str(meeting.pk), action="agenda").count() == 1
    assert ObjectChange.objects.filter(object_id=str(meeting.pk), action="update").count() == 0
    meeting.refresh_from_db()
    assert meeting.agenda_built is not None

    # a decision on one late project; then both late projects catch up with their plan
    decided = MeetingItem.objects.get(meeting=meeting, project=behind[0])
    decided.decision = "限期开工"
    decided.save()
    Project.objects.filter(pk__in=[behind[0].pk, behind[1].pk]).update(next_due=D(2099, 1, 1))
    Project.objects.filter(pk=fine.pk).update(next_due=D(2020, 1, 1))  # and one falls behind
    services.build_agenda(meeting)
    after = {i.project_id: i for i in MeetingItem.objects.filter(meeting=meeting)}
    assert after[behind[0].pk].pk == decided.pk and after[behind[0].pk].decision == "限期开工"  # kept
    assert behind[1].pk not in after  # undecided and no longer late: dropped
    assert after[fine.pk].reasons == ["behind"] and after[fine.pk].order == 1  # new
    assert after[moved.pk].reasons == ["moved"] and after[moved.pk].order == 3
    assert ObjectChange.objects.filter(object_id=str(meeting.pk), action="agenda").count() == 2


def test_meeting_report_docx_is_readable(zone_a, staff_a, client_a):
    from docx import Document

    p = factories.project(zone_a, 1, name="年产25万套新能源车灯项目", planned_signed=D(2020, 1, 1))
    m = factories.meeting(zone_a, dt.date.today(), location="管委会三楼会议室", chair="杨主任", attendees="招商局、建设局")
    services.build_agenda(m)
    item = m.items.get(project=p)
    r = client_a.post(reverse("projects:item_record", args=[item.pk]),
                      {f"i{item.pk}-decision": "由建设局牵头落实施工许可", f"i{item.pk}-next_steps": "两周内开工"})
    assert r.status_code == 302
    r = client_a.get(reverse("projects:meeting_docx", args=[m.pk]))
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(par.text for par in doc.paragraphs)
    assert "会议纪要" in text and "时间：" in text and "地点：管委会三楼会议室" in text and "主持：杨主任" in text
    assert "一、年产25万套新能源车灯项目" in text and "由建设局牵头落实施工许可" in text
    r = client_a.get(reverse("projects:meeting_xlsx", args=[m.pk]))
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(2, 2).value == "年产25万套新能源车灯项目"


def test_board_move_dialog_and_pages(zone_a, staff_a, client_a):
    p = factories.project(zone_a, 1)
    r = client_a.get(reverse("projects:board"))
    assert r.status_code == 200 and p.name in r.content.decode()
    r = client_a.get(reverse("projects:project_move", args=[p.pk]), {"to": "signed"})
    html = r.content.decode()
    assert "洽谈实际日期" in html and "签约实际日期" in html
    r = client_a.post(reverse("projects:project_move", args=[p.pk]), {"to": "signed", "date_signed": "2024-02-01"},
                      HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "跳过了“洽谈”阶段" in r.content.decode()
    r = client_a.post(reverse("projects:project_move", args=[p.pk]),
                      {"to": "signed", "date_talks": "2024-01-01", "date_signed": "2024-02-01"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 204
    p.refresh_from_db()
    assert p.stage == "signed"
    for name in ("projects:figures", "projects:officers"):
        assert client_a.get(reverse(name)).status_code == 200
    r = client_a.get(reverse("projects:project_detail", args=[p.pk]), {"tab": "timeline"})
    assert "签约" in r.content.decode() and r.status_code == 200
    r = client_a.get(reverse("projects:figures"), {"export": "xlsx", "figure": "bands"})
    assert r["Content-Type"].startswith("application/vnd.openxml")


def test_candidate_becomes_a_lead(zone_a, staff_a):
    from zoneops.chains import services as chain_services
    from zoneops.chains.models import Candidate

    cand = Candidate.objects.create(zone=zone_a, name="宁波某汽车电子股份有限公司", province="浙江", city="宁波")
    lead = chain_services.candidate_to_lead(cand, staff_a)
    assert isinstance(lead, Project) and lead.source == "map" and lead.investor_name == cand.name
    assert chain_services.candidate_to_lead(cand, staff_a) == lead  # not twice


def test_project_report_command(zone_a):
    from django.core.management import call_command

    factories.project(zone_a, 1, agreed_investment=Decimal(100000), signed_on=D(2024, 3, 1), stage="signed")
    out = io.StringIO()
    call_command("project_report", "--zone", zone_a.code, "--from", "2024-01-01", "--to", "2024-12-31", stdout=out)
    text = out.getvalue()
    import re

    assert "签约项目规模分档" in text and re.search(r"10亿以上\s+1\b", text) and re.search(r"3亿以上\s+1\b", text)
