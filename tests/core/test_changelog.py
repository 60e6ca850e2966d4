"""The change history: every create, update and delete — from forms, the API, imports and plain
model saves — with user, time, request id and before/after; shown per object and on a global
page that is limited to the user's zones."""
import base64
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from zoneops.core.changelog import change_context, log_bulk, make_change, snapshot
from zoneops.core.models import ImportBatch, Membership, ObjectChange
from zoneops.registry.models import CultivationPool, Enterprise, EnterpriseYear, Parcel

from ..conftest import make_user
from ..registry import factories
from ..registry.factories import make_uscc
from .viewtests import changes_of, form_payload, parse_table

pytestmark = pytest.mark.django_db


def _form_data(ent, user, **changes):
    from zoneops.registry.forms import EnterpriseForm

    data = form_payload(EnterpriseForm(instance=ent, user=user))
    data.update(changes)
    return data


def test_form_create_update_delete_are_recorded(client_a, staff_a, zone_a):
    t0 = timezone.now()
    pool = CultivationPool.objects.first()
    r = client_a.post("/registry/enterprises/add/", {
        "zone": zone_a.pk, "uscc": make_uscc(1), "name": "记录测试有限公司", "scale": "below", "status": "operating",
        "pools": [pool.pk]})
    assert r.status_code == 302
    ent = Enterprise.objects.get(name="记录测试有限公司")
    created = changes_of(ent).get()  # one entry for the whole form, pools included
    assert (created.action, created.user, created.user_name, created.zone) == ("create", staff_a, "staff_a", zone_a)
    assert str(created.request_id) == r["X-Request-ID"]
    assert t0 <= created.time <= timezone.now()
    assert created.before is None
    assert created.after["name"] == "记录测试有限公司" and created.after["pools"] == [str(pool.pk)]

    r = client_a.post(f"/registry/enterprises/{ent.pk}/edit/", _form_data(ent, staff_a, scale="above", pools=[]))
    assert r.status_code == 302
    updated = changes_of(ent, "update").get()
    assert str(updated.request_id) == r["X-Request-ID"] != str(created.request_id)
    assert updated.before["scale"] == "below" and updated.after["scale"] == "above"
    assert updated.before["pools"] == [str(pool.pk)] and updated.after["pools"] == []
    assert {label for label, _, _ in updated.changed_fields()} == {"规模", "培育库"}

    r = client_a.post(f"/registry/enterprises/{ent.pk}/delete/")
    deleted = changes_of(ent, "delete").get()
    assert str(deleted.request_id) == r["X-Request-ID"]
    assert deleted.before["uscc"] == make_uscc(1) and deleted.after is None
    assert deleted.object_repr == "记录测试有限公司" and deleted.zone == zone_a


def test_an_unchanged_save_writes_no_entry(client_a, staff_a, zone_a):
    parcel = factories.parcel(zone_a, "P-9", area="12.5")  # stored as 12.5000
    n = ObjectChange.objects.count()
    Parcel.objects.get(pk=parcel.pk).save()
    from zoneops.registry.forms import ParcelForm

    data = form_payload(ParcelForm(instance=parcel, user=staff_a))
    data["area_mu"] = "12.5"
    assert client_a.post(f"/registry/parcels/{parcel.pk}/edit/", data).status_code == 302
    assert ObjectChange.objects.count() == n


def test_api_writes_are_recorded_with_the_api_user(client, zone_a, staff_a):
    """HTTP Basic is authenticated inside DRF, after the middleware opened the change context."""
    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"staff_a:pw-staff_a").decode()}
    r = client.post("/api/enterprises/", json.dumps({"zone": zone_a.pk, "uscc": make_uscc(2), "name": "接口企业"}),
                    content_type="application/json", **auth)
    assert r.status_code == 201, r.content
    ent = Enterprise.objects.get(pk=r.json()["id"])
    created = changes_of(ent).get()
    assert created.user == staff_a and str(created.request_id) == r["X-Request-ID"]
    r = client.patch(f"/api/enterprises/{ent.pk}/", json.dumps({"address": "新址 8 号"}),
                     content_type="application/json", **auth)
    assert r.status_code == 200
    updated = changes_of(ent, "update").get()
    assert updated.user == staff_a and updated.changed_fields() == [("地址", "", "新址 8 号")]


def test_model_saves_outside_a_request_are_recorded_as_system(zone_a):
    ent = factories.enterprise(zone_a, 0)
    pk = ent.pk
    ent.name = "改名有限公司"
    ent.save()
    ent.delete()
    entries = list(ObjectChange.objects.filter(object_id=str(pk), content_type__model="enterprise").order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.user is None and e.user_name == "system" and e.request_id is None for e in entries)
    assert ("企业名称", "甲开发区测试企业0有限公司", "改名有限公司") in entries[1].changed_fields()


def test_change_context_names_the_user_and_request(zone_a, staff_a):
    import uuid

    rid = uuid.uuid4()
    with change_context(user=staff_a, request_id=rid):
        ent = factories.enterprise(zone_a, 0)
    entry = changes_of(ent).get()
    assert (entry.user, entry.request_id) == (staff_a, rid)


def test_many_to_many_changes_from_both_sides(zone_a):
    pool_a, pool_b = CultivationPool.objects.all()[:2]
    ent = factories.enterprise(zone_a, 0)
    ent.pools.add(pool_a)
    pool_b.enterprises.add(ent)  # from the pool's side
    pool_a.enterprises.clear()
    entries = [e for e in changes_of(ent, "update").order_by("id")]
    assert [(e.before["pools"], e.after["pools"]) for e in entries] == [
        ([], [str(pool_a.pk)]),
        ([str(pool_a.pk)], sorted([str(pool_a.pk), str(pool_b.pk)])),
        (sorted([str(pool_a.pk), str(pool_b.pk)]), [str(pool_b.pk)]),
    ]
    pk = ent.pk
    ent.delete()
    deleted = ObjectChange.objects.get(object_id=str(pk), content_type__model="enterprise", action="delete")
    assert deleted.before["pools"] == [str(pool_b.pk)]


def test_deleting_an_enterprise_records_what_goes_with_it(zone_a):
    ent = factories.enterprise(zone_a, 0)
    parcel = factories.parcel(zone_a, "P-1", holder=ent)
    year = factories.figures(ent, 2023)
    ent_pk, year_pk = ent.pk, year.pk
    ent.delete()
    deleted_year = ObjectChange.objects.get(object_id=str(year_pk), content_type__model="enterpriseyear",
                                            action="delete")
    assert deleted_year.before["enterprise"] == ent_pk
    # The parcel's holder is set to NULL by the database, without a save: recorded all the same.
    nulled = changes_of(parcel, "update").get()
    assert nulled.changed_fields() == [("使用企业", ent_pk, None)]
    assert Parcel.objects.get(pk=parcel.pk).holder is None


def test_bulk_writes_of_imports_point_to_their_batch(client_a, zone_a, staff_a):
    batch = ImportBatch.objects.create(zone=zone_a, kind="figures", user=staff_a, file_name="年度指标.xlsx",
                                       file_sha256="0" * 64)
    ent = factories.enterprise(zone_a, 0)
    year = EnterpriseYear(zone=zone_a, enterprise=ent, year=2022, revenue=Decimal("5000"))
    EnterpriseYear.objects.bulk_create([year])
    year = EnterpriseYear.objects.get(enterprise=ent, year=2022)
    log_bulk([make_change(year, "create", None, snapshot(year), {"user": staff_a, "import_batch": batch})])
    entry = changes_of(year).get()
    assert entry.import_batch == batch and entry.user == staff_a and entry.zone == zone_a
    html = client_a.get(f"/registry/figures/{year.pk}/", {"tab": "history"}).content.decode()
    assert f"/core/batches/{batch.pk}/" in html and "导入批次" in html


def test_history_tab_shows_the_differences_with_labels(client_a, zone_a, staff_a):
    ent = factories.enterprise(zone_a, 0, name="旧名称有限公司")
    with change_context(user=staff_a):
        ent.name = "新名称有限公司"
        ent.scale = "above"
        ent.is_high_tech = True
        ent.save()
    r = client_a.get(f"/registry/enterprises/{ent.pk}/", {"tab": "history"})
    headers, rows = parse_table(r.content.decode())
    assert headers == ["时间", "用户", "操作", "字段", "修改前", "修改后"]
    cells = [row[-3:] for row in rows]
    assert ["企业名称", "旧名称有限公司", "新名称有限公司"] in cells
    assert ["规模", "规下", "规上"] in cells
    assert ["高新技术企业", "否", "是"] in cells
    assert any("修改" in row and "staff_a" in row for row in rows)
    # The former name is kept (曾用名) — and shows as a change too.
    assert ["曾用名", "—", "旧名称有限公司"] in cells
    # Pools are shown by name.
    pools = list(CultivationPool.objects.order_by("id")[:2])
    with change_context(user=staff_a):
        ent.pools.set(pools)
    _, rows = parse_table(client_a.get(f"/registry/enterprises/{ent.pk}/", {"tab": "history"}).content.decode())
    assert ["培育库", "—", f"{pools[0].name}、{pools[1].name}"] in [row[-3:] for row in rows]


def test_change_detail_page_shows_what_changed(client_a, zone_a):
    ent = factories.enterprise(zone_a, 0)
    ent.address = "新地址 1 号"
    ent.is_high_tech = True
    ent.save()
    entry = changes_of(ent, "update").get()
    _, rows = parse_table(client_a.get(f"/core/changes/{entry.pk}/", {"tab": "diff"}).content.decode())
    assert ["地址", "—", "新地址 1 号"] in rows and ["高新技术企业", "否", "是"] in rows


def test_global_history_is_limited_to_the_users_zones(client, zone_a, zone_b, staff_b, province):
    factories.enterprise(zone_a, 0, name="甲区历史企业有限公司")
    factories.enterprise(zone_b, 1, name="乙区历史企业有限公司")
    client.force_login(staff_b)
    rows = "\n".join(map(str, parse_table(client.get("/core/changes/").content.decode())[1]))
    assert "乙区历史企业有限公司" in rows and "甲区历史企业有限公司" not in rows
    assert "甲区历史企业有限公司" not in client.get("/core/changes/", {"q": "甲区", "export": "csv"}).content.decode()
    entry_a = ObjectChange.objects.get(object_repr="甲区历史企业有限公司")
    assert client.get(f"/core/changes/{entry_a.pk}/").status_code == 404
    client.force_login(province)
    rows = "\n".join(map(str, parse_table(client.get("/core/changes/").content.decode())[1]))
    assert "乙区历史企业有限公司" in rows and "甲区历史企业有限公司" in rows


def test_membership_changes_are_in_the_zones_history(client, zone_a, admin_a):
    member = make_user("new_colleague", zone_a, Membership.Role.VIEWER)
    entry = ObjectChange.objects.get(object_repr__startswith="new_colleague")
    assert entry.zone == zone_a and entry.after["user"] == member.pk
    client.force_login(admin_a)
    assert client.get(f"/core/changes/{entry.pk}/").status_code == 200
