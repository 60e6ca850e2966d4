"""Import kinds of the registry: enterprises (企业名录), parcels (地块), annual figures (年度指标).

Rules shared by the three (see docs/import.md):
- An update touches only the columns present in the file, and an empty cell keeps the stored
  value: a later file may add industry codes or flags to enterprises loaded earlier.
- Rows are matched inside the batch's zone only: enterprises by USCC, parcels by 地块编号,
  annual figures by (enterprise USCC, 年度).
- References must already exist in the zone: a parcel's holder and the enterprise of annual
  figures are looked up in the zone's registry (import the enterprise list first); rows of the
  same parcel or figures file cannot create enterprises.
"""
import datetime

from django.contrib.auth import get_user_model

from zoneops.core.importing.engine import (BoolParser, ChoiceParser, Column, DateParser, DecimalParser,
                                           IndustryParser, IntParser, ListParser, LookupParser, NamesParser,
                                           Parser, TextParser, UsccParser, YearParser, clean_text, fold, shorten)
from zoneops.core.importing.importer import Importer, chunked, register
from zoneops.core.models import Membership, Zone

from .models import (MIN_YEAR, CultivationPool, Enterprise, EnterpriseStatus, EnterpriseYear, IndustryCode,
                     LandUse, Parcel, ParcelStatus, Scale, Tenure, industry_parts, max_year)

USCC_NAMES = ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "统一代码", "纳税人识别号", "税号",
              "纳税识别号", "USCC", "企业统一社会信用代码")
NAME_NAMES = ("企业名称", "单位名称", "公司名称", "企业全称", "单位全称", "单位详细名称", "纳税人名称", "企业（单位）名称",
              "名称")
ZONE_NAMES = ("开发区", "所属开发区", "开发区名称", "园区", "所属园区")


def _max(model, name):
    return model._meta.get_field(name).max_length


def _decimal(model, name, family="", positive=False):
    f = model._meta.get_field(name)
    return DecimalParser(family=family, places=f.decimal_places, digits=f.max_digits - f.decimal_places,
                         positive=positive)


def _choices(choices, extra=None):
    """A ChoiceParser accepting each choice's label and value (and `extra` spellings)."""
    options = {str(label): value for value, label in choices}
    options.update({value: value for value, _ in choices})
    options.update(extra or {})
    return ChoiceParser(options, [str(label) for _, label in choices])


class ZoneCheck(Parser):
    """An optional 开发区 column: every row must name the zone being imported into."""

    def __init__(self, zone):
        self.zone = zone
        self.known = {}
        for pk, code, name in Zone.objects.values_list("pk", "code", "name"):
            self.known[fold(code)] = (pk, name)
            self.known[fold(name)] = (pk, name)

    def __call__(self, raw):
        text = clean_text(raw)
        if not text or self.zone is None:
            return None
        hit = self.known.get(fold(text))
        if hit is None:
            raise ValueError(f"没有名为“{shorten(text)}”的开发区")
        if hit[0] != self.zone.pk:
            raise ValueError(f"该行属于“{hit[1]}”，不是本次导入的“{self.zone.name}”")
        return None


def zone_column(zone):
    return Column("zone", "开发区", ZoneCheck(zone), ZONE_NAMES[1:],
                  note="可不填；填写时须与本次导入选择的开发区一致（名称或代码）")


def _industry_parser():
    classes, names, others = {}, {}, {}
    labels = dict(IndustryCode.Level.choices)
    for code, name, level in IndustryCode.objects.values_list("code", "name", "level"):
        if level == "class":
            classes[code] = name
            names[fold(name)] = code
        else:
            others[code] = str(labels.get(level, level))
    return IndustryParser(classes, names, others)


def _officer_parser(zone):
    """Account officers: the zone's admin/staff members, by user name or by full name if unique."""
    mapping = {}
    if zone is not None:
        users = get_user_model().objects.filter(
            memberships__zone=zone, memberships__role__in=[Membership.Role.ADMIN, Membership.Role.STAFF],
            is_active=True).distinct()
        by_full = {}
        for user in users:
            mapping[fold(user.get_username())] = user.pk
            # Chinese names are written family name first (李丽); Django's full name is first + last.
            for full in {fold(user.get_full_name() or ""), fold(f"{user.last_name}{user.first_name}")}:
                if full:
                    by_full.setdefault(full, set()).add(user.pk)
        for full, pks in by_full.items():
            if full in mapping:
                continue
            mapping[full] = pks.pop() if len(pks) == 1 else ValueError(
                f"有多位同名的工作人员“{full}”，请填写用户名")
    return LookupParser(mapping, "本开发区的工作人员", "服务专员须是本开发区的管理员或工作人员，填写用户名或姓名")


def _pool_parser():
    mapping = {}
    for pk, code, name in CultivationPool.objects.values_list("pk", "code", "name"):
        mapping[fold(code)] = pk
        mapping[fold(name)] = pk
    names = "、".join(CultivationPool.objects.values_list("name", flat=True))
    return ListParser(LookupParser(mapping, "培育库", f"可选：{names}" if names else "尚未配置培育库"))


# ---------------------------------------------------------------------------------------------

@register
class EnterpriseImporter(Importer):
    kind = "enterprises"
    model = Enterprise
    label = "企业"
    title = "企业名录"
    key = ("uscc",)
    fields = {"uscc": "uscc", "name": "name", "former_names": "former_names", "industry": "industry_id",
              "scale": "scale", "is_high_tech": "is_high_tech", "is_listed": "is_listed",
              "has_rd_center": "has_rd_center", "is_specialized": "is_specialized", "status": "status",
              "address": "address", "business_scope": "business_scope", "established": "established", "account_officer": "account_officer_id"}
    m2m_fields = {"pools": "pools"}
    derived = ("industry_section", "industry_division", "former_names")

    def columns(self):
        return [
            Column("uscc", "统一社会信用代码", UsccParser(), USCC_NAMES[1:], required=True, needed=True,
                   example="91110000600037341L", note="18 位，校验位须正确；用于识别企业"),
            Column("name", "企业名称", TextParser(_max(Enterprise, "name")), NAME_NAMES[1:], required=True,
                   needed=True, example="浙江示例汽车零部件有限公司",
                   note="更名时原名称自动记入曾用名"),
            Column("former_names", "曾用名", NamesParser(_max(Enterprise, "former_names")),
                   ("曾用名称", "原名称", "原企业名称", "历史名称"), example="", note="多个曾用名用顿号分隔"),
            Column("industry", "行业代码", _industry_parser(),
                   ("行业小类代码", "国民经济行业代码", "国民经济行业分类代码", "行业分类代码", "所属行业代码", "行业（小类）",
                    "行业小类", "所属行业", "行业"),
                   example="3670", note="GB/T 4754-2017 小类 4 位代码（如 3670），也可写“3670 汽车零部件及配件制造”或小类名称"),
            Column("scale", "规模", _choices(Scale.choices, {"规模以上": Scale.ABOVE, "规模以下": Scale.BELOW,
                                                          "规上企业": Scale.ABOVE, "规下企业": Scale.BELOW,
                                                          "是": Scale.ABOVE, "否": Scale.BELOW}),
                   ("企业规模", "是否规上", "是否规模以上", "规上/规下", "规模以上", "规上"), example="规上",
                   note="规上 或 规下（列名为“是否规上”时可填 是/否）"),
            Column("is_high_tech", "高新技术企业", BoolParser(),
                   ("是否高新技术企业", "是否高新", "高新企业", "国家高新技术企业", "高新"), example="是", note="是 / 否"),
            Column("is_listed", "上市/挂牌", BoolParser(), ("是否上市", "是否上市挂牌", "上市挂牌", "上市企业", "上市"),
                   example="否", note="是 / 否"),
            Column("has_rd_center", "省级以上研发机构", BoolParser(),
                   ("是否有省级以上研发机构", "省级研发机构", "研发机构", "省级以上研发中心"), example="是", note="是 / 否"),
            Column("is_specialized", "专精特新", BoolParser(), ("是否专精特新", "专精特新企业"), example="否",
                   note="是 / 否"),
            Column("status", "状态", _choices(EnterpriseStatus.choices, {
                "存续": EnterpriseStatus.OPERATING, "在业": EnterpriseStatus.OPERATING,
                "开业": EnterpriseStatus.OPERATING, "营业": EnterpriseStatus.OPERATING,
                "正常": EnterpriseStatus.OPERATING, "停业": EnterpriseStatus.SUSPENDED,
                "已迁出": EnterpriseStatus.MOVED_OUT, "已注销": EnterpriseStatus.DEREGISTERED}),
                   ("企业状态", "经营状态", "登记状态"), example="在营", note="筹建、在营、停产、迁出、注销"),
            Column("address", "地址", TextParser(_max(Enterprise, "address")),
                   ("企业地址", "注册地址", "经营地址", "生产经营地址", "详细地址", "住所"), example="示例路 88 号"),
            Column("business_scope", "经营范围", TextParser(_max(Enterprise, "business_scope")),
                   ("营业范围", "主营业务", "经营范围（主营）"), example="汽车零部件及配件制造；模具制造",
                   note="营业执照上的经营范围，用于产业链环节自动匹配"),
            Column("established", "成立日期", DateParser(datetime.date(1900, 1, 1), self.today, "成立日期"),
                   ("成立时间", "注册日期", "设立日期", "成立年月", "注册时间"), example=datetime.date(2015, 6, 18),
                   note="如 2015-06-18、2015/6/18、2015年6月18日 或 20150618"),
            Column("account_officer", "服务专员", _officer_parser(self.zone),
                   ("一企一专员", "专员", "服务专员用户名"), note="本开发区工作人员的用户名或姓名"),
            Column("pools", "培育库", _pool_parser(), ("所属培育库", "入库类型", "培育类型"), example="小升规",
                   note="多个用顿号分隔；写上的即为该企业的全部培育库"),
            zone_column(self.zone),
        ]

    def existing(self, rows):
        codes = [r.values["uscc"] for r in rows]
        found = {}
        for chunk in chunked(codes):
            for v in Enterprise.objects.filter(zone=self.zone, uscc__in=chunk).order_by().values(*self.value_names):
                found[(v["uscc"],)] = v
        return found

    def existing_m2m(self, name, pks):
        through = Enterprise.pools.through
        out = {}
        for chunk in chunked(pks):
            for eid, pid in through.objects.filter(enterprise_id__in=chunk).order_by().values_list(
                    "enterprise_id", "cultivationpool_id"):
                out.setdefault(eid, []).append(pid)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    def adjust(self, change, present):
        v, old = change.values, change.before
        v["industry_section"], v["industry_division"] = industry_parts(v.get("industry_id"))
        if old is not None and v["name"] != old["name"] and fold(v["name"]) == fold(old["name"]):
            v["name"] = old["name"]  # only full-width/half-width brackets or spaces differ: not a rename
        if old is not None and v["name"] != old["name"] and "former_names" not in change.row.values:
            names = [n for n in (old.get("former_names") or "").split("、") if n]
            if old["name"] not in names and old["name"] != v["name"]:
                joined = "、".join([*names, old["name"]])
                if len(joined) <= _max(Enterprise, "former_names"):
                    v["former_names"] = joined

    def object_repr(self, values):
        return values["name"]


@register
class ParcelImporter(Importer):
    kind = "parcels"
    model = Parcel
    label = "地块"
    title = "地块"
    key = ("code",)
    fields = {"code": "code", "name": "name", "area_mu": "area_mu", "land_use": "land_use", "holder": "holder_id",
              "tenure": "tenure", "floor_area_ratio": "floor_area_ratio", "status": "status", "address": "address"}

    def columns(self):
        return [
            Column("code", "地块编号", TextParser(_max(Parcel, "code")),
                   ("宗地编号", "地块代码", "宗地代码", "地块号", "宗地号", "土地编号"), required=True, needed=True,
                   example="LQ-2023-015", note="本开发区内唯一；用于识别地块"),
            Column("name", "地块名称", TextParser(_max(Parcel, "name")), ("宗地名称", "地块名"),
                   example="示例路以东地块"),
            Column("area_mu", "面积", _decimal(Parcel, "area_mu", "area", positive=True),
                   ("地块面积", "宗地面积", "土地面积", "用地面积", "出让面积", "面积（亩）"), required=True, needed=True,
                   example=35.5, note="大于 0；列名写明“（公顷）”或“（平方米）”时自动换算为亩"),
            Column("land_use", "用地性质", _choices(LandUse.choices, {"工业": LandUse.INDUSTRIAL,
                                                                  "仓储": LandUse.WAREHOUSE,
                                                                  "商服": LandUse.COMMERCIAL,
                                                                  "商业": LandUse.COMMERCIAL,
                                                                  "科研": LandUse.RESEARCH}),
                   ("土地用途", "用途", "规划用途", "用地类型"), example="工业用地",
                   note="工业用地、仓储用地、商服用地、科研用地、其他"),
            Column("holder", "使用企业统一社会信用代码", UsccParser(),
                   ("使用企业信用代码", "使用企业代码", "用地企业统一社会信用代码", "权利人统一社会信用代码", *USCC_NAMES),
                   example="91110000600037341L", note="须是本开发区企业库中已有的企业（请先导入企业名录）"),
            Column("holder_name", "使用企业", None, ("使用企业名称", "用地企业", "权利人", "企业名称", "单位名称"),
                   example="浙江示例汽车零部件有限公司", note="仅供核对，以统一社会信用代码为准"),
            Column("tenure", "权属", _choices(Tenure.choices, {"自用": Tenure.OWNED, "出租": Tenure.LEASED,
                                                            "承租": Tenure.LEASED}),
                   ("使用方式", "土地权属", "自有/租赁"), example="自有", note="自有 或 租赁"),
            Column("floor_area_ratio", "容积率", _decimal(Parcel, "floor_area_ratio"), (), example=1.6),
            Column("status", "状态", _choices(ParcelStatus.choices, {"已收储": ParcelStatus.ACQUIRED,
                                                                   "出让": ParcelStatus.SOLD,
                                                                   "已投产": ParcelStatus.PRODUCING,
                                                                   "低效用地": ParcelStatus.INEFFICIENT}),
                   ("地块状态", "土地状态"), example="投产", note="储备、收储、已出让、在建、投产、低效、改造中"),
            Column("address", "坐落", TextParser(_max(Parcel, "address")), ("地址", "土地坐落", "坐落位置", "位置"),
                   example="示例路以东、示例河以北"),
            zone_column(self.zone),
        ]

    def resolve(self, rows, present):
        if "holder" not in present:
            return
        codes = {r.values["holder"] for r in rows if "holder" in r.values}
        ids = {}
        for chunk in chunked(sorted(codes)):
            ids.update(Enterprise.objects.filter(zone=self.zone, uscc__in=chunk).order_by().values_list("uscc", "pk"))
        bound = self.bound("holder")
        for r in rows:
            code = r.values.get("holder")
            if code is None:
                continue
            if code in ids:
                r.values["holder"] = ids[code]
            else:
                r.add_error(bound, f"本开发区企业库中没有统一社会信用代码为 {code} 的企业（请先导入企业名录）")

    def existing(self, rows):
        codes = [r.values["code"] for r in rows]
        found = {}
        for chunk in chunked(codes):
            for v in Parcel.objects.filter(zone=self.zone, code__in=chunk).order_by().values(*self.value_names):
                found[(v["code"],)] = v
        return found

    def object_repr(self, values):
        return f"{values['code']} {values.get('name') or ''}".strip()


FIGURES = [
    ("revenue", "营业收入", ("营业总收入", "销售收入", "主营业务收入", "营收", "营业收入合计"), "money", 12000.5),
    ("tax", "评价税收", ("税收", "税收收入", "实缴税金", "税收总额", "实际入库税收", "入库税收", "实缴税收"), "money", 620),
    ("value_added", "工业增加值", ("增加值", "规上工业增加值"), "money", 3100),
    ("energy_tce", "综合能耗", ("能耗", "综合能源消费量", "总能耗", "能源消费总量"), "energy", 1850.2),
    ("emissions_t", "主要污染物排放", ("主要污染物排放量", "污染物排放量", "排放量", "主要污染物排放总量"), "mass", 12.6),
    ("rd_expense", "R&D经费支出", ("研发经费支出", "研发经费", "R&D经费", "研发费用", "研究与试验发展经费支出",
                                  "研发投入"), "money", 480),
    ("power_mwh", "用电量", ("总用电量", "年用电量", "用电", "电耗"), "power", 560.8),
]


@register
class FiguresImporter(Importer):
    kind = "figures"
    model = EnterpriseYear
    label = "年度指标"
    title = "年度指标"
    key = ("uscc", "year")
    fields = {"enterprise": "enterprise_id", "year": "year", **{k: k for k, *_ in FIGURES},
              "employees": "employees", "land_mu": "land_mu", "land_note": "land_note", "source": "source"}
    derived = ("land_note",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._names = {}  # enterprise id → name, for the change log's object names

    def columns(self):
        cols = [
            Column("uscc", "统一社会信用代码", UsccParser(), USCC_NAMES[1:], required=True, needed=True,
                   example="91110000600037341L", note="须是本开发区企业库中已有的企业"),
            Column("name", "企业名称", None, NAME_NAMES[1:], example="浙江示例汽车零部件有限公司",
                   note="仅供核对，以统一社会信用代码为准"),
            Column("year", "年度", YearParser(MIN_YEAR, max_year()), ("年份", "统计年度", "数据年度", "年"),
                   required=True, needed=True, example=self.today.year - 1, note=f"4 位年份，{MIN_YEAR}–{max_year()}"),
        ]
        for key, label, synonyms, family, example in FIGURES:
            cols.append(Column(key, label, _decimal(EnterpriseYear, key, family), synonyms, example=example,
                               note="不能为负数；列名或单元格写明其他单位（如 千元、元、亿元）时自动换算"))
            if key == "emissions_t":
                cols.append(Column("employees", "年平均职工人数", IntParser(family="people"),
                                   ("职工人数", "年平均从业人员", "从业人员", "从业人员数", "平均职工人数", "员工人数", "用工人数",
                                    "年末从业人员"), example=236, note="整数，不能为负数"))
        cols += [
            Column("land_mu", "用地面积", _decimal(EnterpriseYear, "land_mu", "area"),
                   ("认定用地面积", "用地面积（认定）", "土地面积", "占地面积", "实际用地面积"), example="",
                   note="留空则取企业所用地块面积之和；填写即为人工认定值"),
            Column("land_note", "用地认定说明", TextParser(_max(EnterpriseYear, "land_note")),
                   ("用地说明", "认定说明", "用地面积说明", "用地认定依据"),
                   note="填写用地面积时的依据；未填写时记为“据导入文件《文件名》”"),
            Column("source", "数据来源", TextParser(_max(EnterpriseYear, "source")), ("来源",), example="税务、统计部门"),
            zone_column(self.zone),
        ]
        return cols

    def resolve(self, rows, present):
        codes = sorted({r.values["uscc"] for r in rows})
        found = {}
        for chunk in chunked(codes):
            for pk, code, name in Enterprise.objects.filter(zone=self.zone, uscc__in=chunk).order_by().values_list(
                    "pk", "uscc", "name"):
                found[code] = (pk, name)
        bound = self.bound("uscc")
        for r in rows:
            hit = found.get(r.values["uscc"])
            if hit is None:
                r.add_error(bound, f"本开发区企业库中没有统一社会信用代码为 {r.values['uscc']} 的企业（请先导入企业名录）")
            else:
                r.values["enterprise"] = hit[0]
                self._names[hit[0]] = hit[1]

    def row_key(self, row):
        return (row.values["enterprise"], row.values["year"])

    def existing(self, rows):
        pairs = {(r.values["enterprise"], r.values["year"]) for r in rows}
        found = {}
        ids = sorted({e for e, _ in pairs})
        years = sorted({y for _, y in pairs})
        for chunk in chunked(ids):
            for v in EnterpriseYear.objects.filter(enterprise_id__in=chunk, year__in=years).order_by().values(
                    *self.value_names):
                key = (v["enterprise_id"], v["year"])
                if key in pairs:
                    found[key] = v
        return found

    def adjust(self, change, present):
        v = change.values
        if "land_mu" in change.row.values and not v.get("land_note"):
            v["land_note"] = f"据导入文件《{self.file_name}》"[: _max(EnterpriseYear, "land_note")]

    def object_repr(self, values):
        return f"{self._names.get(values['enterprise_id'], '')} {values['year']}年".strip()
