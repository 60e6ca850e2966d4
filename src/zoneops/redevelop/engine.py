"""Pure computation of 低效用地 candidates and redevelopment totals (no Django imports).

A zone has one or more rule sets (a parcel is a candidate when any of them matches). A rule set names up to four *criteria* (the holder's 亩均 class, tax per 亩 under a
threshold, floor area ratio under a threshold, idle land) and one *gate* (minimum area). The
criteria are combined with AND ("all": every configured criterion must hold) or OR ("any": one
is enough); the gate always applies. A criterion whose data is missing (no evaluation result, no
tax figure, no FAR recorded, no status date) does not match, and says so in the reasons: a parcel
is never listed on a guess. A rule set with no criterion lists nothing (not every parcel).
Parcels already marked 低效 by staff are listed when `include_marked` is on, whatever the criteria.
"""
from dataclasses import dataclass, field
import datetime

ALL = "all"
ANY = "any"


@dataclass(frozen=True)
class Rules:
    classes: tuple = ()                 # holder's 亩均 class in this set, e.g. ("D",) or ("C", "D")
    max_tax_per_mu: float | None = None  # 万元/亩, strictly under
    max_far: float | None = None         # strictly under
    idle_before: datetime.date | None = None  # idle since on or before this date
    min_area_mu: float | None = None     # gate, at least this many 亩
    combine: str = ALL
    include_marked: bool = True          # parcels with status 低效 are always candidates

    def criteria(self):
        """The configured criteria's names, in a fixed order."""
        names = []
        if self.classes:
            names.append("class")
        if self.max_tax_per_mu is not None:
            names.append("tax")
        if self.max_far is not None:
            names.append("far")
        if self.idle_before is not None:
            names.append("idle")
        return names


DEFAULT_RULES = Rules(classes=("D",))
DEFAULT_NAME = "D 类企业用地（默认）"


@dataclass(frozen=True)
class ParcelFacts:
    area_mu: float | None
    has_holder: bool = True
    holder_class: str = ""               # "" = no evaluation result for the holder
    tax_per_mu: float | None = None
    far: float | None = None
    idle_since: datetime.date | None = None  # the date the parcel became idle (None = not idle / unknown)
    idle_known: bool = True              # False: the status date is missing
    marked: bool = False                 # status is 低效
    sold_not_built: bool = False         # 已出让/已供地, not yet built (idle as such, holder or not)


@dataclass
class Match:
    matched: bool
    reasons: list = field(default_factory=list)   # why it matched (Chinese)
    misses: list = field(default_factory=list)    # why a criterion did not hold / lacked data


def _num(value, digits=2):
    return f"{value:,.{digits}f}"


def check(rules, facts):
    """Match of one parcel against the rules, with its reasons (matched) and misses (not)."""
    area = facts.area_mu
    if area is None or area <= 0:
        return Match(False, misses=["面积为零或未填写，不计入低效用地"])
    if rules.min_area_mu is not None and area < rules.min_area_mu:
        return Match(False, misses=[f"面积 {_num(area)} 亩，小于最小面积 {_num(rules.min_area_mu)} 亩"])
    if rules.include_marked and facts.marked:
        return Match(True, reasons=["地块已标记为“低效”"])
    results = []  # (criterion, True/False, text)
    for name in rules.criteria():
        results.append((name, *_criterion(name, rules, facts)))
    if not results:
        return Match(False, misses=["未设置任何识别条件"])
    hits = [text for _n, ok, text in results if ok]
    misses = [text for _n, ok, text in results if not ok]
    matched = bool(hits) and (not misses if rules.combine == ALL else True)
    return Match(matched, reasons=hits if matched else [], misses=misses)


def check_rules(named_rules, facts):
    """Match of one parcel against a zone's rule sets [(name, Rules)]: a candidate when any rule set
    matches (OR across rule sets; each set combines its own criteria). With several sets, each
    reason names its set; the misses are those of every set."""
    named_rules = list(named_rules)
    if not named_rules:
        return Match(False, misses=["未启用任何识别规则"])
    if len(named_rules) == 1:
        return check(named_rules[0][1], facts)
    reasons, misses = [], []
    for name, rules in named_rules:
        m = check(rules, facts)
        if m.matched:
            reasons += [f"【{name}】{r}" for r in m.reasons]
        else:
            misses += [f"【{name}】{r}" for r in m.misses]
    return Match(bool(reasons), reasons=reasons, misses=[] if reasons else misses)


def _criterion(name, rules, f):
    if name == "class":
        allowed = "、".join(rules.classes)
        if not f.has_holder:
            return False, "无使用企业，无亩均评价等级"
        if not f.holder_class:
            return False, "使用企业无亩均评价结果"
        if f.holder_class in rules.classes:
            return True, f"使用企业亩均评价 {f.holder_class} 类（规则：{allowed}）"
        return False, f"使用企业亩均评价 {f.holder_class} 类，不在 {allowed} 之列"
    if name == "tax":
        limit = rules.max_tax_per_mu
        if f.tax_per_mu is None:
            return False, "缺少亩均税收数据"
        if f.tax_per_mu < limit:
            return True, f"亩均税收 {_num(f.tax_per_mu)} 万元/亩，低于 {_num(limit)}"
        return False, f"亩均税收 {_num(f.tax_per_mu)} 万元/亩，不低于 {_num(limit)}"
    if name == "far":
        limit = rules.max_far
        if f.far is None:
            return False, "缺少容积率数据"
        if f.far < limit:
            return True, f"容积率 {_num(f.far)}，低于 {_num(limit)}"
        return False, f"容积率 {_num(f.far)}，不低于 {_num(limit)}"
    if name == "idle":
        cutoff = rules.idle_before
        if not f.idle_known:
            return False, "缺少地块状态变更日期，无法判断是否闲置"
        if f.idle_since is None:
            return False, "地块在使用中，未闲置"
        if f.idle_since <= cutoff:
            who = "已出让未开工" if f.sold_not_built else "无使用企业"
            return True, f"{who}，自 {f.idle_since.isoformat()} 起闲置（早于 {cutoff.isoformat()}）"
        return False, f"自 {f.idle_since.isoformat()} 起闲置，晚于 {cutoff.isoformat()}"
    raise ValueError(name)


def months_before(day, months):
    """The date `months` months before `day` (clamped to the month's last day)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = m + 1
    last = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][month - 1]
    return datetime.date(y, month, min(day.day, last))


def parse_classes(text):
    """'C, D；d' -> ('C', 'D'): upper-case, de-duplicated, in order; separators , ， ; ； space 、."""
    out = []
    for sep in "，;；、 ":
        text = (text or "").replace(sep, ",")
    for part in text.split(","):
        part = part.strip().upper()
        if part and part not in out:
            out.append(part)
    return tuple(out)


# -- totals -----------------------------------------------------------------------------------------

def weighted_mean(pairs):
    """Area-weighted mean of (value, area) pairs, skipping missing values and non-positive areas;
    None when nothing is left."""
    num = den = 0.0
    for value, area in pairs:
        if value is None or area is None or area <= 0:
            continue
        num += value * area
        den += area
    return num / den if den > 0 else None


@dataclass(frozen=True)
class CaseFacts:
    area_mu: float
    far_before: float | None
    far_after: float | None
    tax_before: float | None      # 万元/亩
    tax_after: float | None
    investment: float | None      # 万元
    freed_m2: float | None
    new_m2: float | None


def totals(cases):
    """The seeds' figures over CaseFacts: count, 亩, area-weighted FAR and 亩均税收 before/after.

    Averages are weighted by each case's area (a 100-亩 case counts ten times a 10-亩 one), each
    over the cases that have that figure; `*_area` tells how many 亩 the average covers."""
    cases = list(cases)
    out = {"cases": len(cases), "area_mu": sum(c.area_mu or 0.0 for c in cases),
           "investment": sum(c.investment or 0.0 for c in cases),
           "freed_m2": sum(c.freed_m2 or 0.0 for c in cases), "new_m2": sum(c.new_m2 or 0.0 for c in cases)}
    for key in ("far_before", "far_after", "tax_before", "tax_after"):
        pairs = [(getattr(c, key), c.area_mu) for c in cases]
        out[key] = weighted_mean(pairs)
        out[f"{key}_area"] = sum(a for v, a in pairs if v is not None and a and a > 0)
    return out
