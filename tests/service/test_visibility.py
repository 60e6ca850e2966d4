"""Who sees which problems: an enterprise user only their own firm's (pages, API, export,
attachments), a department user only their department's, zone B nothing of zone A."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import make_user
from tests.core.viewtests import response_text
from zoneops.core.models import Membership
from zoneops.service.models import Problem, ProblemAttachment

from .conftest import assigned, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(zone_a, zone_b, staff_a, staff_b, dept, other_dept, firm_x, firm_y, media):
    px = assigned(problem(zone_a, 1, enterprise=firm_x, title="星火的诉求"), staff_a, dept)
    py = assigned(problem(zone_a, 2, enterprise=firm_y, title="远山的诉求"), staff_a, other_dept)
    pb = problem(zone_b, 3, title="乙区的诉求")
    atts = {}
    for p in (px, py, pb):
        from zoneops.service.views import store_attachment

        atts[p.pk] = store_attachment(p, SimpleUploadedFile(f"{p.pk}.pdf", b"%PDF-1.4 secret " + p.title.encode()),
                                      staff_a)
    return {"x": px, "y": py, "b": pb, "atts": atts}


def titles(client, url, params=None):
    return response_text(client.get(url, params or {}))


def test_enterprise_user_sees_only_own_firm(client, firm_user, world):
    client.force_login(firm_user)
    x, y, b = world["x"], world["y"], world["b"]
    portal = titles(client, reverse("portal"))
    assert "星火的诉求" in portal and "远山的诉求" not in portal
    assert client.get(x.get_absolute_url()).status_code == 200
    for other in (y, b):
        r = client.get(other.get_absolute_url())
        assert r.status_code == 404 and other.title not in r.content.decode()
    listing = titles(client, reverse("service:problem_list"))
    assert "星火的诉求" in listing and "远山的诉求" not in listing and "乙区的诉求" not in listing
    for fmt in ("xlsx", "csv"):
        text = titles(client, reverse("service:problem_list"), {"export": fmt})
        assert "星火的诉求" in text and "远山的诉求" not in text
    api = client.get(reverse("problem-list")).json()
    assert [p["title"] for p in api["results"]] == ["星火的诉求"]
    assert client.get(reverse("problem-detail", args=[y.pk])).status_code == 404
    assert client.get(reverse("problem-detail", args=[x.pk])).status_code == 200
    # Reading is all: no writing over the API, no workflow moves that are not the firm's.
    r = client.patch(reverse("problem-detail", args=[x.pk]), {"title": "改", "version": x.version},
                     content_type="application/json")
    assert r.status_code in (403, 404)
    assert client.get(reverse("service:attachment", args=[world["atts"][x.pk].pk])).status_code == 200
    for other in (y, b):
        assert client.get(reverse("service:attachment", args=[world["atts"][other.pk].pk])).status_code == 404
    r = client.post(reverse("service:problem_assign", args=[x.pk]), {"version": x.version, "department": 1})
    assert Problem.objects.get(pk=x.pk).version == x.version
    r = client.post(reverse("service:problem_rate", args=[y.pk]), {"version": y.version, "rating": "satisfied"})
    assert r.status_code == 404
    # The registry stays closed to them.
    assert client.get(reverse("service:inbox")).status_code == 200
    assert "远山" not in titles(client, reverse("service:inbox"))


def test_department_user_sees_only_its_department(client, dept_user, world):
    client.force_login(dept_user)
    x, y, b = world["x"], world["y"], world["b"]
    assert client.get("/").url == reverse("service:inbox")
    inbox = titles(client, reverse("service:inbox"))
    assert "星火的诉求" in inbox and "远山的诉求" not in inbox
    assert client.get(x.get_absolute_url()).status_code == 200
    assert client.get(y.get_absolute_url()).status_code == 404
    assert client.get(b.get_absolute_url()).status_code == 404
    api = client.get(reverse("problem-list")).json()
    assert [p["title"] for p in api["results"]] == ["星火的诉求"]
    text = titles(client, reverse("service:problem_list"), {"export": "csv"})
    assert "星火的诉求" in text and "远山的诉求" not in text
    assert client.get(reverse("service:attachment", args=[world["atts"][y.pk].pk])).status_code == 404
    # It acts on its own problem, not on the other department's.
    r = client.post(reverse("service:problem_answer", args=[y.pk]), {"version": y.version, "answer": "越权"})
    assert r.status_code == 404 and Problem.objects.get(pk=y.pk).state == "assigned"
    r = client.post(reverse("service:problem_answer", args=[x.pk]), {"version": x.version, "answer": "已办理"})
    assert Problem.objects.get(pk=x.pk).state == "answered"
    # Not the registry, not the generic edit.
    assert "星火" not in titles(client, reverse("registry:enterprise_list"))
    assert client.get(reverse("service:problem_edit", args=[x.pk])).status_code in (403, 404)


def test_department_loses_a_returned_problem(client, dept_user, world):
    client.force_login(dept_user)
    x = world["x"]
    client.post(reverse("service:problem_return", args=[x.pk]), {"version": x.version, "reason": "非本部门职责"})
    assert Problem.objects.get(pk=x.pk).state == "received"
    assert client.get(x.get_absolute_url()).status_code == 404


def test_zone_b_sees_nothing_of_zone_a(client, staff_b, world):
    client.force_login(staff_b)
    for url in (reverse("service:problem_list"), reverse("service:inbox"), reverse("service:figures"),
                reverse("service:my_firms"), reverse("service:not_visited"), reverse("problem-list")):
        text = titles(client, url)
        assert "星火" not in text and "远山" not in text, url
    assert client.get(world["x"].get_absolute_url()).status_code == 404
    assert client.get(reverse("service:attachment", args=[world["atts"][world["x"].pk].pk])).status_code == 404
    r = client.post(reverse("service:problem_close", args=[world["x"].pk]), {"version": 1})
    assert r.status_code == 404


def test_attachment_limits(client, staff_a, world, settings):
    settings.ZONEOPS_ATTACHMENT_MAX_MB = 10
    client.force_login(staff_a)
    x = world["x"]
    bad = SimpleUploadedFile("evil.html", b"<script>alert(1)</script>", content_type="text/html")
    r = client.post(reverse("service:problem_attach", args=[x.pk]), {"file": bad}, follow=True)
    assert "类型不允许" in r.content.decode()
    big = SimpleUploadedFile("big.pdf", b"0" * (11 * 1024 * 1024))
    r = client.post(reverse("service:problem_attach", args=[x.pk]), {"file": big}, follow=True)
    assert "超过 10 MB" in r.content.decode()
    assert ProblemAttachment.objects.filter(problem=x).count() == 1
    ok = SimpleUploadedFile("现场照片.png", b"\x89PNG....")
    client.post(reverse("service:problem_attach", args=[x.pk]), {"file": ok})
    att = ProblemAttachment.objects.filter(problem=x).latest("id")
    r = client.get(reverse("service:attachment", args=[att.pk]))
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in r["Content-Disposition"]


def test_viewer_reads_but_cannot_act(client, viewer_a, world):
    client.force_login(viewer_a)
    x = world["x"]
    assert client.get(x.get_absolute_url()).status_code == 200
    r = client.post(reverse("service:problem_answer", args=[x.pk]), {"version": x.version, "answer": "只读用户"},
                    follow=True)
    assert "只能由" in r.content.decode() and Problem.objects.get(pk=x.pk).state == "assigned"


def test_enterprise_account_shortcut(client, admin_a, staff_a, firm_x, zone_a):
    url = reverse("service:enterprise_account", args=[firm_x.pk])
    client.force_login(staff_a)
    assert client.get(url).status_code == 404  # admins create accounts
    client.force_login(admin_a)
    r = client.post(url, {"username": "xinghuo", "full_name": "陈晓燕", "password": "Zoneops-Firm-2026"})
    assert r.status_code == 302
    m = Membership.objects.get(user__username="xinghuo")
    assert (m.role, m.enterprise, m.zone) == ("enterprise", firm_x, zone_a)
    r = client.post(url, {"username": "xinghuo", "password": "Zoneops-Firm-2026"})
    assert r.status_code == 400 and "已被使用" in r.content.decode()
    make_user("b_admin", None)
