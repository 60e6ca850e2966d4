"""Figures read from the text of a public report (pure Python, no Django, no ML).

`extract(text, report_date=None)` returns every figure in the text: metric, value, unit, the
normalised value and unit, period, kind (level | growth | share | count | duration | target),
the sentence it came from and character offsets into the ORIGINAL text (so a page can highlight
it). The rules, and what is deliberately not a figure, are listed in docs/peers.md; in short:

* numbers are Arabic (with thousands separators, full-width digits) or Chinese (三十二, 一千七百,
  十余), optionally with 万/亿 multipliers (1.2万人, 3亿元, 超千万元);
* OCR line breaks inside a number or unit ("38.\\n5 亿元", "1,2\\n34 亩") are joined first;
* a figure needs a unit: years, dates, list markers, ranks (第3位, 前50名), codes and phone
  numbers have none, so they are never figures;
* thresholds ("10亿元以上项目5个", "超1000万美元的企业") qualify the count that follows and are not
  figures themselves; a range ("5-10亿元") is one figure at its lower bound, the range kept in
  `qualifier`;
* a growth rate without a metric of its own ("…38.5亿元,同比增长40.9%") is linked to the level
  before it in the same sentence (`growth_of`) and takes its metric; "同比分别增长 a%和 b%" pairs
  in order with the levels before.
"""
import bisect
import re
from dataclasses import asdict, dataclass

from .engine import BASE_UNITS, COUNT_UNITS, DURATION_UNITS, normalise

# ---- text clean-up keeping a map back to the original offsets --------------------------------

# Traditional → simplified for the characters the rules look at (reprinted reports often are).
_TRAD = str.maketrans("億萬畝個項戶長噸計劃標積總額減佔區開發業產資稅進續達兩餘點頃為爭確據當際實現與較幣團",
                      "亿万亩个项户长吨计划标积总额减占区开发业产资税进续达两余点顷为争确据当际实现与较币团")


def _halfwidth(ch):
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if code in (0x3000, 0xA0):
        return " "
    return ch


_HALF_TABLE = {c: _halfwidth(chr(c)) for c in [*range(0xFF01, 0xFF5F), 0x3000, 0xA0]}
_JOIN_LEFT = set("0123456789.,万亿千百平公美方个")
_JOIN_RIGHT = set("0123456789.亿万千元亩吨%公平方里米顷个家项户人名天年月倍美")
_BREAK = re.compile(r"[ \t]*\n[\s]*")


def clean(text):
    """(cleaned text, offsets) where offsets[i] is the index in `text` of cleaned character i."""
    mapped = text.translate(_HALF_TABLE).translate(_TRAD)
    out, offsets, pos = [], [], 0
    for m in _BREAK.finditer(mapped):
        a, b = m.start(), m.end()
        out.append(mapped[pos:a])
        offsets.extend(range(pos, a))
        left = mapped[a - 1] if a else ""
        right = mapped[b] if b < len(mapped) else ""
        if not (left in _JOIN_LEFT and right in _JOIN_RIGHT and m.group().count("\n") <= 2):
            out.append(mapped[a:b])
            offsets.extend(range(a, b))
        pos = b
    out.append(mapped[pos:])
    offsets.extend(range(pos, len(mapped)))
    return "".join(out), offsets


# ---- numbers ---------------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}


def cn_number(s):
    """Chinese numeral → int: 三十二 → 32, 一千七百 → 1700, 千万 → 10000000, 两 → 2."""
    if len(s) > 1 and all(ch in _CN_DIGITS for ch in s):  # 二〇二三: digit by digit
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    total = section = number = 0
    for ch in s:
        if ch in _CN_DIGITS:
            number = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (number or 1) * _CN_SMALL[ch]
            number = 0
        elif ch == "万":
            total += (section + number or 1) * 10 ** 4
            section = number = 0
        elif ch == "亿":
            total = (total + section + number or 1) * 10 ** 8
            section = number = 0
    return total + section + number


_UNITS = sorted(set(BASE_UNITS) | {"个百分点", "百分点", "万元"}, key=len, reverse=True)
_UNIT_RE = "|".join(re.escape(u) for u in _UNITS if u not in ("万元",))
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?"
_CN = r"[零〇一二两三四五六七八九十百千万亿]+"
FIGURE_RE = re.compile(
    r"(?<![\dA-Za-z.+_/-])"
    r"(?:(?P<num>" + _ARABIC + r")(?:\s*(?P<sep>[-~—–至到])\s*(?P<num2>\d+(?:\.\d+)?))?|(?P<cn>" + _CN + r"))"
    r"(?![A-Za-z])\s*(?P<approx>[余多])?\s*(?P<mult>万亿|千万|百万|亿|万|千|百)?\s*(?P<approx2>[余多])?\s*"
    r"(?P<unit>" + _UNIT_RE + r")"
)

_MULT = {"万亿": 10 ** 12, "千万": 10 ** 7, "百万": 10 ** 6, "亿": 10 ** 8, "万": 10 ** 4, "千": 1000, "百": 100}

# ---- context words ---------------------------------------------------------------------------

_GROWTH_WORDS = re.compile(r"增长|增速|下降|比增|同比|增幅|降幅|减少|回落|提高|提升|上升|收窄|扩大|拉动|高于|低于|"
                           r"下滑|增加|降低|翻")
_DECLINE_WORDS = re.compile(r"下降|减少|回落|下滑|降低|降幅")
_SHARE_WORDS = re.compile(r"占|比重|比例|份额|率")
_TARGET_WORDS = re.compile(r"力争|确保|争取|目标|预期|计划完成|计划实现|计划新增|计划引进|计划招引|力求|要实现|要达到")
_PROGRESS = re.compile(r"(?:目标|计划|任务|进度)的?\s*$")
_THRESHOLD_AFTER = re.compile(
    r"^\s*(?:或\s*[\d.~\-—]+\s*(?:万亿|亿|万|千)?\s*美?元)?\s*(?:及)?以[上下内]的?[\u4e00-\u9fff]"
    r"|^\s*级"
    r"|^\s*(?:或\s*[\d.~\-—]+\s*(?:万亿|亿|万|千)?\s*美?元)?\s*[\u4e00-\u9fff]{0,3}(?:项目|企业)\s*"
    r"(?:\d|[一二两三四五六七八九十])")
_RHETORIC_AFTER = re.compile(r"^[^,，。;；、:：()（）“”\"]{0,6}?(?:指标|特点|方面|举措|措施|行动|任务|要求|原则|工程|"
                             r"工作|战略|体系|机制|理念|目标)")
_APPROX_BEFORE = re.compile(r"(近|约|超过|超|逾|突破|不低于|不少于|高达|达到|达)\s*$")
_APPROX_AFTER = re.compile(r"^\s*(左右|以上|多|余)")
_CLAUSE_DELIMS = set(",，;；。:：、()（）!?！？“”\"《》\n")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_TRAIL = re.compile(r"(?:同比|比上年同期|比上年|较上年同期|较上年|较去年同期|比去年同期|比去年|较去年|分别|均|达到|达|为|约|近|"
                    r"超过|超|逾|突破|增长了|增长|下降了|下降|比增|增速|增幅|降幅|完成了|完成|实现了|实现|累计|共计|共|合计|"
                    r"总计|的|了|有|高达|仅|计|是|在|已|到|至|不低于|不少于|等|\s|-|~)+$")
_LEAD = re.compile(r"^.*(?:实现了|实现|完成了|完成|达到|共有|拥有|其中|预计|全年|今年|以来|同期|季度|半年|月份|月末|月底|"
                   r"年末|年底|年度|\d月|累计|截至|目前|另外|此外|同时|首次|全区|全县|全市|年|用于)")
_LEAD_JUNK = re.compile(r"^(?:[\d.~\-—]|的|和|及|与|并|为|在|共|其中|其|了|将|已|把|对|即|\s)+")
_FOLLOW_NOUN = re.compile(r"^([\u4e00-\u9fffA-Za-z]{2,8}?)(?=[,，。;；、:：()（）]|中|的|在|于|赴|实现|完成|落地|开工|建设|"
                          r"进入|被|将|已|均|为|是|签约|等|获|分别|$)")

# ---- periods ---------------------------------------------------------------------------------

_PERIOD_RE = re.compile(
    r"(?P<year>(?:19|20)\d\d)\s*年(?!代)(?:度)?"
    r"(?:\s*(?:(?P<y_cum>1\s*[-—–~至到]\s*)(?P<y_m>\d{1,2})\s*月份?|(?P<y_half>上半年|下半年|前三季度|第?[一二三四]季度)))?"
    r"|(?P<cum>1\s*[-—–~至到]\s*)(?P<m>\d{1,2})\s*月份?"
    r"|(?P<half>上半年|下半年|前三季度|第?[一二三四]季度)"
    r"|(?P<single>\d{1,2})\s*月(?:当月|份当月)"
    r"|截至\s*(?P<upto>\d{1,2})\s*月(?:末|底)?"
    r"|(?P<rel>全年|今年|去年|上年度)"
)
_HALF = {"上半年": "01~06", "下半年": "07~12", "前三季度": "01~09", "一季度": "Q1", "第一季度": "Q1",
         "二季度": "Q2", "第二季度": "Q2", "三季度": "Q3", "第三季度": "Q3", "四季度": "Q4", "第四季度": "Q4"}


@dataclass
class Figure:
    metric: str
    value: float
    unit: str
    norm_value: float
    norm_unit: str
    period: str
    kind: str
    sentence: str
    start: int  # offsets of the figure (number and unit) in the original text
    end: int
    sentence_start: int
    sentence_end: int
    qualifier: str = ""
    growth_of: int | None = None  # index (in the result list) of the level a growth rate belongs to

    def as_dict(self):
        return asdict(self)


def _number(m):
    if m.group("cn"):
        cn = m.group("cn")
        return float(cn_number(cn)), None
    low = float(m.group("num").replace(",", ""))
    high = float(m.group("num2")) if m.group("num2") else None
    return low, high


def _period_mentions(text, report_year):
    """Sorted list of (position, period string without year or None, year or None)."""
    out = []
    for m in _PERIOD_RE.finditer(text):
        before = text[max(0, m.start() - 2):m.start()]
        g = m.groupdict()
        if g["year"]:
            if re.search(r"[较比同与]$", before) or text[m.end():m.end() + 1] in ("末", "底"):
                continue
            year = int(g["year"])
            part = None
            if g["y_m"]:
                part = f"01~{int(g['y_m']):02d}"
            elif g["y_half"]:
                part = _HALF[g["y_half"]]
            out.append((m.start(), part, year))
        elif g["m"]:
            if 1 <= int(g["m"]) <= 12:
                out.append((m.start(), f"01~{int(g['m']):02d}", None))
        elif g["half"]:
            out.append((m.start(), _HALF[g["half"]], None))
        elif g["single"]:
            out.append((m.start(), f"{int(g['single']):02d}", None))
        elif g["upto"]:
            out.append((m.start(), f"{int(g['upto']):02d}", None))
        elif g["rel"]:
            rel = g["rel"]
            if rel == "去年" and report_year:
                out.append((m.start(), None, report_year - 1))
            elif rel in ("全年", "今年"):
                out.append((m.start(), None, report_year if rel == "今年" else None))
    return out


def _format_period(part, year):
    if part and year:
        return f"{year}-{part}"
    if part:
        return part
    return str(year) if year else ""


def _clause_start(text, pos, floor):
    floor = max(floor, pos - 200)
    i = pos - 1
    while i >= floor and text[i] not in _CLAUSE_DELIMS:
        i -= 1
    return i + 1


def _starts_sentence(text, pos):
    """A period named at the head of a sentence ("1-6月,…") covers the sentences after it."""
    head = text[max(0, pos - 1):pos]
    return (pos == 0 or head in "\n。；;") and bool(re.match(r"[^,，。;；\n]{0,12}[,，:：]", text[pos:pos + 14]))


def _metric_from(pre):
    p = _TRAIL.sub("", pre)
    full = _TRAIL.sub("", _LEAD_JUNK.sub("", p))
    p = _LEAD.sub("", p) if _LEAD.match(p) else p
    p = _TRAIL.sub("", _LEAD_JUNK.sub("", p))
    return (p or full)[-20:]


def extract(text, report_date=None):
    """Every figure in `text` (a list of Figure). `report_date` (a date or 'YYYY-MM-DD') gives the
    year for figures whose sentence names none."""
    if not text:
        return []
    report_year = None
    if report_date:
        try:
            report_year = int(str(report_date)[:4])
        except ValueError:
            report_year = None
    ctext, offsets = clean(text)
    n = len(ctext)

    def orig(i):
        if i >= n:
            return len(text)
        return offsets[i]

    ends = [m.start() for m in _SENTENCE_END.finditer(ctext)]
    paragraphs = [m.start() for m in re.finditer(r"\n", ctext)]
    mentions = _period_mentions(ctext, report_year)
    mention_pos = [m[0] for m in mentions]
    # the year a plain sentence speaks of: the last "YYYY年" mention before it
    carry = [m for m in mentions if m[2] and (m[0] == 0 or ctext[m[0] - 1] in "\n。；;,，、一二三四五六七八九十是")
             and re.match(r"(?:19|20)\d\d\s*年(?:度)?\s*(?:[,，:：]|以来)", ctext[m[0]:m[0] + 12])]
    carry_pos = {m[0] for m in carry}
    year_pos = [m[0] for m in carry]
    year_val = [m[2] for m in carry]

    def sentence_bounds(pos):
        k = bisect.bisect_left(ends, pos)
        s = ends[k - 1] + 1 if k else 0
        e = ends[k] if k < len(ends) else n
        return s, e

    def period_for(pos, s_start):
        k = bisect.bisect_left(mention_pos, pos) - 1
        par = paragraphs[bisect.bisect_left(paragraphs, pos) - 1] + 1 if bisect.bisect_left(paragraphs, pos) else 0
        part = year = None
        j = k
        floor = max(par, s_start - 3000)  # a bounded look back keeps a long paragraph linear
        while j >= 0 and mentions[j][0] >= floor and k - j < 50:  # nearest mention in the same paragraph
            if mentions[j][2] is not None and mentions[j][0] < s_start and mentions[j][0] not in carry_pos:
                j -= 1  # a year named in passing in an earlier sentence does not carry over
                continue
            _, p, y = mentions[j]
            if part is None and p is not None and (mentions[j][0] >= s_start or _starts_sentence(ctext, mentions[j][0])):
                part = p
            if y is not None:
                year = y
                break
            j -= 1
        if year is None:
            ky = bisect.bisect_left(year_pos, pos) - 1
            year = year_val[ky] if ky >= 0 else report_year
        return _format_period(part, year)

    figures, meta = [], []
    for m in FIGURE_RE.finditer(ctext):
        a, b = m.start(), m.end()
        unit_txt = m.group("unit")
        before = ctext[max(0, a - 8):a]
        after = ctext[b:b + 16]
        if before.endswith("第") or (before.endswith("前") and unit_txt in ("名",)):
            continue  # ranks
        cn = m.group("cn")
        if cn:
            if len(cn) == 1 and cn not in "二两三四五六七八九十":
                continue  # 一个 / 万亩 are words, not figures
            if not set(cn) - set("十百千万亿") and cn != "十" and not re.search(r"(?:超|近|逾|超过)$", before):
                continue  # 百亿税收、千亿产值: slogans, not figures (超千万元 is one)
            if unit_txt not in COUNT_UNITS and unit_txt not in DURATION_UNITS and unit_txt not in (
                    "人", "名", "元", "亩", "吨", "美元") and not m.group("mult"):
                continue
        value, high = _number(m)
        mult = m.group("mult") or ""
        unit = "百分点" if unit_txt == "个百分点" else unit_txt
        if unit == "年" and (value >= 200 or after.startswith(("代", "度"))):
            continue  # a year
        if unit in ("年", "个月") and after.startswith("平均"):
            continue  # 两年平均增长: a qualifier of the growth rate
        if unit == "个" and after.startswith(("月", "工作日")):
            continue
        if _THRESHOLD_AFTER.match(after) and unit not in ("%", "百分点", "倍"):
            continue  # 10亿元以上项目5个: a qualifier of the count
        if re.search(r"(?:超过|超|过)\s*$", before) and after.lstrip().startswith("的"):
            continue  # 超1000万美元的企业
        if (unit in COUNT_UNITS or unit in ("名",)) and _RHETORIC_AFTER.match(after):
            continue  # 两项指标, 十项重点工作: the text's own structure
        full_unit = mult + unit if unit not in ("%", "百分点", "倍") else unit
        qual = []
        ap = _APPROX_BEFORE.search(before)
        if ap and ap.group(1) not in ("达", "达到"):
            qual.append(ap.group(1))
        if m.group("approx") or m.group("approx2"):
            qual.append(m.group("approx") or m.group("approx2"))
        aa = _APPROX_AFTER.match(after)
        if aa:
            qual.append(aa.group(1))
        if high is not None:
            qual.append(f"{m.group('num')}{m.group('sep')}{m.group('num2')}{full_unit}")
        s_start, s_end = sentence_bounds(a)
        prev_end = meta[-1]["end"] if meta and meta[-1]["end"] > s_start else s_start
        c_start = max(_clause_start(ctext, a, s_start), prev_end)
        pre = ctext[c_start:a]
        sentence_pre = ctext[max(s_start, a - 300):a]
        # kind
        kind = None
        sign = 1
        if unit in ("%", "百分点", "倍"):
            tail = pre[-12:]
            gw = list(_GROWTH_WORDS.finditer(tail))
            post_growth = re.match(r"^\s*(?:左右)?\s*的?\s*(增长|增幅|增速|下降|降幅)", after)
            prev = meta[-1] if meta and meta[-1]["s_start"] == s_start else None
            if prev and prev["rate"] and re.fullmatch(r"\s*(?:和|及|与|、|,|，)\s*", ctext[prev["end"]:a]) \
                    and figures[-1].kind in ("growth", "share"):
                kind = figures[-1].kind  # 同比分别增长2.2%和9.4%
                sign = -1 if figures[-1].value < 0 else 1
            elif unit == "百分点":
                kind = "growth"
            elif _PROGRESS.search(pre):
                kind = "share"
            elif gw and not re.search(r"占|比重", tail[gw[-1].end():]):
                kind = "growth"
                if unit == "%" and _DECLINE_WORDS.search(tail[gw[-1].start():]) or (
                        unit == "%" and re.search(r"(?:下降|减少|回落|下滑|降低)[^增]*$", tail)):
                    sign = -1
            elif post_growth:
                kind = "growth"
                if post_growth.group(1) in ("下降", "降幅"):
                    sign = -1
            else:
                kind = "share"
        elif unit in DURATION_UNITS:
            kind = "duration"
        elif unit in COUNT_UNITS or unit in ("人", "名", "人次"):
            kind = "count"
        else:
            kind = "level"
        if _TARGET_WORDS.search(sentence_pre) and not _PROGRESS.search(pre) and kind not in ("duration",):
            kind = "target"
        value = value * sign
        norm_value, norm_unit = normalise(value, full_unit, "growth" if kind in ("growth", "target") else kind)
        metric = _metric_from(pre)
        if kind in ("count", "target") and (unit in COUNT_UNITS or unit in ("名", "人")):
            fn = _FOLLOW_NOUN.match(after[len(aa.group(0)) if aa else 0:])
            if fn:  # 27个项目, 选派3名干部: the noun after the measure word names the count
                metric = fn.group(1)
        figures.append(Figure(
            metric=metric, value=value, unit=full_unit, norm_value=round(norm_value, 6), norm_unit=norm_unit,
            period=period_for(a, s_start), kind=kind, sentence=ctext[s_start:s_end].strip(),
            start=orig(a), end=orig(b - 1) + 1, sentence_start=orig(s_start), sentence_end=orig(s_end),
            qualifier="；".join(qual)))
        meta.append({"start": a, "end": b, "s_start": s_start, "pre": pre, "own_metric": bool(metric),
                     "rate": unit in ("%", "百分点", "倍")})
    _link_growth(figures, meta, ctext)
    return figures


def _link_growth(figures, meta, ctext):
    """Give a growth rate / share without its own metric the level before it in the sentence."""
    by_sentence = {}
    for j, m in enumerate(meta):
        by_sentence.setdefault(m["s_start"], []).append(j)
    i = 0
    while i < len(figures):
        f, mt = figures[i], meta[i]
        if f.kind in ("growth", "share", "target") and mt["rate"] and (not mt["own_metric"] or "分别" in mt["pre"]
                                                                       or mt["pre"].lstrip().startswith("占")):
            levels = [j for j in by_sentence[mt["s_start"]] if j < i and not meta[j]["rate"]]
            if "分别" in mt["pre"]:
                run = [i]
                k = i + 1
                while k < len(figures) and meta[k]["rate"] and re.fullmatch(
                        r"\s*(?:和|及|与|、|,|，)\s*", ctext[meta[k - 1]["end"]:meta[k]["start"]]):
                    run.append(k)
                    k += 1
                pairs = zip(levels[-len(run):], run) if len(levels) >= len(run) else []
                for lv, g in pairs:
                    figures[g].growth_of = lv
                    figures[g].metric = figures[lv].metric
                i = k
                continue
            if levels:
                lv = levels[-1]
                f.growth_of = lv
                if mt["pre"].lstrip().startswith("占") and f.kind == "share":
                    f.metric = (figures[lv].metric + f.metric)[-30:]
                elif not mt["own_metric"]:
                    f.metric = figures[lv].metric
        i += 1


def extract_dicts(text, report_date=None):
    return [f.as_dict() for f in extract(text, report_date)]
