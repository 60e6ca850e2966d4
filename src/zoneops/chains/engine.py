"""Pure computation of the chains app (no Django): the firm → segment matcher, segment strength
and gap classes, chain health and candidate ranking.

The matcher
-----------
    m = Matcher([ChainSpec(key, name, [SegmentSpec(key, name, stage, parent, codes, keywords, excludes)])])
    m.match(name, former_names, industry_code, business_scope) -> [Match(chain, segment, confidence, evidence)]

Evidence and weights (documented in docs/chains.md):
- industry code: a segment listing the firm's 小类 (4 digits) gets 0.60, its 中类 0.45, its 大类 0.30,
  divided by √n when n segments of the same chain list the same code (a code such as 3670 汽车零部件
  says "in this chain", not which segment);
- a keyword in the firm's name (or a former name): 0.40 / 0.50 / 0.60 for 2 / 3 / ≥4 characters; in
  the business scope 0.30 / 0.40 / 0.50; +0.15 when the firm's code already belongs to the chain;
  × 0.4 when the clause only trades the product (销售、批发 … without 制造、生产 …);
- a keyword is dropped when one of the segment's exclude words is in the same clause (or name);
- scanning is leftmost-longest (锂电池回收 wins over 锂电池), pieces combine as 1 − Π(1 − w);
- a segment is kept at ≥ `threshold` (0.5) and ≥ 0.6 × the best segment of its chain, at most 3 per
  chain; an ancestor is dropped when a descendant matched.
Business scopes are written from a standard list of phrases (经营范围规范表述), so clause results are
memoised: a million firms share a few thousand distinct clauses.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

SPLIT_RE = re.compile(r"[、，,;；\s/|]+")
CLAUSE_RE = re.compile(r"[；;。，,、\n：:（）()\[\]【】]+")
COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "厂")
TRADE_WORDS = ("销售", "批发", "零售", "进出口", "代理", "贸易", "经销", "租赁", "维修", "修理", "技术服务",
               "咨询", "信息服务", "中介")
CONJUNCTIONS = "及和与或等"
# A keyword naming an activity takes the preceding keyword as its object (废铝分拣, 铝合金压铸):
# both stay.
PROCESS_WORDS = ("制造", "生产", "加工", "回收", "拆解", "分拣", "分选", "破碎", "打包", "剪切", "压块", "剥线",
                 "压铸", "冲压", "电镀", "喷涂", "抛光", "热处理", "冶炼", "铸造", "锻造", "检测", "维修", "销售")
MAKE_WORDS = ("制造", "生产", "加工", "研发", "研制", "组装", "装配", "铸造", "锻造", "冶炼", "熔炼", "拆解",
              "回收", "设计", "开发")

CODE_WEIGHT = {4: 0.60, 3: 0.45, 2: 0.30}
NAME_WEIGHT = {2: 0.40, 3: 0.50}
NAME_WEIGHT_LONG = 0.60
SCOPE_WEIGHT = {2: 0.30, 3: 0.40}
SCOPE_WEIGHT_LONG = 0.50
CHAIN_SUPPORT = 0.15
TRADE_FACTOR = 0.4
THRESHOLD = 0.5
RELATIVE = 0.6
CROSS = 0.7
MAX_PER_CHAIN = 3
_CACHE_LIMIT = 300_000


def split_words(text):
    """Words of a 、-separated list (also commas, semicolons, spaces), without duplicates."""
    if not text:
        return []
    if isinstance(text, (list, tuple)):
        text = "、".join(str(t) for t in text)
    return list(dict.fromkeys(w.strip() for w in SPLIT_RE.split(str(text)) if w.strip()))


@dataclass
class SegmentSpec:
    key: object
    name: str
    stage: str = "mid"
    parent: object = None
    codes: tuple = ()
    keywords: tuple = ()
    excludes: tuple = ()


@dataclass
class ChainSpec:
    key: object
    name: str
    segments: list = field(default_factory=list)


@dataclass
class Match:
    chain: object
    segment: object
    confidence: float
    evidence: str


def _kw_weight(word, table, long_weight):
    return table.get(len(word), long_weight if len(word) >= 4 else table[2])


class Matcher:
    def __init__(self, chains, threshold=THRESHOLD):
        self.threshold = threshold
        self.seg_chain, self.seg_key, self.seg_name, self.seg_excl, self.seg_ancestors = [], [], [], [], []
        self.chain_keys = []
        kw_index, code_index, code_chains, pending_codes = {}, {}, {}, []
        for ci, chain in enumerate(chains):
            self.chain_keys.append(chain.key)
            by_key = {}
            code_count = {}
            for seg in chain.segments:
                idx = len(self.seg_key)
                by_key[seg.key] = idx
                self.seg_chain.append(ci)
                self.seg_key.append(seg.key)
                self.seg_name.append(seg.name)
                self.seg_excl.append(tuple(w.upper() for w in seg.excludes if w))
                for word in seg.keywords:
                    word = word.upper()  # text is upper-cased too: pack = PACK
                    if len(word) >= 2:
                        kw_index.setdefault(word, []).append(idx)
                for code in seg.codes:
                    code_count[code] = code_count.get(code, 0) + 1
            for code in code_count:
                code_chains[code] = code_chains.get(code, 0) + 1
            pending_codes.append((chain, by_key, code_count))
            for seg in chain.segments:
                idx = by_key[seg.key]
                anc, parent = [], seg.parent
                while parent is not None and parent in by_key and len(anc) < 10:
                    anc.append(by_key[parent])
                    parent = chain.segments[_position(chain.segments, parent)].parent
                self.seg_ancestors.append(tuple(anc))
        # A code listed by several segments (or several chains) says less about any one of them.
        for chain, by_key, code_count in pending_codes:
            for seg in chain.segments:
                idx = by_key[seg.key]
                for code in seg.codes:
                    w = CODE_WEIGHT.get(len(code))
                    if w:
                        share = math.sqrt(code_count[code] * code_chains[code])
                        code_index.setdefault(code, []).append((idx, w / share))
        self.kw = {w: tuple(v) for w, v in kw_index.items()}
        lengths = {}
        for w in self.kw:
            lengths.setdefault(w[0], set()).add(len(w))
        self.first = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}
        self.codes = {c: tuple(v) for c, v in code_index.items()}
        self.n_segments = len(self.seg_key)
        self._clauses = {}

    # -- scanning ------------------------------------------------------------------------------
    def scan(self, text):
        """[(keyword, segment indexes)] found leftmost-longest in `text`, without modifiers: in a
        compound such as 锂离子电池负极材料 the head is the last word (负极材料), so a keyword
        followed at once (at most one character between, not a conjunction) by another is dropped."""
        kw, first = self.kw, self.first
        out, i, n = [], 0, len(text)
        last_end = -10
        while i < n:
            lengths = first.get(text[i])
            if lengths is not None:
                for length in lengths:
                    word = text[i:i + length]
                    segs = kw.get(word)
                    if segs is not None:
                        if (out and i - last_end <= 1 and not (i - last_end == 1 and text[last_end] in CONJUNCTIONS)
                                and not any(p in word for p in PROCESS_WORDS)):
                            out.pop()
                        out.append((word, segs))
                        i += length
                        last_end = i
                        break
                else:
                    i += 1
            else:
                i += 1
        return out

    def _clause_hits(self, clause):
        """Hits of one business-scope clause: ((segment, keyword, weight, trade_only), …), memoised."""
        hit = self._clauses.get(clause)
        if hit is not None:
            return hit
        found = self.scan(clause)
        result = []
        if found:
            trade = any(t in clause for t in TRADE_WORDS) and not any(m in clause for m in MAKE_WORDS)
            for word, segs in found:
                w = _kw_weight(word, SCOPE_WEIGHT, SCOPE_WEIGHT_LONG)
                trade_word = any(t in word for t in TRADE_WORDS)
                damp = trade and not trade_word
                for s in segs:
                    excl = self.seg_excl[s]
                    if excl and any(x in clause for x in excl):
                        continue
                    result.append((s, word, w * TRADE_FACTOR if damp else w, damp, trade_word))
        result = tuple(result)
        if len(self._clauses) > _CACHE_LIMIT:
            self._clauses.clear()
        self._clauses[clause] = result
        return result

    def _name_hits(self, name, factor=1.0):
        core = name
        for suffix in COMPANY_SUFFIXES:
            if core.endswith(suffix):
                core = core[: -len(suffix)]
                break
        out = []
        for word, segs in self.scan(core):
            w = _kw_weight(word, NAME_WEIGHT, NAME_WEIGHT_LONG) * factor
            for s in segs:
                excl = self.seg_excl[s]
                if excl and any(x in core for x in excl):
                    continue
                out.append((s, word, w))
        return out

    # -- matching ------------------------------------------------------------------------------
    def match(self, name="", former_names="", code="", scope=""):
        # segment -> [(weight, evidence)]
        pieces = {}
        chains_with_code = set()
        name, former_names, scope = name.upper(), former_names.upper(), scope.upper()
        if code:
            for level, part in ((4, code[:4]), (3, code[:3]), (2, code[:2])):
                if len(part) != level:
                    continue
                for s, w in self.codes.get(part, ()):
                    pieces.setdefault(s, {})[f"行业代码{part}"] = w
                    chains_with_code.add(self.seg_chain[s])
        traded, makers = set(), set()  # trading keywords (五金产品批发 …); chains with other evidence
        if name:
            for s, word, w in self._name_hits(name):
                if any(t in word for t in TRADE_WORDS):
                    traded.add((s, f"名称“{word}”"))
                else:
                    makers.add(self.seg_chain[s])
                _add(pieces, s, f"名称“{word}”", w, self.seg_chain[s] in chains_with_code)
        if former_names:
            for former in split_words(former_names):
                for s, word, w in self._name_hits(former, 0.8):
                    _add(pieces, s, f"曾用名“{word}”", w, self.seg_chain[s] in chains_with_code)
        if scope:
            for clause in CLAUSE_RE.split(scope):
                if len(clause) < 2:
                    continue
                for s, word, w, damp, trade_word in self._clause_hits(clause):
                    label = f"经营范围“{word}”（仅销售）" if damp else f"经营范围“{word}”"
                    if trade_word:
                        traded.add((s, label))
                    else:
                        makers.add(self.seg_chain[s])
                    _add(pieces, s, label, w, self.seg_chain[s] in chains_with_code)
        if not pieces:
            return []
        # A manufacturer's side line (…；五金产品批发) is no trading firm: trade keywords count less for
        # a firm with other evidence or a manufacturing code (GB/T 4754 门类 C: 大类 13–43).
        manufacturer = bool(code) and "13" <= code[:2] <= "43"
        for s, label in traded:
            c = self.seg_chain[s]
            own_code = any(k.startswith("行业代码") for k in pieces[s])
            if makers or manufacturer or (c in chains_with_code and not own_code):
                pieces[s][label] *= TRADE_FACTOR
        scored = {}
        for s, ev in pieces.items():
            miss = 1.0
            for w in ev.values():
                miss *= 1.0 - min(w, 0.95)
            conf = 1.0 - miss
            if conf >= self.threshold:
                scored[s] = (conf, ev)
        if not scored:
            return []
        # An ancestor is redundant next to a matched descendant.
        for s in list(scored):
            for a in self.seg_ancestors[s]:
                scored.pop(a, None)
        best = {}
        for s, (conf, _ev) in scored.items():
            c = self.seg_chain[s]
            if conf > best.get(c, 0):
                best[c] = conf
        # A firm belongs to the chain(s) where its evidence is strongest; a much weaker match in
        # another chain stays only with a specific keyword (≥ 3 characters) of its own.
        top = max(best.values())
        keep = {c for c, b in best.items() if b >= CROSS * top}
        for s, (conf, ev) in scored.items():
            c = self.seg_chain[s]
            if c not in keep and any(len(_word(k)) >= 3 for k in ev):
                keep.add(c)
        out, per_chain = [], {}
        for s, (conf, ev) in sorted(scored.items(), key=lambda kv: -kv[1][0]):
            c = self.seg_chain[s]
            if c not in keep or conf < RELATIVE * best[c] or per_chain.get(c, 0) >= MAX_PER_CHAIN:
                continue
            per_chain[c] = per_chain.get(c, 0) + 1
            evidence = "；".join(k for k, _w in sorted(ev.items(), key=lambda kv: -kv[1]))[:500]
            out.append(Match(self.chain_keys[c], self.seg_key[s], round(conf, 3), evidence))
        return out


def _word(label):
    """The keyword of an evidence label (名称“汽配” → 汽配); '' for a code."""
    start = label.find("“")
    return label[start + 1:label.find("”", start)] if start >= 0 else ""


def _position(segments, key):
    for i, s in enumerate(segments):
        if s.key == key:
            return i
    raise KeyError(key)


def _add(pieces, s, label, w, supported):
    if supported:
        w += CHAIN_SUPPORT
    ev = pieces.setdefault(s, {})
    if ev.get(label, 0) < w:
        ev[label] = w


# --------------------------------------------------------------------------------------------
# Strength, gaps, health
# --------------------------------------------------------------------------------------------

DEFAULT_THRESHOLDS = {
    # A segment reaching a target scores the full weight of that measure (0–100 in total).
    "targets": {"firms": 10, "above": 3, "revenue": 50_000, "tax": 2_000},  # revenue, tax: 万元
    "weights": {"firms": 25, "above": 25, "revenue": 30, "tax": 10, "growth": 10},
    "weak": 30,  # score below: 薄弱
    "strong": 70,  # score from: 强
}


def clean_thresholds(value):
    """The thresholds with defaults filled in; ValueError (Chinese) for bad values."""
    if value in (None, ""):
        value = {}
    if not isinstance(value, dict):
        raise ValueError("阈值应为 JSON 对象，如 {\"weak\": 30, \"strong\": 70}")
    out = {"targets": dict(DEFAULT_THRESHOLDS["targets"]), "weights": dict(DEFAULT_THRESHOLDS["weights"]),
           "weak": DEFAULT_THRESHOLDS["weak"], "strong": DEFAULT_THRESHOLDS["strong"]}
    unknown = set(value) - set(out)
    if unknown:
        raise ValueError(f"未知的阈值项：{'、'.join(sorted(unknown))}（可用 targets、weights、weak、strong）")
    for group in ("targets", "weights"):
        given = value.get(group, {}) or {}
        if not isinstance(given, dict):
            raise ValueError(f"{group} 应为对象")
        for k, v in given.items():
            if k not in out[group]:
                raise ValueError(f"{group} 中未知的项：{k}")
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0 or (group == "targets" and v == 0):
                raise ValueError(f"{group}.{k} 应为{'正' if group == 'targets' else '非负'}数")
            out[group][k] = v
    for k in ("weak", "strong"):
        if k in value:
            v = value[k]
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 100:
                raise ValueError(f"{k} 应为 0–100 之间的数")
            out[k] = v
    if out["weak"] > out["strong"]:
        raise ValueError("weak（薄弱线）不能高于 strong（强势线）")
    return out


@dataclass
class SegmentStats:
    firms: int = 0
    above: int = 0
    revenue: float = 0.0
    revenue_prev: float = 0.0
    tax: float = 0.0
    leaders: int = 0

    @property
    def growth(self):
        """Revenue growth against the year before, over firms with both years (None without data)."""
        if self.revenue_prev <= 0:
            return None
        return self.revenue / self.revenue_prev - 1


CLASS_MISSING, CLASS_WEAK, CLASS_FAIR, CLASS_STRONG = "缺失", "薄弱", "一般", "强"
FILL, STRENGTHEN, EXTEND = "补链", "强链", "延链"
SEVERITY = {CLASS_MISSING: 1.0, CLASS_WEAK: 0.7, CLASS_FAIR: 0.35, CLASS_STRONG: 0.0}


def strength(stats, thresholds):
    """(score 0–100, class) of one segment."""
    if stats.firms == 0:
        return 0.0, CLASS_MISSING
    t, w = thresholds["targets"], thresholds["weights"]
    score = 0.0
    for key in ("firms", "above", "revenue", "tax"):
        score += w[key] * min(1.0, getattr(stats, key) / t[key])
    g = stats.growth
    if g is not None:
        score += w["growth"] * min(1.0, max(0.0, (g + 0.05) / 0.20))  # −5 % → 0, +15 % → full
    total = sum(w.values()) or 1
    score = round(100 * score / total, 1)
    if score < thresholds["weak"]:
        return score, CLASS_WEAK
    if score < thresholds["strong"]:
        return score, CLASS_FAIR
    return score, CLASS_STRONG


def recommendation(klass, stage_has_firms):
    """补链 for a hole in a stage the zone already has, 延链 for a stage it lacks, 强链 for thin ones."""
    if klass == CLASS_MISSING:
        return FILL if stage_has_firms else EXTEND
    if klass in (CLASS_WEAK, CLASS_FAIR):
        return STRENGTHEN
    return ""


def concentration(revenues):
    """(HHI 0–10,000, top-3 share 0–1) of firm revenues."""
    vals = [v for v in revenues if v and v > 0]
    total = sum(vals)
    if not total:
        return None, None
    hhi = sum((v / total * 100) ** 2 for v in vals)
    top3 = sum(sorted(vals, reverse=True)[:3]) / total
    return round(hhi, 1), round(top3, 4)


def hhi_from_sums(sum_sq, total):
    """HHI from Σr² and Σr (computed in SQL)."""
    if not total:
        return None
    return round(10_000 * sum_sq / (total * total), 1)


def candidate_score(fit, revenue, severity, listed=False):
    """Rank of a candidate for a gap: fit × size × severity, each 0–1 (size on a log scale:
    1 亿元 revenue → 0.5, 100 亿元 → 1)."""
    size = 0.3
    if revenue and revenue > 0:
        size = min(1.0, max(0.1, 0.5 + 0.25 * math.log10(revenue / 10_000)))
    if listed:
        size = min(1.0, size + 0.1)
    return round(fit * size * severity, 4), size


def candidate_reasons(fit_evidence, revenue, listed, klass, segment_name):
    reasons = [f"匹配“{segment_name}”：{fit_evidence}" if fit_evidence else f"匹配“{segment_name}”"]
    if revenue:
        reasons.append(f"营收 {revenue / 10_000:.1f} 亿元")
    if listed:
        reasons.append("上市公司")
    reasons.append(f"本地该环节{klass}")
    return reasons
