"""Import kind `projects` (招商项目): the project ledger zones keep in Excel (docs/projects.md).

- A row is a project, matched inside the batch's zone by 项目名称 (two stored projects of the same
  name in the zone: the row is refused, the name is ambiguous).
- The investor is looked up in the zone's registry by 统一社会信用代码, else by exact 企业名称;
  a firm not in the registry (or in another zone's) is kept as an outside firm by its name.
- 阶段 must belong to the type's stage template; dates of the reached stages must not run
  backwards and not lie in the future; the current stage (from 签约 on) needs its date.
- New projects get, as through the form, their type's approvals checklist and a first stage
  event ("导入"); the plan marks (滞后/超前) are recomputed for every written row.
"""
import datetime

from zoneops.core.importing.engine import (
    ChoiceParser,
    Column,
    DateParser,
    DecimalParser,
    LookupParser,
    TextParser,
    UsccParser,
    fold,
)
from zoneops.core.importing.importer import Importer, chunked, register
from zoneops.registry.importers import _officer_parser, zone_column
from zoneops.registry.models import Enterprise

from . import engine
from .models import (
    DEFAULT_TYPES,
    Approval,
    ChainTag,
    Project,
    ProjectSource,
    ProjectType,
    Stage,
    StageEvent,
)

STAGE_SYNONYMS = {"线索": ("线索", "在谈线索", "储备"), "洽谈": ("洽谈", "在谈", "对接"), "签约": ("签约", "已签约"),
                  "供地": ("供地", "摘地", "拿地", "已供地", "已摘地"), "开工": ("开工", "在建", "已开工"),
                  "入库": ("入库", "开工入库", "已入库"), "竣工投产": ("竣工投产", "投产", "竣工", "已投产"),
                  "达产": ("达产", "已达产")}
STAGE_DATES = {engine.LEAD: ("线索日期", ("获取线索日期", "线索时间")),
               engine.TALKS: ("洽谈日期", ("首次洽谈日期", "洽谈时间")),
               engine.SIGNED: ("签约日期", ("签约时间", "协议签订日期", "签约日")),
               engine.LAND: ("供地日期", ("摘地日期", "拿地日期", "供地时间", "土地出让日期")),
               engine.STARTED: ("开工日期", ("开工时间", "实际开工日期")),
               engine.ENTERED: ("入库日期", ("入库时间", "纳统日期")),
               engine.PRODUCING: ("投产日期", ("竣工投产日期", "投产时间", "竣工日期")),
               engine.FULL: ("达产日期", ("达产时间",))}


def _wan(value):
    return format(value.normalize(), "f")


def _decimal(name, family=""):
    f = Project._meta.get_field(name)
    return DecimalParser(family=family, places=f.decimal_places, digits=f.max_digits - f.decimal_places)


def _choices(choices, extra=None):
    options = {str(label): value for value, label in choices}
    options.update({value: value for value, _ in choices})
    options.update(extra or {})
    return ChoiceParser(options, [str(label) for _, label in choices])


@register
class ProjectImporter(Importer):
    kind = "projects"
    model = Project
    label = "项目"
    title = "招商项目"
    key = ("name",)
    fields = {"name": "name", "investor": "investor_id", "investor_name": "investor_name",
              "project_type": "project_type_id", "stage": "stage", "agreed_investment": "agreed_investment",
              "fixed_investment": "fixed_investment", "land_mu": "land_mu", "expected_output": "expected_output",
              "expected_tax": "expected_tax", "source": "source", "chain_tag": "chain_tag",
              "lead_officer": "lead_officer_id", "responsible_leader": "responsible_leader", "notes": "notes",
              **{f"{s}_on": f"{s}_on" for s in engine.PIPELINE},
              **{f"planned_{s}": f"planned_{s}" for s in engine.PIPELINE}}
    derived = ("next_due", "ahead", "project_type_id", "investor_id", "investor_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.types = {}  # pk → (name, stage template, approvals) of the zone's project types
        if self.zone is not None:  # (None: the template page, for every zone)
            ProjectType.ensure_defaults([self.zone.pk])
            self.types = {pk: (name, stages, approvals) for pk, name, stages, approvals in ProjectType.objects.filter(
                zone=self.zone).order_by("order", "id").values_list("pk", "name", "stages", "approvals")}

    def columns(self):
        stage_options = {}
        for value, label in Stage.choices:
            if value in engine.PIPELINE:
                for word in STAGE_SYNONYMS.get(str(label), (str(label),)):
                    stage_options[word] = value
                stage_options[value] = value
        type_names = "、".join(name for name, *_ in self.types.values()) or "、".join(DEFAULT_TYPES)
        early = datetime.date(1990, 1, 1)
        far = datetime.date(self.today.year + 30, 12, 31)
        cols = [
            Column("name", "项目名称", TextParser(Project._meta.get_field("name").max_length),
                   ("项目", "项目全称", "招商项目名称", "项目名"), required=True, needed=True,
                   example="年产 50 万套新能源汽车零部件项目", note="本开发区内按项目名称识别项目：同名即更新"),
            Column("investor_uscc", "投资方统一社会信用代码", UsccParser(),
                   ("统一社会信用代码", "投资方信用代码", "投资主体信用代码", "信用代码", "社会信用代码"),
                   example="", note="投资企业已在本开发区企业库时填写，据此关联企业；可不填"),
            Column("investor_name", "投资方", TextParser(Project._meta.get_field("investor_name").max_length),
                   ("投资主体", "投资企业", "投资方名称", "投资单位", "签约企业", "企业名称"), example="浙江示例汽车零部件有限公司",
                   note="企业库中同名企业自动关联；不在企业库的按区外企业记录名称"),
            Column("project_type", "项目类型", LookupParser({fold(name): pk for pk, (name, *_) in self.types.items()},
                                                        "项目类型", f"可选：{type_names}"),
                   ("类型", "项目类别", "项目性质"), example="产业", note=f"可选：{type_names}；新项目不填时为“{self._default_type_name()}”"),
            Column("stage", "阶段", ChoiceParser(stage_options, [str(label) for v, label in Stage.choices
                                                               if v in engine.PIPELINE]),
                   ("当前阶段", "项目阶段", "推进阶段", "项目进度", "进展阶段"), example="签约",
                   note="线索、洽谈、签约、供地、开工、入库、竣工投产、达产；须属于该类型的阶段模板；新项目不填时为线索"),
            Column("agreed_investment", "协议总投资", _decimal("agreed_investment", "money"),
                   ("总投资", "计划总投资", "协议投资", "协议投资额", "投资总额", "总投资额"), example=120000,
                   note="万元；列名写明“亿元”“元”时自动换算"),
            Column("fixed_investment", "固定资产投资", _decimal("fixed_investment", "money"),
                   ("固投", "固定资产投资额", "计划固定资产投资"), example=90000, note="万元；不能大于协议总投资"),
            Column("land_mu", "用地", _decimal("land_mu", "area"),
                   ("用地需求", "用地面积", "拟用地", "供地面积", "需用地"), example=150, note="亩；公顷、平方米自动换算"),
            Column("expected_output", "预计年产值", _decimal("expected_output", "money"), ("达产产值", "预计产值"),
                   example=200000, note="万元"),
            Column("expected_tax", "预计年税收", _decimal("expected_tax", "money"), ("达产税收", "预计税收"),
                   example=12000, note="万元"),
            Column("source", "来源", _choices(ProjectSource.choices, {
                "以商招商": "referral", "中介": "agent", "基金": "fund", "资本招商": "fund", "展会": "expo",
                "推介会": "expo", "上门": "direct", "招商地图": "map"}),
                   ("项目来源", "招商方式", "引进方式", "信息来源"), example="以商引商",
                   note="以商引商、中介招商、基金招商、招商地图、展会/推介会、上门招商、其他"),
            Column("chain_tag", "链上作用", _choices(ChainTag.choices), ("补强延链", "补链强链延链", "链上定位"),
                   example="补链", note="补链、强链、延链"),
            Column("lead_officer", "招商专员", _officer_parser(self.zone),
                   ("专员", "牵头人", "招商负责人", "项目专员", "责任专员"), note="本开发区工作人员的用户名或姓名"),
            Column("responsible_leader", "责任领导", TextParser(Project._meta.get_field("responsible_leader").max_length),
                   ("分管领导", "包联领导", "联系领导"), example="王副主任"),
            Column("notes", "备注", TextParser(Project._meta.get_field("notes").max_length), ("说明",)),
        ]
        for stage, (label, synonyms) in STAGE_DATES.items():
            cols.append(Column(f"{stage}_on", label, DateParser(early, self.today, label), synonyms,
                               example=datetime.date(2024, 3, 18) if stage == engine.SIGNED else "",
                               note="实际日期，不能晚于今天"))
        for stage, (label, _synonyms) in STAGE_DATES.items():
            plan = f"计划{label}"
            cols.append(Column(f"planned_{stage}", plan, DateParser(early, far, plan),
                               (f"{label[:-2]}计划日期", f"计划{label[:-2]}时间"), note="计划日期，用于判断超前/滞后"))
        cols.append(zone_column(self.zone))
        return cols

    def _default_type_name(self):
        return next(iter(self.types.values()))[0] if self.types else "产业"

    def resolve(self, rows, present):
        """The investor: the zone's enterprise by USCC, else by exact name; else an outside firm."""
        codes = sorted({r.values["investor_uscc"] for r in rows if r.values.get("investor_uscc")})
        names = sorted({r.values["investor_name"] for r in rows if r.values.get("investor_name")})
        by_code, by_name = {}, {}
        for chunk in chunked(codes):
            by_code.update((c, (pk, n)) for c, pk, n in Enterprise.objects.filter(
                zone=self.zone, uscc__in=chunk).order_by().values_list("uscc", "pk", "name"))
        for chunk in chunked(names):
            for n, pk in Enterprise.objects.filter(zone=self.zone, name__in=chunk).order_by().values_list("name", "pk"):
                by_name[n] = None if n in by_name else pk  # two firms of that name: do not guess
        for r in rows:
            v = r.values
            code, name = v.pop("investor_uscc", None), v.get("investor_name")
            if "investor_uscc" not in present and "investor_name" not in present:
                continue
            hit = by_code.get(code) if code else None
            if hit is not None:
                v["investor"], v["investor_name"] = hit[0], ""
            elif name and by_name.get(name):
                v["investor"], v["investor_name"] = by_name[name], ""
            elif name:
                v["investor"] = None  # an outside firm, kept by name
            elif code:
                r.add_error(self.bound("investor_uscc"),
                            f"本开发区企业库中没有统一社会信用代码为 {code} 的企业；区外企业请填写“投资方”名称")

    def existing(self, rows):
        names = [r.values["name"] for r in rows]
        found, twice = {}, set()
        for chunk in chunked(names):
            for v in Project.objects.filter(zone=self.zone, name__in=chunk).order_by().values(*self.value_names):
                key = (v["name"],)
                if key in found:
                    twice.add(key)
                found[key] = v
        for r in rows:
            if (r.values["name"],) in twice:
                r.add_error(self.bound("name"), f"本开发区有多个名为“{r.values['name']}”的项目，无法确定更新哪一个；请在项目页面修改")
        return {k: v for k, v in found.items() if k not in twice}

    def adjust(self, change, present):
        v, row = change.values, change.row
        if not v.get("project_type_id"):
            v["project_type_id"] = next(iter(self.types))
        _name, stages, _approvals = self.types[v["project_type_id"]]
        if change.action == "create" and not v.get("stage"):
            v["stage"] = engine.LEAD
        stage = v["stage"]
        if stage in engine.PIPELINE and stage not in stages:
            row.add_error(self.bound("stage"), f"“{engine.LABELS[stage]}”不在项目类型“{_name}”的阶段模板中"
                                                f"（{'→'.join(engine.LABELS[s] for s in stages)}）")
            return
        if not v.get("investor_id") and not (v.get("investor_name") or "").strip():
            row.add_error(self.bound("investor_name"), "请填写投资方名称或企业库中企业的统一社会信用代码")
        agreed, fixed = v.get("agreed_investment"), v.get("fixed_investment")
        if agreed is not None and fixed is not None and fixed > agreed:
            row.add_error(self.bound("fixed_investment"), f"固定资产投资 {_wan(fixed)} 万元大于协议总投资 {_wan(agreed)} 万元")
        if stage in engine.PIPELINE and engine.PIPELINE.index(stage) >= engine.PIPELINE.index(engine.SIGNED) \
                and not v.get(f"{stage}_on"):
            label = STAGE_DATES[stage][0]
            row.add_error(self.bound(f"{stage}_on") or self.bound("stage"),
                          f"阶段为“{engine.LABELS[stage]}”时须填写{label}")
        last = None
        reached = stages[:stages.index(stage) + 1] if stage in stages else stages
        for s in stages:
            day = v.get(f"{s}_on")
            if day is None:
                continue
            if s not in reached:
                row.add_error(self.bound(f"{s}_on"), f"项目尚未到“{engine.LABELS[s]}”阶段，不应有{STAGE_DATES[s][0]}")
            elif last is not None and day < last[1]:
                row.add_error(self.bound(f"{s}_on"), f"{STAGE_DATES[s][0]} {day} 早于{STAGE_DATES[last[0]][0]} {last[1]}")
            last = (s, day)
        planned = {s: v.get(f"planned_{s}") for s in engine.PIPELINE if v.get(f"planned_{s}")}
        actual = {s: v.get(f"{s}_on") for s in engine.PIPELINE if v.get(f"{s}_on")}
        v["next_due"], v["ahead"] = engine.plan_marks(stages, stage, planned, actual, v.get("paused_from") or "")

    def write(self, changes, present, ctx):
        super().write(changes, present, ctx)
        created = [c for c in changes if c.action == "create"]
        moved = [c for c in changes if c.action == "update" and c.values["stage"] != c.before["stage"]]
        user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
        who = (user.get_full_name() or user.get_username()) if user else "system"
        Approval.objects.bulk_create([
            Approval(zone_id=self.zone.pk, project_id=c.pk, name=n, order=i)
            for c in created for i, n in enumerate(self.types[c.values["project_type_id"]][2])], batch_size=2000)
        StageEvent.objects.bulk_create([
            StageEvent(zone_id=self.zone.pk, project_id=c.pk, from_stage="", to_stage=c.values["stage"],
                       actual_on=c.values.get(f"{c.values['stage']}_on"), user=user, user_name=who,
                       time=ctx.now, note=f"导入（{self.file_name}）"[:1000])
            for c in created] + [
            StageEvent(zone_id=self.zone.pk, project_id=c.pk, from_stage=c.before["stage"], to_stage=c.values["stage"],
                       actual_on=c.values.get(f"{c.values['stage']}_on"), user=user, user_name=who,
                       time=ctx.now, note=f"导入（{self.file_name}）"[:1000])
            for c in moved], batch_size=2000)

    def object_repr(self, values):
        return values["name"]
