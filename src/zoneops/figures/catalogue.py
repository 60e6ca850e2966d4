"""The standard indicator catalogue (标准指标目录), loaded by migration 0002.

Reported indicators are the figures the seed reports and the monthly 经济运行 tables carry (固投,
工投, 规上工业增加值, 财政, 进出口 …): staff enter or import them. Derived indicators have a `formula`,
the key of a function in figures/derived.py, and are computed from ZoneOps's own records.
Codes are stable identifiers (the import, the API and the rankings use them); names are what
staff see and may be edited by superusers.
"""

M, A = "monthly", "annual"
C, P = "cumulative", "point"
H, L = "higher", "lower"

# (code, name, unit, frequency, accumulation, direction, source department, formula, description)
STANDARD = [
    ("fixed_investment", "固定资产投资", "万元", M, C, H, "发改局、统计局", "", "1 月至当月累计"),
    ("industrial_investment", "工业投资", "万元", M, C, H, "经信局、统计局", "", "1 月至当月累计"),
    ("manufacturing_investment", "制造业投资", "万元", M, C, H, "经信局、统计局", "", "1 月至当月累计"),
    ("industrial_value_added", "规上工业增加值", "万元", M, C, H, "统计局", "", "规模以上工业，1 月至当月累计，现价"),
    ("industrial_output", "规上工业总产值", "万元", M, C, H, "统计局", "", "规模以上工业，1 月至当月累计"),
    ("industrial_profit", "规上工业利润总额", "万元", M, C, H, "统计局", "", "可为负数（亏损）"),
    ("high_tech_value_added", "高新技术产业增加值", "万元", M, C, H, "科技局、统计局", "", "1 月至当月累计"),
    ("fiscal_revenue", "财政总收入", "万元", M, C, H, "财政局", "", "1 月至当月累计"),
    ("public_budget_revenue", "一般公共预算收入", "万元", M, C, H, "财政局", "", "1 月至当月累计"),
    ("tax_revenue", "税收收入", "万元", M, C, H, "税务局", "", "1 月至当月累计"),
    ("trade_total", "进出口总额", "万元", M, C, H, "商务局、海关", "", "1 月至当月累计，人民币计"),
    ("exports", "出口总额", "万元", M, C, H, "商务局、海关", "", "1 月至当月累计，人民币计"),
    ("fdi_actual", "实际使用外资", "万美元", M, C, H, "商务局", "", "1 月至当月累计"),
    ("retail_sales", "社会消费品零售总额", "万元", M, C, H, "商务局、统计局", "", "1 月至当月累计"),
    ("industrial_power", "工业用电量", "万千瓦时", M, C, H, "供电公司", "", "1 月至当月累计"),
    ("rd_ratio", "R&D 经费支出占比", "%", A, P, H, "科技局", "", "R&D 经费支出占地区生产总值（或营业收入）比重"),
    ("energy_intensity", "单位工业增加值能耗", "吨标煤/万元", A, P, L, "发改局", "", "越低越好"),
    # Derived from ZoneOps's own records (figures/derived.py).
    ("above_scale_firms", "规上企业数", "家", M, P, H, "系统计算", "above_scale_firms",
     "企业库中规上、未迁出未注销的企业数（计算时的状态）"),
    ("high_tech_firms", "高新技术企业数", "家", M, P, H, "系统计算", "high_tech_firms",
     "企业库中标记为高新技术企业、未迁出未注销的企业数"),
    ("rd_centers", "省级以上研发机构数", "家", M, P, H, "系统计算", "rd_centers",
     "企业库中有省级以上研发机构的企业数"),
    ("specialized_firms", "专精特新企业数", "家", M, P, H, "系统计算", "specialized_firms",
     "企业库中标记为专精特新的企业数"),
    ("listed_firms", "上市/挂牌企业数", "家", M, P, H, "系统计算", "listed_firms", "企业库中上市或挂牌的企业数"),
    ("enterprise_revenue", "企业营业收入合计", "万元", A, C, H, "系统计算", "enterprise_revenue",
     "企业年度指标中营业收入之和"),
    ("enterprise_tax", "企业税收合计", "万元", A, C, H, "系统计算", "enterprise_tax", "企业年度指标中评价税收之和"),
    ("projects_signed", "签约项目数", "个", M, C, H, "系统计算", "projects_signed", "当年 1 月至当月签约的招商项目数"),
    ("projects_signed_investment", "签约项目协议总投资", "万元", M, C, H, "系统计算", "projects_signed_investment",
     "当年 1 月至当月签约项目的协议总投资之和"),
    ("projects_started", "开工项目数", "个", M, C, H, "系统计算", "projects_started", "当年 1 月至当月开工的项目数"),
    ("land_ready_mu", "做地面积", "亩", M, C, H, "系统计算", "land_ready_mu", "当年 1 月至当月完成做地（净地）的面积"),
    ("land_sold_mu", "土地出让面积", "亩", M, C, H, "系统计算", "land_sold_mu", "当年 1 月至当月出让的面积"),
    ("problem_close_rate", "企业诉求办结率", "%", M, P, H, "系统计算", "problem_close_rate",
     "当年 1 月至当月受理的诉求中已办结的比例"),
]


# Indicators whose values may be negative (a loss); every other value must be ≥ 0.
NEGATIVE_OK = {"industrial_profit"}


def load_catalogue(Indicator):
    """Create the standard indicators that are missing (by code); existing ones are left as the
    superusers edited them. `Indicator` may be the historical model of a migration."""
    have = set(Indicator.objects.values_list("code", flat=True))
    names = set(Indicator.objects.values_list("name", flat=True))
    Indicator.objects.bulk_create([
        Indicator(code=code, name=name, unit=unit, frequency=freq, accumulation=acc, direction=direction,
                  source_department=dept, formula=formula, description=desc, sort_order=(i + 1) * 10)
        for i, (code, name, unit, freq, acc, direction, dept, formula, desc) in enumerate(STANDARD)
        if code not in have and name not in names])
