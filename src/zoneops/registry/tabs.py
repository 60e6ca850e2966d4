"""Context for the enterprise detail tabs."""
from decimal import Decimal


def enterprise_land(request, enterprise):
    parcels = list(enterprise.parcels.order_by("code"))
    return {"parcels": parcels, "land_total": sum((p.area_mu for p in parcels), Decimal(0))}


def enterprise_figures(request, enterprise):
    years = list(enterprise.years.order_by("year"))
    land_sum = sum((p.area_mu for p in enterprise.parcels.all()), Decimal(0))
    rows = []
    for y in years:
        land = y.land_mu if y.land_mu is not None else land_sum
        rows.append({"obj": y, "land": land,
                     "tax_per_mu": (y.tax / land) if y.tax is not None and land else None})
    chart = {
        "years": [str(y.year) for y in years],
        "revenue": [float(y.revenue) if y.revenue is not None else None for y in years],
        "tax": [float(y.tax) if y.tax is not None else None for y in years],
        "value_added": [float(y.value_added) if y.value_added is not None else None for y in years],
    }
    return {"figure_rows": rows, "chart": chart}
