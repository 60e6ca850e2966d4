"""The annual summary (年度工作总结): generated from ZoneOps's records in the shape of the seed
reports (a headline paragraph of figures with 同比, the year's highlights, next year's targets),
then edited by staff, and exported as .docx."""
import datetime

from django.apps import apps
from django.utils import timezone

from zoneops.core.official_doc import OfficialDocument
from zoneops.figures.models import Indicator, Target

from . import services

BIG_PROJECT = 100000  # 万元: projects signed at or above 10 亿元 are highlights
HEADLINE_LIMIT = 12


def _fmt(value, unit):
    """A figure as the seed reports write it: 万元 ≥ 10,000 in 亿元 with one decimal."""
    v = float(value)
    if unit == "万元" and abs(v) >= 10000:
        return f"{v / 10000:.1f}亿元"
    if unit in ("家", "个"):
        return f"{v:.0f}{unit}"
    if unit == "%":
        return f"{v:.1f}%"
    return f"{v:,.1f}{unit}" if v != int(v) else f"{int(v):,}{unit}"


def _yoy(pct):
    if pct is None:
        return ""
    return f"，同比增长{pct:.1f}%" if pct >= 0 else f"，同比下降{abs(pct):.1f}%"


def headline(zone, year):
    """Sentences for the December figures of the year that have a value, in catalogue order."""
    table = services.period_table([zone.pk], year, 12).get(zone.pk, {})
    indicators = Indicator.objects.filter(code__in=list(table)).order_by("sort_order", "code")
    parts = []
    for ind in indicators:
        cell = table.get(ind.code) or {}
        if cell.get("value") is None:
            continue
        parts.append(f"{ind.name}{_fmt(cell['value'], ind.unit)}{_yoy(cell.get('yoy'))}")
        if len(parts) >= HEADLINE_LIMIT:
            break
    if not parts:
        return "（本年度尚无已填报的主要经济指标，请在“开发区指标”中填报后重新生成。）"
    return f"{year}年，{zone.name}" + "；".join(parts) + "。"


def _formula(code, zone, year):
    try:
        from zoneops.figures.derived import FORMULAS
    except ImportError:
        return None
    fn = FORMULAS.get(code)
    if fn is None:
        return None
    return fn([zone.pk], year, 12).get(zone.pk)


def highlights(zone, year):
    """The year's highlights from ZoneOps's own records; each app is optional."""
    lines = []
    if apps.is_installed("zoneops.projects"):
        from zoneops.projects.models import Project

        big = list(Project.objects.filter(zone=zone, signed_on__year=year, agreed_investment__gte=BIG_PROJECT)
                   .order_by("-agreed_investment").values_list("name", "agreed_investment")[:10])
        signed = Project.objects.filter(zone=zone, signed_on__year=year).count()
        if signed:
            text = f"全年签约招商项目{signed}个"
            if big:
                text += (f"，其中 10 亿元以上项目{len(big)}个：" +
                         "、".join(f"{name}（{float(v) / 10000:.1f}亿元）" for name, v in big))
            lines.append(text + "。")
        started = _formula("projects_started", zone, year)
        if started:
            lines.append(f"全年开工项目{int(started)}个。")
    ready, sold = _formula("land_ready_mu", zone, year), _formula("land_sold_mu", zone, year)
    if ready or sold:
        lines.append(f"完成做地{float(ready or 0):,.0f}亩，出让土地{float(sold or 0):,.0f}亩。")
    listed = _formula("listed_firms", zone, year)
    high_tech = _formula("high_tech_firms", zone, year)
    above = _formula("above_scale_firms", zone, year)
    firm_parts = [f"{label}{int(n)}家" for label, n in (("规上企业", above), ("高新技术企业", high_tech),
                                                        ("上市/挂牌企业", listed)) if n]
    if firm_parts:
        lines.append("截至年底，区内共有" + "，".join(firm_parts) + "。")
    rate = _formula("problem_close_rate", zone, year)
    if rate is not None:
        lines.append(f"全年受理企业诉求办结率{float(rate):.1f}%。")
    if not lines:
        return "（ZoneOps 中尚无本年度的项目、土地、企业或诉求记录。）"
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def next_targets(zone, year):
    rows = (Target.objects.filter(zone=zone, year=year + 1).select_related("indicator")
            .order_by("indicator__sort_order", "indicator__code"))
    parts = [f"{t.indicator.name}{_fmt(t.value, t.indicator.unit)}" for t in rows]
    if not parts:
        return f"（尚未设定{year + 1}年度目标。）"
    return f"{year + 1}年主要目标：" + "；".join(parts) + "。"


def generate(zone, year):
    """{field: text} of a freshly generated summary."""
    return {
        "title": f"{zone.name}{year}年工作总结",
        "overview": (f"{year}年，{zone.name}坚持“项目为王”，聚焦主导产业招大引强，持续优化营商环境，"
                     f"经济运行总体平稳、稳中有进。"),
        "headline": headline(zone, year),
        "highlights": highlights(zone, year),
        "next_targets": next_targets(zone, year),
    }


def apply(summary, texts):
    for field, text in texts.items():
        setattr(summary, field, text)
    summary.generated_at = timezone.now()
    summary.edited = False


SECTIONS = [("overview", "一、总体情况"), ("headline", "二、主要经济指标"), ("highlights", "三、工作亮点"),
            ("next_targets", "四、明年目标任务")]


def docx(summary):
    doc = OfficialDocument()
    doc.para(summary.title, bold=True, size=22, center=True, font="方正小标宋简体")
    for field, heading in SECTIONS:
        doc.para(heading, bold=True, font="黑体")
        for line in (getattr(summary, field) or "").splitlines():
            if line.strip():
                doc.para(line.strip())
    doc.sign_off(f"{summary.zone.name}管委会", datetime.date.today())
    return doc.bytes()
