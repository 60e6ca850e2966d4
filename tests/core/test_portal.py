"""Portal roles: enterprise and department users see nothing of the zone's registry pages, the
enterprise user's portal shows only their own firm, and zone admins bind a firm by its USCC."""
import pytest
from django.urls import reverse

from tests.conftest import make_user
from tests.registry import factories
from zoneops.core.context_processors import PORTAL_MENU, add_menu
from zoneops.core.models import Membership
from zoneops.core.portal import PORTAL_SECTIONS, PortalSection
from zoneops.core.scoping import DEPARTMENT, is_portal_user, portal_enterprise_ids, zone_ids_for


@pytest.fixture
def firms(zone_a, zone_b):
    return factories.enterprise(zone_a, 1, name="甲一公司"), factories.enterprise(zone_a, 2, name="甲二公司"), \
        factories.enterprise(zone_b, 3, name="乙三公司")


@pytest.fixture
def firm_user(zone_a, firms):
    return make_user("firm1", zone_a, Membership.Role.ENTERPRISE, enterprise=firms[0])


@pytest.fixture
def dept_user(zone_a):
    return make_user("dept1", zone_a, Membership.Role.DEPARTMENT)


def test_portal_roles_hold_no_zone_rights(firm_user, dept_user, zone_a, firms):
    assert zone_ids_for(firm_user) == set() and zone_ids_for(dept_user) == set()
    assert portal_enterprise_ids(firm_user) == {firms[0].pk}
    assert zone_ids_for(dept_user, DEPARTMENT) == {zone_a.pk}
    assert is_portal_user(firm_user) and is_portal_user(dept_user)


def test_staff_are_not_portal_users(staff_a, province):
    assert not is_portal_user(staff_a) and not is_portal_user(province)
    assert portal_enterprise_ids(staff_a) == set()


@pytest.mark.parametrize("name", ["registry:enterprise_list", "registry:parcel_list", "core:objectchange_list"])
def test_enterprise_user_sees_empty_registry_lists(client, firm_user, firms, name):
    client.force_login(firm_user)
    body = client.get(reverse(name)).content.decode()
    assert "甲一公司" not in body and "甲二公司" not in body


def test_enterprise_user_gets_404_for_own_firm_page(client, firm_user, firms):
    """The registry page is staff's view; the firm sees itself through the portal only."""
    client.force_login(firm_user)
    assert client.get(firms[0].get_absolute_url()).status_code == 404
    assert client.get("/api/enterprises/").json()["count"] == 0


def test_portal_shows_own_firm_only(client, firm_user, firms):
    client.force_login(firm_user)
    assert client.get("/").url == reverse("portal")
    body = client.get(reverse("portal")).content.decode()
    assert "甲一公司" in body and "甲二公司" not in body and "乙三公司" not in body
    assert "企业服务门户" in body


def test_portal_sections_get_the_users_firm(client, firm_user, firms):
    seen = []
    section = PortalSection("probe", "探针", "core/no_zone.html", context=lambda r, e: seen.append(e.pk) or {})
    PORTAL_SECTIONS.append(section)
    try:
        client.force_login(firm_user)
        client.get(reverse("portal"))
    finally:
        PORTAL_SECTIONS.remove(section)
    assert seen == [firms[0].pk]


def test_staff_portal_is_empty(client_a, firms):
    body = client_a.get(reverse("portal")).content.decode()
    assert "甲一公司" not in body and "尚未绑定企业" in body


def test_portal_menu_replaces_staff_menu(client, firm_user):
    client.force_login(firm_user)
    body = client.get(reverse("portal")).content.decode()
    assert reverse("registry:enterprise_list") not in body


def test_add_menu_merges_groups():
    menu = [("甲", [("a", "x")])]
    add_menu("甲", [("b", "y")], menu=menu)
    add_menu("乙", [("c", "z")], menu=menu, before="甲")
    assert menu == [("乙", [("c", "z")]), ("甲", [("a", "x"), ("b", "y")])]
    assert PORTAL_MENU  # apps append to it


def _member_form(zone, **kw):
    return {"zone": zone.pk, "username": "newfirm", "full_name": "张三", "password": "Zoneops-Pass-2026",
            "role": "enterprise", **kw}


def test_admin_binds_enterprise_user_by_uscc(client, admin_a, zone_a, firms):
    client.force_login(admin_a)
    r = client.post(reverse("core:membership_add"), _member_form(zone_a, enterprise_uscc=firms[1].uscc))
    assert r.status_code == 302
    m = Membership.objects.get(user__username="newfirm")
    assert m.enterprise == firms[1] and m.role == "enterprise"


@pytest.mark.parametrize("uscc, message", [
    ("", "须填写所属企业"),
    ("not-a-code", "统一社会信用代码"),
])
def test_enterprise_user_needs_a_valid_code(client, admin_a, zone_a, firms, uscc, message):
    client.force_login(admin_a)
    r = client.post(reverse("core:membership_add"), _member_form(zone_a, enterprise_uscc=uscc))
    assert r.status_code == 400 and message in r.content.decode()
    assert not Membership.objects.filter(user__username="newfirm").exists()


def test_another_zones_firm_cannot_be_bound(client, admin_a, zone_a, firms):
    client.force_login(admin_a)
    r = client.post(reverse("core:membership_add"), _member_form(zone_a, enterprise_uscc=firms[2].uscc))
    body = r.content.decode()
    assert r.status_code == 400 and "本开发区没有" in body and "乙三公司" not in body
    assert not Membership.objects.filter(user__username="newfirm").exists()


def test_other_roles_cannot_carry_a_firm(client, admin_a, zone_a, firms):
    client.force_login(admin_a)
    r = client.post(reverse("core:membership_add"), _member_form(zone_a, role="staff", enterprise_uscc=firms[0].uscc))
    assert r.status_code == 400 and "只有企业用户" in r.content.decode()


def test_department_menu_only_for_department_users(client, firm_user, dept_user):
    from zoneops.core.context_processors import DEPARTMENT_MENU

    probe = ("探针部门页", "home")
    DEPARTMENT_MENU[0][1].append(probe)
    try:
        client.force_login(firm_user)
        assert "探针部门页" not in client.get(reverse("portal")).content.decode()
        client.force_login(dept_user)
        assert "探针部门页" in client.get(reverse("portal")).content.decode()
    finally:
        DEPARTMENT_MENU[0][1].remove(probe)
