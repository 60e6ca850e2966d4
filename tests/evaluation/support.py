"""Builders for the evaluation tests: a zone with firms, parcels and figures, and runs on them."""
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from zoneops.evaluation import services
from zoneops.evaluation.models import Ruleset
from zoneops.registry.models import Enterprise

from ..registry import factories
from ..registry.factories import make_uscc


def firm(zone, i, *, scale="above", land="20", tax="480", va="2700", energy="1000", emissions="0.5",
         employees=150, rd="90", revenue="3000", power="1000", year=2023, status="operating", tenure="owned",
         land_override=None, name=None):
    """One firm with a parcel and the year's figures (about 黄岩 benchmark levels by default)."""
    ent = factories.enterprise(zone, 1000 + i + (zone.pk * 10000), name=name or f"{zone.name}评价企业{i:03d}有限公司",
                               uscc=make_uscc(zone.pk * 100000 + i), scale=scale, status=status)
    if land is not None:
        factories.parcel(zone, f"EV-{zone.pk}-{i}", holder=ent, area=land, tenure=tenure)
    add_year(ent, year, tax=tax, va=va, energy=energy, emissions=emissions, employees=employees, rd=rd,
             revenue=revenue, power=power, land_override=land_override)
    return ent


def add_year(ent, year, *, tax="480", va="2700", energy="1000", emissions="0.5", employees=150, rd="90",
             revenue="3000", power="1000", land_override=None):
    def d(v):
        return None if v is None else Decimal(str(v))

    return factories.figures(ent, year, revenue=d(revenue), tax=d(tax), value_added=d(va), energy_tce=d(energy),
                             emissions_t=d(emissions), employees=employees, rd_expense=d(rd), power_mwh=d(power),
                             land_mu=d(land_override), land_note="认定" if land_override is not None else "")


def population(zone, n=12, year=2023, scale="above", start=0):
    """n firms with spread-out figures (firm i has tax 100 + 40·i)."""
    return [firm(zone, start + i, scale=scale, tax=str(100 + 40 * i), va=str(1500 + 150 * i), year=year)
            for i in range(n)]


def preset_version(name="huangyan_2022"):
    services.ensure_presets()
    return Ruleset.objects.get(zone__isnull=True, name=name).latest_version()


def make_run(zone, year=2023, user=None, name="huangyan_2022"):
    return services.create_run(zone, year, preset_version(name), user=user, background=False)


def evidence(name="证明.pdf", data=b"%PDF-1.4 evidence"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def results_of(run):
    return {r.enterprise_id: r for r in run.results.all()}


__all__ = ["Enterprise", "add_year", "evidence", "firm", "make_run", "population", "preset_version", "results_of"]
