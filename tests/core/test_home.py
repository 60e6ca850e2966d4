import pytest

from zoneops.registry.models import EnterpriseYear

from ..registry.factories import enterprise, figures, parcel


@pytest.mark.django_db
def test_zone_home_shows_the_zones_figures_and_follows_changes(client_a, zone_a, zone_b):
    above = enterprise(zone_a, 0, scale="above", is_high_tech=True, industry_id="3670")
    enterprise(zone_a, 1, scale="below", has_rd_center=True)
    enterprise(zone_b, 2, scale="above", is_high_tech=True)  # another zone: never counted
    parcel(zone_a, "P-1", above, area="120.5")
    figures(above, 2023, revenue=10000, tax=500)
    figures(above, 2024, revenue=12000, tax=600)
    resp = client_a.get(f"/zones/{zone_a.pk}/home/")
    ctx = resp.context
    assert ctx["counts"]["above"] == 1 and ctx["counts"]["high_tech"] == 1 and ctx["counts"]["rd"] == 1
    assert ctx["land_mu"] == 120.5
    assert ctx["latest"] == {"year": 2024, "revenue": 12000.0, "tax": 600.0}
    assert ctx["revenue_growth"] == 20.0
    assert ctx["chart"]["divisions"] == ["36 汽车制造业"]
    # A write invalidates the cached figures.
    EnterpriseYear.objects.filter(enterprise=above, year=2024).first().delete()
    assert client_a.get(f"/zones/{zone_a.pk}/home/").context["latest"]["year"] == 2023


@pytest.mark.django_db
def test_zone_home_of_another_zone_is_404(client_b, zone_a):
    assert client_b.get(f"/zones/{zone_a.pk}/home/").status_code == 404


@pytest.mark.django_db
def test_home_redirects_to_the_users_zone(client_a, zone_a):
    resp = client_a.get("/")
    assert resp.status_code == 302 and resp["Location"] == f"/zones/{zone_a.pk}/home/"
