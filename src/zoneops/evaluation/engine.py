"""The per-mu evaluation engine: enterprise-year figures + a ruleset in, one scored row per
firm out (indicator values, item scores, bonus/deduction, total, rank, percentile, class,
exclusion and exemption reasons, explanations).

Pure (Polars, no Django) and vectorised: every step is a column expression over all firms;
Python loops run only over the ruleset (groups × items, a handful), never over rows.
Rules (see docs/evaluation-engine.md):
- units: rows sharing a merge_key form one unit (figures summed) keyed by the smallest key;
- scope: not producing → out; group = lessee list when the ruleset says so, else the scale;
  a group's minimum land; an indicator that cannot be computed with missing policy "exclude";
- the population of a group (for computed benchmarks, group averages, ranks, classes) is its
  included, non-exempt firms. Exempt firms are scored but take no rank and no class;
- rank: competition ranking of the total within the group, 1 = best, ties share the best
  rank; percentile = rank / group size × 100; classes by percentile upper bounds or score
  lower bounds;
- what-if: the indicator value needed to reach the next better class holding the other item
  scores and the benchmarks fixed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .ruleset import FIGURE_NAMES, GROUP_NAMES, INDICATORS, Ruleset

FIGURES = ("land_mu", "tax", "value_added", "revenue", "energy_tce", "emissions_t", "employees", "rd_expense",
           "power_mwh")
WHAT_IF = ("tax_per_mu", "va_per_mu")
DRAG_LEN = 3
DRAG_EPS = 1e-9  # a shortfall below this is rounding noise (0.0302 / 0.0302 × 10), not a drag
REQUIRED = ("key", "scale", *FIGURES)
OPTIONAL = {"is_lessee": (pl.Boolean, False), "producing": (pl.Boolean, True), "merge_key": (pl.Utf8, None),
            "exempt_reason": (pl.Utf8, None)}


class EvaluationError(ValueError):
    """The input frames cannot be evaluated (a missing column, duplicate keys, unknown codes)."""


@dataclass
class Evaluation:
    frame: pl.DataFrame
    benchmarks: dict = field(default_factory=dict)  # {group: {indicator: value used or None}}
    cut_scores: dict = field(default_factory=dict)  # {group: {class: lowest total in the class}}
    group_averages: dict = field(default_factory=dict)  # {group: {indicator: mean item score}}


def indicator_columns(ruleset):
    """The indicator codes of the ruleset, in catalogue order (the v_/s_/n_ columns)."""
    used = {i.indicator for g in ruleset.groups for i in g.items}
    return [c for c in INDICATORS if c in used]


def _prepare(figures):
    if not isinstance(figures, pl.DataFrame):
        raise EvaluationError("输入须为 Polars DataFrame")
    missing = [c for c in REQUIRED if c not in figures.columns]
    if missing:
        raise EvaluationError(f"输入缺少列：{'、'.join(missing)}")
    exprs = [pl.col("key").cast(pl.Int64), pl.col("scale").cast(pl.Utf8)]
    for c in FIGURES:
        x = pl.col(c).cast(pl.Float64)
        # NaN and ±inf are not figures: treat them as missing
        exprs.append(pl.when(x.is_finite()).then(x).otherwise(None).alias(c))
    for c, (dtype, default) in OPTIONAL.items():
        exprs.append(pl.col(c).cast(dtype) if c in figures.columns else pl.lit(default, dtype=dtype).alias(c))
    try:
        df = figures.select(exprs)
    except (pl.exceptions.PolarsError, TypeError) as exc:
        raise EvaluationError(f"输入列类型无效：{exc}") from None
    if df["key"].null_count():
        raise EvaluationError("key 列不能为空")
    # rows in key order from here on (units are evaluated in key order anyway): a duplicate
    # is then a zero step, much cheaper than a hash-based is_duplicated over a million keys
    if not df["key"].is_sorted():
        df = df.sort("key")
    repeated = df["key"].diff() == 0
    if repeated.any():
        raise EvaluationError(f"key 重复（如 {df['key'].filter(repeated).min()}）")
    bad = df.filter(~pl.col("scale").is_in(["above", "below"]))
    if bad.height:
        raise EvaluationError(f"key {bad['key'][0]} 的 scale 须为 above 或 below")
    return df.with_columns(pl.col("is_lessee").fill_null(False), pl.col("producing").fill_null(True))


def _units(df, merge):
    """(units, members): one row per evaluation unit; members maps merged keys to their unit."""
    if not merge or df["merge_key"].null_count() == df.height:
        return df.with_columns(unit_key=pl.col("key"), merged=pl.lit(False)).drop("merge_key"), None
    single = df.filter(pl.col("merge_key").is_null()).drop("merge_key").with_columns(
        unit_key=pl.col("key"), merged=pl.lit(False))
    multi = df.filter(pl.col("merge_key").is_not_null()).sort("key")  # sums in key order: order-free floats
    by_key = pl.col("key")
    agg = multi.group_by("merge_key").agg(
        pl.col("key").min().alias("unit_key"),
        # the unit is 规上 if any member is; a lessee unit only if every member leases
        pl.when((pl.col("scale") == "above").any()).then(pl.lit("above")).otherwise(pl.lit("below")).alias("scale"),
        pl.col("is_lessee").all(), pl.col("producing").any(),
        *[pl.when(pl.col(c).is_null().all()).then(None).otherwise(pl.col(c).sum()).alias(c) for c in FIGURES],
        pl.col("exempt_reason").sort_by(by_key).drop_nulls().first(),
    ).with_columns(key=pl.col("unit_key"), merged=pl.lit(True))
    units = pl.concat([single, agg.drop("merge_key").select(single.columns)])
    members = multi.select("key", "merge_key").join(agg.select("unit_key", "merge_key"), on="merge_key")
    return units, members.drop("merge_key")


WHY = {1: "{d}缺失", 2: "{d}为 0", 3: "{d}为负数", 4: "{n}缺失", 5: "{d}过小，比值溢出"}


def _indicator(code):
    """(value expression, reason code expression) of one catalogue indicator; safe division.
    Reasons are small integers (see WHY) turned into text once, at the end: building strings
    for a million rows per indicator would cost more than the scoring."""
    ind = INDICATORS[code]
    num, den = pl.col(ind.numerator), pl.col(ind.denominator)
    ratio = num / den
    # null when den is 0, negative or missing, num missing, or the ratio overflows (a denominator
    # like 1e-320 would make the firm's total infinite)
    value = pl.when((den > 0) & ratio.is_finite()).then(ratio)
    reason = (pl.when(den.is_null()).then(1).when(den == 0).then(2).when(den < 0).then(3)
              .when(num.is_null()).then(4).when(~ratio.is_finite()).then(5).otherwise(0).cast(pl.UInt16))
    return value, reason


def why_text(code, why):
    ind = INDICATORS[code]
    return WHY[why].format(d=FIGURE_NAMES[ind.denominator], n=FIGURE_NAMES[ind.numerator])


def _chain(pairs, otherwise=None):
    """pl.when(c1).then(v1).when(c2).then(v2)… (null, or `otherwise`, when none applies)."""
    expr = None
    for cond, value in pairs:
        expr = (pl.when(cond) if expr is None else expr.when(cond)).then(value)
    if expr is None:
        return otherwise if isinstance(otherwise, pl.Expr) else pl.lit(otherwise)
    return expr if otherwise is None else expr.otherwise(otherwise)


def _when_groups(pairs, otherwise=None):
    """pl.when(g == i).then(e_i)… for [(i, e_i)]; else `otherwise` (null by default)."""
    if otherwise is not None and not isinstance(otherwise, pl.Expr):
        otherwise = pl.lit(otherwise)
    return _chain([(pl.col("g") == gi, e) for gi, e in pairs], otherwise)


def _fold_sum(exprs):
    """((e1 + e2) + e3) + …: a fixed order of float additions.

    Not pl.sum_horizontal: with more than two inputs it reduces the columns with a parallel
    (rayon) reduce whose grouping depends on work stealing, so under load the same figures
    could give totals one ulp apart from one evaluation to the next: identical runs not
    identical, and ties (hence ranks and classes) broken differently."""
    total = exprs[0]
    for e in exprs[1:]:
        total = total + e
    return total


def _stats(units, specs):
    """{name: mean or median of the non-null values} for [(name, filtered expr, kind)].

    numpy, not Polars' mean: its float sum depends on chunk layout, so the same values could
    give a last-bit difference between a group evaluated alone and with others."""
    out = {}
    for name, expr, kind in specs:
        values = units.select(expr.drop_nulls()).to_series().to_numpy()
        if values.size == 0:
            out[name] = None
        else:
            out[name] = float(np.mean(values) if kind == "mean" else np.median(values))
    return out


def evaluate(figures: pl.DataFrame, ruleset: Ruleset, *, adjustments: pl.DataFrame | None = None,
             explain: bool = True) -> Evaluation:
    df = _prepare(figures)
    scope = ruleset.scope
    units, members = _units(df, scope.merge_shared)
    if not units["unit_key"].is_sorted():
        units = units.sort("unit_key")  # the same input in any row order gives the same sums and output
    codes = indicator_columns(ruleset)
    groups = list(ruleset.groups)
    gindex = {g.code: i for i, g in enumerate(groups)}

    # -- group, scope, indicator values ---------------------------------------------------------
    lessee_list = scope.lessees_separate
    gcode = (pl.when(pl.col("is_lessee")).then(pl.lit("lessee")).otherwise(pl.col("scale")) if lessee_list
             else pl.col("scale"))
    # the group's index straight from the flags (scale is checked to be above/below), not a
    # replace_strict over a million strings; null when the ruleset lacks the group
    gi = {c: pl.lit(gindex.get(c), pl.Int8) for c in GROUP_NAMES}
    g_expr = pl.when(pl.col("scale") == "above").then(gi["above"]).otherwise(gi["below"])
    if lessee_list:
        g_expr = pl.when(pl.col("is_lessee")).then(gi["lessee"]).otherwise(g_expr)
    units = units.with_columns(group=gcode, g=g_expr)
    vals = {}
    for c in codes:
        value, reason = _indicator(c)
        in_group = pl.col("g").is_in([gi for gi, g in enumerate(groups) if any(i.indicator == c for i in g.items)])
        vals[c] = (value, reason, in_group)
    units = units.with_columns(
        *[pl.when(in_g).then(v).alias(f"v_{c}") for c, (v, _, in_g) in vals.items()],
        *[pl.when(in_g).then(r).alias(f"why_{c}") for c, (_, r, in_g) in vals.items()],
    )
    rules, messages = [], {}  # (condition, code) in priority order: the first that applies is given
    if scope.exclude_not_producing:
        rules.append((~pl.col("producing"), pl.lit(1)))
        messages[1] = "尚未投产"
    rules.append((pl.col("g").is_null(), pl.col("group").replace_strict(
        {c: 2 + n for n, c in enumerate(GROUP_NAMES)}, default=9)))
    messages.update({2 + n: f"本规则未设{name}企业组" for n, name in enumerate(GROUP_NAMES.values())})
    messages[9] = "本规则未设该企业组"
    for gi, g in enumerate(groups):
        if g.min_land_mu:
            rules.append(((pl.col("g") == gi) & ~(pl.col("land_mu") >= g.min_land_mu).fill_null(False),
                          pl.lit(10 + gi)))
            messages[10 + gi] = f"用地面积不足 {g.min_land_mu:g} 亩"
    for gi, g in enumerate(groups):
        for k, item in enumerate(g.items):
            if item.missing == "exclude":
                c, base = item.indicator, 1000 + 100 * gi + 10 * k
                rules.append(((pl.col("g") == gi) & pl.col(f"v_{c}").is_null(), pl.col(f"why_{c}") + base))
                messages.update({base + w: f"{INDICATORS[c].name}无法计算（{why_text(c, w)}），不参评" for w in WHY})
    reason = _chain([(cond, code.cast(pl.UInt16)) for cond, code in rules]).replace_strict(
        messages, default=None, return_dtype=pl.Utf8)
    units = units.with_columns(exclusion_reason=reason)
    units = units.with_columns(
        included=pl.col("exclusion_reason").is_null(),
        exempt=pl.col("exempt_reason").is_not_null(),
    ).with_columns(pop=pl.col("included") & ~pl.col("exempt"))

    # -- benchmarks (fixed, or over the group population that has the value) --------------------
    bench_exprs = []
    for gi, g in enumerate(groups):
        for item in g.items:
            if item.benchmark.kind != "fixed":
                v = pl.col(f"v_{item.indicator}").filter(pl.col("pop") & (pl.col("g") == gi))
                bench_exprs.append((f"{gi}:{item.indicator}", v, item.benchmark.kind))
    computed = _stats(units, bench_exprs)
    benchmarks = {}
    for gi, g in enumerate(groups):
        benchmarks[g.code] = {}
        for item in g.items:
            b = item.benchmark.value if item.benchmark.kind == "fixed" else computed[f"{gi}:{item.indicator}"]
            benchmarks[g.code][item.indicator] = b if b is not None and b > 0 else None

    # -- item scores: value / benchmark × weight, capped ----------------------------------------
    # notes are integer codes per indicator (100 × group + kind), turned into text at the end
    raw, capnote, note_text = {c: [] for c in codes}, {c: [] for c in codes}, {c: {} for c in codes}
    for gi, g in enumerate(groups):
        for item in g.items:
            c, b, w = item.indicator, benchmarks[g.code][item.indicator], item.weight
            v = pl.col(f"v_{c}")
            if b is None:
                raw[c].append((gi, pl.lit(0.0)))
                capnote[c].append((gi, pl.lit(100 * gi + 60, pl.UInt16)))
                note_text[c][100 * gi + 60] = "基准值无法计算，计 0 分"
                continue
            # one factor, multiplied: Polars divides an array by a scalar through its reciprocal
            # but a single value exactly, so `v / b` could differ in the last bit by frame size
            score = v * (w / b)
            if item.cap:
                top = item.cap * w
                capnote[c].append((gi, pl.when(score > top).then(pl.lit(100 * gi + 50, pl.UInt16))))
                note_text[c][100 * gi + 50] = f"超过上限，按 {top:g} 分封顶"
                score = pl.min_horizontal(score, pl.lit(top))
            raw[c].append((gi, score))
    units = units.with_columns(
        *[pl.when(pl.col("included")).then(_when_groups(raw[c])).alias(f"r_{c}") for c in codes])
    averages = _stats(units, [(f"{gi}:{i.indicator}", pl.col(f"r_{i.indicator}").filter(
        pl.col("pop") & (pl.col("g") == gi)), "mean") for gi, g in enumerate(groups) for i in g.items
        if i.missing == "group_average"])
    group_averages = {g.code: {i.indicator: averages[f"{gi}:{i.indicator}"] for i in g.items
                               if i.missing == "group_average"} for gi, g in enumerate(groups)}
    fill, fillnote = {c: [] for c in codes}, {c: [] for c in codes}
    for gi, g in enumerate(groups):
        for item in g.items:
            c = item.indicator
            if item.missing == "group_average":
                avg = averages[f"{gi}:{c}"]
                fill[c].append((gi, pl.lit(avg if avg is not None else 0.0)))
                tail = "按组平均得分" if avg is not None else "组内无可比数据，计 0 分"
            elif item.missing == "zero":
                fill[c].append((gi, pl.lit(0.0)))
                tail = "计 0 分"
            else:
                continue
            fillnote[c].append((gi, pl.lit(100 * gi + 10, pl.UInt16)))
            note_text[c].update({100 * gi + 10 + w: f"缺失（{why_text(c, w)}），{tail}" for w in WHY})
    score_cols, note_cols = [], []
    for c in codes:
        r, v = pl.col(f"r_{c}"), pl.col(f"v_{c}")
        s = pl.when(v.is_null()).then(_when_groups(fill[c])).otherwise(r) if fill[c] else r
        score_cols.append(pl.when(pl.col("included")).then(s).alias(f"s_{c}"))
        pairs = []
        if fillnote[c]:
            pairs.append((pl.col("included") & v.is_null(), _when_groups(fillnote[c]) + pl.col(f"why_{c}")))
        if capnote[c]:
            pairs.append((pl.col("included"), _when_groups(capnote[c])))
        note = (_chain(pairs).replace_strict(note_text[c], default=None, return_dtype=pl.Utf8) if pairs
                else pl.lit(None, pl.Utf8))
        note_cols.append(note.alias(f"n_{c}"))
    units = units.with_columns(*score_cols, *note_cols)

    # -- bonus / deduction ----------------------------------------------------------------------
    units = _adjust(units, members, ruleset, adjustments)
    units = units.with_columns(total=pl.when(pl.col("included")).then(_fold_sum(
        [pl.col(f"s_{c}").fill_null(0.0) for c in codes] + [pl.col("adjust_points")])))

    # -- rank, percentile, class ----------------------------------------------------------------
    ranked_total = pl.when(pl.col("pop")).then(pl.col("total"))
    units = units.with_columns(
        rank=ranked_total.rank("min", descending=True).over("g").cast(pl.Int64),
        group_size=pl.when(pl.col("included")).then(pl.col("pop").sum().over("g").cast(pl.Int64)),
    ).with_columns(percentile=pl.col("rank") * 100.0 / pl.col("group_size"))
    # class names as an Enum while computing (comparisons and group_by on small integers, no
    # per-row strings); cast to text once in the output
    class_enum = pl.Enum(list(dict.fromkeys(c for g in groups for c in g.classification.classes)))
    cls_pairs = []
    for gi, g in enumerate(groups):
        cl = g.classification
        on = pl.col("percentile") if cl.method == "percentile" else pl.col("total")
        expr = None
        for name, cut in zip(cl.classes, cl.cuts):
            cond = on <= cut if cl.method == "percentile" else on >= cut
            expr = (pl.when(cond) if expr is None else expr.when(cond)).then(pl.lit(name, class_enum))
        last = pl.lit(cl.classes[-1], class_enum)
        expr = last if expr is None else expr.otherwise(last)
        cls_pairs.append((gi, expr))
    units = units.with_columns(class_code=pl.when(pl.col("pop")).then(_when_groups(cls_pairs)))
    cuts_df = (units.select("g", "class_code", "total", "pop").filter(pl.col("pop"))
               .group_by("g", "class_code").agg(pl.col("total").min())
               .sort("g", "class_code"))
    cut_scores = {g.code: {} for g in groups}
    for gi, cls, low in cuts_df.iter_rows():
        cut_scores[groups[gi].code][cls] = low

    if explain:
        units = _explain(units, groups, codes, benchmarks, cut_scores, class_enum)
    else:
        units = units.with_columns(next_class=pl.lit(None, pl.Utf8), gap_score=pl.lit(None, pl.Float64),
                                   need_tax_per_mu=pl.lit(None, pl.Float64), need_va_per_mu=pl.lit(None, pl.Float64),
                                   what_if_note=pl.lit(None, pl.Utf8), drag=pl.lit(None, pl.List(pl.Utf8)))

    out_cols = ["key", "unit_key", "group", "included", "exclusion_reason", "exempt", "exemption_reason",
                *[f"v_{c}" for c in codes], *[f"s_{c}" for c in codes], *[f"n_{c}" for c in codes],
                "adjust_points", "adjust_notes", "total", "rank", "group_size", "percentile", "class_code",
                "next_class", "gap_score", "need_tax_per_mu", "need_va_per_mu", "what_if_note", "drag"]
    units = units.with_columns(exemption_reason=pl.col("exempt_reason"),
                               adjust_points=pl.when(pl.col("included")).then(pl.col("adjust_points")),
                               class_code=pl.col("class_code").cast(pl.Utf8),
                               next_class=pl.col("next_class").cast(pl.Utf8))
    if members is None:
        frame = units.select(out_cols)
    else:
        single = units.filter(~pl.col("merged")).select(out_cols)
        merged = units.filter(pl.col("merged")).drop("key").join(members, on="unit_key").select(out_cols)
        frame = pl.concat([single, merged]).sort("key")
    return Evaluation(frame=frame, benchmarks=benchmarks, cut_scores=cut_scores, group_averages=group_averages)


def _adjust(units, members, ruleset, adjustments):
    """adjust_points / adjust_notes per unit from the adjustments frame (key, code, reason)."""
    empty = units.with_columns(adjust_points=pl.lit(0.0), adjust_notes=pl.lit(None, pl.Utf8))
    if adjustments is None or adjustments.height == 0:
        return empty
    for c in ("key", "code"):
        if c not in adjustments.columns:
            raise EvaluationError(f"加减分输入缺少列：{c}")
    catalogue = {a.code: a for a in ruleset.adjustments}
    adj = adjustments.select(pl.col("key").cast(pl.Int64), pl.col("code").cast(pl.Utf8),
                             (pl.col("reason").cast(pl.Utf8) if "reason" in adjustments.columns
                              else pl.lit(None, pl.Utf8)).alias("reason"))
    unknown = sorted(set(adj["code"].drop_nulls().to_list()) - set(catalogue) | (
        {"（空）"} if adj["code"].null_count() else set()))
    if unknown:
        raise EvaluationError(f"加减分项不在本规则中：{'、'.join(unknown)}")
    # adjustments name input keys; a merged firm's adjustments count for its unit; keys without
    # figures are ignored (a firm not in this evaluation)
    if members is not None:
        adj = adj.join(members, on="key", how="left").with_columns(
            unit_key=pl.coalesce("unit_key", "key"))
    else:
        adj = adj.with_columns(unit_key=pl.col("key"))
    points = pl.col("code").replace_strict({c: a.points for c, a in catalogue.items()}, return_dtype=pl.Float64)
    limit = pl.col("code").replace_strict({c: a.max_points for c, a in catalogue.items()}, return_dtype=pl.Float64)
    names = pl.col("code").replace_strict({c: a.name for c, a in catalogue.items()}, return_dtype=pl.Utf8)
    per_code = (adj.with_columns(points=points, limit=limit, name=names)
                .sort("unit_key", "code", "key", "reason", nulls_last=True)
                .group_by("unit_key", "code", maintain_order=True)
                .agg(pl.col("points").sum(), pl.col("limit").first(), pl.col("name").first(),
                     pl.col("reason").drop_nulls().unique(maintain_order=True).str.join("，")))
    capped = pl.when(pl.col("limit").is_null()).then(pl.col("points")).otherwise(
        pl.col("points").clip(-pl.col("limit"), pl.col("limit")))
    per_code = per_code.with_columns(points=capped).with_columns(
        note=pl.concat_str(pl.col("name"),
                           pl.when(pl.col("reason") != "").then(pl.concat_str(pl.lit("："), pl.col("reason")))
                           .otherwise(pl.lit("")),
                           pl.lit("（"), pl.when(pl.col("points") > 0).then(pl.lit("+")).otherwise(pl.lit("")),
                           pl.col("points").round(4).cast(pl.Utf8).str.replace(r"\.0$", ""), pl.lit(" 分）")))
    per_unit = per_code.group_by("unit_key", maintain_order=True).agg(
        pl.col("points").sum().alias("adjust_points"), pl.col("note").str.join("；").alias("adjust_notes"))
    return units.join(per_unit, on="unit_key", how="left").with_columns(pl.col("adjust_points").fill_null(0.0))


def _explain(units, groups, codes, benchmarks, cut_scores, class_enum):
    """next_class, gap_score, need_<indicator> (what-if), what_if_note, drag."""
    # next better class and the total it takes, per (group, class): a handful of literals
    nxt_pairs, target_pairs = [], []
    for gi, g in enumerate(groups):
        cl, lows = g.classification, cut_scores[g.code]
        n_exprs, t_exprs = None, None
        for i, name in enumerate(cl.classes[1:], start=1):
            if cl.method == "threshold":
                better, target = cl.classes[i - 1], cl.cuts[i - 1]
            else:  # the lowest total now in the nearest better class that has firms
                better = next((c for c in reversed(cl.classes[:i]) if c in lows), None)
                target = lows.get(better)
            if better is None:
                continue
            cond = pl.col("class_code") == name
            n_exprs = (pl.when(cond) if n_exprs is None else n_exprs.when(cond)).then(pl.lit(better, class_enum))
            t_exprs = (pl.when(cond) if t_exprs is None else t_exprs.when(cond)).then(pl.lit(float(target)))
        if n_exprs is not None:
            nxt_pairs.append((gi, n_exprs))
            target_pairs.append((gi, t_exprs))
    units = units.with_columns(next_class=_when_groups(nxt_pairs) if nxt_pairs else pl.lit(None, class_enum),
                               gap_score=(_when_groups(target_pairs) - pl.col("total")) if target_pairs
                               else pl.lit(None, pl.Float64))
    has_next = pl.col("next_class").is_not_null()
    notes = []
    for code in WHAT_IF:
        need_pairs, note_pairs = [], []
        name = INDICATORS[code].name
        for gi, g in enumerate(groups):
            item = next((i for i in g.items if i.indicator == code), None)
            b = benchmarks[g.code].get(code) if item else None
            if item is None:
                note_pairs.append((gi, pl.lit(f"本组不评价{name}")))
                continue
            if b is None:
                note_pairs.append((gi, pl.lit(f"{name}基准值无法计算")))
                continue
            s_new = pl.col(f"s_{code}") + pl.col("gap_score")
            need = s_new * (b / item.weight)
            if item.cap:
                top = item.cap * item.weight
                need = pl.when(s_new <= top).then(need)
                note_pairs.append((gi, pl.when(s_new > top).then(pl.lit(f"{name}单项封顶 {top:g} 分，仅提高此项无法升档"))))
            need_pairs.append((gi, need))
        units = units.with_columns(
            pl.when(has_next).then(_when_groups(need_pairs) if need_pairs else pl.lit(None, pl.Float64))
            .alias(f"need_{code}"))
        if note_pairs:
            notes.append(pl.when(has_next).then(_when_groups(note_pairs)))
    units = units.with_columns(what_if_note=pl.concat_str(notes, separator="；", ignore_nulls=True)
                               .replace("", None) if notes else pl.lit(None, pl.Utf8))

    # drag: items with the largest shortfall (weight − score), worst first; ties in item order.
    # A stable argsort of each group's (firms × items) shortfall matrix in numpy: a row-wise sort
    # of ≤ 8 numbers has no good column-expression form (pairwise ranks cost 10× more).
    code_ix = {c: n + 1 for n, c in enumerate(codes)}
    n_rows = units.height
    slots = np.zeros((n_rows, DRAG_LEN), dtype=np.uint8)
    gv = units["g"].fill_null(-1).to_numpy()
    included = units["included"].to_numpy()
    for gi, g in enumerate(groups):
        mask = (gv == gi) & included
        if not mask.any():
            continue
        items = list(g.items)
        # the group's rows and items as one (firms × items) row-major matrix, filtered and
        # converted by Polars (threads) rather than a numpy mask per item column
        sf = units.select(
            [(pl.lit(float(i.weight)) - pl.col(f"s_{i.indicator}")).alias(str(n)) for n, i in enumerate(items)]
        ).filter(pl.Series(mask)).to_numpy(order="c")
        order = np.argsort(-sf, axis=1, kind="stable")[:, :DRAG_LEN]
        top = np.take_along_axis(sf, order, axis=1)
        ix = np.array([code_ix[i.indicator] for i in items], dtype=np.uint8)[order]
        ix[~(top > DRAG_EPS)] = 0
        block = np.zeros((int(mask.sum()), DRAG_LEN), dtype=np.uint8)
        block[:, :ix.shape[1]] = ix
        slots[mask] = block
    # a list column from the slots: look the codes up in a tiny Series (a gather of string views,
    # no per-row string building), reshape to a fixed-size array, keep the first n (the filled
    # slots come first), null for firms not evaluated. concat_list + drop_nulls is ~10× slower.
    if not n_rows:
        return units.with_columns(drag=pl.lit(None, pl.List(pl.Utf8)))
    lookup = pl.Series([None, *code_ix], dtype=pl.Utf8)  # code_ix numbers the codes from 1
    names = lookup.gather(slots.reshape(-1).astype(np.uint32)).reshape((n_rows, DRAG_LEN)).arr.to_list()
    filled = pl.Series((slots > 0).sum(axis=1).astype(np.uint8))
    return units.with_columns(drag=pl.when(pl.col("included")).then(pl.lit(names).list.slice(0, pl.lit(filled))))
