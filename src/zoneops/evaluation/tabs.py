"""Context for the enterprise tab, the result tab, the portal section and the zone home card."""
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Objection, Result, Run, RunState, RunStatus

PUBLIC_STATES = (RunState.PUBLISHED, RunState.OBJECTION, RunState.FINAL)


def indicator_meta():
    from .ruleset import INDICATORS

    return INDICATORS


def item_rows(result):
    """[{code, name, unit, value, score, note, percent}] of a result's items, in catalogue order."""
    meta = indicator_meta()
    rows = []
    for code, item in (result.items or {}).items():
        if not isinstance(item, dict) or code not in meta:
            continue
        if item.get("v") is None and item.get("s") is None and not item.get("n"):
            continue
        m = meta[code]
        value = item.get("v")
        rows.append({"code": code, "name": m.name, "unit": m.unit, "percent": m.percent,
                     "value": value * 100 if (m.percent and value is not None) else value,
                     "score": item.get("s"), "note": item.get("n") or ""})
    order = list(meta)
    rows.sort(key=lambda r: order.index(r["code"]))
    return rows


def weights_of(run, group):
    from .services import parse_ruleset

    try:
        g = parse_ruleset(run.ruleset_version.yaml).group(group)
    except Exception:  # noqa: BLE001
        return {}
    return {i.indicator: i.weight for i in g.items} if g else {}


def what_if(result):
    """The sentence telling the firm what it would take to reach the next class (measured from the
    computed class; after a manual change the sentence says so)."""
    text = _what_if(result)
    if text and result.final_class and result.final_class != result.class_code:
        text += _("（按初评等级 %(c)s 测算）") % {"c": result.class_code or "—"}
    return text


def _what_if(result):
    ex = result.explanation or {}
    nxt = ex.get("next_class")
    if not nxt or not result.included or result.exempt:
        return ""
    need = ex.get("need_tax_per_mu")
    current = ((result.items or {}).get("tax_per_mu") or {}).get("v")
    if need is not None and current is not None and result.land_mu:
        more = max(0.0, (need - current) * result.land_mu)
        return _("亩均税收需达到 %(x).2f 万元/亩（增加 %(y).2f 万元税收）可升至 %(c)s 类") % {
            "x": need, "y": more, "c": nxt}
    need_va = ex.get("need_va_per_mu")
    current_va = ((result.items or {}).get("va_per_mu") or {}).get("v")
    if need_va is not None and current_va is not None and result.land_mu:
        more = max(0.0, (need_va - current_va) * result.land_mu)
        return _("亩均增加值需达到 %(x).2f 万元/亩（增加 %(y).2f 万元增加值）可升至 %(c)s 类") % {
            "x": need_va, "y": more, "c": nxt}
    return _("仅提高单项指标无法升至 %(c)s 类，需多项指标共同提升。") % {"c": nxt}


def drag_names(result):
    meta = indicator_meta()
    return [meta[c].name for c in (result.explanation or {}).get("drag") or [] if c in meta]


def radar(result):
    """Item scores as % of the item's weight (100 = at the benchmark) for the radar chart."""
    weights = weights_of(result.run, result.group)
    names, values = [], []
    for row in item_rows(result):
        w = weights.get(row["code"])
        if not w or row["score"] is None:
            continue
        names.append(row["name"])
        values.append(round(100 * row["score"] / w, 1))
    top = max([200.0, *values]) if values else 200.0
    return {"indicators": [{"name": n, "max": top} for n in names], "values": values}


def result_items(request, result):
    from zoneops.core.scoping import CHANGE, can

    from .forms import AdjustClassForm, ObjectionForm
    from .services import classes_of

    run = result.run
    writable = can(request.user, result.zone_id, CHANGE) and not run.is_final
    ctx = {"rows": item_rows(result), "what_if": what_if(result), "drag": drag_names(result), "run": run,
           "can_adjust": writable and run.state in (RunState.COMPUTED, RunState.ADJUSTING)
           and result.included and not result.exempt,
           "can_object": writable and run.state in (RunState.PUBLISHED, RunState.OBJECTION),
           "objections": list(result.objections.order_by("-created"))}
    if ctx["can_adjust"]:
        classes = [c for c in classes_of(run, result.group) if c != result.final_class]
        ctx["adjust_form"] = AdjustClassForm(classes=classes)
    if ctx["can_object"]:
        ctx["objection_form"] = ObjectionForm()
    return ctx


def enterprise_evaluation(request, enterprise):
    results = list(Result.objects.filter(enterprise=enterprise, run__status=RunStatus.DONE)
                   .select_related("run__ruleset_version__ruleset").order_by("-run__year", "-run_id"))
    latest = results[0] if results else None
    ctx = {"results": results, "latest": latest}
    if latest is not None:
        ctx.update({"rows": item_rows(latest), "what_if": what_if(latest), "drag": drag_names(latest),
                    "radar_json": radar(latest)})
    return ctx


def portal_evaluation(request, enterprise):
    """The firm's own results of published runs (from 公示 on), and its objections."""
    from .forms import ObjectionForm
    from .services import in_window

    results = list(Result.objects.filter(enterprise=enterprise, run__state__in=PUBLIC_STATES,
                                         run__status=RunStatus.DONE)
                   .select_related("run").order_by("-run__year", "-run_id")[:5])
    rows = []
    for r in results:
        pending = Objection.objects.filter(result=r, status="pending").exists()
        rows.append({"result": r, "items": item_rows(r), "what_if": what_if(r), "drag": drag_names(r),
                     "can_object": in_window(r.run) and not pending and not r.run.is_final,
                     "objections": list(Objection.objects.filter(result=r).order_by("-created"))})
    return {"rows": rows, "form": ObjectionForm()}


def home_cards(zone, user):
    run = (Run.objects.filter(zone=zone, status=RunStatus.DONE).order_by("-year", "-id")
           .only("id", "year", "class_counts").first())
    if run is None:
        return []
    totals = {}
    for per_group in (run.class_counts or {}).values():
        for cls, n in per_group.items():
            totals[cls] = totals.get(cls, 0) + n
    url = reverse("evaluation:run_detail", args=[run.pk])
    return [{"label": _("%(y)s 年亩均 A 类") % {"y": run.year}, "value": totals.get("A", 0), "url": url, "tone": ""},
            {"label": _("%(y)s 年亩均 D 类") % {"y": run.year}, "value": totals.get("D", 0), "url": url,
             "tone": "danger" if totals.get("D") else ""}]
