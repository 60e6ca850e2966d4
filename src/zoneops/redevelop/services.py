"""Candidates (parcels × the zone's rules), opening / completing / stopping cases, and totals.

Reads (never writes) the evaluation results through `zoneops.improvement.services.latest_run_ids`
so that "the class that counts" is the same as on the improvement candidate list. Parcel status
changes go through `zoneops.land.services.transition` (see `_transition`).
"""
import datetime
import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.scoping import zone_ids_for
from zoneops.registry.models import EnterpriseYear, Parcel

from . import engine
from .models import OPEN_STATUSES, CandidateRule, CaseParcel, CaseStatus, Extent, Milestone, RedevelopmentCase

# Status codes (strings, so that the code also reads statuses the land app adds later).
INEFFICIENT, REDEVELOPING, REDEVELOPED = "inefficient", "redeveloping", "redeveloped"
SOLD_NOT_BUILT = ("sold", "supplied")          # 已出让 / 已供地, not yet built: idle since that date
IN_USE = ("building", "producing", INEFFICIENT, REDEVELOPED)
CANDIDATE_STATUSES = SOLD_NOT_BUILT + IN_USE   # land held by a user; reserve land is not 低效用地


# -- parcel status changes ---------------------------------------------------------------------------

def _transition(parcel, to_status, user, *, on, note=""):
    """Through the land app's transition (dated, checked, logged) when it exists; else a plain,
    tracked status change (the land app predates its lifecycle)."""
    try:
        from zoneops.land.services import transition
    except ImportError:
        transition = None
    if transition is not None:
        return transition(parcel, to_status, user, on=on, note=note)
    parcel.status = to_status
    parcel.save(update_fields=["status", "updated"])
    return None


def status_dates(parcel_ids, zone_ids=None):
    """{parcel_id: date of its last event in the land app's history} of `parcel_ids` (or of every
    parcel of `zone_ids`)."""
    out = {}
    try:
        from zoneops.land.models import ParcelEvent
    except ImportError:
        ParcelEvent = None
    if ParcelEvent is not None:
        date_field = next((n for n in ("on", "date", "happened_on") if _has_field(ParcelEvent, n)), None)
        if date_field:
            events = (ParcelEvent.objects.filter(zone_id__in=list(zone_ids)) if parcel_ids is None
                      else ParcelEvent.objects.filter(parcel_id__in=list(parcel_ids)))
            rows = (events.order_by().values("parcel_id")
                    .annotate(last=Max(date_field)).values_list("parcel_id", "last"))
            out = {pid: (last.date() if isinstance(last, datetime.datetime) else last) for pid, last in rows}
    return out


def _has_field(model, name):
    try:
        model._meta.get_field(name)
        return True
    except Exception:  # noqa: BLE001
        return False


# -- candidates -------------------------------------------------------------------------------------

@dataclass
class Candidate:
    parcel_id: int
    zone_id: int
    zone_name: str
    code: str
    name: str
    area_mu: float
    status: str
    holder_id: int | None
    holder_name: str
    holder_class: str
    tax_per_mu: float | None
    far: float | None
    idle_since: datetime.date | None
    reasons: list = field(default_factory=list)
    misses: list = field(default_factory=list)
    matched: bool = False
    eval_year: int | None = None

    @property
    def status_label(self):
        return dict(Parcel._meta.get_field("status").flatchoices).get(self.status, self.status)

    @property
    def reasons_text(self):
        return "；".join(self.reasons)


def rules_for(zone_ids, today=None):
    """{zone_id: [(name, engine.Rules)]} of the active rule sets; a zone without any rule set gets
    [engine.DEFAULT_RULES] (a zone whose sets are all switched off gets none: nothing is listed)."""
    out, seen = {z: [] for z in zone_ids}, set()
    for r in CandidateRule.objects.filter(zone_id__in=list(zone_ids)).order_by("name", "id"):
        seen.add(r.zone_id)
        if r.active:
            out[r.zone_id].append((r.name, r.rules(today)))
    for z in zone_ids:
        if z not in seen:
            out[z] = [(engine.DEFAULT_NAME, engine.DEFAULT_RULES)]
    return out


def evaluate_parcels(parcels, *, year=None, today=None, rules=None):
    """Candidate rows (matched or not) for parcel dicts (see `_parcel_rows`): a fixed number of
    queries whatever their count. `rules` {zone_id: Rules} overrides the zones' rule sets."""
    from zoneops.improvement.services import latest_run_ids

    today = today or timezone.localdate()
    zone_ids = {p["zone_id"] for p in parcels}
    rules = rules or rules_for(zone_ids, today)
    holders = {p["holder_id"] for p in parcels if p["holder_id"]}
    # A few parcels (opening a case): filter by their ids. A zone's list: filter by zone, which
    # avoids sending thousands of ids to the database.
    few = len(parcels) <= 500

    def scoped(qs, ids_lookup, ids, zone_lookup="zone_id__in"):
        return qs.filter(**{ids_lookup: list(ids)}) if few else qs.filter(**{zone_lookup: list(zone_ids)})

    runs = latest_run_ids(zone_ids, year=year)
    classes, evaluated_tax, run_year = {}, {}, {}
    if runs and holders:
        from zoneops.evaluation.models import Result

        results = scoped(Result.objects.filter(run_id__in=list(runs.values())), "enterprise_id__in", holders)
        for ent_id, cls, included, v_tax, ryear in results.values_list(
                "enterprise_id", "final_class", "included", "v_tax_per_mu", "run__year"):
            classes[ent_id] = (cls or "") if included else ""
            run_year[ent_id] = ryear
            if v_tax is not None:
                evaluated_tax[ent_id] = v_tax
    # Tax per 亩 from the annual figures where the evaluation gives none: tax of the year / land held.
    taxes, land = {}, {}
    need = holders - set(evaluated_tax)
    if need:
        years = scoped(EnterpriseYear.objects.filter(tax__isnull=False), "enterprise_id__in", need)
        if year is not None:
            years = years.filter(year=year)
        for ent_id, y, tax in years.order_by("year").values_list("enterprise_id", "year", "tax"):
            wanted = run_year.get(ent_id)
            if wanted is None or y == wanted or ent_id not in taxes:
                taxes[ent_id] = float(tax)
        land = dict(scoped(Parcel.objects.filter(holder__isnull=False), "holder_id__in", need).order_by()
                    .values("holder_id").annotate(s=Sum("area_mu")).values_list("holder_id", "s"))
    dates = status_dates([p["id"] for p in parcels] if few else None, zone_ids=None if few else zone_ids)
    # An idle parcel without any event counts from its last change: read only for those (loading
    # 20,000 timestamps was a fifth of the time).
    undated = [p["id"] for p in parcels if p["id"] not in dates and (
        p["status"] in SOLD_NOT_BUILT or (p["holder_id"] is None and p["status"] in IN_USE))]
    changed = {}
    for i in range(0, len(undated), 2000):
        changed.update(Parcel.objects.filter(pk__in=undated[i:i + 2000]).values_list("pk", "updated"))
    out = []
    for p in parcels:
        ent = p["holder_id"]
        tax = evaluated_tax.get(ent)
        if tax is None and ent in taxes and land.get(ent):
            tax = taxes[ent] / float(land[ent])
        status = p["status"]
        idle = status in SOLD_NOT_BUILT or (ent is None and status in IN_USE)
        since = None
        if idle:  # (localdate is slow enough to matter over 20,000 parcels: only where needed)
            since = dates.get(p["id"]) or (timezone.localdate(changed[p["id"]]) if p["id"] in changed else None)
        facts = engine.ParcelFacts(
            area_mu=float(p["area_mu"]) if p["area_mu"] is not None else None, has_holder=ent is not None,
            holder_class=classes.get(ent, "") if ent else "", tax_per_mu=tax,
            far=float(p["floor_area_ratio"]) if p["floor_area_ratio"] is not None else None,
            idle_since=since if idle else None, idle_known=since is not None or not idle,
            marked=status == INEFFICIENT, sold_not_built=status in SOLD_NOT_BUILT)
        match = engine.check_rules(rules[p["zone_id"]], facts)
        out.append(Candidate(
            parcel_id=p["id"], zone_id=p["zone_id"], zone_name=p.get("zone__name", ""), code=p["code"],
            name=p["name"], area_mu=facts.area_mu or 0.0, status=status, holder_id=ent,
            holder_name=p.get("holder__name") or "", holder_class=facts.holder_class, tax_per_mu=tax,
            far=facts.far, idle_since=facts.idle_since, reasons=match.reasons, misses=match.misses,
            matched=match.matched, eval_year=run_year.get(ent)))
    return out


PARCEL_FIELDS = ("id", "zone_id", "zone__name", "code", "name", "area_mu", "status", "holder_id", "holder__name",
                 "floor_area_ratio")


def open_case_parcel_ids(parcel_ids=None):
    qs = CaseParcel.objects.filter(case__status__in=OPEN_STATUSES)
    if parcel_ids is not None:
        qs = qs.filter(parcel_id__in=list(parcel_ids))
    return set(qs.values_list("parcel_id", flat=True))


@dataclass
class CandidateQuery:
    zone_id: int | None = None
    year: int | None = None
    q: str = ""
    holder_class: str = ""
    min_area: float | None = None
    status: str = ""
    sort: str = "-area"


SORTS = {
    "-area": lambda c: (-c.area_mu, c.code),
    "area": lambda c: (c.area_mu, c.code),
    "tax": lambda c: (c.tax_per_mu is None, c.tax_per_mu or 0.0, c.code),
    "far": lambda c: (c.far is None, c.far or 0.0, c.code),
    "code": lambda c: (c.zone_name, c.code),
}


def candidates(user, query=None, *, today=None, all_zones=False):
    """The matched candidates of the user's zones (or of `query.zone_id`), sorted: parcels in a
    held status, not in an open case. `all_zones` (the CLI, no user) reads every zone.

    A parcel's verdict depends on its own facts only, so the zones' whole candidate list is
    evaluated once and cached (see `_zone_candidates`), and the query's filters apply to it."""
    query = query or CandidateQuery()
    zone_ids = None if all_zones else zone_ids_for(user)
    if query.zone_id is not None:
        zone_ids = {query.zone_id} if zone_ids is None or query.zone_id in zone_ids else set()
    rows = _zone_candidates(zone_ids, query.year, today or timezone.localdate())
    if query.status:
        rows = [r for r in rows if r.status == query.status]
    if query.min_area is not None:
        rows = [r for r in rows if r.area_mu >= query.min_area]
    if query.q:
        term = query.q.strip()[:100].casefold()
        rows = [r for r in rows if term in r.code.casefold() or term in r.name.casefold()
                or term in r.holder_name.casefold()]
    if query.holder_class:
        rows = [r for r in rows if r.holder_class == query.holder_class.upper()]
    return sorted(rows, key=SORTS.get(query.sort, SORTS["-area"]))


CACHE_SECONDS = 24 * 3600


def _zone_candidates(zone_ids, year, today):
    """Every matched candidate of `zone_ids` (None: every zone), evaluated once per state of the
    data: the zones' data versions (any tracked change: parcels, figures, cases, links), the
    rule sets, the evaluation results that count (their runs' and results' last change) and the
    day (idle rules count days). Evaluating 20,000 parcels took most of a second."""
    from zoneops.core.models import Zone
    from zoneops.evaluation.models import Result, Run
    from zoneops.improvement.services import latest_run_ids

    if zone_ids is not None and not zone_ids:
        return []
    zones = Zone.objects.all() if zone_ids is None else Zone.objects.filter(pk__in=list(zone_ids))
    versions = sorted(zones.values_list("pk", "data_version"))
    runs = sorted(latest_run_ids(None if zone_ids is None else zone_ids, year=year).values())
    run_marks = sorted(Run.objects.filter(pk__in=runs).values_list("pk", "updated"))
    result_mark = Result.objects.filter(run_id__in=runs).aggregate(n=Count("pk"), last=Max("updated")) if runs else {}
    rules = CandidateRule.objects.all() if zone_ids is None else CandidateRule.objects.filter(zone_id__in=list(zone_ids))
    rule_marks = sorted(rules.values_list("pk", "active", "updated"))
    key = "redevelop-candidates:" + hashlib.sha256(json.dumps(
        [versions, rule_marks, year, today.isoformat(), run_marks, result_mark], default=str).encode()).hexdigest()
    # This process's copy first, while the shared cache still holds the key (so that clearing the
    # cache clears it): unpickling 7,000 candidates per request set off full garbage collections.
    rows = _MEMO.get(key)
    if rows is not None and cache.has_key(key):
        return rows
    rows = cache.get(key)
    if rows is None:
        rows = _evaluate_zones(zone_ids, year, today)
        cache.set(key, rows, CACHE_SECONDS)
    _MEMO[key] = rows
    while len(_MEMO) > MEMO_SIZE:
        _MEMO.popitem(last=False)
    return rows


_MEMO = OrderedDict()  # cache key → candidate rows (shared by requests: not to be changed)
MEMO_SIZE = 8


def _evaluate_zones(zone_ids, year, today):
    qs = Parcel.objects.filter(status__in=CANDIDATE_STATUSES)
    busy = CaseParcel.objects.filter(case__status__in=OPEN_STATUSES)
    if zone_ids is not None:
        qs = qs.filter(zone_id__in=list(zone_ids))
        busy = busy.filter(zone_id__in=list(zone_ids))
    qs = qs.exclude(pk__in=busy.values("parcel_id"))
    try:
        from zoneops.land.models import ParcelLink

        qs = qs.exclude(pk__in=ParcelLink.objects.values("parent_id"))
    except ImportError:
        pass
    return [r for r in evaluate_parcels(list(qs.order_by().values(*PARCEL_FIELDS)), year=year, today=today)
            if r.matched]


def candidate_totals(rows):
    return {"parcels": len(rows), "area_mu": round(sum(r.area_mu for r in rows), 4)}


# -- cases ------------------------------------------------------------------------------------------

def _dec(value, places="0.01"):
    return None if value is None else Decimal(str(value)).quantize(Decimal(places))


def retired_parcel_ids(parcel_ids=None):
    """Parcels split or merged away (the land app's lineage): never candidates nor in a case."""
    try:
        from zoneops.land.models import ParcelLink
    except ImportError:
        return set()
    qs = ParcelLink.objects.all()
    if parcel_ids is not None:
        qs = qs.filter(parent_id__in=list(parcel_ids))
    return set(qs.values_list("parent_id", flat=True))


def _check_parcels(zone, parcels, on=None):
    errors = []
    if not parcels:
        raise ValidationError({"parcels": _("请至少选择一宗地块。")})
    if len(parcels) > 500:
        raise ValidationError({"parcels": _("一个改造项目最多包含 500 宗地块。")})
    for p in parcels:
        if p.zone_id != zone.pk:
            # Never name another zone's parcel.
            raise ValidationError({"parcels": _("所选地块不属于该开发区。")})
    busy = {cp.parcel_id: cp.case for cp in CaseParcel.objects.filter(
        parcel_id__in=[p.pk for p in parcels], case__status__in=OPEN_STATUSES).select_related("case")}
    retired = retired_parcel_ids([p.pk for p in parcels])
    dates = status_dates([p.pk for p in parcels]) if on is not None else {}
    for p in parcels:
        if p.pk in retired:
            errors.append(_("地块 %(code)s 已分割或合并，不能开立改造项目。") % {"code": p.code})
        elif p.pk in busy:
            errors.append(_("地块 %(code)s 已在改造项目“%(case)s”（%(status)s）中，不能重复立项。") % {
                "code": p.code, "case": busy[p.pk].name, "status": busy[p.pk].get_status_display()})
        elif p.status not in CANDIDATE_STATUSES:
            errors.append(_("地块 %(code)s 的状态为“%(status)s”，不能开立改造项目（须为已出让、在建、投产或低效等在用地块）。") % {
                "code": p.code, "status": p.get_status_display()})
        elif not p.area_mu or p.area_mu <= 0:
            errors.append(_("地块 %(code)s 面积为零，不能开立改造项目。") % {"code": p.code})
        elif p.pk in dates and dates[p.pk] and on < dates[p.pk]:
            errors.append(_("地块 %(code)s 最近一次状态变更在 %(last)s，立项日期（%(on)s）不能早于该日。") % {
                "code": p.code, "last": dates[p.pk].isoformat(), "on": on.isoformat()})
    if errors:
        raise ValidationError({"parcels": errors})


def open_case(zone, parcels, user, *, name, approach, opened_on=None, target_far=None, planned_investment=None,
              freed_floor_m2=None, new_floor_m2=None, notes="", year=None):
    """Open a case over `parcels` (all or nothing): the before figures are taken from the data now,
    and each parcel moves to 改造中 (through 低效 when it is not yet marked so)."""
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": _("立项日期不能晚于今天。")})
    with transaction.atomic():
        ids = sorted({p.pk for p in parcels})
        locked = list(Parcel.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        _check_parcels(zone, locked, opened_on)
        rows = {r.parcel_id: r for r in evaluate_parcels(
            list(Parcel.objects.filter(pk__in=ids).order_by().values(*PARCEL_FIELDS)), year=year)}
        area = sum(r.area_mu for r in rows.values())
        case = RedevelopmentCase(
            zone=zone, name=name, approach=approach, opened_on=opened_on, target_far=target_far,
            planned_investment=planned_investment, freed_floor_m2=freed_floor_m2, new_floor_m2=new_floor_m2,
            notes=notes or "", extent=Extent.CONTIGUOUS if len(locked) > 1 else Extent.SINGLE,
            area_mu=_dec(area, "0.0001"),
            far_before=_dec(engine.weighted_mean((r.far, r.area_mu) for r in rows.values())),
            tax_per_mu_before=_dec(engine.weighted_mean((r.tax_per_mu, r.area_mu) for r in rows.values())))
        case.full_clean(exclude=["parcels"])
        case.save()
        for p in locked:
            r = rows[p.pk]
            CaseParcel.objects.create(
                zone=zone, case=case, parcel=p, area_mu=p.area_mu, holder_name=r.holder_name[:200],
                holder_class=r.holder_class[:8], far_before=_dec(r.far), tax_per_mu_before=_dec(r.tax_per_mu),
                status_before=p.status, reasons="；".join(r.reasons)[:500])
            note = _("改造项目“%(case)s”立项") % {"case": case.name}
            if p.status not in (INEFFICIENT, REDEVELOPING):
                reasons = "；".join(r.reasons) or _("开立改造项目")
                _transition(p, INEFFICIENT, user, on=opened_on, note=(_("认定为低效用地：%(r)s") % {"r": reasons})[:500])
            _transition(p, REDEVELOPING, user, on=opened_on, note=note)
    return case


def start_case(case, user):
    if case.status != CaseStatus.OPENED:
        raise ValidationError(_("只有“立项”状态的项目可以开始实施。"))
    case.status = CaseStatus.ACTIVE
    case.save(update_fields=["status", "updated"])
    return case


def check_completion(case, *, completed_on=None, far_after=None, tax_per_mu_after=None, freed_floor_m2=None,
                     new_floor_m2=None):
    """ValidationError (by field) when the case cannot be completed with these figures."""
    completed_on = completed_on or timezone.localdate()
    errors = {}
    if not case.is_open:
        raise ValidationError(_("项目已%(status)s，不能再完成。") % {"status": case.get_status_display()})
    if far_after is None:
        errors["far_after"] = _("完成改造须填写改造后容积率。")
    elif not (0 <= far_after <= 30):
        errors["far_after"] = _("改造后容积率应在 0 到 30 之间。")
    if tax_per_mu_after is not None and tax_per_mu_after < 0:
        errors["tax_per_mu_after"] = _("不能为负数。")
    if completed_on > timezone.localdate():
        errors["completed_on"] = _("完成日期不能晚于今天。")
    elif completed_on < case.opened_on:
        errors["completed_on"] = _("完成日期（%(d)s）不能早于立项日期（%(o)s）。") % {"d": completed_on, "o": case.opened_on}
    for key, value in (("freed_floor_m2", freed_floor_m2), ("new_floor_m2", new_floor_m2)):
        if value is not None and value < 0:
            errors[key] = _("不能为负数。")
    if errors:
        raise ValidationError(errors)


def complete_case(case, user, *, completed_on=None, far_after=None, tax_per_mu_after=None, freed_floor_m2=None,
                  new_floor_m2=None):
    """Close a case as done: the after FAR is required; the parcels move to 改造完成 and take the
    case's after FAR as their floor area ratio."""
    completed_on = completed_on or timezone.localdate()
    check_completion(case, completed_on=completed_on, far_after=far_after, tax_per_mu_after=tax_per_mu_after,
                     freed_floor_m2=freed_floor_m2, new_floor_m2=new_floor_m2)
    with transaction.atomic():
        case.status, case.completed_on = CaseStatus.DONE, completed_on
        case.far_after, case.tax_per_mu_after = _dec(far_after), _dec(tax_per_mu_after)
        if freed_floor_m2 is not None:
            case.freed_floor_m2 = _dec(freed_floor_m2)
        if new_floor_m2 is not None:
            case.new_floor_m2 = _dec(new_floor_m2)
        case.save()
        note = _("改造项目“%(case)s”完成") % {"case": case.name}
        for p in Parcel.objects.select_for_update().filter(case_links__case=case).order_by("pk"):
            _transition(p, REDEVELOPED, user, on=completed_on, note=note)
            p.refresh_from_db()
            p.floor_area_ratio = case.far_after
            p.save(update_fields=["floor_area_ratio", "updated"])
    return case


def release_parcels(case, user, *, note):
    """Parcels of an open case that are 改造中 go back to 低效 (stopping or deleting the case)."""
    for p in Parcel.objects.select_for_update().filter(case_links__case=case, status=REDEVELOPING).order_by("pk"):
        _transition(p, INEFFICIENT, user, on=timezone.localdate(), note=note[:500])


def stop_case(case, user, *, reason, stopped_on=None):
    """Stop a case: a reason is required; its parcels go back to 低效."""
    reason = (reason or "").strip()
    if not case.is_open:
        raise ValidationError(_("项目已%(status)s，不能终止。") % {"status": case.get_status_display()})
    if not reason:
        raise ValidationError({"stop_reason": _("终止项目须填写终止原因。")})
    with transaction.atomic():
        case.status, case.stop_reason = CaseStatus.STOPPED, reason[:500]
        case.save(update_fields=["status", "stop_reason", "updated"])
        note = (_("改造项目“%(case)s”终止：%(r)s") % {"case": case.name, "r": reason})[:500]
        for p in Parcel.objects.select_for_update().filter(case_links__case=case, status=REDEVELOPING).order_by("pk"):
            _transition(p, INEFFICIENT, user, on=stopped_on or timezone.localdate(), note=note)
    return case


def add_milestone(case, *, title, planned_on=None, actual_on=None, done=False):
    m = Milestone(zone_id=case.zone_id, case=case, title=(title or "").strip(), planned_on=planned_on,
                  actual_on=actual_on, done=done)
    m.full_clean()
    m.save()
    return m


# -- totals -----------------------------------------------------------------------------------------

def case_facts(case):
    f = (lambda v: None if v is None else float(v))
    return engine.CaseFacts(area_mu=float(case.area_mu or 0), far_before=f(case.far_before),
                            far_after=f(case.far_after), tax_before=f(case.tax_per_mu_before),
                            tax_after=f(case.tax_per_mu_after), investment=f(case.planned_investment),
                            freed_m2=f(case.freed_floor_m2), new_m2=f(case.new_floor_m2))


def figures(cases):
    """{"all": totals of every case, "done": of completed cases, "by_status", "by_year" (completed),
    "by_approach", "by_extent" (completed)} from a case queryset (one query)."""
    cases = list(cases.order_by("completed_on", "id"))
    done = [c for c in cases if c.status == CaseStatus.DONE]
    by_status = {s: engine.totals(case_facts(c) for c in cases if c.status == s) for s in CaseStatus.values}
    years = sorted({c.completed_on.year for c in done if c.completed_on})
    from .models import Approach

    return {
        "all": engine.totals(case_facts(c) for c in cases),
        "done": engine.totals(case_facts(c) for c in done),
        "by_status": [(label, by_status[value]) for value, label in CaseStatus.choices],
        "by_year": [(y, engine.totals(case_facts(c) for c in done if c.completed_on.year == y)) for y in years],
        "by_approach": [(label, engine.totals(case_facts(c) for c in done if c.approach == value))
                        for value, label in Approach.choices],
        "by_extent": [(label, engine.totals(case_facts(c) for c in done if c.extent == value))
                      for value, label in Extent.choices],
    }
