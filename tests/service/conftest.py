"""Fixtures of the 为企服务 tests: departments, their users, firms and their users, problems."""
import datetime

import pytest

from tests.conftest import make_user
from tests.registry import factories
from zoneops.core.changelog import change_context
from zoneops.core.models import Membership
from zoneops.service import services
from zoneops.service.models import Department, Problem, ProblemCategory


def category(zone, name="用地"):
    ProblemCategory.ensure_defaults([zone.pk])
    return ProblemCategory.objects.get(zone=zone, name=name)


def problem(zone, i=0, enterprise=None, **kw):
    enterprise = enterprise or factories.enterprise(zone, 500 + i)
    kw.setdefault("title", f"{zone.name}诉求{i:03}")
    kw.setdefault("description", "厂房屋顶漏水，地面悬空，影响设备安装。")
    kw.setdefault("category", category(zone))
    return Problem.objects.create(zone=zone, enterprise=enterprise, **kw)


def assigned(p, staff, department, handler=None, deadline=None):
    today = min(datetime.date.today(), deadline) if deadline else None
    with change_context(user=staff):
        return services.assign(p, staff, version=p.version, department=department, handler=handler,
                               deadline=deadline or datetime.date.today() + datetime.timedelta(days=20), today=today)


@pytest.fixture
def dept_user(zone_a):
    return make_user("dept_a", zone_a, Membership.Role.DEPARTMENT, first_name="李经办")


@pytest.fixture
def head_user(zone_a):
    return make_user("head_a", zone_a, Membership.Role.DEPARTMENT, first_name="王科长")


@pytest.fixture
def dept(zone_a, dept_user, head_user):
    d = Department.objects.create(zone=zone_a, name="自然资源和规划局")
    d.members.add(dept_user)
    d.heads.add(head_user)
    return d


@pytest.fixture
def other_dept(zone_a):
    other = make_user("dept_other", zone_a, Membership.Role.DEPARTMENT)
    d = Department.objects.create(zone=zone_a, name="人社局")
    d.members.add(other)
    return d


@pytest.fixture
def firm_x(zone_a):
    return factories.enterprise(zone_a, 1, name="甲区星火精密有限公司")


@pytest.fixture
def firm_y(zone_a):
    return factories.enterprise(zone_a, 2, name="甲区远山电子有限公司")


@pytest.fixture
def firm_user(zone_a, firm_x):
    return make_user("firm_x", zone_a, Membership.Role.ENTERPRISE, enterprise=firm_x, email="x@example.com")
