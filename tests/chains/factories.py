"""Builders for chain records in tests."""
from decimal import Decimal

from zoneops.chains import services, treeio
from zoneops.chains.models import (
    Candidate,
    CandidateMatch,
    ChainLeader,
    ChainMapping,
    ChecklistItem,
    Segment,
)

SMALL_TREE = """
name: 测试汽车链
segments:
- name: 原材料
  stage: up
  codes: 3130
  keywords: 汽车板
- name: 零部件
  stage: mid
  codes: 3670
  children:
  - name: 制动系统
    codes: 3670
    keywords: 刹车片、制动盘、制动器
  - name: 车灯
    codes: 3670
    keywords: 车灯、前照灯
    exclude: 自行车
- name: 整车
  stage: down
  codes: 3611
  keywords: 整车
"""


def chain(zone, name=None, tree=SMALL_TREE, **kw):
    t = treeio.load_yaml(tree)
    return services.create_chain(zone, t, name=name or f"{zone.name}汽车链", **kw)


def segment(chain_obj, name):
    return Segment.objects.get(chain=chain_obj, name=name)


def mapping(ent, seg, source="auto", confidence=0.8):
    return ChainMapping.objects.create(zone=ent.zone, enterprise=ent, chain=seg.chain, segment=seg,
                                       confidence=confidence, evidence="测试", source=source)


def candidate(zone, i=0, **kw):
    kw.setdefault("name", f"{zone.name}目标企业{i}有限公司")
    kw.setdefault("products", "刹车片、制动盘")
    kw.setdefault("revenue", Decimal(50000))
    return Candidate.objects.create(zone=zone, **kw)


def zone_records(zone, ent):
    """One record of every chains model in `zone` (for the isolation test)."""
    c = chain(zone)
    seg = segment(c, "制动系统")
    mapping(ent, seg)
    ChainLeader.objects.create(zone=zone, chain=c, enterprise=ent)
    cand = candidate(zone)
    CandidateMatch.objects.create(zone=zone, candidate=cand, chain=c, segment=seg, confidence=0.7, evidence="测试")
    assert ChecklistItem.objects.filter(chain=c).exists()
    return c
