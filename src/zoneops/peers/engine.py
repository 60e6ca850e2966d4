"""Units, normalisation and evaluation of extracted peer figures (pure Python, no Django).

Normalised units (one per dimension, so peers compare): money → 万元 / 万美元, area → 亩,
weight → 万吨, people → 人, energy → 万度 / 万千瓦时, growth in 倍 → %, counts keep their
measure word (家, 个, 项, 户 …) with 万/亿 multiplied out.
"""
from dataclasses import dataclass, field

KINDS = ("level", "growth", "share", "count", "duration", "target")
KIND_LABELS = {"level": "总量", "growth": "增速", "share": "占比", "count": "数量", "duration": "时长",
               "target": "目标"}

MULTIPLIERS = {"万亿": 10 ** 12, "千万": 10 ** 7, "百万": 10 ** 6, "亿": 10 ** 8, "万": 10 ** 4, "千": 10 ** 3,
               "百": 100}

# base unit → (normalised unit, factor from one base unit, dimension)
BASE_UNITS = {
    "元": ("万元", 1e-4, "money"), "人民币": ("万元", 1e-4, "money"),
    "美元": ("万美元", 1e-4, "usd"),
    "亩": ("亩", 1.0, "area"), "公顷": ("亩", 15.0, "area"), "平方公里": ("亩", 1500.0, "area"),
    "平方千米": ("亩", 1500.0, "area"), "km²": ("亩", 1500.0, "area"), "km2": ("亩", 1500.0, "area"),
    "平方米": ("亩", 1 / 666.67, "area"), "m²": ("亩", 1 / 666.67, "area"), "㎡": ("亩", 1 / 666.67, "area"),
    "吨": ("万吨", 1e-4, "weight"), "吨标准煤": ("万吨标准煤", 1e-4, "weight"),
    "人": ("人", 1.0, "people"), "名": ("人", 1.0, "people"), "人次": ("人次", 1.0, "people"),
    "度": ("万度", 1e-4, "energy"), "千瓦时": ("万千瓦时", 1e-4, "energy"), "千瓦": ("万千瓦", 1e-4, "power"),
    "公里": ("公里", 1.0, "length"), "千米": ("公里", 1.0, "length"), "米": ("米", 1.0, "length"),
    "%": ("%", 1.0, "percent"), "百分点": ("百分点", 1.0, "points"), "倍": ("倍", 1.0, "times"),
    "天": ("天", 1.0, "duration"), "工作日": ("天", 1.0, "duration"), "个工作日": ("天", 1.0, "duration"),
    "个月": ("月", 1.0, "duration"), "年": ("年", 1.0, "duration"), "周年": ("年", 1.0, "duration"),
}
COUNT_UNITS = ("家", "个", "项", "户", "宗", "条", "座", "所", "台", "套", "批", "只", "盏", "栋", "幢", "间",
               "件", "辆", "处", "支", "艘", "款")
for _u in COUNT_UNITS:
    BASE_UNITS[_u] = (_u, 1.0, "count")
DURATION_UNITS = {"天", "工作日", "个工作日", "个月", "年", "周年"}


def split_unit(unit):
    """'亿元' → (10**8, '元'); '%' → (1, '%'); unknown → (1, unit)."""
    for prefix in ("万亿", "千万", "百万", "亿", "万", "千", "百"):
        rest = unit[len(prefix):]
        if unit.startswith(prefix) and rest in BASE_UNITS and not (prefix == "千" and rest in ("米", "瓦时", "瓦")):
            return MULTIPLIERS[prefix], rest
    return 1, unit


def normalise(value, unit, kind=None):
    """(normalised value, normalised unit) for a value in `unit` (e.g. 38.5, '亿元' → 385000.0, '万元')."""
    mult, base = split_unit(unit)
    if base not in BASE_UNITS:
        return float(value) * mult, unit
    norm_unit, factor, dim = BASE_UNITS[base]
    if base == "倍" and kind == "growth":  # 增长 1.3 倍 = +130 %
        return float(value) * 100.0, "%"
    return float(value) * mult * factor, norm_unit


# ---- evaluation against hand-labelled figures -------------------------------------------------

@dataclass
class Score:
    labelled: int = 0
    extracted: int = 0
    matched: int = 0
    matched_metric: int = 0
    period_ok: int = 0
    misses: list = field(default_factory=list)
    extras: list = field(default_factory=list)

    @property
    def precision(self):
        return self.matched / self.extracted if self.extracted else 0.0

    @property
    def recall(self):
        return self.matched / self.labelled if self.labelled else 0.0

    @property
    def precision_metric(self):
        return self.matched_metric / self.extracted if self.extracted else 0.0

    @property
    def recall_metric(self):
        return self.matched_metric / self.labelled if self.labelled else 0.0

    def add(self, other):
        for name in ("labelled", "extracted", "matched", "matched_metric", "period_ok"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses
        self.extras += other.extras
        return self

    def as_dict(self):
        return {"labelled": self.labelled, "extracted": self.extracted, "matched": self.matched,
                "precision": round(self.precision, 3), "recall": round(self.recall, 3),
                "precision_with_metric": round(self.precision_metric, 3),
                "recall_with_metric": round(self.recall_metric, 3),
                "period_agreement": round(self.period_ok / self.matched, 3) if self.matched else 0.0}


def values_match(a, b, tolerance=0.005):
    if a == b:
        return True
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


def metrics_match(a, b):
    """Loose metric match: one contains the other, or they share half the characters of the shorter."""
    a, b = (a or "").strip(), (b or "").strip()
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    common = len(set(a) & set(b))
    return common >= max(2, min(len(set(a)), len(set(b))) // 2)


def canonical_period(period):
    """'2023-H1' / 'H1' / '2023-01~06' compare equal; quarter Qn = its months."""
    p = (period or "").strip()
    for short, months in (("H1", "01~06"), ("H2", "07~12"), ("Q1", "01~03"), ("Q2", "04~06"), ("Q3", "07~09"),
                          ("Q4", "10~12"), ("Q1~3", "01~09")):
        if p.endswith(short) and not p.endswith("~" + short):
            p = p[: -len(short)] + months
    return p


def periods_match(label, got):
    a, b = canonical_period(label), canonical_period(got)
    if not a:
        return True
    return a == b or (len(a) < len(b) and b.endswith(a))  # a label without its year


def score(labels, figures):
    """Match labels (dicts: metric, value, unit, kind, period) with extracted figures (dicts with
    metric, norm_value, norm_unit, kind, period). A match needs the same kind and the same
    normalised value within 0.5 %; the metric is counted separately (loose overlap)."""
    s = Score(labelled=len(labels), extracted=len(figures))
    used = set()
    for lab in labels:
        lv, lu = normalise(lab["value"], str(lab["unit"]), lab["kind"])
        candidates = [i for i, f in enumerate(figures) if i not in used and f["kind"] == lab["kind"]
                      and values_match(lv, f["norm_value"])]
        if not candidates:
            s.misses.append(lab)
            continue
        best = next((i for i in candidates if metrics_match(lab["metric"], figures[i]["metric"])), candidates[0])
        used.add(best)
        s.matched += 1
        s.matched_metric += metrics_match(lab["metric"], figures[best]["metric"])
        s.period_ok += periods_match(str(lab.get("period") or ""), figures[best].get("period") or "")
    s.extras = [f for i, f in enumerate(figures) if i not in used]
    return s
