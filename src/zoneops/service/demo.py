"""Demo data of 为企服务: departments, about 300 problems a zone over the last year in every state,
visits (大走访), and two portal logins (a department user and an enterprise user).

`generate(...)` is pure (seeded random, no database): it yields problem records with their dates,
so `bench/service.py` loads 200,000 of them the same way. `load_demo` (called by
`manage.py demo_data`) writes them with bulk inserts. As the seed reports: near 90 % closed
(江山: 近 300 项, 办结 270 项), most on time, most firms satisfied.
"""
import datetime
import random
from dataclasses import dataclass, field

from . import engine, workdays

DEPARTMENTS = ["经信局", "自然资源和规划局", "人社局", "住建局", "市场监管局", "供电公司", "生态环境分局", "金融办"]
# Category -> departments that usually handle it.
HANDLERS = {
    "用地": ["自然资源和规划局"], "用工": ["人社局"], "融资": ["金融办", "经信局"], "审批": ["住建局", "市场监管局", "生态环境分局"],
    "基础设施": ["供电公司", "住建局"], "政策兑现": ["经信局"], "其他": ["经信局", "市场监管局"],
}
CATEGORY_WEIGHTS = {"用地": 18, "用工": 16, "融资": 14, "审批": 16, "基础设施": 16, "政策兑现": 12, "其他": 8}
# (title, description) per category; themes from the seed reports.
TEXTS = {
    "用地": [("扩产项目新增用地指标", "企业二期扩产项目需新增工业用地约{n}亩，希望协调用地指标并明确挂牌出让时间。"),
           ("腾笼换鸟厂房屋顶漏水、地面悬空", "入驻“腾笼换鸟”厂房后发现屋顶漏水、地面悬空，影响自动化设备安装，请求协调改造。"),
           ("低效用地改造后容积率调整", "低效用地改造方案拟将容积率由0.9提高到2.5，需规划部门审核并出具意见。"),
           ("不动产权证办理滞后", "厂房已竣工验收{n}个月，不动产权证尚未办出，影响企业抵押融资。")],
    "用工": [("一线操作工招工难", "订单增加，一线操作工缺口约{n}人，希望协助对接劳务市场和职业院校。"),
           ("人才公寓申请", "新引进研发人员{n}名，申请入住园区人才公寓。"),
           ("技能人才培训补贴", "希望组织数控、焊接技能培训并申请培训补贴。"),
           ("外地员工子女入学", "{n}名外地骨干员工子女入学有困难，请求协调学位。")],
    "融资": [("流动资金贷款续贷", "{n}00万元流动资金贷款即将到期，银行抽贷压贷，请求协调续贷。"),
           ("技改项目贴息申请", "技改项目投入{n}00万元，申请技改贴息和设备补助。"),
           ("上市辅导对接", "企业列入凤凰行动上市培育库，希望对接券商和上市辅导服务。"),
           ("应收账款融资", "应收账款占用资金较多，希望对接供应链金融产品。")],
    "审批": [("施工许可证加快办理", "新厂房项目已取得用地，希望并联审批、尽快办理施工许可证，实现拿地即开工。"),
           ("环评批复", "新增表面处理工序需办理环评，请求指导并加快审批。"),
           ("能评审查", "扩产项目年综合能耗约{n}00吨标煤，需办理节能审查。"),
           ("消防验收预约", "厂房装修完工，申请消防验收，希望尽快安排现场查验。")],
    "基础设施": [("用电增容", "新增生产线需增容{n}00千伏安，请求供电公司加快接入。"),
             ("厂区门口道路积水", "雨天厂区门口道路积水严重，货车进出困难，请求修缮排水。"),
             ("污水管网接入", "新厂房污水管网尚未接入市政管网，影响投产。"),
             ("天然气管道接入", "热处理工序需使用天然气，请求协调管道接入。")],
    "政策兑现": [("亩均效益A类企业奖励兑现", "企业上年度亩均效益评价为A类，相应奖励资金尚未到位。"),
             ("高新技术企业认定奖励", "企业新认定为高新技术企业，申请兑现认定奖励。"),
             ("小升规奖励", "企业首次纳入规上统计，申请小升规奖励。"),
             ("研发费用补助", "上年度研发投入{n}00万元，申请研发费用补助。")],
    "其他": [("员工通勤公交线路", "园区员工通勤不便，建议增开公交线路或班车。"),
           ("周边餐饮配套不足", "园区缺少职工食堂和餐饮配套，员工就餐不便。"),
           ("企业名称变更后资料更新", "企业已完成名称变更，需同步更新园区相关登记资料。"),
           ("安全生产指导", "希望应急管理部门上门开展安全生产隐患排查指导。")],
}
ANSWERS = {
    "用地": "已会同自然资源和规划部门现场踏勘，纳入年度供地计划，预计下季度挂牌。",
    "用工": "已对接人社局举办专场招聘会，并联系职业院校安排实习生。",
    "融资": "已协调合作银行完成续贷，利率下浮，并纳入重点企业白名单。",
    "审批": "已开通并联审批通道，相关许可已于本周办结，证照送达企业。",
    "基础设施": "已安排施工单位完成整改，经企业确认已恢复正常。",
    "政策兑现": "奖励资金已完成公示并拨付到企业账户。",
    "其他": "已协调相关单位办理，情况已向企业说明。",
}
SOURCES = [("visit", 40), ("self", 25), ("meeting", 15), ("hotline", 12), ("other", 8)]
PRIORITIES = [("normal", 75), ("urgent", 20), ("critical", 5)]
DEFAULT_DAYS = {"normal": 10, "urgent": 5, "critical": 3}
PEOPLE_MET = ["总经理", "董事长", "副总经理", "行政经理", "财务总监", "生产副总", "人事经理"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"
GIVEN = ["伟", "芳", "敏", "静", "磊", "军", "洋", "勇", "杰", "娟", "涛", "明", "超", "霞", "平", "刚"]

# Demo logins (scripts/serve.sh prints them): a department user and an enterprise user of the
# default zone (the zone of the staff login "demo").
LOGINS = (("dept", "zoneops-dept", "department"), ("firm", "zoneops-firm", "enterprise"))


@dataclass
class Record:
    """One generated problem with everything a row needs."""
    firm: int                 # index into the zone's firms
    category: str
    title: str
    description: str
    source: str
    priority: str
    received_on: datetime.date
    state: str
    department: str = ""
    assigned_on: datetime.date = None
    deadline: datetime.date = None
    remind_on: datetime.date = None
    red_on: datetime.date = None
    level: int = 0
    answer: str = ""
    answered_on: datetime.date = None
    on_time: bool = None
    closed_on: datetime.date = None
    rating: str = ""
    events: list = field(default_factory=list)  # (date, action, state, note)


def _pick(rng, weighted):
    items, weights = zip(*weighted)
    return rng.choices(items, weights)[0]


def generate(n, n_firms, *, seed, today, days=365):
    """`n` problems received over the `days` before `today` (pure; deterministic for a seed)."""
    rng = random.Random(f"service-{seed}")
    cats = list(CATEGORY_WEIGHTS.items())
    for _ in range(n):
        cat = _pick(rng, cats)
        title, text = rng.choice(TEXTS[cat])
        received = today - datetime.timedelta(days=int(rng.random() ** 0.8 * days))
        r = Record(firm=rng.randrange(n_firms), category=cat, title=title,
                   description=text.format(n=rng.randrange(2, 60)), source=_pick(rng, SOURCES),
                   priority=_pick(rng, PRIORITIES), received_on=received, state=engine.RECEIVED)
        r.events.append((received, "receive", engine.RECEIVED, ""))
        age = (today - received).days
        # Younger problems are less far along; ~90 % of the year's problems end up closed.
        if age < 2 and rng.random() < 0.7:
            yield r
            continue
        r.assigned_on = min(today, workdays.add_working_days(received, rng.choice([0, 1, 1, 2])))
        r.department = rng.choice(HANDLERS[cat])
        r.deadline = workdays.add_working_days(r.assigned_on, DEFAULT_DAYS[r.priority])
        r.remind_on, _y, r.red_on = workdays.supervision_dates(r.deadline, 2, 3)
        r.state = engine.ASSIGNED
        r.events.append((r.assigned_on, "assign", engine.ASSIGNED, f"交办{r.department}，期限 {r.deadline}"))
        accepted = workdays.add_working_days(r.assigned_on, 1)
        if accepted > today:
            yield r
            continue
        r.state = engine.IN_PROGRESS
        r.events.append((accepted, "accept", engine.IN_PROGRESS, ""))
        late = rng.random() < 0.15
        took = DEFAULT_DAYS[r.priority] + rng.randrange(1, 12) if late else rng.randrange(1, DEFAULT_DAYS[r.priority] + 1)
        answered = workdays.add_working_days(r.assigned_on, took)
        stuck = rng.random() < 0.06  # the hard ones stay open for long
        if answered > today or stuck:
            r.level = engine.level_due(today, r.remind_on, r.deadline, r.red_on)
            yield r
            continue
        r.state, r.answered_on, r.on_time = engine.ANSWERED, answered, answered <= r.deadline
        r.answer = ANSWERS[cat]
        r.events.append((answered, "answer", engine.ANSWERED, r.answer))
        closed = answered + datetime.timedelta(days=rng.randrange(0, 6))
        if closed > today:
            yield r
            continue
        roll = rng.random()
        r.rating = "satisfied" if roll < 0.8 else "basically" if roll < 0.96 else "unsatisfied"
        if r.rating == "unsatisfied":
            r.events.append((closed, "reopen", engine.IN_PROGRESS, "企业评价：不满意"))
            r.state, r.answered_on, r.on_time = engine.IN_PROGRESS, None, None
            r.deadline = workdays.add_working_days(closed, DEFAULT_DAYS[r.priority])
            r.remind_on, _y, r.red_on = workdays.supervision_dates(r.deadline, 2, 3)
            r.level = engine.level_due(today, r.remind_on, r.deadline, r.red_on)
            yield r
            continue
        r.state, r.closed_on = engine.CLOSED, closed
        r.events.append((closed, "close", engine.CLOSED, f"企业评价：{engine.RATING_LABELS[r.rating]}"))
        yield r


def visits(n, n_firms, *, seed, today, days=365):
    """(firm index, date, people met, notes) for `n` visits."""
    rng = random.Random(f"visits-{seed}")
    out = []
    for _ in range(n):
        day = today - datetime.timedelta(days=rng.randrange(days))
        who = rng.choice(PEOPLE_MET) + " " + rng.choice(SURNAMES) + rng.choice(GIVEN)
        cat = _pick(rng, list(CATEGORY_WEIGHTS.items()))
        notes = f"了解企业生产经营情况，企业订单平稳。{rng.choice(TEXTS[cat])[1].format(n=rng.randrange(2, 40))}"
        out.append((rng.randrange(n_firms), day, who, notes))
    return out


# --------------------------------------------------------------------------------------------
# Writing (Django)

def load_demo(zones, *, seed, last_year, stdout=None, per_zone=300):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from zoneops.core.models import Membership
    from zoneops.registry.models import Enterprise

    from .models import Department, Problem, ProblemCategory

    today = timezone.localdate()
    User = get_user_model()
    demo_user = User.objects.filter(username="demo").first()
    home_zone = None
    if demo_user is not None:
        home = Membership.objects.filter(user=demo_user, zone__in=zones).first()
        home_zone = home.zone if home else None
    made = 0
    for zi, zone in enumerate(zones):
        if Problem.objects.filter(zone=zone).exists():
            continue
        firms = list(Enterprise.objects.filter(zone=zone).order_by("pk").values_list("pk", "account_officer_id"))
        if not firms:
            continue
        ProblemCategory.ensure_defaults([zone.pk])
        cats = dict(ProblemCategory.objects.filter(zone=zone).values_list("name", "pk"))
        Department.objects.bulk_create([Department(zone=zone, name=n) for n in DEPARTMENTS], ignore_conflicts=True)
        depts = dict(Department.objects.filter(zone=zone).values_list("name", "pk"))
        staff = list(User.objects.filter(memberships__zone=zone, memberships__role__in=["staff", "admin"])
                     .order_by("pk").values_list("pk", flat=True))
        if zone == home_zone:
            _home_zone(zone, firms, depts, demo_user, seed)
            firms = list(Enterprise.objects.filter(zone=zone).order_by("pk").values_list("pk", "account_officer_id"))
        records = list(generate(per_zone, len(firms), seed=f"{seed}-{zone.code}", today=today))
        made += write(zone, records, firms, cats, depts, staff, seed=f"{seed}-{zone.code}", today=today)
    if stdout is not None:
        stdout.write(f"为企服务：{made:,} 项演示诉求，部门 {len(DEPARTMENTS)} 个/开发区；"
                     f"部门用户 dept / zoneops-dept，企业用户 firm / zoneops-firm。")


def _home_zone(zone, firms, depts, demo_user, seed):
    """The default zone: the demo staff user looks after 15 firms; a department and a firm login."""
    from django.contrib.auth import get_user_model

    from zoneops.core.models import Membership
    from zoneops.registry.models import Enterprise

    from .models import Department

    User = get_user_model()
    rng = random.Random(f"home-{seed}")
    mine = [pk for pk, _o in rng.sample(firms, min(15, len(firms)))]
    Enterprise.objects.filter(pk__in=mine).update(account_officer=demo_user)
    for username, password, role in LOGINS:
        user = User.objects.filter(username=username).first()
        if user is None:
            first = "张建国" if role == "department" else "陈晓燕"
            user = User.objects.create_user(username, password=password, first_name=first)
        if Membership.objects.filter(user=user, zone=zone).exists():
            continue
        if role == "department":
            Membership.objects.create(user=user, zone=zone, role=Membership.Role.DEPARTMENT)
            d = Department.objects.get(pk=depts["自然资源和规划局"])
            d.members.add(user)
            d.heads.add(user)
        else:
            Membership.objects.create(user=user, zone=zone, role=Membership.Role.ENTERPRISE,
                                      enterprise_id=mine[0])


def write(zone, records, firms, cats, depts, staff, *, seed, today):
    """Bulk-insert generated problems, their timeline, escalations and visits. Returns the count."""
    from django.utils import timezone

    from .models import Escalation, Problem, ProblemEvent, Visit

    rng = random.Random(f"write-{seed}")
    tz = timezone.get_current_timezone()

    def at(day, hour):
        return datetime.datetime.combine(day, datetime.time(hour, rng.randrange(60)), tzinfo=tz)

    visit_rows = visits(max(50, len(records) * 2 // 3), len(firms), seed=seed, today=today)
    vs = Visit.objects.bulk_create([Visit(zone=zone, enterprise_id=firms[f][0], date=d, people_met=who, notes=notes)
                                    for f, d, who, notes in visit_rows], batch_size=2000)
    through = Visit.officers.through
    links = []
    for v, (f, *_rest) in zip(vs, visit_rows):
        officer = firms[f][1] or (rng.choice(staff) if staff else None)
        if officer:
            links.append(through(visit_id=v.pk, user_id=officer))
    through.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
    by_firm = {}
    for v in vs:
        by_firm.setdefault(v.enterprise_id, []).append(v)
    problems = []
    for r in records:
        firm_id, officer = firms[r.firm]
        visit = None
        if r.source == "visit":
            near = [v for v in by_firm.get(firm_id, ()) if v.date <= r.received_on]
            visit = near[-1].pk if near else None
        problems.append(Problem(
            zone=zone, enterprise_id=firm_id, title=r.title, description=r.description, source=r.source,
            category_id=cats[r.category], priority=r.priority, received_on=r.received_on, state=r.state,
            officer_id=officer, visit_id=visit, department_id=depts.get(r.department), assigned_on=r.assigned_on,
            deadline=r.deadline, remind_on=r.remind_on, red_on=r.red_on, escalation_level=r.level, answer=r.answer,
            answered_on=r.answered_on, on_time=r.on_time, closed_on=r.closed_on,
            days_to_close=(r.closed_on - r.received_on).days if r.closed_on else None, rating=r.rating,
            version=len(r.events)))
    Problem.objects.bulk_create(problems, batch_size=2000)
    events, escalations = [], []
    for p, r in zip(problems, records):
        for i, (day, action, state, note) in enumerate(r.events):
            events.append(ProblemEvent(problem_id=p.pk, time=at(day, 9 + i), action=action, state=state, note=note,
                                       user_name="演示数据", public=action != "extension"))
        for level in range(1, r.level + 1):
            day = {1: r.remind_on, 2: r.deadline, 3: r.red_on}[level]
            escalations.append(Escalation(problem_id=p.pk, level=level, deadline=r.deadline, created=at(day, 6)))
    ProblemEvent.objects.bulk_create(events, batch_size=5000)
    Escalation.objects.bulk_create(escalations, batch_size=5000)
    return len(problems)
