#!/usr/bin/env python3
"""Rebuild industry_codes.csv (GB/T 4754-2017 国民经济行业分类) from the shared xlsx.

Usage:
    python src/zoneops/registry/data/build_industry_codes.py \
        /work/shared/data/gbt4754_2017/GB_T_4754-2017_一维表.xlsx [-o OUTPUT.csv]

Standalone (no Django); needs only openpyxl. The output defaults to
industry_codes.csv next to this script and is byte-for-byte reproducible.

The input is the third-party one-dimensional table (sheet ``industry``: ID,
INDUSTRY_ID, NAME, PARENT_ID, LEVEL_TYPE, DESCRIPTION), which mixes GB/T
4754-2011 leftovers into the 2017 table. Every change made to it is listed in
the tables below; see INDUSTRY_CODES.md for provenance and the reasoning.

Sources named in the tables:
  [GB]  GB/T 4754-2017 itself: 20 门类 / 97 大类 / 473 中类 / 1380 小类, and the
        rule that an undivided 中类 has one 小类 = 中类 code + "0" with the same name.
  [R1]  public MySQL dump, table `industry` (IndustryCode/IndustryName/ParentID,
        1772 rows: the full 2017 table in its 2019-amended form)
  [R2]  public Python module with a nested `industry` list (2017 table, same
        amendment), used as independent second reading of every name
  [R3]  public JS tree with the same schema as the shared xlsx
        (industryId/parentId/levelType), used for spot checks
  Where R1 and R2 disagree, the name was settled by counting exact-string hits
  in public code (see INDUSTRY_CODES.md, "Names where sources disagreed").
"""
import argparse
import csv
import sys
from pathlib import Path

from openpyxl import load_workbook

SHEET = "industry"
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "industry_codes.csv"
LEVELS = {1: "section", 2: "division", 3: "group", 4: "class"}
EXPECTED_COUNTS = {"section": 20, "division": 97, "group": 473, "class": 1380}

# 门类 -> 大类 ranges (inclusive), as stated in each 门类's 说明 in the standard.
SECTION_RANGES = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50),
    "F": (51, 52), "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69),
    "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79), "O": (80, 82),
    "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}

# ---------------------------------------------------------------------------
# 1. Row fixes, keyed by the spreadsheet's ID column:
#    ID -> (INDUSTRY_ID in the sheet, NAME in the sheet, corrected code)
# ---------------------------------------------------------------------------
ROW_CODE_FIXES = {
    # "0711" appears twice; the second row is 海洋石油开采, which is 0712 [GB][R1][R2].
    111: ("0711", "海洋石油开采", "0712"),
}

# Rows whose LEVEL_TYPE is wrong in the sheet. Level is always derived from the
# code length, so these are only asserted (to notice if the input changes).
KNOWN_BAD_LEVELS = {
    "3611": "2",  # 4-digit 小类 tagged 中类; its 中类 361 汽车整车制造 exists
    "9700": "2",  # 4-digit 小类 tagged 中类; its 中类 970 is missing (added below)
    "2665": "",   # 医学生产用信息化学品制造: LEVEL_TYPE and PARENT_ID empty
}

# Rows whose PARENT_ID is wrong in the sheet (code -> parent in sheet). Parents
# are always derived from the code, so these are only asserted.
KNOWN_BAD_PARENTS = {
    "2665": "",
    "3611": "36",
    "8421": "832",
    "8890": "8890",  # points at itself, so 中类 889 looked empty
    "9051": "904", "9052": "904", "9053": "904", "9054": "904", "9059": "904",
    "9221": "921", "9222": "921", "9223": "921", "9224": "921", "9225": "921", "9226": "921",
    "9620": "961",
    "9700": "97",
}

# ---------------------------------------------------------------------------
# 2. Codes in the sheet that do not exist in GB/T 4754-2017 (2011 leftovers).
# ---------------------------------------------------------------------------
DROP_CODES = {
    "0390": "2011 其他畜牧业 (undivided); 2017 splits 039 into 0391/0392/0399 [R1][R2]",
    "1364": "2011 鱼油提取及制品制造; in 2017 it is 1363 (2011's 1363 水产饲料制造 was removed) [R1][R2]",
    "3035": "2011 隔热和隔音材料制造; 2017 303 is 3031-3034, 3039 (建筑陶瓷 moved to 3071) [R1][R2]",
}

# ---------------------------------------------------------------------------
# 3. Codes missing from the sheet: code -> (official name, source)
# ---------------------------------------------------------------------------
ADD_CODES = {
    "0179": ("其他中药材种植", "[R1][R2][R3] 017 = 0171 中草药种植 + 0179"),
    "0391": ("兔的饲养", "[R1][R2][R3] 2017 subdivides 039"),
    "0392": ("蜜蜂饲养", "[R1][R2][R3]"),
    "0399": ("其他未列明畜牧业", "[R1][R2][R3]"),
    "278": ("药用辅料及包装材料", "[R1][R2] 大类27 has 271-278"),
    "2780": ("药用辅料及包装材料", "[GB] undivided 中类 rule"),
    "283": ("生物基材料制造", "[R1][R2] 大类28 has 281-283"),
    "2831": ("生物基化学纤维制造", "[R1][R2]"),
    "2832": ("生物基、淀粉基新材料制造", "[R1][R2]"),
    "367": ("汽车零部件及配件制造", "[R1][R2] 大类36 has 361-367"),
    "3670": ("汽车零部件及配件制造", "[GB] undivided 中类 rule"),
    "829": ("其他未列明服务业", "[R1][R2] 大类82 has 821, 822, 829"),
    "8290": ("其他未列明服务业", "[GB] undivided 中类 rule"),
    "932": ("民主党派", "[R1][R2][R3] 大类93 人民政协、民主党派 has 931, 932"),
    "9320": ("民主党派", "[GB] undivided 中类 rule"),
    "970": ("国际组织", "[GB] parent 中类 of 9700; [R2][R3]"),
}

# ---------------------------------------------------------------------------
# 4. Name corrections: code -> (name in the sheet, official 2017 name).
#    Names are first normalised (ASCII parentheses -> fullwidth, spaces removed);
#    that normalisation alone fixes 194/1941/1942/1922/2653/7517/8432 etc.
#    Unless noted, the official name is the one R1 and R2 agree on.
# ---------------------------------------------------------------------------
NAME_FIXES = {
    # A 农、林、牧、渔业
    "0171": ("中药材种植", "中草药种植"),
    "0519": ("其他农业服务", "其他农业专业及辅助性活动"),
    "052": ("林业服务业", "林业专业及辅助性活动"),
    "0521": ("林业有害生物防治服务", "林业有害生物防治活动"),
    "0522": ("森林防火服务", "森林防火活动"),
    "0529": ("其他林业服务", "其他林业专业及辅助性活动"),
    # B 采矿业
    "111": ("煤炭开采和洗选辅助活动", "煤炭开采和洗选专业及辅助性活动"),
    "1110": ("煤炭开采和洗选辅助活动", "煤炭开采和洗选专业及辅助性活动"),
    "112": ("石油和天然气开采辅助活动", "石油和天然气开采专业及辅助性活动"),
    "1120": ("石油和天然气开采辅助活动", "石油和天然气开采专业及辅助性活动"),
    "119": ("其他开采辅助活动", "其他开采专业及辅助性活动"),
    "1190": ("其他开采辅助活动", "其他开采专业及辅助性活动"),
    # C 制造业
    "1363": ("水产饲料制造", "鱼油提取及制品制造"),  # 2011 1364 renumbered (see DROP_CODES)
    "1439": ("方便面及其他方便食品制造", "其他方便食品制造"),  # 方便面 is 1433 since 2017
    "178": ("非家用纺织制成品制造", "产业用纺织制成品制造"),
    "1789": ("其他非家用纺织制成品制造", "其他产业用纺织制成品制造"),
    "203": ("木制品制造", "木质制品制造"),  # R2, R3 (R1 keeps the 2011 name)
    "243": ("工艺美术品制造", "工艺美术及礼仪用品制造"),
    "2439": ("其他工艺美术品制造", "其他工艺美术及礼仪用品制造"),
    "2442": ("体育器材及配件制造", "专项运动器材及配件制造"),
    "2443": ("训练健身器材制造", "健身器材制造"),
    "2681": ("肥皂及合成洗涤剂制造", "肥皂及洗涤剂制造"),
    "2928": ("塑料零件制造", "人造草坪制造"),
    "2929": ("其他塑料制品制造", "塑料零件及其他塑料制品制造"),
    "3032": ("建筑陶瓷制品制造", "建筑用石加工"),  # 303 renumbered: 2011 3033-3035 -> 3032-3034
    "3033": ("建筑用石加工", "防水建筑材料制造"),
    "3034": ("防水建筑材料制造", "隔热和隔音材料制造"),
    "3333": ("金属包装容器制造", "金属包装容器及材料制造"),
    "3425": ("机床附件制造", "机床功能部件及附件制造"),
    "3432": ("起重机制造", "生产专用起重机制造"),
    "346": ("烘炉、风机、衡器、包装等设备制造", "烘炉、风机、包装等设备制造"),  # 衡器 is 405
    "3524": ("木材加工机械制造", "木竹材加工机械制造"),
    "3586": ("假肢、人工器官及植（介）入器械制造", "康复辅具制造"),
    "359": ("环保、社会公共服务及其他专用设备制造", "环保、邮政、社会公共服务及其他专用设备制造"),
    "37": ("铁路运输设备制造", "铁路、船舶、航空航天和其他运输设备制造业"),
    "376": ("脚踏自行车及残疾人座车制造", "自行车和残疾人座车制造"),
    "3856": ("家用美容、保健电器具制造", "家用美容、保健护理电器具制造"),
    "395": ("视听设备制造", "非专业视听设备制造"),  # R2 (R1 keeps the 2011 name)
    "4023": ("导航、气象及海洋专用仪器制造", "导航、测绘、气象及海洋专用仪器制造"),
    # E 建筑业
    "482": ("水利和内河港口工程建筑", "水利和水运工程建筑"),
    "4899": ("其他土木工程建筑", "其他土木工程建筑施工"),
    "4999": ("其他建筑安装业", "其他建筑安装"),
    # F 批发和零售业 (517, 523 and 529 were renumbered in 2017)
    "511": ("农、林、牧产品批发", "农、林、牧、渔产品批发"),
    "5113": ("饲料批发", "畜牧渔业饲料批发"),
    "5145": ("音像制品及电子出版物批发", "音像制品、电子和数字出版物批发"),
    "5172": ("汽车批发", "汽车及零配件批发"),
    "5173": ("汽车零配件批发", "摩托车及零配件批发"),
    "5174": ("摩托车及零配件批发", "五金产品批发"),
    "5175": ("五金产品批发", "电气设备批发"),
    "5176": ("电气设备批发", "计算机、软件及辅助设备批发"),
    "5177": ("计算机、软件及辅助设备批发", "通讯设备批发"),
    "5178": ("通讯及广播电视设备批发", "广播影视设备批发"),
    "5182": ("拍卖", "一般物品拍卖"),
    "5235": ("钟表、眼镜零售", "厨具卫具及日用杂品零售"),
    "5236": ("箱、包零售", "钟表、眼镜零售"),
    "5237": ("厨房用具及日用杂品零售", "箱包零售"),
    "5238": ("自行车零售", "自行车等代步设备零售"),
    "5244": ("音像制品及电子出版物零售", "音像制品、电子和数字出版物零售"),
    "526": ("汽车、摩托车、燃料及零配件专门零售", "汽车、摩托车、零配件和燃料及其他动力销售"),
    "5272": ("日用家电设备零售", "日用家电零售"),
    "5291": ("货摊食品零售", "流动货摊零售"),
    "5292": ("货摊纺织、服装及鞋零售", "互联网零售"),
    "5293": ("货摊日用品零售", "邮购及电视、电话零售"),
    "5294": ("互联网零售", "自动售货机零售"),
    "5295": ("邮购及电视、电话零售", "旧货零售"),
    "5296": ("旧货零售", "生活用燃料零售"),
    "5297": ("生活用燃料零售", "宠物食品用品零售"),
    # G 交通运输、仓储和邮政业
    "5511": ("海洋旅客运输", "海上旅客运输"),
    "5621": ("通用航空服务", "通用航空生产服务"),
    # J 金融业 / K 房地产业
    "684": ("养老金", "商业养老金"),
    "6840": ("养老金", "商业养老金"),
    "704": ("自有房地产经营活动", "房地产租赁经营"),
    "7040": ("自有房地产经营活动", "房地产租赁经营"),
    # L 租赁和商务服务业
    "711": ("机械设备租赁", "机械设备经营租赁"),
    "7112": ("农业机械租赁", "农业机械经营租赁"),
    "7113": ("建筑工程机械与设备租赁", "建筑工程机械与设备经营租赁"),
    "7114": ("计算机及通讯设备租赁", "计算机及通讯设备经营租赁"),
    "7119": ("其他机械与设备租赁", "其他机械与设备经营租赁"),
    "712": ("文化及日用品出租", "文体设备和用品出租"),
    "7121": ("娱乐及体育设备出租", "休闲娱乐用品设备出租"),
    "7129": ("其他文化及日用品出租", "其他文体设备和用品出租"),
    "721": ("企业管理服务", "组织管理服务"),
    "7219": ("其他企业管理服务", "其他组织管理服务"),
    # M 科学研究和技术服务业
    "746": ("环境与生态监测", "环境与生态监测检测服务"),  # R2 + 4 other public tables (R1: 环境与生态监测)
    "7462": ("生态监测", "生态资源监测"),
    "748": ("工程技术", "工程技术与设计服务"),
    "7511": ("农业技术推广服务", "农林牧渔技术推广服务"),
    # Q 卫生和社会工作 / R 文化、体育和娱乐业
    "84": ("卫生服务", "卫生"),
    "842": ("社区医疗与卫生院", "基层医疗卫生服务"),
    "887": ("群众文化活动", "群众文体活动"),
    "8870": ("群众文化活动", "群众文体活动"),
}

# ---------------------------------------------------------------------------
# 5. Descriptions (说明). The sheet's texts are kept unless listed here.
#    DESC_MOVES: code -> code whose sheet text belongs to it (shifted rows,
#    renumbered classes). DESC_CLEAR: texts that are wrong for the code and
#    whose correct text could not be recovered -> left empty.
# ---------------------------------------------------------------------------
DESC_MOVES = {
    "0512": "0511",  # 051 shifted by one row: 0511 carried 0512's text (农业机械) ...
    "0513": "0512",  # ... and 0512 carried 0513's (灌溉); 0513 had a stale copy of 0514's
    "1363": "1364",  # 鱼油提取及制品制造 renumbered 1364 -> 1363
    "1829": "19",    # 大类 19 carried 1829's text (其他针织或钩针编织服装)
    "3032": "3033",  # 303 renumbered (建筑用石加工)
    "3033": "3034",  # (防水建筑材料)
    "3034": "3035",  # (隔热和隔音材料)
    "5174": "5175",  # 517 renumbered (五金产品批发)
    "5235": "5237",  # 523 renumbered (厨具及日用杂品零售)
    "5265": "5266",  # 燃油 text (机动车燃料及润滑油) sat one row down on 5266 燃气
    "5292": "5294",  # 529 renumbered (互联网零售)
    "5293": "5295",  # (邮购及电视、电话零售)
    "5296": "5297",  # (生活用燃料零售)
    "8331": "8321",  # 8321 普通小学教育 carried 8331 普通初中教育's text (初级中等教育)
    "94": "941",     # 941 基本保险 carried 大类 94's text (各种社会保障活动)
    "970": "9700",   # added undivided 中类 takes its 小类's text (as every other pair does)
}
DESC_CLEAR = {
    "0511": "its text was 0512's; the 2017 text for 种子种苗培育活动 is not in the sheet",
    "0519": "2011 text of 其他农业服务 (mentions 病虫害, which is 0515 since 2017)",
    "1439": "2011 text of 方便面及其他方便食品制造 (方便面 is 1433 since 2017)",
    "1441": "copy of 中类 144's text (mentions 固体乳)",
    "178": "only said '也称产业用纺织制成品制造', now the name itself",
    "19": "was 1829's text",
    "2761": "copy of 中类 276's text (includes 基因工程药物 = 2762)",
    "277": "2011 text (includes 药品包装材料、辅料 = 278 since 2017)",
    "2770": "2011 text (includes 药品包装材料、辅料 = 278 since 2017)",
    "2928": "2011 text of 塑料零件制造; the class is now 人造草坪制造",
    "325": "text of 3392 有色金属铸造",
    "3586": "2011 text of 假肢、人工器官及植（介）入器械制造; the class is now 康复辅具制造",
    "4511": "copy of 中类 451's text (all 燃气, not 天然气)",
    "5013": "near copy of 中类 501's text, not about 建筑幕墙",
    "5175": "its text (五金) moved to 5174",
    "5178": "2011 text of 通讯及广播电视设备批发 (split into 5177/5178 since 2017)",
    "5237": "its text moved to 5235",
    "5266": "its text moved to 5265",
    "5291": "2011 text of 货摊食品零售",
    "5294": "its text moved to 5292",
    "5295": "its text moved to 5293",
    "5297": "its text moved to 5296",
    "5621": "copy of 中类 562's text",
    "6331": "copy of 中类 633's text (includes 电信传输 = 6339)",
    "7040": "2011 text of 自有房地产经营活动 (买卖 and 租赁)",
    "7462": "2011 text; includes 野生动物疫源疫病 which is 7463 since 2017",
    "8114": "copy of 8219 其他清洁服务's text",
    "8321": "its text moved to 8331",
    "849": "2011 text (急救中心 is 8434 since 2017)",
    "93": "text of 中类 923 人民法院和人民检察院",
    "941": "its text moved to 大类 94",
}


def norm_name(s):
    """Names: fullwidth parentheses, no spaces (the sheet mixes ASCII/fullwidth)."""
    return (s or "").replace("(", "（").replace(")", "）").replace(" ", "").replace("\u3000", "").strip()


def read_sheet(xlsx_path):
    wb = load_workbook(xlsx_path, read_only=True, data_only=True)
    try:
        rows = wb[SHEET].iter_rows(values_only=True)
        header = [str(h).strip() for h in next(rows)]
        col = {h: i for i, h in enumerate(header)}
        out = []
        for r in rows:
            if r is None or all(v is None for v in r):
                continue
            rec = {k: r[col[k]] for k in ("ID", "INDUSTRY_ID", "NAME", "PARENT_ID", "LEVEL_TYPE", "DESCRIPTION")}
            out.append(rec)
        return out
    finally:
        wb.close()


def s(v):
    return "" if v is None else str(v).strip()


def level_of(code):
    return LEVELS[1 if code.isalpha() else len(code)]


def section_of(division):
    n = int(division)
    hits = [sec for sec, (lo, hi) in SECTION_RANGES.items() if lo <= n <= hi]
    assert len(hits) == 1, division
    return hits[0]


def parent_of(code):
    lvl = level_of(code)
    if lvl == "section":
        return ""
    if lvl == "division":
        return section_of(code)
    return code[:-1]


def sort_key(code):
    if code.isalpha():
        return (code, "")
    return (section_of(code[:2]), code.ljust(4, " "))


def build(xlsx_path):
    raw = read_sheet(xlsx_path)
    names, descs = {}, {}
    for rec in raw:
        rid, code, name = int(rec["ID"]), s(rec["INDUSTRY_ID"]), s(rec["NAME"])
        if rid in ROW_CODE_FIXES:
            old_code, old_name, new_code = ROW_CODE_FIXES[rid]
            assert (code, name) == (old_code, old_name), (rid, code, name)
            code = new_code
        assert code and (code.isalpha() or code.isdigit()), rec
        assert code not in names, f"duplicate code {code}"
        lvl_sheet, parent_sheet = s(rec["LEVEL_TYPE"]), s(rec["PARENT_ID"])
        if code in KNOWN_BAD_LEVELS:
            assert lvl_sheet == KNOWN_BAD_LEVELS[code], (code, lvl_sheet)
        else:
            assert lvl_sheet == str(len(code) - 1 if code.isdigit() else 0), (code, lvl_sheet)
        if code in KNOWN_BAD_PARENTS:
            assert parent_sheet == KNOWN_BAD_PARENTS[code], (code, parent_sheet)
        else:
            assert parent_sheet == parent_of(code), (code, parent_sheet)
        names[code] = norm_name(name)
        descs[code] = s(rec["DESCRIPTION"])
    sheet_descs = dict(descs)

    for code in DROP_CODES:
        assert code in names, code
        del names[code], descs[code]
    for code, (old, new) in NAME_FIXES.items():
        assert names.get(code) == old, (code, names.get(code), old)
        names[code] = new
    for code, (name, _source) in ADD_CODES.items():
        assert code not in names, code
        names[code] = name
        descs[code] = ""
    for code in DESC_CLEAR:
        assert sheet_descs.get(code), f"nothing to clear for {code}"
        descs[code] = ""
    for dst, src in DESC_MOVES.items():
        assert sheet_descs.get(src), f"no text at {src}"
        assert dst in names, dst
        descs[dst] = sheet_descs[src]

    rows = [
        {"code": c, "name": names[c], "level": level_of(c), "parent": parent_of(c), "description": descs[c]}
        for c in sorted(names, key=sort_key)
    ]
    check(rows)
    return rows


def check(rows):
    by_code = {r["code"]: r for r in rows}
    assert len(by_code) == len(rows), "codes not unique"
    counts = {lvl: sum(1 for r in rows if r["level"] == lvl) for lvl in EXPECTED_COUNTS}
    assert counts == EXPECTED_COUNTS, counts
    children = {}
    for r in rows:
        code, lvl, parent = r["code"], r["level"], r["parent"]
        assert r["name"], code
        if lvl == "section":
            assert len(code) == 1 and "A" <= code <= "T" and parent == "", code
            continue
        assert parent in by_code, (code, parent)
        assert list(LEVELS.values()).index(by_code[parent]["level"]) == list(LEVELS.values()).index(lvl) - 1
        if lvl == "division":
            lo, hi = SECTION_RANGES[parent]
            assert lo <= int(code) <= hi, code
        else:
            assert code.startswith(parent) and len(code) == len(parent) + 1, code
        children.setdefault(parent, []).append(r)
    for r in rows:
        if r["level"] != "class":
            assert children.get(r["code"]), f"{r['code']} has no children"
        if r["level"] == "group":
            kids = children[r["code"]]
            zero = [k for k in kids if k["code"].endswith("0")]
            if zero:  # undivided 中类: exactly one 小类, code+"0", same name
                assert len(kids) == 1 and kids[0]["name"] == r["name"], r["code"]
    # every 门类 covers exactly its 大类 range
    for sec, (lo, hi) in SECTION_RANGES.items():
        assert sorted(int(k["code"]) for k in children[sec]) == list(range(lo, hi + 1)), sec


def write_csv(rows, path):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["code", "name", "level", "parent", "description"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("xlsx", help="path to GB_T_4754-2017_一维表.xlsx")
    ap.add_argument("-o", "--output", default=str(DEFAULT_OUTPUT))
    args = ap.parse_args(argv)
    rows = build(args.xlsx)
    write_csv(rows, args.output)
    counts = {lvl: sum(1 for r in rows if r["level"] == lvl) for lvl in EXPECTED_COUNTS}
    print(f"wrote {len(rows)} rows to {args.output}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
