"""Demo projects: ~90 per zone in every stage, named after the zone's chains, over two years,
with approvals, stage events, a few problems and a dispatch-meeting series with past meetings."""
import datetime
import random
from decimal import Decimal

from django.utils import timezone

from zoneops.core.models import Membership

from . import engine, services
from .models import Approval, Meeting, MeetingSeries, Project, ProjectType, StageEvent

PRODUCTS = {
    "汽车": ["新能源汽车驱动电机定子铁芯", "高端新能源车灯", "汽车智能座舱", "汽车内外饰部件", "线控制动系统", "汽车电子控制器"],
    "再生": ["再生铜杆", "再生铝合金锭", "废旧动力电池回收", "再生金属精深加工"],
    "五金": ["智能门锁", "电动工具", "不锈钢炊具", "精密五金配件", "园林机械"],
    "电池": ["锂电池电芯", "储能系统集成", "动力电池PACK", "正极材料", "电池隔膜"],
    "机床": ["五轴数控机床", "数控系统", "精密滚珠丝杠", "工业机器人减速器"],
    "": ["智能装备", "新材料", "高端装备零部件", "数字经济产业园", "医疗器械"],
}
FIRMS = ["浙江迅驰", "台艺", "山东裕航", "深伟业", "伟创源", "百晟达", "融和元储", "利羿精密", "正轩精密", "方向电子",
         "宁波拓普", "江苏恒立", "安徽鑫铂", "广东德赛", "上海保隆", "苏州绿的", "杭州中泰", "温州瑞明", "合肥国轩", "常州星源"]
UNITS = ["年产100万套", "年产25万套", "年产2GWh", "年产5万吨", "年产10万台", "年产400万套", "总部及研发中心"]
SIZES = [2000, 3000, 5000, 5000, 8000, 8000, 10000, 12000, 15000, 20000, 25000, 31000, 35000, 50000, 80000, 120000,
         250000, 556000]
STAGE_WEIGHTS = [(engine.LEAD, 10), (engine.TALKS, 14), (engine.SIGNED, 14), (engine.LAND, 10), (engine.STARTED, 14),
                 (engine.ENTERED, 8), (engine.PRODUCING, 10), (engine.FULL, 5), (engine.TERMINATED, 4),
                 (engine.PAUSED, 3)]
GAPS = {engine.TALKS: (15, 60), engine.SIGNED: (20, 90), engine.LAND: (30, 120), engine.STARTED: (3, 60),
        engine.ENTERED: (30, 90), engine.PRODUCING: (90, 240), engine.FULL: (120, 365)}
LEAD_DAYS = {"立项/备案": (1, 7), "用地规划许可证": (2, 10), "工程规划许可证": (3, 15), "施工许可证": (1, 10),
             "竣工验收": (10, 40)}


def _keyword(name):
    return next((k for k in PRODUCTS if k and k in name), "")


def load_demo(zones, *, seed, last_year, stdout=None):
    rng = random.Random(f"projects-{seed}")
    today = timezone.localdate()
    for zone in zones:
        ProjectType.ensure_defaults([zone.pk])
        types = list(ProjectType.objects.filter(zone=zone).order_by("order"))
        officers = list(Membership.objects.filter(zone=zone, role__in=["staff", "admin"]).select_related("user")
                        .values_list("user", flat=True))
        try:
            from zoneops.chains.models import Segment

            segments = list(Segment.objects.filter(zone=zone, parent__isnull=False).select_related("chain")) or \
                list(Segment.objects.filter(zone=zone).select_related("chain"))
        except ImportError:
            segments = []
        from zoneops.registry.models import Enterprise

        investors = list(Enterprise.objects.filter(zone=zone).order_by("pk").values_list("pk", flat=True)[:400])
        n = rng.randint(80, 110)
        created = []
        for i in range(n):
            seg = rng.choice(segments) if segments and rng.random() < 0.8 else None
            key = _keyword(seg.chain.name) if seg else ""
            product = rng.choice(PRODUCTS[key])
            firm = rng.choice(FIRMS)
            stage = rng.choices([s for s, _ in STAGE_WEIGHTS], [w for _, w in STAGE_WEIGHTS])[0]
            ptype = types[0] if rng.random() < 0.8 else rng.choice(types)
            target = stage if stage not in (engine.TERMINATED, engine.PAUSED) else rng.choice(
                [engine.TALKS, engine.SIGNED, engine.LAND])
            if target not in ptype.stages:
                ptype = types[0]
            agreed = Decimal(rng.choice(SIZES)) * Decimal(rng.uniform(0.8, 1.2)).quantize(Decimal("0.01"))
            p = Project(zone=zone, name=f"{firm}{rng.choice(UNITS)}{product}项目", project_type=ptype,
                        investor_name=f"{firm}{product[:2]}科技有限公司", segment=seg,
                        chain_tag=rng.choice(["fill", "strengthen", "extend"]) if seg else "",
                        agreed_investment=agreed.quantize(Decimal("0.01")),
                        fixed_investment=(agreed * Decimal(rng.uniform(0.55, 0.85))).quantize(Decimal("0.01")),
                        land_mu=Decimal(max(10, int(float(agreed) / rng.uniform(150, 400)))),
                        expected_output=(agreed * Decimal(rng.uniform(1.2, 2.5))).quantize(Decimal("1")),
                        expected_tax=(agreed * Decimal(rng.uniform(0.05, 0.12))).quantize(Decimal("1")),
                        source=rng.choice(["referral", "agent", "fund", "map", "expo", "direct"]),
                        lead_officer_id=rng.choice(officers) if officers else None,
                        responsible_leader=rng.choice(["杨建峰", "戴丽敏", "叶新桥", "徐建华"]))
            if investors and rng.random() < 0.25:
                p.investor_id = rng.choice(investors)
            # actual dates back from today, planned dates around them (some late, some early)
            path = ptype.stages[:ptype.stages.index(target) + 1]
            day = today - datetime.timedelta(days=rng.randint(5, 60))
            dates = {}
            for s in reversed(path):
                dates[s] = day
                lo, hi = GAPS.get(s, (10, 40))
                day = day - datetime.timedelta(days=rng.randint(lo, hi))
            if min(dates.values()) < today - datetime.timedelta(days=730):
                shift = (today - datetime.timedelta(days=720)) - min(dates.values())
                dates = {s: min(today, d + shift) for s, d in dates.items()}
            for s, d in dates.items():
                setattr(p, f"{s}_on", d)
                setattr(p, f"planned_{s}", d + datetime.timedelta(days=rng.randint(-20, 25)))
            d = dates[target]
            for s in ptype.stages[ptype.stages.index(target) + 1:]:
                lo, hi = GAPS.get(s, (10, 40))
                d = d + datetime.timedelta(days=rng.randint(lo, hi) + rng.randint(-15, 10))
                setattr(p, f"planned_{s}", d)
            p.stage = target
            p.save()
            events = []
            prev = ""
            for s in path:
                events.append(StageEvent(zone=zone, project=p, from_stage=prev, to_stage=s, actual_on=dates[s],
                                         user_name="demo", time=timezone.make_aware(
                                             datetime.datetime.combine(dates[s], datetime.time(10)))))
                prev = s
            StageEvent.objects.filter(project=p).delete()
            if stage in (engine.TERMINATED, engine.PAUSED):
                events.append(StageEvent(zone=zone, project=p, from_stage=target, to_stage=stage, user_name="demo",
                                         note="投资方战略调整" if stage == engine.TERMINATED else "等待用地指标",
                                         time=timezone.now() - datetime.timedelta(days=rng.randint(1, 40))))
                p.stage = stage
                if stage == engine.TERMINATED:
                    p.termination_reason = rng.choice(["投资方战略调整，转投他地", "用地指标无法落实", "环评未通过"])
                else:
                    p.paused_from = target
                p.save()
            StageEvent.objects.bulk_create(events)
            created.append((p, dates))
        approvals = []
        for p, dates in created:
            start = dates.get(engine.SIGNED)
            for a in Approval.objects.filter(project=p):
                if start is None:
                    continue
                anchor = {"竣工验收": dates.get(engine.PRODUCING), "施工许可证": dates.get(engine.LAND),
                          "工程规划许可证": dates.get(engine.LAND), "用地规划许可证": dates.get(engine.LAND)}.get(a.name, start)
                if anchor is None:
                    continue
                lo, hi = LEAD_DAYS.get(a.name, (2, 10))
                a.applied_on = anchor - datetime.timedelta(days=rng.randint(0, 3))
                granted = a.applied_on + datetime.timedelta(days=rng.randint(lo, hi))
                a.granted_on = granted if granted <= today else None
                approvals.append(a)
        Approval.objects.bulk_update(approvals, ["applied_on", "granted_on"], batch_size=1000)
        series = MeetingSeries.objects.create(zone=zone, name="重点项目两周一调度", cadence_days=14,
                                              location="管委会三楼会议室", chair="管委会主任",
                                              attendees="招商局、经发局、建设局、自然资源分局、属地街道")
        for k in (6, 4, 2):
            m = Meeting.objects.create(zone=zone, series=series, held_on=today - datetime.timedelta(days=14 * k),
                                       location=series.location, chair=series.chair, attendees=series.attendees)
            services.build_agenda(m)
            for item in m.items.all()[:6]:
                item.decision = rng.choice(["由建设局牵头，一周内完成施工图审查", "自然资源分局加快供地报批",
                                            "属地街道负责政策处理，月底前完成", "招商局跟进签约条款"])
                item.next_steps = rng.choice(["下次调度会汇报进展", "两周内开工", "本月底前摘地"])
                item.save(update_fields=["decision", "next_steps"])
        if stdout:
            stdout.write(f"  {zone.name}：招商项目 {len(created)} 个，调度会 3 次\n")
