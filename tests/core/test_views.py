"""The shared matrix for the core features: zones, memberships, the change history, import batches."""
from pathlib import Path

from zoneops.core.features import REGISTRY
from zoneops.core.models import ImportBatch, Membership, Zone

from ..conftest import make_user
from ..registry import factories
from .viewtests import FeatureTests, ReadOnlyTests, all_test_classes, changes_of


class TestZoneViews(FeatureTests):
    feature_key = "core.zone"
    search_fields = ("name", "code")
    sort_columns = {"code": str, "name": str}
    formula_field = "name"
    edit_changes = {"leading_industries": "汽车零部件、智能卫浴", "approved_area_ha": "1520.50"}
    api_changes = {"leading_industries": "再生金属、机电"}

    def make(self, zone, i, **kw):
        """Zone A itself is the zone-A object; others are new zones (visible to superusers)."""
        if i == 0 and not kw:
            return zone
        kw.setdefault("name", f"{zone.name}{i:02}号")
        return Zone.objects.create(code=f"{zone.code}-{i:02}", **kw)

    def filter_cases(self, zone):
        return [({"level": "national"}, {"level": "national"}, {"level": "provincial"})]

    def tab_content(self, obj):
        return {"overview": [obj.code, "行政区划代码"]}

    def form_data(self, zone, i):
        return {"code": f"new-zone-{i}", "name": f"新设开发区{i}", "level": "provincial", "region_code": "330784",
                "approved_area_ha": "800"}

    def invalid_cases(self, zone):
        Zone.objects.get_or_create(code="taken", defaults={"name": "已占用的开发区"})
        return [
            ({"region_code": "3307"}, "region_code", "行政区划代码应为 6 位数字"),
            ({"name": "已占用的开发区"}, "name", "已存在"),
            ({"code": "有空格 的代码"}, "code", "字母"),
        ]

    def api_data(self, zone, i):
        return {"code": f"api-zone-{i}", "name": f"接口开发区{i}", "level": "other"}

    def api_invalid_cases(self, zone):
        return [
            ({"region_code": "12"}, "region_code", "行政区划代码应为 6 位数字"),
            ({"name": zone.name}, "name", "已存在"),
        ]

    def make_protecting(self, obj):
        return factories.enterprise(obj, 3, name="仍在区内的企业有限公司")

    def test_zone_admin_cannot_delete_or_create_zones(self, as_role, zone_a):
        client = as_role("admin_a")
        assert client.post(self.url("delete", zone_a.pk)).status_code == 403
        assert Zone.objects.filter(pk=zone_a.pk).exists()
        r = client.post(self.url("add"), self.form_data(zone_a, 9))
        assert r.status_code == 403 and "只有系统管理员可以新建开发区" in r.content.decode()
        assert not Zone.objects.filter(code="new-zone-9").exists()

    def test_superuser_deletes_an_empty_zone_with_its_memberships(self, as_role, zone_b):
        """The zone's memberships go with it; the deletions are in the history (not lost with the zone)."""
        member = make_user("only_b", zone_b, Membership.Role.VIEWER)
        r = as_role("superuser").post(self.url("delete", zone_b.pk))
        assert r.status_code == 302
        assert not Zone.objects.filter(pk=zone_b.pk).exists()
        assert not Membership.objects.filter(user=member).exists()
        assert changes_of(zone_b, "delete").get().before["code"] == "zone-b"


class TestMembershipViews(FeatureTests):
    feature_key = "core.membership"
    sort_columns = {"full_name": str}
    formula_field = "full_name"
    edit_changes = {"role": "staff"}

    def make(self, zone, i, **kw):
        user = make_user(f"member{i}-{zone.code}", first_name=kw.pop("full_name", f"成员{i:02}"))
        return Membership.objects.create(user=user, zone=zone, role=kw.pop("role", Membership.Role.VIEWER), **kw)

    def marker(self, obj):
        return obj.user.username

    def search_terms(self, obj):
        return [obj.user.username, obj.user.first_name]

    def filter_cases(self, zone):
        return [({"role": "staff"}, {"role": "staff"}, {"role": "viewer"})]

    def tab_content(self, obj):
        return {"overview": [obj.user.username, "只读"], "history": ["新建"]}

    def form_data(self, zone, i):
        return {"zone": zone.pk, "username": f"newcomer{i}", "full_name": "新来的同事", "password": "Kq7-long-enough-pw",
                "role": "staff"}

    def invalid_cases(self, zone):
        make_user("existing_member", zone, Membership.Role.VIEWER)
        return [
            ({"password": ""}, "password", "新账户需要设置初始密码"),
            ({"password": "123"}, "password", "密码"),
            ({"username": "existing_member"}, "username", "该用户已是本开发区成员"),
            ({"role": "province"}, "role", "选择一个有效的选项"),
        ]

    def edit_invalid_cases(self, obj):
        return [({"role": "province"}, "role", "选择一个有效的选项"), ({"role": ""}, "role", "必填")]

    def test_new_member_account_can_log_in(self, as_role, zone_a, client):
        as_role("admin_a").post(self.url("add"), self.form_data(zone_a, 3))
        client.logout()
        r = client.post("/login/", {"username": "newcomer3", "password": "Kq7-long-enough-pw"})
        assert r.status_code == 302
        assert Membership.objects.get(user__username="newcomer3").zone == zone_a


class TestObjectChangeViews(ReadOnlyTests):
    feature_key = "core.objectchange"
    search_fields = ("object_repr",)
    sort_columns = {"object_repr": str}
    formula_field = "object_repr"

    def make(self, zone, i, **kw):
        """The change record of creating (or, with action="update", of renaming) an enterprise."""
        ent = factories.enterprise(zone, i, name=kw.get("object_repr", f"{zone.name}历史企业{i:02}有限公司"))
        if kw.get("action") == "update":
            ent.address = "新地址"
            ent.save()
            return changes_of(ent, "update").get()
        return changes_of(ent, "create").get()

    def marker(self, obj):
        return obj.object_repr

    def filter_cases(self, zone):
        return [({"action": "update"}, {"action": "update"}, {})]

    def tab_content(self, obj):
        return {"overview": [obj.object_repr], "diff": ["统一社会信用代码", obj.after["uscc"]]}


class TestImportBatchViews(ReadOnlyTests):
    feature_key = "core.importbatch"
    search_fields = ("file_name",)
    sort_columns = {"file_name": str, "total_rows": int}
    formula_field = "file_name"

    def make(self, zone, i, **kw):
        kw.setdefault("file_name", f"{zone.name}企业名单{i:02}.xlsx")
        kw.setdefault("total_rows", 100 + i)
        return ImportBatch.objects.create(zone=zone, kind=kw.pop("kind", "enterprises"), file_sha256="0" * 64, **kw)

    def marker(self, obj):
        return obj.file_name

    def filter_cases(self, zone):
        return [({"status": "done"}, {"status": "done"}, {"status": "failed"}),
                ({"kind": "parcels"}, {"kind": "parcels"}, {"kind": "figures"})]

    def tab_content(self, obj):
        return {"overview": [obj.file_name]}


def test_every_registered_feature_has_the_shared_matrix():
    """A new model registered as a Feature must get a test class built on viewtests."""
    import importlib

    root = Path(__file__).resolve().parents[1]
    for path in root.rglob("test_views.py"):
        importlib.import_module(".".join(path.relative_to(root.parent).with_suffix("").parts))
    covered = {cls.feature_key for cls in all_test_classes()}
    missing = sorted(set(REGISTRY) - covered)
    assert not missing, f"features without a FeatureTests/ReadOnlyTests class: {missing}"


def test_superusers_manage_province_roles_in_django_admin(client, zone_a, admin_a):
    """Province-wide readers have no zone, so the zone admins' page cannot make them: the admin can."""
    root = make_user("root", is_superuser=True, is_staff=True)
    reader = make_user("city_reader")
    client.force_login(root)
    assert client.get("/admin/core/membership/").status_code == 200
    r = client.post("/admin/core/membership/add/", {"user": reader.pk, "zone": "", "role": "province"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Membership.objects.get(user=reader).zone is None
    client.force_login(admin_a)  # a zone admin is not staff: no Django admin
    assert client.get("/admin/core/membership/").status_code == 302
