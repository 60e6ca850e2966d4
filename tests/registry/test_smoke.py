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
