"""Reading evaluation results for plans, policies and the 低效用地 candidate list.

Only `zoneops.evaluation` models Run and Result are read (never written). "The class that
counts" follows the evaluation contract: the firm's result in its zone's latest finished run
(of the given year), its `final_class` (the computed class after 调档/异议); an exempt firm has no class
of its own and is treated as its ruleset's exemption class (e.g. B) for policies.
"""
from dataclasses import dataclass

from django.db.models import Case, F, FloatField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Cast

from zoneops.core.scoping import zone_ids_for

from .models import OPEN_STATUSES, ImprovementPlan, PolicyItem

DEFAULT_CLASSES = ("D",)


@dataclass(frozen=True)
class FirmClass:
    class_code: str          # the class that counts ("" when none)
    total: float | None
    year: int
    run_id: int
    land_mu: float | None
    exempt: bool = False
    exemption_reason: str = ""
    policy_class: str = ""   # the class whose policies apply (the exemption class for exempt firms)
    result_id: int | None = None
    need_tax_per_mu: float | None = None
    next_class: str = ""


def finished_runs(runs):
    from zoneops.evaluation.models import RunStatus

    return runs.filter(status=RunStatus.DONE)


PUBLIC_STATES = ("published", "objection", "final")


def latest_run_ids(zone_ids=None, *, year=None, user=None):
    """{zone_id: run_id} of the run that counts in each zone: one query.

    The same choice as `zoneops.evaluation.services.latest_classes`: the newest year with a
    finished run (or `year`); within it the final run, else a published one, else the newest.
    `zone_ids` None = every zone (the user's, when `user` is given)."""
    from zoneops.evaluation.models import Run

    runs = finished_runs(Run.objects.restrict(user) if user is not None else Run.objects.all())
    if zone_ids is not None:
        runs = runs.filter(zone_id__in=list(zone_ids))
    if year is not None:
        runs = runs.filter(year=year)
    best = {}
    for zone_id, run_year, state, run_id in runs.order_by().values_list("zone_id", "year", "state", "id"):
        rank = (run_year, state == "final", state in PUBLIC_STATES, run_id)
        if zone_id not in best or rank > best[zone_id][0]:
            best[zone_id] = (rank, run_id)
    return {zone_id: run_id for zone_id, (_rank, run_id) in best.items()}


_EXEMPTION_CLASS = {}  # ruleset version id -> exemption class (versions never change)


def exemption_class(version):
    if version.pk not in _EXEMPTION_CLASS:
        try:
            cls = getattr(version.parsed(), "exemption_class", None) or ""
        except Exception:  # noqa: BLE001 - a ruleset the engine cannot read: no class, not a broken page
            cls = ""
        _EXEMPTION_CLASS[version.pk] = cls
    return _EXEMPTION_CLASS[version.pk]


def counting_class(result):
    """`final_class` is the class that counts: the computed class, after 调档 and 异议."""
    return result.final_class or ""


def class_of(enterprise, *, year=None):
    """The FirmClass of one enterprise from its zone's latest run, or None (two small queries)."""
    try:
        from zoneops.evaluation.models import Result
    except ImportError:  # the evaluation app is not installed
        return None
    run_id = latest_run_ids([enterprise.zone_id], year=year).get(enterprise.zone_id)
    if run_id is None:
        return None
    result = (Result.objects.filter(run_id=run_id, enterprise_id=enterprise.pk)
              .select_related("run__ruleset_version").first())
    if result is None:
        return None
    return firm_class(result)


def firm_class(result):
    code = counting_class(result)
    exempt = bool(getattr(result, "exempt", False))
    policy = code or (exemption_class(result.run.ruleset_version) if exempt else "")
    expl = result.explanation or {}
    return FirmClass(class_code=code, total=result.total, year=result.run.year, run_id=result.run_id,
                     land_mu=result.land_mu, exempt=exempt, exemption_reason=getattr(result, "exemption_reason", ""),
                     policy_class=policy, result_id=result.pk, need_tax_per_mu=expl.get("need_tax_per_mu"),
                     next_class=expl.get("next_class") or "")


def policies_for(user, zone_id, class_code):
    if not class_code:
        return []
    return list(PolicyItem.objects.restrict(user).filter(zone_id=zone_id, class_code=class_code)
                .order_by("order", "id"))


# -- 低效用地 candidates ---------------------------------------------------------------------------

@dataclass
class CandidateQuery:
    year: int | None = None
    classes: tuple = DEFAULT_CLASSES
    below: float | None = None     # total score below this also qualifies
    min_land: float = 0.0          # 亩; firms must hold more than 0 in any case
    zone_id: int | None = None
    q: str = ""
    has_plan: bool | None = None
    sort: str = "total"


SORTS = {"total": ("total", "enterprise__name"), "-total": ("-total", "enterprise__name"),
         "-land": ("-land", "total"), "land": ("land", "total"),
         "tax_per_mu": (F("tax_per_mu").asc(nulls_first=True), "total"),
         "-tax_per_mu": (F("tax_per_mu").desc(nulls_last=True), "total"),
         "name": ("enterprise__name", "enterprise_id")}


def candidates(user, query):
    """Results (one query, annotated) of the firms in the chosen classes or below the score, that
    hold land: `land` (亩: their parcels, else the evaluated land), `tax`, `tax_per_mu`, `plan_id`
    (their newest open plan), `counting`."""
    from zoneops.evaluation.models import Result
    from zoneops.registry.models import EnterpriseYear, Parcel

    zone_ids = zone_ids_for(user)
    if query.zone_id is not None:
        zone_ids = {query.zone_id} if zone_ids is None or query.zone_id in zone_ids else set()
    runs = list(latest_run_ids(zone_ids, year=query.year, user=user).values())
    parcels = (Parcel.objects.filter(holder_id=OuterRef("enterprise_id")).order_by()
               .values("holder_id").annotate(s=Sum("area_mu")).values("s"))
    tax = (EnterpriseYear.objects.filter(enterprise_id=OuterRef("enterprise_id"), year=OuterRef("run__year"))
           .values("tax")[:1])
    plans = (ImprovementPlan.objects.filter(enterprise_id=OuterRef("enterprise_id"), status__in=OPEN_STATUSES)
             .order_by("-id").values("id")[:1])
    qs = (Result.objects.restrict(user).filter(run_id__in=runs)
          .annotate(counting=F("final_class"),
                    parcel_land=Cast(Subquery(parcels), FloatField()),
                    tax=Cast(Subquery(tax), FloatField()),
                    plan_id=Subquery(plans))
          .annotate(land=Case(When(parcel_land__gt=0, then=F("parcel_land")), default=F("land_mu"),
                              output_field=FloatField()),
                    tax_per_mu=Case(When(land_mu__gt=0, then=F("tax") / F("land_mu")), default=None,
                                    output_field=FloatField())))
    rule = Q(pk__in=[])
    if query.classes:
        rule |= Q(counting__in=list(query.classes))
    if query.below is not None:
        rule |= Q(total__lt=query.below)
    qs = qs.filter(rule).filter(land__gt=0)
    if query.min_land:
        qs = qs.filter(land__gte=query.min_land)
    if query.q:
        term = query.q.strip()[:100]
        qs = qs.filter(Q(enterprise__name__icontains=term) | Q(enterprise__uscc__contains=term.upper()))
    if query.has_plan is not None:
        qs = qs.filter(~Q(plan_id=None) if query.has_plan else Q(plan_id=None))
    return qs.select_related("enterprise", "zone", "run").order_by(*SORTS.get(query.sort, SORTS["total"]))


def candidate_totals(qs):
    """{"firms": n, "land": 亩} of a candidate queryset (one query).

    Summed here rather than with aggregate(): Django renders an aggregate over the filtered
    `land` annotation as SUM("land"), which SQLite reads as the string 'land' (a silent 0)."""
    lands = list(qs.order_by().values_list("land", flat=True))
    return {"firms": len(lands), "land": round(sum(x or 0.0 for x in lands), 4)}


def evaluated_tax_per_mu(result):
    """The engine's own 亩均税收 when the result carries it, else tax / evaluated land."""
    item = (result.items or {}).get("tax_per_mu")
    if isinstance(item, dict):
        value = item.get("v", item.get("value"))
        if value is not None:
            return value
    return getattr(result, "tax_per_mu", None)
