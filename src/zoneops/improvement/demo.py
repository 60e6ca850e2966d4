"""Demo records: a sample differentiated-policy table per zone (marked as such) and, when the
evaluation demo has produced results, a few 一企一策 plans for the lowest-scoring D firms that
hold land, with measures and progress notes. Deterministic for a seed; skips zones that already
have policy items or plans (the command only fills new zones)."""
import datetime
import random

from django.utils import timezone

DEMO_NOTE = "演示数据，请按本地文件填写"
PLANS_PER_ZONE = 8

# (item, {class: value}) — an illustration of the kind of table counties publish, not their values.
DEMO_POLICIES = [
    ("电价加价（元/千瓦时）", {"A": "不加价", "B": "不加价", "C": "0.05", "D": "0.10"}),
    ("水价加价（元/吨）", {"A": "不加价", "B": "不加价", "C": "0.50", "D": "1.00"}),
    ("用能保障", {"A": "优先保障", "B": "正常保障", "C": "限制新增", "D": "不予新增"}),
    ("用地保障", {"A": "优先安排", "B": "正常安排", "C": "从严控制", "D": "不予新增"}),
    ("信贷支持", {"A": "优先支持", "B": "正常支持", "C": "审慎支持", "D": "压降授信"}),
    ("财政奖补", {"A": "优先享受", "B": "正常享受", "C": "减半享受", "D": "不予享受"}),
]

MEASURES = {
    "supervise": ["督促企业如实申报税收与能耗数据，年内完成数据核实", "督促企业按期投产达产，按季度报送产值"],
    "excel": ["引导企业申报省级企业技术中心，提升研发投入占比至 3%", "引导企业实施数字化改造，创建智能工厂"],
    "transform": ["鼓励企业由代加工转向自有品牌，调整产品结构", "鼓励企业转向新能源汽车零部件配套"],
    "merge": ["帮扶企业与链主企业兼并重组，共享厂房与设备", "推动同类小微企业联合，整合为一个生产主体"],
    "renovate": ["支持企业拆除旧厂房新建多层厂房，容积率提高至 2.0 以上", "支持企业实施“零土地”技改，更新生产线"],
    "revitalize": ["依法收回闲置土地，纳入低效用地再开发", "对长期停产企业实施厂房收储，引入新项目"],
}
DEPARTMENTS = ["经济发展局", "自然资源和规划分局", "招商服务中心", "科技局", "税务分局", "生态环境分局"]
NOTES = ["已走访企业，与负责人沟通评价结果和提升方向。", "企业提交提升计划，明确年度税收和投资目标。",
         "召开专题协调会，落实责任部门与时间节点。", "企业已签订腾退协议，正在办理土地收回手续。",
         "技改设备已进场安装，预计下季度投产。"]


def load_demo(zones, *, seed, last_year, stdout=None):
    from zoneops.improvement.models import ImprovementPlan, PolicyItem

    made_policies = made_plans = 0
    for zone in zones:
        if not PolicyItem.objects.filter(zone=zone).exists():
            made_policies += _policies(zone)
        if not ImprovementPlan.objects.filter(zone=zone).exists():
            made_plans += _plans(zone, random.Random(f"{seed}:{zone.code}:improvement"))
    if stdout is not None:
        stdout.write(f"一企一策：{made_plans} 个演示方案，差别化政策 {made_policies} 项（{DEMO_NOTE}）。")


def _policies(zone):
    from zoneops.improvement.models import PolicyItem

    rows = [PolicyItem(zone=zone, class_code=cls, item=item, value=value, note=DEMO_NOTE, order=order)
            for order, (item, values) in enumerate(DEMO_POLICIES, start=1) for cls, value in values.items()]
    for row in rows:
        row.save()  # a few dozen rows: saved one by one so that the history shows them
    return len(rows)


def _plans(zone, rng):
    from zoneops.core.models import Membership
    from zoneops.improvement import services
    from zoneops.improvement.models import (
        ImprovementPlan,
        Measure,
        MeasureCategory,
        ProgressNote,
    )

    try:
        run_id = services.latest_run_ids([zone.pk]).get(zone.pk)
    except Exception:  # noqa: BLE001 - no evaluation app or no runs: nothing to plan for
        run_id = None
    if run_id is None:
        return 0
    from zoneops.evaluation.models import Result
    from zoneops.registry.models import Parcel

    holders = Parcel.objects.filter(zone=zone, holder__isnull=False).values("holder_id")
    low = list(Result.objects.filter(run_id=run_id, final_class="D", enterprise_id__in=holders)
               .select_related("enterprise", "run__ruleset_version").order_by("total", "enterprise_id")
               [:PLANS_PER_ZONE * 2])
    if not low:
        return 0
    chosen = sorted(rng.sample(low, min(PLANS_PER_ZONE, len(low))), key=lambda r: (r.total or 0, r.enterprise_id))
    staff = list(Membership.objects.filter(zone=zone, role__in=["staff", "admin"]).select_related("user")
                 .order_by("user__username"))
    today = timezone.localdate()
    categories = [c for c, _ in MeasureCategory.choices]
    for n, result in enumerate(chosen):
        info = services.firm_class(result)
        status = ("active", "active", "drafting", "done")[n % 4]
        plan = ImprovementPlan(
            zone=zone, enterprise=result.enterprise, eval_year=info.year, eval_class=info.class_code,
            eval_total=info.total, owner=staff[n % len(staff)].user if staff else None,
            title=f"{result.enterprise.name} 一企一策（{info.year}）",
            situation=f"{info.year} 年度亩均评价 D 类，得分 {info.total or 0:.2f}；评价用地 {info.land_mu or 0:.2f} 亩。",
            target_class=info.next_class or "C",
            target_tax_per_mu=round(info.need_tax_per_mu, 2) if info.need_tax_per_mu is not None else None,
            target_text="三年内退出 D 类；亩均税收、亩均增加值达到园区平均水平。",
            deadline=datetime.date(today.year + 1 + n % 2, 12, 31), status=status)
        plan.save()
        kinds = rng.sample(categories[:-1], rng.randint(1, 2))
        if (result.land_mu or 0) > 20 or n % 3 == 0:
            kinds.append("revitalize")
        for k, kind in enumerate(kinds):
            Measure(zone=zone, plan=plan, category=kind, content=rng.choice(MEASURES[kind]),
                    department=rng.choice(DEPARTMENTS), person=_person(rng),
                    deadline=today + datetime.timedelta(days=90 * (k + 1)),
                    state="done" if status == "done" else ("doing" if status == "active" and k == 0 else "pending")
                    ).save()
        for k in range(rng.randint(1, 3) if status != "drafting" else 0):
            ProgressNote(zone=zone, plan=plan, date=today - datetime.timedelta(days=30 * (3 - k)),
                         text=NOTES[(n + k) % len(NOTES)], author=plan.owner).save()
    return len(chosen)


def _person(rng):
    return rng.choice("王李张刘陈杨黄赵吴周") + rng.choice(["科长", "主任", "专员", "副局长"])
