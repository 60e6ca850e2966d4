"""Land lifecycle services: the one way a parcel's status changes, and split / merge.

`transition(parcel, to_status, user, *, on, note="", **details) -> ParcelEvent` moves a
registry Parcel to `to_status` (a registry.ParcelStatus value) as of date `on`: it checks the
user may change the parcel's zone, that the move is allowed from the current status
(land.engine.ALLOWED: e.g. no listing or sale before the land is made ready; any built status
sold/supplied/building/producing/redeveloped → inefficient → redeveloping → redeveloped), that
`on` is not in the future nor before the parcel's last event, and the move's preconditions
(sold: buyer_id or buyer_name, price_wan > 0, 0 < area_mu ≤ parcel area; supplied: project_id of
a project of the same zone; acquired: the parcel's acquisitions have no unsigned households or
firms; acquiring: optional households_total / firms_total create an Acquisition). Any failure
raises django.core.exceptions.ValidationError with a Chinese message naming what is missing and
changes nothing. On success it writes, in one transaction, a ParcelEvent (zone, parcel,
from_status, to_status, on, user, note, details JSON, area_mu) and the new Parcel.status (plus
the Sale record for a sale, the project link for a supply), and bumps the zone's data_version.
Other apps (redevelop) call it with their own details, which are stored on the event as given.
"""
import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zoneops.core import geo
from zoneops.core.changelog import change_context, current_context
from zoneops.core.models import Zone
from zoneops.core.scoping import CHANGE, can
from zoneops.registry.models import Parcel

from . import engine
from .models import Acquisition, EventKind, ParcelEvent, ParcelLink, Sale


def is_retired(parcel):
    """A parcel that was split or merged away (it has children)."""
    return ParcelLink.objects.filter(parent_id=parcel.pk).exists()


def last_event_on(parcel):
    return ParcelEvent.objects.filter(parcel_id=parcel.pk).order_by("-on", "-id").values_list("on", flat=True).first()


def _as_date(on):
    if isinstance(on, datetime.datetime):
        return on.date()
    if isinstance(on, datetime.date):
        return on
    if isinstance(on, str) and on.strip():
        try:
            return datetime.date.fromisoformat(on.strip())
        except ValueError:
            raise ValidationError(f"日期“{on[:40]}”格式不对，应为 YYYY-MM-DD。") from None
    return None


def _check_user(parcel, user):
    if user is not None and not can(user, parcel.zone_id, CHANGE):
        raise ValidationError("您没有该地块所在开发区的写入权限。")


def _id_like(value):
    """A database id (digits, within a bigint): anything else matches no record."""
    text = str(value)
    return text.isdigit() and 0 < int(text) < 2 ** 63


def _facts(parcel, to_status, details):
    facts = {"parcel_area": parcel.area_mu, "retired": is_retired(parcel), **details}
    if to_status == engine.SOLD:
        buyer_id = details.get("buyer_id") or None
        if buyer_id is not None:
            from zoneops.registry.models import Enterprise

            ok = _id_like(buyer_id) and Enterprise.objects.filter(pk=int(buyer_id), zone_id=parcel.zone_id).exists()
            if not ok:
                raise ValidationError(f"没有编号为 {str(buyer_id)[:20]} 的企业，或它不属于该地块所在的开发区。")
            facts["buyer_id"] = int(buyer_id)
    if to_status == engine.SUPPLIED:
        from zoneops.projects.models import Project

        pid = details.get("project_id")
        pid = getattr(pid, "pk", pid)
        facts["project_id"] = pid
        facts["project_zone_ok"] = _id_like(pid) and Project.objects.filter(
            pk=int(pid), zone_id=parcel.zone_id).exists()
        if facts["project_zone_ok"]:
            facts["project_id"] = int(pid)
    if to_status == engine.ACQUIRED:
        open_h = open_f = 0
        for a in Acquisition.objects.filter(parcel_id=parcel.pk):
            open_h += max(a.households_total - a.households_signed, 0)
            open_f += max(a.firms_total - a.firms_signed, 0)
        facts.update(open_households=open_h, open_firms=open_f)
    return facts


def _as_user(func):
    """Run `func` with the change log attributed to its `user` argument (a shell, a worker or the
    API has no request user in the context; a request keeps its request id)."""
    import functools
    import inspect

    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        user = signature.bind_partial(*args, **kwargs).arguments.get("user")
        ctx = current_context()
        if getattr(user, "pk", None) and ctx.get("user") != user:
            with change_context(user=user, request_id=ctx.get("request_id"), import_batch=ctx.get("import_batch")):
                return func(*args, **kwargs)
        return func(*args, **kwargs)
    return wrapper


@_as_user
@transaction.atomic
def transition(parcel, to_status, user, *, on=None, note="", **details):
    """Move `parcel` to `to_status` on date `on` (see the module docstring)."""
    # Lock the parcel: two moves at once must not both start from the same status.
    parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
    _check_user(parcel, user)
    on = _as_date(on)
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError("说明不能超过 500 个字。")
    errors = engine.check_date(on, timezone.localdate(), last_event_on(parcel))
    if errors:
        raise ValidationError(errors)
    from_status = parcel.status
    errors, cleaned = engine.check_transition(from_status, to_status, _facts(parcel, to_status, details))
    if errors:
        raise ValidationError(errors)
    stored = {k: _json_value(v) for k, v in details.items()}
    stored.update(cleaned)
    event = ParcelEvent.objects.create(zone_id=parcel.zone_id, parcel=parcel, kind=EventKind.TRANSITION,
                                       from_status=from_status, to_status=to_status, on=on, area_mu=parcel.area_mu,
                                       user=user if getattr(user, "pk", None) else None, note=note, details=stored)
    parcel.status = to_status
    changed = ["status", "updated"]
    if to_status == engine.SOLD:
        Sale.objects.create(zone_id=parcel.zone_id, parcel=parcel, event=event, sold_on=on,
                            listed_on=_listed_on(parcel), buyer_id=cleaned.get("buyer_id"),
                            buyer_name=cleaned.get("buyer_name", ""), price_wan=Decimal(cleaned["price_wan"]),
                            area_mu=Decimal(cleaned["area_mu"]))
        if cleaned.get("buyer_id") and not parcel.holder_id:
            parcel.holder_id = cleaned["buyer_id"]
            changed.append("holder")
    elif to_status == engine.SUPPLIED:
        from zoneops.projects.models import Project

        project = Project.objects.get(pk=cleaned["project_id"])
        if project.parcel_id is None:
            project.parcel = parcel
            project.save(update_fields=["parcel", "updated"])
        if project.investor_id and not parcel.holder_id:
            parcel.holder_id = project.investor_id
            changed.append("holder")
    elif to_status == engine.ACQUIRING and (cleaned.get("households_total") is not None
                                            or cleaned.get("firms_total") is not None):
        Acquisition.objects.create(zone_id=parcel.zone_id, parcel=parcel, name=f"{parcel} 征收",
                                   area_mu=parcel.area_mu, started_on=on,
                                   households_total=cleaned.get("households_total") or 0,
                                   firms_total=cleaned.get("firms_total") or 0)
    parcel.save(update_fields=changed)  # tracked: the change log and Zone.touch follow
    return event


def _json_value(v):
    """Details are stored as JSON: numbers as given, Decimals and dates as text, records by id."""
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return format(v, "f")
    return getattr(v, "pk", None) if hasattr(v, "pk") else str(v)


def _listed_on(parcel):
    return ParcelEvent.objects.filter(parcel_id=parcel.pk, to_status=engine.LISTED).order_by("-on", "-id") \
        .values_list("on", flat=True).first()


def _parse_area(value, where):
    try:
        d = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{where}的面积（亩）应为数字，收到“{str(value)[:40]}”。") from None
    if d is not None and not d.is_finite():
        raise ValidationError(f"{where}的面积（亩）应为数字。")
    if d is not None and abs(d) >= Decimal("1e10"):
        raise ValidationError(f"{where}的面积（亩）超出合理范围。")
    return d


def _new_parcel(template, zone_id, code, name, area, geometry=None):
    code = (code or "").strip()
    if not code:
        raise ValidationError("新地块须填写地块编号。")
    if len(code) > 64:
        raise ValidationError(f"地块编号“{code[:20]}…”超过 64 个字。")
    if Parcel.objects.filter(zone_id=zone_id, code=code).exists():
        raise ValidationError(f"本开发区已有编号为 {code} 的地块。")
    if geometry:
        try:
            geometry, _warnings = geo.validate(geometry, f"新地块 {code} 的边界")
        except geo.GeoError as e:
            raise ValidationError(e.message) from None
    return Parcel.objects.create(
        zone_id=zone_id, code=code, name=(name or "").strip()[:200], area_mu=area, land_use=template.land_use,
        holder_id=template.holder_id, tenure=template.tenure, floor_area_ratio=template.floor_area_ratio,
        status=template.status, address=template.address, geometry=geometry or None)


@_as_user
@transaction.atomic
def split(parcel, parts, user, *, on=None, note=""):
    """Split `parcel` into `parts` [{code, name, area_mu, geometry?}] whose areas sum to the
    parent's. The parent is retired (kept, with its status and history; lineage links point to
    the children); the children start in the parent's status. Returns the children."""
    parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
    _check_user(parcel, user)
    if is_retired(parcel):
        raise ValidationError(f"地块 {parcel.code} 已分割或合并注销，不能再分割。")
    on = _as_date(on)
    errors = engine.check_date(on, timezone.localdate(), last_event_on(parcel))
    if errors:
        raise ValidationError(errors)
    areas = [_parse_area(p.get("area_mu"), f"第 {i} 块新地块") for i, p in enumerate(parts, 1)]
    errors = engine.check_parts(parcel.area_mu, areas)
    codes = [(p.get("code") or "").strip() for p in parts]
    if len(set(codes)) != len(codes):
        errors.append("新地块的编号不能重复。")
    if errors:
        raise ValidationError(errors)
    children = [_new_parcel(parcel, parcel.zone_id, p.get("code"), p.get("name"), a, p.get("geometry"))
                for p, a in zip(parts, areas)]
    user_id = user.pk if getattr(user, "pk", None) else None
    ParcelEvent.objects.create(zone_id=parcel.zone_id, parcel=parcel, kind=EventKind.SPLIT, from_status=parcel.status,
                               to_status=parcel.status, on=on, area_mu=parcel.area_mu, user_id=user_id,
                               note=note[:500], details={"children": [c.code for c in children]})
    for child in children:
        ParcelLink.objects.create(zone_id=parcel.zone_id, parent=parcel, child=child, kind=EventKind.SPLIT, on=on)
        ParcelEvent.objects.create(zone_id=parcel.zone_id, parcel=child, kind=EventKind.CREATED, from_status="",
                                   to_status=child.status, on=on, area_mu=child.area_mu, user_id=user_id,
                                   note=note[:500], details={"split_from": parcel.code})
    Zone.touch([parcel.zone_id])
    return children


def joined_boundary(geometries):
    """The parents' polygons as one MultiPolygon: the merged parcel stays on the map, each part
    where it was. Their shared edges stay inside it (dissolving them needs a polygon union, which
    a boundary import can bring)."""
    polygons = []
    for g in geometries:
        polygons += [g["coordinates"]] if g.get("type") == "Polygon" else list(g.get("coordinates") or [])
    return {"type": "MultiPolygon", "coordinates": polygons}


@_as_user
@transaction.atomic
def merge(parcels, user, *, code, name="", on=None, note="", geometry=None):
    """Merge `parcels` (same zone, same status, none retired) into one new parcel whose area is
    their sum. The parents are retired; the new parcel starts in their status."""
    parcels = list(Parcel.objects.select_for_update().filter(pk__in=[p.pk for p in parcels]).order_by("code"))
    if not parcels:
        raise ValidationError("请选择要合并的地块。")
    zone_ids = {p.zone_id for p in parcels}
    if len(zone_ids) > 1:
        raise ValidationError("只能合并同一开发区的地块。")
    for p in parcels:
        _check_user(p, user)
    retired = set(ParcelLink.objects.filter(parent__in=parcels).values_list("parent_id", flat=True))
    errors = engine.check_merge([(p.code, p.status, p.pk in retired) for p in parcels])
    if errors:
        raise ValidationError(errors)
    on = _as_date(on)
    last = max((d for d in (last_event_on(p) for p in parcels) if d), default=None)
    errors = engine.check_date(on, timezone.localdate(), last)
    if errors:
        raise ValidationError(errors)
    template = parcels[0]
    area = sum((p.area_mu for p in parcels), Decimal(0))
    if not geometry and all(p.geometry for p in parcels):
        geometry = joined_boundary([p.geometry for p in parcels])
    child = _new_parcel(template, template.zone_id, code, name, area, geometry)
    if len({p.holder_id for p in parcels}) > 1:
        child.holder_id = None
        child.save(update_fields=["holder"])
    user_id = user.pk if getattr(user, "pk", None) else None
    for p in parcels:
        ParcelLink.objects.create(zone_id=p.zone_id, parent=p, child=child, kind=EventKind.MERGE, on=on)
        ParcelEvent.objects.create(zone_id=p.zone_id, parcel=p, kind=EventKind.MERGE, from_status=p.status,
                                   to_status=p.status, on=on, area_mu=p.area_mu, user_id=user_id, note=note[:500],
                                   details={"into": child.code})
    ParcelEvent.objects.create(zone_id=child.zone_id, parcel=child, kind=EventKind.CREATED, from_status="",
                               to_status=child.status, on=on, area_mu=child.area_mu, user_id=user_id, note=note[:500],
                               details={"merged_from": [p.code for p in parcels]})
    Zone.touch([child.zone_id])
    return child


def lineage(parcel):
    """(parents, children) links of `parcel`, each with the other parcel selected."""
    parents = list(ParcelLink.objects.filter(child_id=parcel.pk).select_related("parent").order_by("parent__code"))
    children = list(ParcelLink.objects.filter(parent_id=parcel.pk).select_related("child").order_by("child__code"))
    return parents, children
