"""Import kind `candidates` (招商目标企业): the investment map's outside firms, matched by name
inside the zone. After the write, the imported candidates are mapped to the zone's chain segments."""
from zoneops.core.importing.engine import BoolParser, Column, DecimalParser, TextParser
from zoneops.core.importing.importer import Importer, chunked, register
from zoneops.registry.importers import (
    NAME_NAMES,
    _choices,
    _industry_parser,
    _max,
    zone_column,
)

from .models import Candidate, CandidateStatus


@register
class CandidateImporter(Importer):
    kind = "candidates"
    model = Candidate
    label = "招商目标企业"
    title = "招商目标企业"
    key = ("name",)
    fields = {"name": "name", "province": "province", "city": "city", "industry": "industry_id",
              "products": "products", "revenue": "revenue", "is_listed": "is_listed", "notes": "notes",
              "status": "status"}
    derived = ()

    def columns(self):
        return [
            Column("name", "企业名称", TextParser(_max(Candidate, "name")), NAME_NAMES[1:], required=True, needed=True,
                   example="宁波示例汽车零部件股份有限公司", note="本开发区招商地图内唯一；用于识别一行"),
            Column("province", "省份", TextParser(_max(Candidate, "province")), ("所在省份", "省"), example="浙江省"),
            Column("city", "城市", TextParser(_max(Candidate, "city")), ("所在城市", "地市", "市"), example="宁波市"),
            Column("industry", "行业代码", _industry_parser(),
                   ("行业小类代码", "国民经济行业代码", "所属行业", "行业"), example="3670",
                   note="GB/T 4754-2017 小类 4 位代码，也可写小类名称"),
            Column("products", "主营产品", TextParser(_max(Candidate, "products")),
                   ("主要产品", "产品", "主营业务", "经营范围"), example="制动卡钳、电子驻车制动系统",
                   note="用于匹配产业链环节"),
            Column("revenue", "营业收入", DecimalParser(family="money", places=2, digits=16),
                   ("营业收入（万元）", "营收", "年营业收入", "销售收入"), example=125000,
                   note="万元；列名写明“（亿元）”或“（元）”时自动换算"),
            Column("is_listed", "上市公司", BoolParser(), ("是否上市", "上市"), example="是", note="是 / 否"),
            Column("status", "跟进状态", _choices(CandidateStatus.choices, {"未对接": CandidateStatus.NEW,
                                                                         "已对接": CandidateStatus.CONTACTED,
                                                                         "洽谈": CandidateStatus.TALKS}),
                   ("状态", "对接状态"), example="未接触", note="未接触、已接触、洽谈中、不合适"),
            Column("notes", "备注", TextParser(_max(Candidate, "notes")), ("说明", "情况说明"), example="链主企业推荐"),
            zone_column(self.zone),
        ]

    def existing(self, rows):
        names = [r.values["name"] for r in rows]
        found = {}
        for chunk in chunked(names):
            for v in Candidate.objects.filter(zone=self.zone, name__in=chunk).order_by().values(*self.value_names):
                found[(v["name"],)] = v
        return found

    def object_repr(self, values):
        return values["name"]

    def write(self, changes, present, ctx):
        super().write(changes, present, ctx)
        from . import services

        pks = [c.pk for c in changes if c.pk is not None]
        if pks:
            services.map_candidates(self.zone, Candidate.objects.filter(pk__in=pks))
