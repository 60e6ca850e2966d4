import pytest

from .factories import enterprise


@pytest.mark.django_db
def test_enterprise_list_shows_own_zone_only(client_a, zone_a, zone_b):
    enterprise(zone_a, 0, name="甲区可见企业有限公司")
    enterprise(zone_b, 1, name="乙区机密企业有限公司")
    html = client_a.get("/registry/enterprises/").content.decode()
    assert "甲区可见企业有限公司" in html
    assert "乙区机密企业有限公司" not in html
