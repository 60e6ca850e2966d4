import pytest

from .factories import enterprise


@pytest.mark.django_db
def test_enterprise_list_shows_own_zone_only(client_a, zone_a, zone_b):
    enterprise(zone_a, 0, name="甲区可见企业有限公司")
    enterprise(zone_b, 1, name="乙区机密企业有限公司")
    html = client_a.get("/registry/enterprises/").content.decode()
    assert "甲区可见企业有限公司" in html
    assert "乙区机密企业有限公司" not in html


@pytest.mark.django_db
def test_renamed_enterprise_keeps_its_former_name_searchable(client_a, zone_a):
    ent = enterprise(zone_a, 0, name="台州老名字机械有限公司")
    ent.name = "浙江新名字科技股份有限公司"
    ent.save()
    ent.refresh_from_db()
    assert ent.former_names == "台州老名字机械有限公司"
    html = client_a.get("/registry/enterprises/", {"q": "老名字"}).content.decode()
    assert "浙江新名字科技股份有限公司" in html


@pytest.mark.django_db
def test_deep_slices_fetch_keys_first_and_return_the_same_rows(zone_a):
    from zoneops.core import scoping
    from zoneops.registry.models import Enterprise

    Enterprise.objects.bulk_create([
        Enterprise(zone=zone_a, uscc=f"X{i:017d}", name=f"企业{i % 7}号{i:04d}", scale="above" if i % 3 else "below")
        for i in range(60)])
    old, scoping.KEY_FIRST_OFFSET = scoping.KEY_FIRST_OFFSET, 10
    try:
        for qs in (Enterprise.objects.order_by("name", "id"),
                   Enterprise.objects.filter(scale="above").select_related("zone").order_by("-name", "id"),
                   Enterprise.objects.prefetch_related("pools").order_by("zone__name", "-id")):
            deep = qs[20:35]
            assert isinstance(deep, list)
            assert [o.pk for o in deep] == [o.pk for o in list(qs)[20:35]]
            assert [o.pk for o in qs[0:5]] == [o.pk for o in list(qs)[0:5]]
    finally:
        scoping.KEY_FIRST_OFFSET = old
