"""Hand-made evaluation runs and results (through the evaluation models, no engine)."""
import datetime

from zoneops.evaluation.models import Result, Ruleset, RulesetVersion, Run
from zoneops.evaluation.ruleset import load_preset
from zoneops.improvement.models import ImprovementPlan

_VERSION = {}


def version():
    """A ruleset version whose exemption class is B (the 黄岩 preset)."""
    v = RulesetVersion.objects.filter(ruleset__name="test_huangyan").first()
    if v is None:
        preset = load_preset("huangyan_2022")
        rs = Ruleset.objects.create(zone=None, name="test_huangyan", title="测试规则")
        v = RulesetVersion.objects.create(ruleset=rs, number=1, yaml=preset.to_yaml(), digest=preset.digest())
    return v


def run(zone, year=2024, state="computed", status="done"):
    return Run.objects.create(zone=zone, year=year, ruleset_version=version(), state=state, status=status)


def result(run_, ent, cls="", total=50.0, land=10.0, exempt=False, included=True, class_code=None, **kw):
    return Result.objects.create(zone=run_.zone, run=run_, enterprise=ent, unit_key=ent.pk, group="above",
                                 included=included, exempt=exempt, land_mu=land, total=total,
                                 class_code=cls if class_code is None else class_code, final_class=cls, **kw)


def plan(ent, owner=None, **kw):
    kw.setdefault("deadline", datetime.date.today() + datetime.timedelta(days=365))
    return ImprovementPlan.objects.create(zone=ent.zone, enterprise=ent, owner=owner, **kw)
