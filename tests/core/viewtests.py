"""The shared test matrix for registered features, modelled on NetBox's ``ViewTestCases``.

A test module declares, in a few lines per model, how to make an object and what a valid form
looks like::

    class TestParcelViews(FeatureTests):
        feature_key = "registry.parcel"
        search_fields = ("code",)
        sort_columns = {"area_mu": Decimal}
        formula_field = "name"

        def make(self, zone, i, **kw):
            return factories.parcel(zone, f"P-{i:03}", **kw)

        def form_data(self, zone, i):
            return {"zone": zone.pk, "code": f"P-{i:03}", "area_mu": "12.5", ...}

and gets, for every role (anonymous, viewer, staff and admin of zone A, staff of zone B,
province viewer, superuser):

- list: who sees what, search, filters, column choice (remembered), sorting, pagination;
- detail: who sees what, every tab;
- create / edit / delete: valid (saved and in the change history with user and request id),
  invalid (400, a Chinese message on the field, nothing saved), refused (nothing changed),
  protected deletes (a message, nothing deleted);
- export to .xlsx and .csv: exactly the visible columns of the filtered list, formula-like text
  neutralised with a leading apostrophe;
- the API: list / filter / detail / create / update with the same permissions, no writing into
  another zone or pointing at another zone's records, errors in Chinese.

``ReadOnlyFeatureTests`` gives a feature without a form (history, import batches) the read part.
Tests that do not apply (no form, no serializer, nothing protecting a delete) are not generated
at all, rather than skipped.
"""
import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType
from django.forms import CheckboxInput
from django.urls import reverse

from zoneops.core.changelog import snapshot
from zoneops.core.features import REGISTRY
from zoneops.core.models import ObjectChange

from ..conftest import make_user

ROLES = ("anonymous", "viewer_a", "staff_a", "admin_a", "staff_b", "province", "superuser")
READERS_OF_A = {"viewer_a", "staff_a", "admin_a", "province", "superuser"}
READERS_OF_B = {"staff_b", "province", "superuser"}
WRITERS_OF_A = {"change": {"staff_a", "admin_a", "superuser"}, "admin": {"admin_a", "superuser"}}
CJK = re.compile(r"[\u4e00-\u9fff]")
FORMULA_PREFIXES = ("=", "+", "-", "@")


# --------------------------------------------------------------------------------------------
# Small helpers, also used by the isolation, change-log and query-count tests.

def assert_login_redirect(response):
    assert response.status_code == 302, f"expected a redirect to the login page, got {response.status_code}"
    assert response["Location"].startswith(reverse("login")), response["Location"]


def assert_chinese(text):
    assert CJK.search(str(text)), f"expected a Chinese message, got: {text!r}"


class _TableParser(HTMLParser):
    """Header texts and row cell texts of the first <table> in a page."""

    def __init__(self):
        super().__init__()
        self.headers, self.rows = [], []
        self._depth = 0
        self._done = False
        self._cell = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag == "table":
            self._depth += 1
        elif self._depth == 1:
            if tag == "thead":
                self._in_head = True
            elif tag == "tr" and not self._in_head:
                self.rows.append([])
            elif tag in ("th", "td"):
                self._cell = []

    def handle_endtag(self, tag):
        if self._done or not self._depth:
            return
        if tag == "table":
            self._depth -= 1
            self._done = self._depth == 0
        elif tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.headers if self._in_head else self.rows[-1]).append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse_table(html):
    """(headers, rows) of the first table in `html` (rows of cell texts; the "no data" row has one cell)."""
    p = _TableParser()
    p.feed(html)
    rows = [r for r in p.rows if r]
    return p.headers, rows


def response_text(response):
    """Everything a response shows, as text: HTML, JSON (non-ASCII unescaped), CSV, or the cells of an .xlsx."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    ctype = response.get("Content-Type", "")
    if "spreadsheetml" in ctype:
        return "\n".join("\t".join("" if v is None else str(v) for v in row) for row in read_xlsx(content))
    text = content.decode("utf-8", errors="replace")
    if "json" in ctype:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def read_xlsx(content):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def read_export(response, fmt):
    """(headers, rows) of an exported file."""
    assert response.status_code == 200, response.status_code
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
    else:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = [["" if v is None else v for v in row] for row in read_xlsx(response.content)]
    return rows[0], rows[1:]


def form_payload(form):
    """What a browser would post for `form` as it is rendered (its initial values)."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        elif isinstance(value, (list, tuple)):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def merge(data, overrides):
    """`data` with `overrides` applied; an override of None removes the key."""
    out = dict(data)
    for k, v in overrides.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def changes_of(obj, action=None):
    ct = ContentType.objects.get_for_model(type(obj))
    qs = ObjectChange.objects.filter(content_type=ct, object_id=str(obj.pk))
    return qs.filter(action=action) if action else qs


# --------------------------------------------------------------------------------------------

class FeatureTestBase:
    """Declarations a test class makes (see the module docstring)."""

    feature_key = None            # "app_label.model_name" in zoneops.core.features.REGISTRY
    search_fields = ()            # attributes of an object; searching ?q=<value> finds it and not others
    sort_columns = {}             # table column -> key(rendered cell text) giving the expected order
    formula_field = None          # a text field that `make(..., **{formula_field: text})` stores
    formula_column = None         # its table column (defaults to formula_field)
    list_role = None              # who lists and exports in the list tests (default: writer, else staff_a)

    # --- hooks ----------------------------------------------------------------------------
    def make(self, zone, i, **kw):
        """Create and return object number `i` (0, 1, 2 …) belonging to `zone`."""
        raise NotImplementedError

    def marker(self, obj):
        """Text that shows `obj` in a list row or a page."""
        return str(obj)

    def search_terms(self, obj):
        """Texts that ?q= finds `obj` by."""
        return [str(getattr(obj, f)) for f in self.search_fields]

    def filter_cases(self, zone):
        """[(query params, make() kwargs of a match, make() kwargs of a non-match)]."""
        return []

    def tab_content(self, obj):
        """{tab slug: [texts the tab must show]}; create the related data here."""
        return {}

    # --- derived --------------------------------------------------------------------------
    @property
    def feature(self):
        return REGISTRY[self.feature_key]

    @property
    def model(self):
        return self.feature.model

    @property
    def zone_like(self):
        """The record is a zone itself: only users with rights over every zone create or delete it."""
        return getattr(self.model, "zone_lookup", "zone_id") == "id"

    @property
    def writers(self):
        return WRITERS_OF_A[self.feature.write_action]

    @property
    def creators(self):
        return {"superuser"} if self.zone_like else self.writers

    @property
    def deleters(self):
        return self.creators

    @property
    def writer_role(self):
        return "admin_a" if self.feature.write_action == "admin" else "staff_a"

    @property
    def creator_role(self):
        return "superuser" if self.zone_like else self.writer_role

    def url(self, action, *args):
        return self.feature.url(action, *args)

    def api_url(self, action, *args):
        return reverse(f"{self.feature.name}-{action}", args=args)

    # --- fixtures -------------------------------------------------------------------------
    @pytest.fixture
    def superuser(self, db):
        return make_user("root", is_superuser=True, is_staff=True)

    @pytest.fixture
    def as_role(self, request, client, db):
        """as_role("staff_a") -> the test client logged in as that role (or logged out)."""

        def login(role):
            client.logout()
            if role != "anonymous":
                client.force_login(request.getfixturevalue(role))
            return client

        return login

    @pytest.fixture
    def obj_a(self, zone_a):
        return self.make(zone_a, 0)

    @pytest.fixture
    def obj_b(self, zone_b, obj_a):
        obj = self.make(zone_b, 0)
        assert self.marker(obj) != self.marker(obj_a), (
            "make() must give zone A's and zone B's objects different markers (put the zone in a name)")
        return obj

    @pytest.fixture
    def list_client(self, as_role):
        return as_role(self.list_role or ("superuser" if self.zone_like else "staff_a"))

    def list_rows(self, client, params=None):
        r = client.get(self.url("list"), params or {})
        assert r.status_code == 200, r.status_code
        return parse_table(r.content.decode())

    def rows_text(self, client, params=None):
        return "\n".join(" | ".join(row) for row in self.list_rows(client, params)[1])


# --------------------------------------------------------------------------------------------

class ListTests(FeatureTestBase):
    @pytest.mark.parametrize("role", ROLES)
    def test_list_shows_only_readable_zones(self, role, as_role, obj_a, obj_b):
        client = as_role(role)
        r = client.get(self.url("list"))
        if role == "anonymous":
            return assert_login_redirect(r)
        assert r.status_code == 200
        rows = "\n".join(" | ".join(row) for row in parse_table(r.content.decode())[1])
        assert (self.marker(obj_a) in rows) == (role in READERS_OF_A), role
        assert (self.marker(obj_b) in rows) == (role in READERS_OF_B), role

    def test_list_search(self, list_client, zone_a):
        hit, miss = self.make(zone_a, 1), self.make(zone_a, 2)
        terms = self.search_terms(hit)
        assert terms, "declare search_fields or search_terms"
        for term in terms:
            rows = self.rows_text(list_client, {"q": term})
            assert self.marker(hit) in rows, f"?q={term} did not find {hit}"
            assert self.marker(miss) not in rows, f"?q={term} also found {miss}"
        assert self.marker(hit) not in self.rows_text(list_client, {"q": "没有这样的名称-xyz"})

    def test_list_filters(self, list_client, zone_a):
        cases = self.filter_cases(zone_a)
        for n, (params, match_kw, other_kw) in enumerate(cases):
            hit = self.make(zone_a, 10 + 2 * n, **match_kw)
            miss = self.make(zone_a, 11 + 2 * n, **other_kw)
            rows = self.rows_text(list_client, params)
            assert self.marker(hit) in rows, f"filter {params} missed {hit}"
            assert self.marker(miss) not in rows, f"filter {params} let {miss} through"

    def test_list_columns_chosen_and_remembered(self, list_client, obj_a):
        available = self.feature.table.available_columns()
        names = [n for n, _ in available]
        labels = {n: str(label) for n, label in available}
        headers, rows = self.list_rows(list_client, {"cols": ",".join(names)})
        assert headers == [labels[n] for n in names]
        assert all(len(r) == len(names) for r in rows)
        chosen = [names[-1], names[0]]
        headers, _ = self.list_rows(list_client, {"cols": ",".join(chosen)})
        assert headers == [labels[n] for n in chosen]
        # The choice is remembered for the next visit; unknown names fall back to the defaults.
        assert self.list_rows(list_client)[0] == [labels[n] for n in chosen]
        defaults = self.feature.table(self.model.objects.none()).visible_names
        assert self.list_rows(list_client, {"cols": "no_such_column"})[0] == [labels[n] for n in defaults]

    def test_list_sorted(self, list_client, zone_a):
        assert self.sort_columns, "declare sort_columns"
        for i in range(1, 4):
            self.make(zone_a, i)
        for column, key in self.sort_columns.items():
            for desc in (False, True):
                _, rows = self.list_rows(list_client, {"cols": column, "sort": ("-" if desc else "") + column})
                values = [r[0] for r in rows]
                assert len(set(values)) > 1, f"sorting {column}: need distinct values, got {values}"
                assert values == sorted(values, key=key, reverse=desc), f"sort={'-' if desc else ''}{column}"

    def test_list_paginated(self, list_client, zone_a):
        for i in range(1, 12):
            self.make(zone_a, i)
        r = list_client.get(self.url("list"), {"per_page": 10})
        total = r.context["table"].paginator.count
        assert total >= 11
        assert f"共 {total} 条" in r.content.decode()
        assert len(parse_table(r.content.decode())[1]) == 10
        last = (total - 1) // 10 + 1
        _, rows = self.list_rows(list_client, {"per_page": 10, "page": last})
        assert len(rows) == total - 10 * (last - 1)
        # Out-of-range and malformed page numbers show the last and first page, not an error.
        assert self.list_rows(list_client, {"per_page": 10, "page": 999})[1] == rows
        assert len(self.list_rows(list_client, {"per_page": 10, "page": "x"})[1]) == 10

    # --- export -------------------------------------------------------------------------------
    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_export_has_exactly_the_visible_columns(self, fmt, list_client, zone_a):
        for i in range(1, 4):
            self.make(zone_a, i)
        available = self.feature.table.available_columns()
        chosen = [available[-1][0], available[0][0]]
        labels = dict(available)
        headers, rows = read_export(list_client.get(self.url("list"), {"export": fmt, "cols": ",".join(chosen)}), fmt)
        assert headers == [str(labels[n]) for n in chosen]
        r = list_client.get(self.url("list"), {"per_page": 10})
        assert len(rows) == r.context["table"].paginator.count
        # Export follows the filter: a search narrows it to the one match.
        target = self.make(zone_a, 5)
        for term in self.search_terms(target)[:1]:
            _, rows = read_export(list_client.get(self.url("list"), {"export": fmt, "q": term}), fmt)
            assert len(rows) == 1, rows

    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_export_neutralises_formulas(self, fmt, list_client, zone_a):
        column = self.formula_column or self.formula_field
        texts = [f"{p}SUM(1+2)*{i}cmd" for i, p in enumerate(FORMULA_PREFIXES)]
        for i, text in enumerate(texts):
            self.make(zone_a, 20 + i, **{self.formula_field: text})
        _, rows = read_export(list_client.get(self.url("list"), {"export": fmt, "cols": column}), fmt)
        values = {str(r[0]) for r in rows}
        for text in texts:
            assert "'" + text in values, f"{text!r} not neutralised in {sorted(values)}"
            assert text not in values

    def test_export_of_another_zone_is_empty(self, as_role, obj_a):
        client = as_role("staff_b")
        for fmt in ("xlsx", "csv"):
            r = client.get(self.url("list"), {"export": fmt})
            assert self.marker(obj_a) not in response_text(r)


class DetailTests(FeatureTestBase):
    @pytest.mark.parametrize("role", ROLES)
    def test_detail_permissions(self, role, as_role, obj_a):
        client = as_role(role)
        r = client.get(obj_a.get_absolute_url())
        if role == "anonymous":
            return assert_login_redirect(r)
        if role not in READERS_OF_A:
            assert r.status_code == 404
            assert self.marker(obj_a) not in r.content.decode()
            assert "没有找到这个页面或记录" in r.content.decode()  # a Chinese page, not Django's "Not Found"
            return
        assert r.status_code == 200
        html = r.content.decode()
        assert self.marker(obj_a) in html
        if self.feature.form is not None:
            assert (self.url("edit", obj_a.pk) in html) == (role in self.writers), "edit button"
            assert (self.url("delete", obj_a.pk) in html) == (role in self.deleters), "delete button"

    def test_detail_tabs(self, list_client, obj_a):
        expected = self.tab_content(obj_a)
        slugs = ["overview", *[t.slug for t in self.feature.tabs], "history"]
        for slug in slugs:
            r = list_client.get(obj_a.get_absolute_url(), {"tab": slug})
            assert r.status_code == 200, slug
            assert r.context["active_tab"] == slug
            html = r.content.decode()
            for text in expected.get(slug, ()):
                assert text in html, f"tab {slug} does not show {text!r}"
        assert set(expected) <= set(slugs), "tab_content names a tab that does not exist"
        # An unknown tab falls back to the overview.
        assert list_client.get(obj_a.get_absolute_url(), {"tab": "nope"}).context["active_tab"] == "overview"


class ReadOnlyFeatureTests(ListTests, DetailTests):
    """The read part of the matrix (a feature without a form)."""

    def test_has_no_write_pages(self, as_role, obj_a):
        client = as_role("superuser")
        for suffix in ("add/", f"{obj_a.pk}/edit/", f"{obj_a.pk}/delete/"):
            path = self.url("list") + suffix
            assert client.get(path).status_code == 404, path
            assert client.post(path, {}).status_code in (404, 405), path


# --------------------------------------------------------------------------------------------

class WriteTests(FeatureTestBase):
    edit_changes = {}             # form fields -> new values for the edit tests

    def invalid_cases(self, zone):
        """[(overrides of form_data, field, Chinese message fragment)]; create conflicting records here."""
        return []

    def edit_invalid_cases(self, obj):
        """The same for editing `obj` (default: the create cases, in its zone)."""
        return self.invalid_cases(obj if self.zone_like else obj.zone)

    def form_data(self, zone, i):
        """Valid POST data creating object number `i` in `zone`."""
        raise NotImplementedError

    def make_protecting(self, obj):
        """Create a record that protects `obj` from deletion (on_delete=PROTECT); None = no such relation."""
        return None

    # --- create ---------------------------------------------------------------------------------
    def _created(self, before_pks):
        new = list(self.model._base_manager.exclude(pk__in=before_pks))
        assert len(new) <= 1, new
        return new[0] if new else None

    def _pks(self):
        return set(self.model._base_manager.values_list("pk", flat=True))

    def test_create(self, as_role, request, zone_a):
        client = as_role(self.creator_role)
        assert client.get(self.url("add")).status_code == 200
        before = self._pks()
        r = client.post(self.url("add"), self.form_data(zone_a, 1))
        errors = r.context["form"].errors if r.context and "form" in r.context else None
        assert r.status_code == 302, errors
        obj = self._created(before)
        assert obj is not None
        assert r["Location"] == obj.get_absolute_url()
        change = changes_of(obj, "create").get()
        user = request.getfixturevalue(self.creator_role)
        assert change.user == user and change.user_name == user.username
        assert str(change.request_id) == r["X-Request-ID"]
        assert change.before is None and change.after["id"] == obj.pk
        assert change.zone_id == (obj.pk if self.zone_like else getattr(obj, "zone_id", None))

    def test_create_invalid(self, as_role, zone_a):
        cases = self.invalid_cases(zone_a)
        assert cases, "declare invalid_cases"
        client = as_role(self.creator_role)
        valid = self.form_data(zone_a, 1)
        for overrides, field, message in cases:
            before = self._pks()
            r = client.post(self.url("add"), merge(valid, overrides))
            assert r.status_code == 400, (overrides, r.status_code)
            assert field in r.context["form"].errors, (overrides, r.context["form"].errors)
            html = r.content.decode()
            assert message in html, f"{overrides}: expected {message!r} in {r.context['form'].errors}"
            assert_chinese(r.context["form"].errors[field])
            assert self._pks() == before

    @pytest.mark.parametrize("role", ROLES)
    def test_create_permissions(self, role, as_role, zone_a):
        client = as_role(role)
        before = self._pks()
        get, post = client.get(self.url("add")), client.post(self.url("add"), self.form_data(zone_a, 1))
        if role == "anonymous":
            assert_login_redirect(get)
            assert_login_redirect(post)
        elif role in self.creators:
            assert get.status_code == 200
            assert post.status_code == 302
            return
        elif role == "staff_b" and not self.zone_like and self.feature.write_action == "change":
            # May create in zone B, but zone A is not a valid choice.
            assert get.status_code == 200
            assert post.status_code == 400
            assert "zone" in post.context["form"].errors
            assert_chinese(post.context["form"].errors["zone"])
        else:
            assert get.status_code == 403, role
            assert post.status_code == 403, role
            assert_chinese(post.content.decode())
        assert self._pks() == before

    # --- edit -----------------------------------------------------------------------------------
    def edit_data(self, obj, user, **changes):
        form = self.feature.form(instance=obj, user=user)
        return merge(form_payload(form), changes)

    def test_edit(self, as_role, request, obj_a):
        assert self.edit_changes, "declare edit_changes"
        user = request.getfixturevalue(self.writer_role)
        client = as_role(self.writer_role)
        assert client.get(self.url("edit", obj_a.pk)).status_code == 200
        before = snapshot(obj_a)
        r = client.post(self.url("edit", obj_a.pk), self.edit_data(obj_a, user, **self.edit_changes))
        errors = r.context["form"].errors if r.context and "form" in r.context else None
        assert r.status_code == 302, errors
        obj = self.model._base_manager.get(pk=obj_a.pk)
        shown = form_payload(self.feature.form(instance=obj, user=user))
        for field, value in self.edit_changes.items():
            assert shown[field] == value, (field, shown[field], value)
        change = changes_of(obj, "update").latest("id")
        assert change.user == user and str(change.request_id) == r["X-Request-ID"]
        assert change.before == before
        assert change.after == snapshot(obj)

    def test_edit_invalid(self, as_role, request, obj_a):
        user = request.getfixturevalue(self.writer_role)
        client = as_role(self.writer_role)
        before = snapshot(obj_a)
        n_changes = changes_of(obj_a).count()
        form_fields = self.feature.form(instance=obj_a, user=user).fields
        cases = self.edit_invalid_cases(obj_a)
        assert cases, "declare invalid_cases"
        for overrides, field, message in cases:
            if field in form_fields and form_fields[field].disabled:
                continue  # e.g. the user name of an existing membership
            r = client.post(self.url("edit", obj_a.pk), merge(self.edit_data(obj_a, user), overrides))
            assert r.status_code == 400, overrides
            assert message in r.content.decode(), (overrides, r.context["form"].errors)
        assert snapshot(self.model._base_manager.get(pk=obj_a.pk)) == before
        assert changes_of(obj_a).count() == n_changes

    @pytest.mark.parametrize("role", ROLES)
    def test_edit_permissions(self, role, as_role, request, obj_a):
        client = as_role(role)
        before = snapshot(obj_a)
        data = self.edit_data(obj_a, request.getfixturevalue("superuser"), **self.edit_changes)
        get, post = client.get(self.url("edit", obj_a.pk)), client.post(self.url("edit", obj_a.pk), data)
        if role == "anonymous":
            assert_login_redirect(get)
            assert_login_redirect(post)
        elif role in self.writers:
            assert get.status_code == 200
            assert post.status_code == 302, post.context and post.context["form"].errors
            return
        else:
            assert get.status_code in (403, 404), (role, get.status_code)
            assert post.status_code in (403, 404), (role, post.status_code)
            assert self.marker(obj_a) not in post.content.decode()
        assert snapshot(self.model._base_manager.get(pk=obj_a.pk)) == before

    def test_edit_cannot_move_to_another_zone(self, as_role, request, obj_a, zone_b):
        """Even a user who may write in both zones cannot move a record (its related records stay)."""
        user = request.getfixturevalue("superuser")
        client = as_role("superuser")
        r = client.post(self.url("edit", obj_a.pk), self.edit_data(obj_a, user, zone=str(zone_b.pk)))
        assert r.status_code in (302, 400)
        assert self.model._base_manager.get(pk=obj_a.pk).zone_id == obj_a.zone_id

    # --- delete ---------------------------------------------------------------------------------
    def test_delete(self, as_role, request, obj_a):
        role = "superuser" if self.zone_like else self.writer_role
        client = as_role(role)
        before = snapshot(obj_a)
        r = client.get(self.url("delete", obj_a.pk))
        assert r.status_code == 200 and str(obj_a) in r.content.decode()  # "确定要删除“…”吗？"
        r = client.post(self.url("delete", obj_a.pk))
        assert r.status_code == 302 and r["Location"] == self.url("list")
        assert not self.model._base_manager.filter(pk=obj_a.pk).exists()
        change = changes_of(obj_a, "delete").get()
        assert change.user == request.getfixturevalue(role)
        assert str(change.request_id) == r["X-Request-ID"]
        assert {k: v for k, v in change.before.items() if k in before} == before
        assert change.after is None
        r = client.get(r["Location"])
        assert any("已删除" in str(m) for m in r.context["messages"])

    def test_delete_protected(self, as_role, obj_a):
        protecting = self.make_protecting(obj_a)
        client = as_role("superuser")
        r = client.post(self.url("delete", obj_a.pk), follow=True)
        assert self.model._base_manager.filter(pk=obj_a.pk).exists()
        messages = [str(m) for m in r.context["messages"]]
        assert any("无法删除" in m and str(protecting) in m for m in messages), messages
        assert not changes_of(obj_a, "delete").exists()

    @pytest.mark.parametrize("role", ROLES)
    def test_delete_permissions(self, role, as_role, obj_a):
        client = as_role(role)
        get, post = client.get(self.url("delete", obj_a.pk)), client.post(self.url("delete", obj_a.pk))
        if role == "anonymous":
            assert_login_redirect(get)
            assert_login_redirect(post)
        elif role in self.deleters:
            assert get.status_code == 200
            assert post.status_code == 302
            assert not self.model._base_manager.filter(pk=obj_a.pk).exists()
            return
        else:
            assert get.status_code in (403, 404), (role, get.status_code)
            assert post.status_code in (403, 404), (role, post.status_code)
        assert self.model._base_manager.filter(pk=obj_a.pk).exists()


# --------------------------------------------------------------------------------------------

class APITests(FeatureTestBase):
    """List / filter / detail over the API (generated when the feature declares a serializer)."""

    def api_ids(self, response):
        assert response.status_code == 200, response.content
        data = response.json()
        return {row["id"] for row in data["results"]}

    @pytest.mark.parametrize("role", ROLES)
    def test_api_list(self, role, as_role, obj_a, obj_b):
        r = as_role(role).get(self.api_url("list"))
        if role == "anonymous":
            assert r.status_code in (401, 403)
            return
        ids = self.api_ids(r)
        assert (obj_a.pk in ids) == (role in READERS_OF_A), role
        assert (obj_b.pk in ids) == (role in READERS_OF_B), role
        assert self.marker(obj_a) not in response_text(r) or role in READERS_OF_A

    def test_api_filter_and_search(self, list_client, zone_a):
        for n, (params, match_kw, other_kw) in enumerate(self.filter_cases(zone_a)):
            hit = self.make(zone_a, 10 + 2 * n, **match_kw)
            miss = self.make(zone_a, 11 + 2 * n, **other_kw)
            ids = self.api_ids(list_client.get(self.api_url("list"), params))
            assert hit.pk in ids and miss.pk not in ids, params
        hit, miss = self.make(zone_a, 1), self.make(zone_a, 2)
        for term in self.search_terms(hit):
            ids = self.api_ids(list_client.get(self.api_url("list"), {"q": term}))
            assert hit.pk in ids and miss.pk not in ids, term

    def test_api_filter_on_another_zone_is_refused(self, as_role, obj_a):
        r = as_role("staff_b").get(self.api_url("list"), {"zone": obj_a.zone_id if not self.zone_like else obj_a.pk})
        if r.status_code == 200:
            assert obj_a.pk not in self.api_ids(r)
        else:
            assert r.status_code == 400
            assert_chinese(r.content.decode())

    @pytest.mark.parametrize("role", ROLES)
    def test_api_detail(self, role, as_role, obj_a):
        r = as_role(role).get(self.api_url("detail", obj_a.pk))
        if role == "anonymous":
            assert r.status_code in (401, 403)
        elif role in READERS_OF_A:
            assert r.status_code == 200 and r.json()["id"] == obj_a.pk
        else:
            assert r.status_code == 404
            assert self.marker(obj_a) not in response_text(r)


class APIWriteTests(APITests):
    """Create and update over the API, with the same permissions as the pages."""

    api_changes = {}              # PATCH body for the update tests

    def api_invalid_cases(self, zone):
        """[(overrides of api_data, field, Chinese message fragment)]."""
        return []

    def api_data(self, zone, i):
        """A valid POST body creating object number `i` in `zone`."""
        raise NotImplementedError

    def api_cross_zone_data(self, zone_a, zone_b):
        """[(body, field)]: bodies a zone-B user posts that point at zone-A records."""
        return []

    def _pks(self):
        return set(self.model._base_manager.values_list("pk", flat=True))

    def post_json(self, client, url, data, method="post"):
        return getattr(client, method)(url, json.dumps(data), content_type="application/json")

    def test_api_create(self, as_role, request, zone_a):
        client = as_role(self.creator_role)
        before = self._pks()
        r = self.post_json(client, self.api_url("list"), self.api_data(zone_a, 1))
        assert r.status_code == 201, r.content.decode()
        obj = self.model._base_manager.get(pk=r.json()["id"])
        assert obj.pk not in before
        change = changes_of(obj, "create").get()
        assert change.user == request.getfixturevalue(self.creator_role)
        assert str(change.request_id) == r["X-Request-ID"]

    def test_api_create_invalid(self, as_role, zone_a):
        cases = self.api_invalid_cases(zone_a)
        assert cases, "declare api_invalid_cases"
        client = as_role(self.creator_role)
        valid = self.api_data(zone_a, 1)
        for overrides, field, message in cases:
            before = self._pks()
            r = self.post_json(client, self.api_url("list"), merge(valid, overrides))
            assert r.status_code == 400, (overrides, r.content.decode())
            errors = r.json()
            assert field in errors, (overrides, errors)
            assert message in " ".join(map(str, errors[field])), (overrides, errors)
            assert_chinese(errors[field])
            assert self._pks() == before

    @pytest.mark.parametrize("role", ROLES)
    def test_api_create_permissions(self, role, as_role, zone_a):
        client = as_role(role)
        before = self._pks()
        r = self.post_json(client, self.api_url("list"), self.api_data(zone_a, 1))
        if role in self.creators:
            assert r.status_code == 201, r.content.decode()
            return
        if role == "anonymous":
            assert r.status_code in (401, 403)
        else:
            assert r.status_code in (400, 403), (role, r.status_code)
            assert_chinese(r.content.decode())
        assert self._pks() == before

    def test_api_cannot_point_at_another_zone(self, as_role, zone_a, zone_b):
        client = as_role("staff_b")
        for body, field in self.api_cross_zone_data(zone_a, zone_b):
            before = self._pks()
            r = self.post_json(client, self.api_url("list"), body)
            assert r.status_code == 400, (body, r.content.decode())
            assert field in r.json(), r.json()
            assert_chinese(r.json()[field])
            assert self._pks() == before

    @pytest.mark.parametrize("role", ROLES)
    def test_api_update(self, role, as_role, request, obj_a):
        assert self.api_changes, "declare api_changes"
        client = as_role(role)
        before = snapshot(obj_a)
        r = self.post_json(client, self.api_url("detail", obj_a.pk), self.api_changes, method="patch")
        if role in self.writers:
            assert r.status_code == 200, r.content.decode()
            obj = self.model._base_manager.get(pk=obj_a.pk)
            for k, v in self.api_changes.items():
                assert r.json()[k] == v
            change = changes_of(obj, "update").latest("id")
            assert change.user == request.getfixturevalue(role)
            assert change.before == before
            return
        if role == "anonymous":
            assert r.status_code in (401, 403)
        else:
            assert r.status_code in (403, 404), (role, r.status_code)
            assert_chinese(r.content.decode())
            assert self.marker(obj_a) not in response_text(r)
        assert snapshot(self.model._base_manager.get(pk=obj_a.pk)) == before

    def test_api_update_cannot_move_zone(self, as_role, obj_a, zone_b):
        r = self.post_json(as_role("superuser"), self.api_url("detail", obj_a.pk), {"zone": zone_b.pk}, method="patch")
        assert r.status_code == 400
        assert_chinese(r.json()["zone"])
        assert self.model._base_manager.get(pk=obj_a.pk).zone_id == obj_a.zone_id


# --------------------------------------------------------------------------------------------

class FeatureTests(ListTests, DetailTests, WriteTests, APIWriteTests):
    """The full matrix for a writable feature. Parts that do not apply are not generated."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _prune(cls)


class ReadOnlyTests(ReadOnlyFeatureTests, APITests):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _prune(cls)


def _prune(cls):
    """Switch off (by setting to None, which pytest does not collect) tests that do not apply."""
    if cls.feature_key is None:
        return
    feature = REGISTRY[cls.feature_key]

    def off(*names):
        for name in names:
            setattr(cls, name, None)

    api = [n for n in dir(APIWriteTests) if n.startswith("test_api")]
    if feature.serializer is None:
        off(*api)
    elif feature.serializer_readonly or not issubclass(cls, APIWriteTests):
        off(*[n for n in api if n not in dir(APITests)])
    if issubclass(cls, WriteTests):
        if cls.make_protecting is WriteTests.make_protecting:
            off("test_delete_protected")
        if "zone" not in feature.form.base_fields:
            off("test_edit_cannot_move_to_another_zone")
    if issubclass(cls, APIWriteTests) and feature.serializer is not None:
        if "zone" not in feature.serializer.Meta.fields:
            off("test_api_update_cannot_move_zone", "test_api_filter_on_another_zone_is_refused")
        if cls.api_cross_zone_data is APIWriteTests.api_cross_zone_data:
            off("test_api_cannot_point_at_another_zone")
    if not cls.formula_field:
        off("test_export_neutralises_formulas")
    from zoneops.core.views import ObjectDetailView

    if not issubclass(feature.views.get("detail", ObjectDetailView), ObjectDetailView):
        off("test_detail_tabs")  # the feature brings its own detail page (and its own tests)


def all_test_classes():
    """Every concrete test class built on this machinery (for the coverage check)."""
    out, todo = [], [FeatureTests, ReadOnlyTests]
    while todo:
        c = todo.pop()
        for sub in c.__subclasses__():
            todo.append(sub)
            if sub.feature_key:
                out.append(sub)
    return out

