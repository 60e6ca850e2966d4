"""Demo chains: the seeds' chains per zone from the shipped templates, business scopes for the
demo firms (the registry generator leaves them empty), a mapping run, 链主, candidates and part
of the 九个一 checklist. Deterministic for a seed."""
import random
from decimal import Decimal

from django.db.models import Max

from zoneops.registry.models import Enterprise, EnterpriseYear, IndustryCode

from . import services, treeio
from .models import (
    Candidate,
    CandidateStatus,
    Chain,
    ChainLeader,
    ChainMapping,
    ChainStatus,
    ChecklistItem,
    Segment,
)
from .scopes import SCOPES, TAIL

# zone code → [(template slug, status, 链长 title)] as the seeds name them.
ZONE_CHAINS = {
    "luqiao": [("auto", ChainStatus.PILOT, "区委副书记、区长"), ("recycled_metal", ChainStatus.DEMO_PILOT, "区委书记")],
    "yongkang": [("hardware", ChainStatus.DEMO_PILOT, "市委副书记、市长")],
    "jiangshan": [("battery", ChainStatus.PILOT, "市委书记")],
    "huzhou-yrd": [("machine_tools", ChainStatus.PILOT, "县委书记"), ("nev", ChainStatus.PILOT, "县长")],
    "oujiangkou": [("nev", ChainStatus.PILOT, "管委会主任")],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"
GIVEN = ("建国", "志强", "海峰", "卫东", "晓明", "国庆", "立新", "伟", "静", "丽华", "文斌", "永康")

CITIES = (("浙江省", "宁波市"), ("浙江省", "杭州市"), ("江苏省", "苏州市"), ("江苏省", "常州市"), ("上海市", "上海市"),
          ("广东省", "深圳市"), ("安徽省", "合肥市"), ("福建省", "宁德市"), ("山东省", "青岛市"), ("湖北省", "武汉市"),
          ("江西省", "宜春市"), ("四川省", "成都市"))
TRADES = "华宏恒泰鼎盛瑞丰嘉德天成博远中科精锐凯达永信海川联创汇通星辰万向卓越"


def _scope(rng, code, name, names):
    options = SCOPES.get(code)
    if options:
        head = rng.choice(options)
    else:
        head = names.get(code, "")
    tail = rng.choice(TAIL)
    return "；".join(p for p in (head, tail) if p)


def load_demo(zones, *, seed, last_year, stdout=None):
    rng = random.Random(f"chains-{seed}")
    names = dict(IndustryCode.objects.filter(level="class").values_list("code", "name"))
    for zone in zones:
        # Business scopes for firms that have none (the registry generator writes none).
        empty = list(Enterprise.objects.filter(zone=zone, business_scope="").order_by("pk")
                     .values_list("pk", "industry_id", "name"))
        updates = [Enterprise(pk=pk, business_scope=_scope(rng, code or "", name, names)) for pk, code, name in empty]
        Enterprise.objects.bulk_update(updates, ["business_scope"], batch_size=2000)
        specs = ZONE_CHAINS.get(zone.code, [])
        chains = []
        for slug, status, title in specs:
            tree = treeio.load_template(slug)
            if Chain.objects.filter(zone=zone, name=tree["name"]).exists():
                continue
            chief = rng.choice(SURNAMES) + rng.choice(GIVEN)
            chain = services.create_chain(zone, tree, template=tree["name"], status=status, chief_name=chief,
                                          chief_title=title, office_contact=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                          office_phone=f"0576-8{rng.randrange(1000000, 9999999)}")
            chains.append(chain)
        if not chains:
            continue
        result = services.run_mapping(zone, chains)
        year = EnterpriseYear.objects.filter(zone=zone).aggregate(y=Max("year"))["y"]
        for chain in chains:
            _leaders(chain, year)
            _candidates(chain, rng)
            for item in ChecklistItem.objects.filter(chain=chain).order_by("pk")[: rng.randrange(4, 8)]:
                item.done = True
                item.note = "已印发" if item.kind in ("plan", "policy", "annual") else "已落实"
                item.save()
        services.map_candidates(zone)
        if stdout is not None:
            stdout.write(f"产业链 {zone.name}：{len(chains)} 条链，匹配企业 {result['firms']} 家，"
                         f"新增匹配 {result['created']} 条")


def _leaders(chain, year):
    ids = ChainMapping.objects.filter(chain=chain).values("enterprise_id")
    top = (EnterpriseYear.objects.filter(enterprise_id__in=ids, year=year, enterprise__scale="above")
           .order_by("-revenue").values_list("enterprise_id", flat=True)[:3])
    ChainLeader.objects.bulk_create([ChainLeader(zone_id=chain.zone_id, chain=chain, enterprise_id=e,
                                                 note="营收规模居链上前列") for e in top])


def _candidates(chain, rng):
    leaves = [s for s in Segment.objects.filter(chain=chain).order_by("pk") if s.products]
    made = []
    for seg in rng.sample(leaves, min(len(leaves), 12)):
        province, city = rng.choice(CITIES)
        word = seg.name.replace("与", "").replace("及", "")[:4]
        name = f"{city.rstrip('市')}{rng.choice(TRADES)}{rng.choice(TRADES)}{word}{rng.choice(('有限公司', '股份有限公司'))}"
        if Candidate.objects.filter(zone_id=chain.zone_id, name=name).exists():
            continue
        listed = "股份" in name and rng.random() < 0.6
        made.append(Candidate(zone_id=chain.zone_id, name=name, province=province, city=city,
                              products=seg.products, revenue=Decimal(rng.randrange(8000, 900000)), is_listed=listed,
                              status=rng.choice(CandidateStatus.values[:3]), notes=f"{chain.name}链招商排摸"))
    Candidate.objects.bulk_create(made)
