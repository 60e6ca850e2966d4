"""Two people editing the same problem: the second one gets a clear message and changes nothing."""
import pytest
from django.urls import reverse

from tests.conftest import make_user
from tests.core.viewtests import form_payload
from zoneops.core.models import Membership
from zoneops.service.forms import ProblemForm
from zoneops.service.models import Problem

from .conftest import assigned, problem

pytestmark = pytest.mark.django_db


def test_second_editor_is_refused(client, staff_a, zone_a):
    p = problem(zone_a, 1)
    other = make_user("staff_a2", zone_a, Membership.Role.STAFF)
    # Both open the edit page at version 1.
    mine = form_payload(ProblemForm(instance=p, user=staff_a))
    theirs = form_payload(ProblemForm(instance=p, user=other))
    assert mine["version"] == theirs["version"] == "1"
    client.force_login(staff_a)
    r = client.post(reverse("service:problem_edit", args=[p.pk]), {**mine, "title": "第一位的标题"})
    assert r.status_code == 302
    assert Problem.objects.get(pk=p.pk).version == 2
    client.force_login(other)
    r = client.post(reverse("service:problem_edit", args=[p.pk]), {**theirs, "title": "第二位的标题"})
    assert r.status_code == 400
    assert "已被他人修改" in r.content.decode() and "本次修改未保存" in r.content.decode()
    fresh = Problem.objects.get(pk=p.pk)
    assert fresh.title == "第一位的标题" and fresh.version == 2


def test_stale_workflow_post_changes_nothing(client, staff_a, dept, dept_user, zone_a):
    p = assigned(problem(zone_a, 2), staff_a, dept)
    client.force_login(dept_user)
    client.post(reverse("service:problem_accept", args=[p.pk]), {"version": p.version})
    r = client.post(reverse("service:problem_return", args=[p.pk]), {"version": p.version, "reason": "旧页面"},
                    follow=True)
    assert "已被他人修改" in r.content.decode()
    fresh = Problem.objects.get(pk=p.pk)
    assert fresh.state == "in_progress" and fresh.department == dept


def test_api_needs_the_current_version(client, staff_a, zone_a):
    p = problem(zone_a, 3)
    client.force_login(staff_a)
    url = reverse("problem-detail", args=[p.pk])
    r = client.patch(url, {"title": "没有版本号"}, content_type="application/json")
    assert r.status_code == 400 and "版本号" in r.json()["version"][0]
    assert client.patch(url, {"title": "新标题", "version": 1}, content_type="application/json").status_code == 200
    r = client.patch(url, {"title": "旧版本的修改", "version": 1}, content_type="application/json")
    assert r.status_code == 400 and "已被他人修改" in r.json()["version"][0]
    assert Problem.objects.get(pk=p.pk).title == "新标题"
