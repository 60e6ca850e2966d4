"""Shared fixtures: two zones, users of each role, and a few records in each zone."""
import pytest
from django.contrib.auth import get_user_model

from zoneops.core.models import Membership, Zone

VALID_USCC = ["91110000600037341L", "121200004013590816", "911522010783762860", "91152201078377449P",
              "9115220107837941X1", "91152201078382010M", "911522010783917502", "91152201078394644D"]


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """Each test gets an empty in-memory cache (the default is a file cache under var/)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "tests"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Tests create many users; the production hasher (PBKDF2, ~0.3 s a password) would dominate."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A transactional test (the browser tests) flushes every table when it ends, the reference data
    of migration 0002 included: the next one gets it back."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from zoneops.registry import industry
    from zoneops.registry.models import CultivationPool, IndustryCode

    if not IndustryCode.objects.exists() or not CultivationPool.objects.exists():
        industry.load_reference(IndustryCode, CultivationPool)


@pytest.fixture
def zone_a(db):
    return Zone.objects.create(code="zone-a", name="甲开发区", region_code="331004")


@pytest.fixture
def zone_b(db):
    return Zone.objects.create(code="zone-b", name="乙开发区", region_code="330784")


def make_user(username, zone=None, role=None, enterprise=None, **extra):
    """A user with one membership; role ENTERPRISE needs `enterprise` (a firm of `zone`)."""
    user = get_user_model().objects.create_user(username, password="pw-" + username, **extra)
    if role:
        Membership.objects.create(user=user, zone=zone, role=role, enterprise=enterprise)
    return user


@pytest.fixture
def staff_a(zone_a):
    return make_user("staff_a", zone_a, Membership.Role.STAFF)


@pytest.fixture
def admin_a(zone_a):
    return make_user("admin_a", zone_a, Membership.Role.ADMIN)


@pytest.fixture
def viewer_a(zone_a):
    return make_user("viewer_a", zone_a, Membership.Role.VIEWER)


@pytest.fixture
def staff_b(zone_b):
    return make_user("staff_b", zone_b, Membership.Role.STAFF)


@pytest.fixture
def province(db):
    return make_user("province", None, Membership.Role.PROVINCE)


@pytest.fixture
def client_a(client, staff_a):
    client.force_login(staff_a)
    return client


@pytest.fixture
def client_b(client, staff_b):
    client.force_login(staff_b)
    return client
