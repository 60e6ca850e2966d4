"""Rulesets of the per-mu evaluation (亩均效益综合评价): the indicator catalogue, the frozen
dataclasses, YAML load/dump with validation, the digest and the shipped presets.

Pure: no Django. A ruleset is configuration; everything the engine does is driven by it.
Validation collects every problem and names its path (``groups[1].items[0].weight``) in
Chinese; hostile input (aliases, huge numbers, wrong types, unknown keys) gives a
`RulesetError`, never a traceback.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

MAX_YAML_BYTES = 200 * 1024
MAX_DEPTH = 12  # the schema nests 6 deep; more is an attack or a mistake
PRESETS_DIR = Path(__file__).resolve().parent / "presets"
PRESETS = ("huangyan_2022", "percentile")

GROUP_CODES = ("above", "below", "lessee")
GROUP_NAMES = {"above": "规上", "below": "规下", "lessee": "租赁"}
BENCHMARK_KINDS = ("fixed", "mean", "median")
MISSING_POLICIES = ("group_average", "zero", "exclude")
METHODS = ("percentile", "threshold")
SCOPE_KEYS = ("exclude_not_producing", "merge_shared", "lessees_separate")
FIGURE_NAMES = {"tax": "评价税收", "value_added": "工业增加值", "revenue": "营业收入", "land_mu": "用地面积",
                "energy_tce": "综合能耗", "emissions_t": "主要污染物排放量", "employees": "年平均职工人数",
                "rd_expense": "R&D经费支出", "power_mwh": "用电量"}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    numerator: str
    denominator: str
    unit: str
    percent: bool = False  # a ratio shown as %


INDICATORS: dict[str, Indicator] = {i.code: i for i in (
    Indicator("tax_per_mu", "亩均税收", "tax", "land_mu", "万元/亩"),
    Indicator("va_per_mu", "亩均增加值", "value_added", "land_mu", "万元/亩"),
    Indicator("revenue_per_mu", "亩均营业收入", "revenue", "land_mu", "万元/亩"),
    Indicator("va_per_energy", "单位能耗增加值", "value_added", "energy_tce", "万元/吨标煤"),
    Indicator("va_per_emission", "单位排放增加值", "value_added", "emissions_t", "万元/吨"),
    Indicator("labour_productivity", "全员劳动生产率", "value_added", "employees", "万元/人"),
    Indicator("rd_intensity", "R&D经费占比", "rd_expense", "revenue", "%", percent=True),
    Indicator("tax_per_power", "单位电耗税收", "tax", "power_mwh", "万元/万千瓦时"),
)}


class RulesetError(ValueError):
    """Invalid ruleset; `messages` lists every problem, each naming its path."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))


@dataclass(frozen=True)
class Benchmark:
    kind: str = "fixed"  # fixed | mean | median (over the evaluated group population)
    value: float | None = None  # fixed only


@dataclass(frozen=True)
class Item:
    indicator: str
    weight: float
    benchmark: Benchmark
    cap: float | None = None  # item score <= cap × weight
    missing: str = "exclude"  # group_average | zero | exclude


@dataclass(frozen=True)
class Classification:
    method: str  # percentile | threshold
    classes: tuple[str, ...]
    cuts: tuple[float, ...]  # percentile: ascending upper bounds; threshold: descending lower bounds


@dataclass(frozen=True)
class GroupRules:
    code: str
    name: str
    items: tuple[Item, ...]
    classification: Classification
    min_land_mu: float | None = None


@dataclass(frozen=True)
class Adjustment:
    code: str
    name: str
    points: float  # + bonus / − deduction, per occurrence
    max_points: float | None = None  # cap of the sum per firm (absolute value)


@dataclass(frozen=True)
class Scope:
    exclude_not_producing: bool = True
    merge_shared: bool = True
    lessees_separate: bool = False


@dataclass(frozen=True)
class Ruleset:
    name: str
    title: str
    year: int
    groups: tuple[GroupRules, ...]
    region: str = ""
    adjustments: tuple[Adjustment, ...] = ()
    exemption_class: str | None = "B"
    scope: Scope = field(default_factory=Scope)
    class_names: dict = field(default_factory=dict)
    policies: dict = field(default_factory=dict)  # {class: {policy item: value}} (read by improvement)

    def group(self, code):
        for g in self.groups:
            if g.code == code:
                return g
        return None

    def class_name(self, code):
        return self.class_names.get(code, code)

    # --- serialisation -------------------------------------------------------------------
    def to_dict(self):
        return {
            "name": self.name, "title": self.title, "region": self.region, "year": self.year,
            "scope": {k: getattr(self.scope, k) for k in SCOPE_KEYS},
            "class_names": dict(self.class_names),
            "exemption_class": self.exemption_class,
            "adjustments": [_drop_none({"code": a.code, "name": a.name, "points": a.points,
                                        "max_points": a.max_points}) for a in self.adjustments],
            "groups": [_drop_none({
                "code": g.code, "name": g.name, "min_land_mu": g.min_land_mu,
                "items": [_drop_none({"indicator": i.indicator, "weight": i.weight,
                                      "benchmark": _drop_none({"kind": i.benchmark.kind, "value": i.benchmark.value}),
                                      "cap": i.cap, "missing": i.missing}) for i in g.items],
                "classification": {"method": g.classification.method, "classes": list(g.classification.classes),
                                   "cuts": [_num(c) for c in g.classification.cuts]},
            }) for g in self.groups],
            "policies": {k: dict(v) for k, v in self.policies.items()},
        }

    def to_yaml(self):
        return dump_yaml(self.to_dict())

    def digest(self):
        return hashlib.sha256(self.to_yaml().encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, data):
        return _Validator().ruleset(data)

    @classmethod
    def from_yaml(cls, text):
        return cls.from_dict(load_yaml(text))


def _drop_none(d):
    return {k: _num(v) for k, v in d.items() if v is not None}


def _num(v):
    """30.0 is written as 30 (reads back equal); other values unchanged."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v


def dump_yaml(data):
    """Canonical YAML: fixed key order (the dataclass order), block style, UTF-8 text."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text):
    """Parse untrusted YAML into plain data, refusing aliases, deep nesting and large input."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RulesetError("文件不是 UTF-8 编码的文本") from None
    if not isinstance(text, str):
        raise RulesetError("规则须为 YAML 文本")
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise RulesetError(f"规则文件过大（上限 {MAX_YAML_BYTES // 1024} KB）")
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise RulesetError(f"第 {event.start_mark.line + 1} 行：不支持 YAML 锚点与别名（& / *）")
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise RulesetError(f"第 {event.start_mark.line + 1} 行：嵌套层次过深")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        data = yaml.load(text, Loader=_Loader)
    except RulesetError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列：" if mark else ""
        raise RulesetError(f"{where}YAML 格式错误（{exc.problem or exc.context}）") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as exc:
        raise RulesetError(f"YAML 无法解析（{type(exc).__name__}）") from None
    return data


_CODE_RE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")


class _Validator:
    """Turns plain data into a Ruleset, collecting every problem with its path."""

    def __init__(self):
        self.errors = []

    def err(self, path, message):
        self.errors.append(f"{path}: {message}" if path else message)

    # -- primitives: return None (and record an error) when invalid --------------------------
    def mapping(self, value, path, allowed, required=()):
        if not isinstance(value, dict):
            self.err(path, "须为键值映射")
            return None
        ok = True  # unknown keys are reported but do not stop the checks of the known ones
        for key in value:
            if not isinstance(key, str):
                self.err(path, f"键 {key!r} 须为文本")
            elif key not in allowed:
                self.err(_join(path, key), f"未知字段（可用：{'、'.join(allowed)}）")
        for key in required:
            if key not in value:
                self.err(_join(path, key), "缺少必填字段")
                ok = False
        return value if ok else None

    def text(self, value, path, *, max_len=200, allow_empty=False, pattern=None):
        if not isinstance(value, str):
            self.err(path, "须为文本")
            return None
        value = value.strip()
        if not value and not allow_empty:
            self.err(path, "不能为空")
            return None
        if len(value) > max_len:
            self.err(path, f"过长（上限 {max_len} 字）")
            return None
        if pattern and not pattern.match(value):
            self.err(path, "只能包含字母、数字、下划线和连字符")
            return None
        return value

    def number(self, value, path, *, positive=False, nonzero=False, lo=-1e12, hi=1e12, what="数值"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.err(path, f"{what}须为数字")
            return None
        try:
            x = float(value)
        except OverflowError:
            self.err(path, f"{what}超出范围")
            return None
        if not math.isfinite(x) or x < lo or x > hi:
            self.err(path, f"{what}超出范围（{lo:g} 至 {hi:g}）")
            return None
        if positive and x <= 0:
            self.err(path, f"{what}须为正数")
            return None
        if nonzero and x == 0:
            self.err(path, f"{what}不能为 0")
            return None
        return x

    def boolean(self, value, path):
        if not isinstance(value, bool):
            self.err(path, "须为 true 或 false")
            return None
        return value

    def choice(self, value, path, choices, what):
        if not isinstance(value, str) or value not in choices:
            self.err(path, f"{what}须为 {' / '.join(choices)} 之一")
            return None
        return value

    def seq(self, value, path, *, max_len, min_len=0):
        if not isinstance(value, list):
            self.err(path, "须为列表")
            return None
        if len(value) < min_len:
            self.err(path, f"至少须有 {min_len} 项")
            return None
        if len(value) > max_len:
            self.err(path, f"最多 {max_len} 项")
            return None
        return value

    # -- the schema ---------------------------------------------------------------------------
    def ruleset(self, data):
        keys = ("name", "title", "region", "year", "scope", "class_names", "exemption_class", "adjustments",
                "groups", "policies")
        d = self.mapping(data, "", keys, required=("name", "title", "year", "groups"))
        if d is None:
            raise RulesetError(self.errors or ["规则须为键值映射"])
        name = self.text(d.get("name"), "name", max_len=60, pattern=_CODE_RE)
        title = self.text(d.get("title"), "title")
        region = self.text(d.get("region", ""), "region", max_len=100, allow_empty=True) if "region" in d else ""
        year = d.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
            self.err("year", "年度须为 1990 至 2100 之间的整数")
        scope = self.scope(d.get("scope", {}), "scope")
        groups = []
        raw_groups = self.seq(d.get("groups"), "groups", max_len=len(GROUP_CODES), min_len=1)
        seen = set()
        for n, g in enumerate(raw_groups or ()):
            group = self.group(g, f"groups[{n}]")
            if group is not None:
                if group.code in seen:
                    self.err(f"groups[{n}].code", f"分组 {group.code} 重复")
                seen.add(group.code)
                groups.append(group)
        all_classes = {c for g in groups for c in g.classification.classes}
        class_names = {}
        raw_names = d.get("class_names", {}) or {}
        if isinstance(raw_names, dict):
            for k, v in raw_names.items():
                path = f"class_names.{k}"
                if not isinstance(k, str) or k not in all_classes:
                    self.err(path, "不是任何分组的等级")
                    continue
                v = self.text(v, path, max_len=30)
                if v is not None:
                    class_names[k] = v
        else:
            self.err("class_names", "须为键值映射")
        exemption_class = d.get("exemption_class", "B")
        if exemption_class is not None and (not isinstance(exemption_class, str)
                                            or (groups and exemption_class not in all_classes)):
            self.err("exemption_class", "须为某一等级代码（或留空）")
        adjustments, codes = [], set()
        for n, a in enumerate(self.seq(d.get("adjustments", []) or [], "adjustments", max_len=100) or ()):
            adj = self.adjustment(a, f"adjustments[{n}]")
            if adj is not None:
                if adj.code in codes:
                    self.err(f"adjustments[{n}].code", f"加减分项 {adj.code} 重复")
                codes.add(adj.code)
                adjustments.append(adj)
        policies = self.policies(d.get("policies", {}) or {}, "policies", all_classes)
        if self.errors:
            raise RulesetError(self.errors)
        return Ruleset(name=name, title=title, region=region, year=year, groups=tuple(groups), scope=scope,
                       class_names=class_names, exemption_class=exemption_class, adjustments=tuple(adjustments),
                       policies=policies)

    def scope(self, value, path):
        d = self.mapping(value, path, SCOPE_KEYS)
        if d is None:
            return Scope()
        flags = {k: self.boolean(d[k], _join(path, k)) for k in SCOPE_KEYS if k in d}
        return Scope(**{k: v for k, v in flags.items() if v is not None})

    def group(self, value, path):
        d = self.mapping(value, path, ("code", "name", "min_land_mu", "items", "classification"),
                         required=("code", "items", "classification"))
        if d is None:
            return None
        code = self.choice(d.get("code"), _join(path, "code"), GROUP_CODES, "分组代码")
        name = self.text(d["name"], _join(path, "name"), max_len=30) if "name" in d else GROUP_NAMES.get(code, code)
        min_land = d.get("min_land_mu")
        if min_land is not None:
            min_land = self.number(min_land, _join(path, "min_land_mu"), lo=0, hi=1e6, what="最小用地面积")
        items, seen = [], set()
        for n, raw in enumerate(self.seq(d.get("items"), _join(path, "items"), max_len=len(INDICATORS), min_len=1)
                                or ()):
            item = self.item(raw, f"{path}.items[{n}]")
            if item is not None:
                if item.indicator in seen:
                    self.err(f"{path}.items[{n}].indicator", f"指标 {item.indicator} 在本组重复")
                seen.add(item.indicator)
                items.append(item)
        cls = self.classification(d.get("classification"), _join(path, "classification"))
        if None in (code, name, cls) or len(items) != len(d.get("items") or ()):
            return None
        return GroupRules(code=code, name=name, items=tuple(items), classification=cls, min_land_mu=min_land)

    def item(self, value, path):
        d = self.mapping(value, path, ("indicator", "weight", "benchmark", "cap", "missing"),
                         required=("indicator", "weight", "benchmark"))
        if d is None:
            return None
        code = d.get("indicator")
        if not isinstance(code, str) or code not in INDICATORS:
            self.err(_join(path, "indicator"), f"未知指标 {code!r}（可用：{'、'.join(INDICATORS)}）")
            code = None
        weight = self.number(d.get("weight"), _join(path, "weight"), positive=True, hi=1000, what="权重")
        bench = self.benchmark(d.get("benchmark"), _join(path, "benchmark"))
        cap = d.get("cap")
        if cap is not None:
            cap = self.number(cap, _join(path, "cap"), positive=True, hi=100, what="封顶倍数")
            if cap is None:
                return None
        missing = self.choice(d.get("missing", "exclude"), _join(path, "missing"), MISSING_POLICIES, "缺失值处理")
        if None in (code, weight, bench, missing):
            return None
        return Item(indicator=code, weight=weight, benchmark=bench, cap=cap, missing=missing)

    def benchmark(self, value, path):
        d = self.mapping(value, path, ("kind", "value"), required=("kind",))
        if d is None:
            return None
        kind = self.choice(d.get("kind"), _join(path, "kind"), BENCHMARK_KINDS, "基准值类型")
        if kind == "fixed":
            if "value" not in d:
                self.err(_join(path, "value"), "固定基准值须填写数值")
                return None
            val = self.number(d["value"], _join(path, "value"), positive=True, what="基准值")
            return None if val is None else Benchmark("fixed", val)
        if kind is not None and d.get("value") is not None:
            self.err(_join(path, "value"), "按总体计算的基准值（mean / median）不能填写数值")
            return None
        return None if kind is None else Benchmark(kind, None)

    def classification(self, value, path):
        d = self.mapping(value, path, ("method", "classes", "cuts"), required=("method", "classes", "cuts"))
        if d is None:
            return None
        method = self.choice(d.get("method"), _join(path, "method"), METHODS, "分类方法")
        classes = self.seq(d.get("classes"), _join(path, "classes"), max_len=10, min_len=1)
        cuts = self.seq(d.get("cuts"), _join(path, "cuts"), max_len=9)
        if classes is not None:
            names = [self.text(c, f"{path}.classes[{n}]", max_len=10, pattern=_CODE_RE) for n, c in enumerate(classes)]
            if None in names:
                return None
            if len(set(names)) != len(names):
                self.err(_join(path, "classes"), "等级代码重复")
                return None
            classes = names
        if cuts is not None:
            nums = [self.number(c, f"{path}.cuts[{n}]", what="分界值") for n, c in enumerate(cuts)]
            if None in nums:
                return None
            cuts = nums
        if None in (method, classes, cuts):
            return None
        if len(cuts) != len(classes) - 1:
            self.err(_join(path, "cuts"), f"分界值个数须比等级个数少 1（{len(classes)} 个等级，{len(cuts)} 个分界值）")
            return None
        if method == "percentile":
            if any(not 0 < c < 100 for c in cuts):
                self.err(_join(path, "cuts"), "百分位分界须在 0 与 100 之间")
                return None
            if any(a >= b for a, b in zip(cuts, cuts[1:])):
                self.err(_join(path, "cuts"), "百分位分界须严格递增（如 25、70、95）")
                return None
        elif any(a <= b for a, b in zip(cuts, cuts[1:])):
            self.err(_join(path, "cuts"), "分数线须严格递减（如 90、70、50）")
            return None
        return Classification(method=method, classes=tuple(classes), cuts=tuple(cuts))

    def adjustment(self, value, path):
        d = self.mapping(value, path, ("code", "name", "points", "max_points"), required=("code", "name", "points"))
        if d is None:
            return None
        code = self.text(d.get("code"), _join(path, "code"), max_len=40, pattern=_CODE_RE)
        name = self.text(d.get("name"), _join(path, "name"), max_len=100)
        points = self.number(d.get("points"), _join(path, "points"), nonzero=True, lo=-100, hi=100, what="分值")
        max_points = d.get("max_points")
        if max_points is not None:
            max_points = self.number(max_points, _join(path, "max_points"), positive=True, hi=100, what="累计上限")
            if max_points is None:
                return None
        if None in (code, name, points):
            return None
        return Adjustment(code=code, name=name, points=points, max_points=max_points)

    def policies(self, value, path, classes):
        if not isinstance(value, dict):
            self.err(path, "须为键值映射")
            return {}
        out = {}
        for cls, items in value.items():
            p = f"{path}.{cls}"
            if not isinstance(cls, str) or cls not in classes:
                self.err(p, "不是任何分组的等级")
                continue
            if not isinstance(items, dict):
                self.err(p, "须为键值映射（政策项: 值）")
                continue
            row = {}
            for k, v in items.items():
                if not isinstance(k, str) or not k.strip() or len(k) > 60:
                    self.err(p, f"政策项名称 {k!r} 无效")
                elif isinstance(v, bool) or not isinstance(v, (str, int, float)) or (
                        isinstance(v, float) and not math.isfinite(v)) or (isinstance(v, str) and len(v) > 200):
                    self.err(f"{p}.{k}", "政策值须为文本或数字")
                else:
                    row[k] = v
            out[cls] = row
        return out


def _join(path, key):
    return f"{path}.{key}" if path else str(key)


def load_preset(name):
    """A shipped preset by name (see PRESETS)."""
    if name not in PRESETS:
        raise RulesetError(f"未知的预置规则 {name!r}（可用：{'、'.join(PRESETS)}）")
    return Ruleset.from_yaml((PRESETS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def preset_text(name):
    """The preset's YAML as shipped (with its comments)."""
    if name not in PRESETS:
        raise RulesetError(f"未知的预置规则 {name!r}")
    return (PRESETS_DIR / f"{name}.yaml").read_text(encoding="utf-8")
