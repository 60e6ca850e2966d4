"""Zone isolation, proved for every URL the project serves.

The tests are generated from Django's URL resolver, not from a hand-written list: every pattern
(pages, API endpoints, admin, and whatever later apps add) is requested by a user who is admin of
zone B while zone A has an enterprise, a parcel, annual figures, an import batch, a member and
their history.

- A pattern that takes an object id is requested with the id of zone A's object of the right model
  (found through the Feature registry, the view's attributes, or MODEL_OF_URL below): GET, POST,
  PUT and PATCH must answer 404 / 403 / 405 or a redirect to a login page, show none of zone A's
  names or codes, and leave zone A's records exactly as they were.
- A pattern without an object id (lists, exports, search, the API's lists, the home page …) is
  requested plainly, with ?q= searches for zone A's names and credit code, with ?zone=<zone A>, and
  as .xlsx / .csv export: the response never contains zone A's data.
- A pattern whose arguments cannot be mapped fails with an explanation, so that a new URL must be
  declared here (or its view must carry a `feature`, `model` or `zone_model` attribute).
"""
import json
import re
from pathlib import Path
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.urls.exceptions import NoReverseMatch

from zoneops.core.changelog import change_context, snapshot
from zoneops.core.features import REGISTRY
from zoneops.core.models import ImportBatch, Membership, ObjectChange, Zone
from zoneops.registry.models import Enterprise, EnterpriseYear, Parcel

from ..conftest import make_user
from ..registry import factories
from ..registry.factories import make_uscc
from .viewtests import parse_table, response_text

# Patterns whose object id the resolver cannot tell (function views): URL name -> model.
MODEL_OF_URL = {
    "zone_home": Zone,
    "admin:view_on_site": Enterprise,  # content_type_id is filled with the enterprise's
    "imports:batch": ImportBatch,
    "imports:progress": ImportBatch,
    "imports:commit": ImportBatch,
    "imports:cancel": ImportBatch,
    "imports:report": ImportBatch,
}
# Argument names that carry an object id.
ID_ARGS = ("pk", "object_id", "id")
# Models that hold no zone data (reference tables, the admin's own tables): any id will do, the
# pages are for superusers.
GLOBAL_MODELS = {"auth.group", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
                 "django_tasks_database.dbtaskresult", "registry.industrycode", "registry.cultivationpool",
                 "contenttypes.contenttype", "sessions.session", "figures.indicator"}
GLOBAL_MODELS |= {"rankings.rankingscheme", "rankings.rankingdimension", "rankings.rankingitem"}  # province-wide
IMPORT_KINDS = sorted({f.import_kind for f in REGISTRY.values() if f.import_kind})
# Values for other arguments; each value gives one test.
OTHER_ARGS = {
    "format": ["json"],
    "kind": IMPORT_KINDS,
    "app_label": ["core", "registry", "auth"],  # the first one the pattern accepts
    "url": ["no-such-page/"],
}

A_NAMES = {
    "zone": "甲开发区",
    "enterprise": "甲区机密企业有限公司",
    "former": "甲区旧名称有限公司",
    "uscc": make_uscc(424242),
    "parcel": "A-SECRET-PARCEL",
    "parcel_name": "甲区机密地块",
    "batch": "甲区机密名单.xlsx",
    "member": "secret_member_a",
    "source": "甲区机密来源",
}


@dataclass
class Route:
    name: str
    pattern: str
    args: list
    callback: object = None
    model: type = None
    problem: str = ""
    values: dict = field(default_factory=dict)

    @property
    def id(self):
        extra = ",".join(f"{k}={v}" for k, v in self.values.items() if k not in ID_ARGS)
        return f"{self.name or self.pattern}{'[' + extra + ']' if extra else ''}"


def _arg_names(pattern):
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    return list(pattern.regex.groupindex)


def walk(resolver=None, namespace=(), prefix="", args=()):
    for p in (resolver or get_resolver()).url_patterns:
        names = [*args, *_arg_names(p.pattern)]
        if isinstance(p, URLResolver):
            ns = (*namespace, p.namespace) if p.namespace else namespace
            yield from walk(p, ns, prefix + str(p.pattern), names)
        elif isinstance(p, URLPattern):
            name = ":".join((*namespace, p.name)) if p.name else None
            yield Route(name=name, pattern=prefix + str(p.pattern), args=names, callback=p.callback)


def model_of(route):
    """The model whose id the route takes, from the Feature registry or the view's attributes."""
    cb = route.callback
    if route.name in MODEL_OF_URL:
        return MODEL_OF_URL[route.name]
    feature = (getattr(cb, "view_initkwargs", None) or {}).get("feature") or getattr(getattr(cb, "cls", None),
                                                                                      "feature", None)
    if feature is not None:
        return feature.model
    for holder in (cb, getattr(cb, "view_class", None), getattr(cb, "cls", None)):
        for attr in ("zone_model", "model"):
            if isinstance(getattr(holder, attr, None), type):
                return getattr(holder, attr)
        qs = getattr(holder, "queryset", None)
        if qs is not None and hasattr(qs, "model"):
            return qs.model
    admin = getattr(cb, "model_admin", None)
    if admin is not None:
        return admin.model
    if route.name and route.name.startswith("admin:") and "password" in route.name:
        return get_user_model()
    return None


def expand(route):
    """One Route per combination of argument values; a Route with `problem` when it cannot be filled."""
    ids = [a for a in route.args if a in ID_ARGS]
    others = [a for a in route.args if a not in ID_ARGS]
    if ids:
        route.model = model_of(route)
        if route.model is None:
            route.problem = (f"URL {route.pattern!r} ({route.name}) takes {ids} but its model is unknown: give the view "
                             f"a `feature`/`model`/`zone_model` attribute or add it to MODEL_OF_URL in {__file__}")
            return [route]
    unknown = [a for a in others if a not in OTHER_ARGS and a != "content_type_id"]
    if unknown:
        route.problem = (f"URL {route.pattern!r} ({route.name}) takes {unknown}: say which values to try in "
                         f"OTHER_ARGS in {__file__}")
        return [route]
    combos = [{}]
    for a in others:
        if a == "content_type_id":
            continue
        values = OTHER_ARGS[a][:1] if a == "app_label" else OTHER_ARGS[a]
        if a == "app_label":
            values = [next((v for v in OTHER_ARGS[a] if _reversible(route, {a: v})), OTHER_ARGS[a][0])]
        combos = [{**c, a: v} for c in combos for v in values]
    return [Route(route.name, route.pattern, route.args, route.callback, route.model, "", c) for c in combos]


def _reversible(route, kwargs):
    try:
        reverse(route.name, kwargs={**{a: "1" for a in route.args if a not in kwargs}, **kwargs})
        return True
    except NoReverseMatch:
        return False


ROUTES = [r for route in walk() for r in expand(route)]
ID_ROUTES = [r for r in ROUTES if r.model is not None or r.problem]
OPEN_ROUTES = [r for r in ROUTES if r.model is None and not r.problem]


# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def _zone_a_module_data(django_db_setup, django_db_blocker):
    """Zone A's records (with their history) and a few of zone B's, so B's pages are not empty.

    Built once for the module (every app adds its records: about a second of work, which per test
    was most of this module's time) inside a transaction rolled back when the module ends; each
    test runs in a savepoint within it (pytest-django's `db`), so whatever a request changed is
    undone before the next test."""
    with django_db_blocker.unblock(), override_settings(CACHES=PRIVATE_CACHE), transaction.atomic():
        zone_a = Zone.objects.create(code="zone-a", name="甲开发区", region_code="331004")
        zone_b = Zone.objects.create(code="zone-b", name="乙开发区", region_code="330784")
        author = make_user("author_a", zone_a, Membership.Role.ADMIN)
        member = make_user(A_NAMES["member"], zone_a, Membership.Role.VIEWER)
        with change_context(user=author):
            ent = factories.enterprise(zone_a, 0, name=A_NAMES["enterprise"], former_names=A_NAMES["former"],
                                       uscc=A_NAMES["uscc"], address="甲区机密路 1 号")
            parcel = factories.parcel(zone_a, A_NAMES["parcel"], holder=ent, name=A_NAMES["parcel_name"])
            year = factories.figures(ent, 2023, source=A_NAMES["source"])
            batch = ImportBatch.objects.create(zone=zone_a, kind="enterprises", user=author,
                                               file_name=A_NAMES["batch"], file_sha256="a" * 64,
                                               status=ImportBatch.Status.DONE)
            ent.address = "甲区机密路 2 号"
            ent.save()
            ent_b = factories.enterprise(zone_b, 1, name="乙区企业有限公司")
            factories.parcel(zone_b, "B-PARCEL", holder=ent_b)
            factories.figures(ent_b, 2023)
            ImportBatch.objects.create(zone=zone_b, kind="parcels", file_name="乙区名单.xlsx", file_sha256="b" * 64)
            data = {"zone": zone_a, "zone_b": zone_b, "enterprise": ent, "parcel": parcel, "year": year,
                    "batch": batch, "membership": Membership.objects.get(user=member), "user": member,
                    "author": author}
            _app_records(data, zone_b)
        data["change"] = ObjectChange.objects.filter(zone=zone_a).first()
        yield data
        transaction.set_rollback(True)


PRIVATE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "isolation"}}


@pytest.fixture
def zone_a_data(_zone_a_module_data, db):
    return _zone_a_module_data


def _app_records(data, zone_b):
    """Each app's tests/<app>/isolation.py `zone_a_records(data, zone_b)` adds its zone-A records."""
    import importlib

    for app in sorted(p.name for p in Path(__file__).resolve().parent.parent.iterdir() if (p / "__init__.py").exists()):
        try:
            module = importlib.import_module(f"..{app}.isolation", __package__)
        except ModuleNotFoundError as e:
            if e.name and e.name.endswith(f"{app}.isolation"):
                continue
            raise
        module.zone_a_records(data, zone_b)


@pytest.fixture
def client_b_admin(client, zone_a_data):
    client.force_login(make_user("admin_b", zone_a_data["zone_b"], Membership.Role.ADMIN))
    return client


def object_of(model, data):
    """Zone A's record of `model`; a loud failure for a zone-scoped model the fixture lacks."""
    if model is Zone:
        return data["zone"]
    if model is get_user_model():
        return data["user"]
    key = model._meta.label_lower
    if key in GLOBAL_MODELS:
        return None
    if any(f.name == "zone" for f in model._meta.fields):
        obj = model._base_manager.filter(zone=data["zone"]).first()
        assert obj is not None, f"the isolation fixture has no zone-A record of {key}: create one in zone_a_data"
        return obj
    pytest.fail(f"{key} is neither zone-scoped nor declared global (GLOBAL_MODELS in {__file__})")


def zone_scoped_models():
    """Zone and every model with a `zone` foreign key (later apps' models included)."""
    return [Zone, *(m for m in apps.get_models() if m is not Zone and any(
        f.name == "zone" and f.is_relation for f in m._meta.fields))]


def zone_a_state(data):
    """Everything of zone A a request could change."""
    state = {}
    for model in zone_scoped_models():
        qs = model._base_manager.filter(**({"pk": data["zone"].pk} if model is Zone else {"zone": data["zone"]}))
        state[model._meta.label] = sorted(map(snapshot, qs.order_by("pk")), key=str)
    state["pools"] = sorted(data["enterprise"].pools.values_list("pk", flat=True))
    return state


def assert_no_zone_a_data(response, where, echo=None):
    """None of zone A's names or codes in the response. `echo` is the searched text, which the page
    may repeat (search box, links): it must then not appear in the list's rows or the API's results."""
    text = response_text(response)
    leaked = [v for v in A_NAMES.values() if v in text and v != echo]
    assert not leaked, f"{where}: zone A's {leaked} shown to a zone-B user"
    if echo is None:
        return
    if "json" in response.get("Content-Type", ""):
        shown = json.dumps(response.json().get("results", response.json()), ensure_ascii=False)
    else:
        shown = "\n".join(" | ".join(row) for row in parse_table(text)[1])
    assert echo.lower() not in shown.lower(), f"{where}: zone A's {echo} listed to a zone-B user"


def assert_refused(response, where):
    status = response.status_code
    if status == 302:
        location = response["Location"]
        assert location.startswith((reverse("login"), reverse("admin:login"))), f"{where}: redirected to {location}"
    else:
        assert status in (401, 403, 404, 405), f"{where}: answered {status}"


def url_for(route, data):
    kwargs = dict(route.values)
    for a in route.args:
        if a in ID_ARGS:
            obj = object_of(route.model, data)
            kwargs[a] = str(obj.pk) if obj is not None else "1"
        elif a == "content_type_id":
            kwargs[a] = str(ContentType.objects.get_for_model(Enterprise).pk)
    if route.name:
        return reverse(route.name, kwargs=kwargs)
    # An unnamed pattern (the admin's redirects and catch-all): fill it in by hand.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: kwargs[m.group(1)], route.pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: kwargs[m.group(1)], path)
    path = path.replace("^", "").replace("$", "")
    assert not re.search(r"[()\[\]*+?\\]", path), f"cannot build a URL from the unnamed pattern {route.pattern!r}: name it"
    return "/" + path


@pytest.mark.parametrize("route", ID_ROUTES, ids=[r.id for r in ID_ROUTES])
def test_zone_b_user_gets_nothing_of_zone_a_objects(route, zone_a_data, client_b_admin):
    assert not route.problem, route.problem
    url = url_for(route, zone_a_data)
    before = zone_a_state(zone_a_data)
    for method in ("get", "post", "put", "patch"):
        body = {"name": "乙区改的名字", "zone": zone_a_data["zone"].pk, "status": "done"}
        if method == "get":
            r = client_b_admin.get(url)
        elif method == "post":
            r = client_b_admin.post(url, body)
        else:
            r = getattr(client_b_admin, method)(url, json.dumps(body), content_type="application/json")
        assert_refused(r, f"{method.upper()} {url}")
        assert_no_zone_a_data(r, f"{method.upper()} {url}")
    assert zone_a_state(zone_a_data) == before, f"{url} changed zone A's records"


@pytest.mark.parametrize("route", OPEN_ROUTES, ids=[r.id for r in OPEN_ROUTES])
def test_zone_b_user_sees_no_zone_a_data_in_lists_exports_and_search(route, zone_a_data, client_b_admin):
    url = url_for(route, zone_a_data)
    before = zone_a_state(zone_a_data)
    variants = [{}, {"q": A_NAMES["enterprise"]}, {"q": A_NAMES["uscc"]}, {"q": A_NAMES["uscc"].lower()},
                {"q": A_NAMES["former"]}, {"q": A_NAMES["parcel"]}, {"q": "甲"}, {"zone": zone_a_data["zone"].pk},
                {"export": "xlsx"}, {"export": "csv"}, {"export": "csv", "zone": zone_a_data["zone"].pk},
                {"format": "json"}, {"format": "api"}, {"holder": zone_a_data["enterprise"].pk},
                {"enterprise": zone_a_data["enterprise"].pk}, {"import_batch": zone_a_data["batch"].pk}]
    for params in variants:
        r = client_b_admin.get(url, params, follow=True)
        assert r.status_code < 500, f"GET {url} {params}: {r.status_code}"
        assert_no_zone_a_data(r, f"GET {url} {params}", echo=params.get("q"))
    r = client_b_admin.post(url, {"zone": zone_a_data["zone"].pk, "name": "乙区写入甲区"})
    assert r.status_code < 500, f"POST {url}: {r.status_code}"
    assert_no_zone_a_data(r, f"POST {url}")
    assert zone_a_state(zone_a_data) == before, f"POST {url} changed zone A's records"


def test_routes_were_found():
    """The generator sees the feature pages, the API and the import pages (a guard against an empty walk)."""
    names = {r.name for r in ROUTES}
    for f in REGISTRY.values():
        assert f.url_name("detail") in names
        if f.serializer is not None:
            assert f"{f.name}-detail" in names
    assert "imports:batch" in names and "zone_home" in names
    assert {r.model for r in ID_ROUTES} >= {Zone, Enterprise, Parcel, EnterpriseYear, ImportBatch, ObjectChange,
                                              Membership}


def test_the_zone_b_user_does_see_zone_b(zone_a_data, client_b_admin):
    """The checks above are not vacuous: the same pages show zone B's own records."""
    html = client_b_admin.get(reverse("registry:enterprise_list")).content.decode()
    assert "乙区企业有限公司" in html
    api = client_b_admin.get(reverse("enterprise-list")).json()
    assert "乙区企业有限公司" in [e["name"] for e in api["results"]]
