"""The import engine: header matching and per-cell cleaning. Pure Python, no Django.

A kind of import is described by a `Spec` (its `Column`s and the key that must be unique inside a
file). `find_layout` locates the header row among the first rows of a sheet (title rows above it,
a two-row header whose upper row is a merged group label, a units row below it) and maps the
sheet's columns to the spec's columns by tolerant names: NFKC (full-width letters, digits and
brackets), no spaces, unit suffixes such as （万元）/(亩)/单位：万元 recognised and converted.
`Cleaner` turns each data row into a `Row` with cleaned values or per-cell Chinese errors, using
the row number the user sees in Excel.

Parsers are callables `parser(raw) -> value | None` (None = empty cell) that raise `ValueError`
with a Chinese reason. Raw values are what the readers give: str (CSV, text cells), float/int,
bool, datetime.date/datetime (xlsx).
"""
import datetime
import re
import unicodedata
from operator import mul as _mul
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ---------------------------------------------------------------------------------------------
# Text helpers

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Cells that mean "nothing here" in Chinese spreadsheets.
NULL_WORDS = frozenset({"-", "--", "---", "—", "——", "－", "/", "\\", "无", "空", "暂无", "n/a", "na", "null",
                        "none", "nan"})
EXCEL_ERRORS = frozenset({"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA"})
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "汇总", "总合计", "合计数"})


def clean_text(value):
    """One line of text: invisible characters removed, whitespace runs collapsed, trimmed."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = format_number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    value = value.translate(_INVISIBLE)
    return " ".join(value.split())


def fold(value):
    """A matching key: NFKC (full-width → half-width), no whitespace at all, lower case."""
    text = unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE)
    return "".join(text.split()).lower()


def format_number(value):
    """A float from a spreadsheet as the user typed it: 3670.0 → '3670'."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def shorten(value, limit=30):
    text = clean_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excel_column(index):
    """0 → 'A', 25 → 'Z', 26 → 'AA'."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def is_blank(text):
    """Empty, or a placeholder meaning empty (-, 无, N/A …)."""
    return not text or text.lower() in NULL_WORDS


def _blank_or_error(text):
    """None for a placeholder meaning empty; raises for an Excel error value; else the text."""
    if is_blank(text):
        return None
    if text.upper() in EXCEL_ERRORS:
        raise ValueError(f"单元格是 Excel 错误值 {text}，请改为实际数据")
    return text


# ---------------------------------------------------------------------------------------------
# Units

def _d(text):
    return Decimal(text)


# Per family: folded unit name → factor to the canonical unit (the first entry).
UNITS = {
    "money": {"万元": _d(1), "万": _d(1), "元": _d("0.0001"), "人民币元": _d("0.0001"), "千元": _d("0.1"),
              "百万元": _d(100), "亿元": _d(10000), "亿": _d(10000)},
    "area": {"亩": _d(1), "公顷": _d(15), "ha": _d(15), "hm2": _d(15), "平方米": _d("0.0015"), "m2": _d("0.0015"),
             "平米": _d("0.0015"), "万平方米": _d(15), "平方公里": _d(1500), "km2": _d(1500)},
    "power": {"万千瓦时": _d(1), "万度": _d(1), "万kwh": _d(1), "千瓦时": _d("0.0001"), "度": _d("0.0001"),
              "kwh": _d("0.0001"), "兆瓦时": _d("0.1"), "mwh": _d("0.1"), "亿千瓦时": _d(10000), "亿度": _d(10000)},
    "energy": {"吨标煤": _d(1), "吨标准煤": _d(1), "tce": _d(1), "万吨标煤": _d(10000), "万吨标准煤": _d(10000),
               "千克标煤": _d("0.001"), "千克标准煤": _d("0.001"), "kgce": _d("0.001")},
    "mass": {"吨": _d(1), "t": _d(1), "千克": _d("0.001"), "公斤": _d("0.001"), "kg": _d("0.001"),
             "万吨": _d(10000)},
    "people": {"人": _d(1), "名": _d(1)},
    "ratio": {},
}
UNIT_FAMILY = {}
for _family, _units in UNITS.items():
    for _name in _units:
        UNIT_FAMILY.setdefault(_name, _family)
# Longest first, so that 万千瓦时 wins over 千瓦时 and 万元 over 元.
_UNIT_NAMES = sorted(UNIT_FAMILY, key=len, reverse=True)


def canonical_unit(family):
    return next(iter(UNITS[family])) if UNITS.get(family) else ""


def split_unit(text):
    """('1.2', '亿') for '1.2亿'; (text, '') when it ends with no known unit."""
    low = text.lower()
    for name in _UNIT_NAMES:
        if low.endswith(name) and len(low) > len(name):
            return text[: -len(name)], name
    return text, ""


_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")", "｛": "(", "｝": ")",
                           "{": "(", "}": ")", "<": "(", ">": ")", "《": "(", "》": ")"})
_UNIT_LABEL = re.compile(r"\(?单位[:：]?([^()]*)\)?")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_MARKERS = "*※#★☆△▲"


def parse_header(text):
    """(name, [unit candidates]) of a header cell: '营业收入（万元）' → ('营业收入', ['万元'])."""
    t = unicodedata.normalize("NFKC", clean_text(text)).translate(_BRACKETS)
    t = "".join(t.split()).lower()
    units = []
    m = _UNIT_LABEL.search(t)
    if m:
        units.append(m.group(1))
        t = t[: m.start()] + t[m.end():]
    units += _BRACKETED.findall(t)
    t = _BRACKETED.sub("", t).replace("(", "").replace(")", "")
    if "/" in t:
        head, _, tail = t.rpartition("/")
        if tail in UNIT_FAMILY and head:
            units.append(tail)
            t = head
    t = t.strip(_MARKERS + ":：")
    for word in ("必填", "选填", "可选"):
        if t.endswith(word) and len(t) > len(word):
            t = t[: -len(word)]
    return t, [u.strip(_MARKERS) for u in units if u]


# ---------------------------------------------------------------------------------------------
# Parsers

class Parser:
    """Turns one raw cell into a clean value. `bind(factor)` gives the parser for a column whose
    header carries a unit that converts to the canonical unit by `factor`."""

    family = ""  # unit family of the values (money, area, …), "" when unitless
    do_not_call_in_templates = True  # a parser shown in a (Django) template is not called

    def __call__(self, raw):  # pragma: no cover - interface
        raise NotImplementedError

    def bind(self, factor):
        return self

    def describe(self):
        return ""


class TextParser(Parser):
    def __init__(self, max_length, blank_words=True):
        self.max_length = max_length
        self.blank_words = blank_words

    def describe(self):
        return f"文本，最多 {self.max_length} 字"

    def __call__(self, raw):
        if raw is None:
            return None
        text = clean_text(raw)
        if not text:
            return None
        if self.blank_words and text.lower() in NULL_WORDS:
            return None
        if text.upper() in EXCEL_ERRORS:
            raise ValueError(f"单元格是 Excel 错误值 {text}，请改为实际内容")
        if text[0] == "=":
            raise ValueError(f"内容“{shorten(text)}”以“=”开头，像是 Excel 公式，请改为文本")
        if len(text) > self.max_length:
            raise ValueError(f"长度 {len(text)} 个字，超过上限 {self.max_length} 个字")
        return text


class NamesParser(TextParser):
    """Several names in one cell (曾用名): separators normalised to 、, duplicates dropped."""

    SPLIT = re.compile(r"[、,，;；|｜/\n]+")

    def __call__(self, raw):
        text = super().__call__(raw)
        if text is None:
            return None
        names = list(dict.fromkeys(n.strip() for n in self.SPLIT.split(text) if n.strip()))
        joined = "、".join(names)
        if len(joined) > self.max_length:
            raise ValueError(f"长度 {len(joined)} 个字，超过上限 {self.max_length} 个字")
        return joined or None


_SCI = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)
# The shape of a well-formed USCC (GB 32100-2015): 8 digits, then 10 of the 31 code characters.
_USCC_SHAPE = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_fast_ok(text):
    """True when `text` is a compact, valid USCC. Only a fast path in front of
    zoneops.registry.codes.clean_uscc (python-stdnum), which decides every other input; a test
    proves both agree."""
    if len(text) != 18 or not _USCC_SHAPE.fullmatch(text):
        return False
    total = sum(map(_mul, map(_USCC_VALUE.__getitem__, text[:17]), _USCC_WEIGHTS))
    return _USCC_ALPHABET[(31 - total) % 31] == text[17]


class UsccParser(Parser):
    """统一社会信用代码 via zoneops.registry.codes.clean_uscc (memoised: files repeat codes)."""

    def __init__(self):
        from zoneops.registry.codes import clean_uscc

        self._clean = clean_uscc
        self._memo = {}

    def __call__(self, raw):
        if raw is None:
            return None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raise ValueError("统一社会信用代码被 Excel 存成了数字（只保留 15 位有效数字，末几位已丢失），"
                             "请把该列设为“文本”格式后重新填写")
        if not isinstance(raw, str):
            raw = str(raw)
        hit = self._memo.get(raw)
        if hit is not None:
            if isinstance(hit, ValueError):
                raise hit
            return hit
        if uscc_fast_ok(raw):
            return raw
        text = clean_text(raw)
        if is_blank(text):
            return None
        if _SCI.match(text):
            err = ValueError(f"统一社会信用代码“{text}”是科学计数法数字（Excel 把代码当成了数字），"
                             "请把该列设为“文本”格式后重新填写")
        else:
            try:
                code = self._clean(text)
            except ValueError as e:
                err = ValueError(f"{e}（“{shorten(text)}”）")
            else:
                if len(self._memo) < 500_000:
                    self._memo[raw] = code
                return code
        if len(self._memo) < 500_000:
            self._memo[raw] = err
        raise err


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_MONEY_SIGNS = "¥￥$"


class DecimalParser(Parser):
    """A decimal with `places` decimals (rounded half up) and at most `digits` integer digits.

    Accepts numbers stored as text, thousands separators (1,234.5), full-width digits, a unit in
    the value (1.2亿, 500元) and accounting negatives ((12)); '-', '/', '无' mean empty."""

    def __init__(self, family="", places=4, digits=14, min_value=Decimal(0), positive=False, factor=Decimal(1)):
        self.family = family
        self.places = places
        self.quantum = Decimal(1).scaleb(-places)
        self.limit = Decimal(10) ** digits
        self.digits = digits
        self.min_value = min_value
        self.positive = positive
        self.factor = factor
        # Values below `floor` need a closer look (negative, or not above 0 when `positive`).
        self.floor = Decimal("-1e100") if min_value is None else Decimal(min_value)
        if positive:
            self.floor = max(self.floor, Decimal(0))

    def bind(self, factor):
        return DecimalParser(self.family, self.places, self.digits, self.min_value, self.positive, Decimal(factor))

    def describe(self):
        return "数字" + ("，不能为负" if self.min_value is not None and self.min_value >= 0 else "")

    def __call__(self, raw):
        cls = raw.__class__
        factor = self.factor
        if cls is str:
            try:
                value = Decimal(raw)
            except InvalidOperation:
                value, factor = self._slow(raw)
                if value is None:
                    return None
            else:
                if value.is_finite():
                    # The common case, a plain number as text: no rounding or conversion needed.
                    if (factor == 1 and (value > self.floor if self.positive else value >= self.floor)
                            and value.adjusted() < self.digits):
                        dot = raw.rfind(".")
                        if (dot < 0 or dot >= len(raw) - self.places - 1) and "e" not in raw and "E" not in raw:
                            return value  # no more decimals than stored: no rounding needed
                        # Rounded to the stored decimals, so that it compares like a stored value.
                        rounded = value.quantize(self.quantum, rounding=ROUND_HALF_UP)
                        if rounded.adjusted() < self.digits:
                            return rounded
                else:
                    value, factor = self._slow(raw)
                    if value is None:
                        return None
        elif cls is float:
            if raw != raw or raw in (float("inf"), float("-inf")):
                raise ValueError("不是有效的数字")
            value = Decimal(repr(raw))
        elif cls is int:
            value = Decimal(raw)
        elif raw is None:
            return None
        elif cls is bool:
            raise ValueError("应为数字，实际是逻辑值（TRUE/FALSE）")
        elif isinstance(raw, Decimal):
            value = raw
        elif isinstance(raw, (datetime.date, datetime.time, datetime.timedelta)):
            raise ValueError(f"应为数字，实际是日期/时间 {raw}（请把单元格格式改为“数值”）")
        else:
            value, factor = self._slow(str(raw))
            if value is None:
                return None
        if factor != 1:
            value = value * factor
        return self.check(value)

    def check(self, value):
        if self.positive:
            if value <= 0:
                raise ValueError(f"必须大于 0（实际 {value:f}）")
        elif value < self.floor:
            raise ValueError(f"不能为负数（实际 {value:f}）" if self.min_value == 0 else f"不能小于 {self.min_value}")
        try:
            rounded = value.quantize(self.quantum, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            rounded = None
        if rounded is None or rounded.adjusted() >= self.digits:
            shown = f"{value:f}" if value.adjusted() < 20 else f"{value:.3e}"
            raise ValueError(f"数值 {shown} 过大（整数部分超过 {self.digits} 位），请检查单位")
        return rounded

    def _slow(self, raw):
        """(value or None, factor) for text the plain Decimal() refused."""
        text = unicodedata.normalize("NFKC", raw).translate(_INVISIBLE).strip()
        text = _blank_or_error(text)
        if text is None:
            return None, self.factor
        original = text
        text = "".join(text.split())
        negative = text.startswith("(") and text.endswith(")")
        if negative:
            text = text[1:-1]
        if self.family == "money":
            text = text.strip(_MONEY_SIGNS)
        factor = self.factor
        number, unit = split_unit(text)
        if unit:
            family = UNIT_FAMILY[unit]
            if family != self.family:
                raise ValueError(f"“{shorten(original)}”的单位“{unit}”不适用于本列" + self._unit_hint())
            factor = UNITS[family][unit]
            text = number
        if text.endswith("%"):
            raise ValueError(f"“{shorten(original)}”是百分数，本列应填写数值" + self._unit_hint())
        if "," in text:
            if not _THOUSANDS.match(text):
                raise ValueError(f"“{shorten(original)}”的千分位逗号位置不对")
            text = text.replace(",", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{shorten(original)}”不是有效的数字") from None
        if not value.is_finite():
            raise ValueError(f"“{shorten(original)}”不是有效的数字")
        return (-value if negative else value), factor

    def _unit_hint(self):
        unit = canonical_unit(self.family) if self.family else ""
        return f"（单位：{unit}）" if unit else ""


class IntParser(Parser):
    """A whole number (people, …): 1,234 / 1234.0 / '1234人' accepted, 12.5 refused."""

    def __init__(self, min_value=0, max_value=2_147_483_647, family=""):
        self.family = family
        self._decimal = DecimalParser(family=family, places=6, digits=12, min_value=None)
        self.min_value = min_value
        self.max_value = max_value

    def describe(self):
        return "整数"

    def __call__(self, raw):
        if raw.__class__ is str and raw.isdigit() and raw.isascii():
            value = int(raw)
        else:
            number = self._decimal(raw)
            if number is None:
                return None
            if number != number.to_integral_value():
                raise ValueError(f"应为整数（实际 {number.normalize():f}）")
            value = int(number)
        if self.min_value is not None and value < self.min_value:
            raise ValueError(f"不能为负数（实际 {value}）" if self.min_value == 0 else f"不能小于 {self.min_value}")
        if value > self.max_value:
            raise ValueError(f"数值 {value} 过大")
        return value


_YEAR_TEXT = re.compile(r"^(\d{4})(?:\.0+)?(?:年度?)?$")


class YearParser(Parser):
    def __init__(self, min_year, max_year):
        self.min_year = min_year
        self.max_year = max_year

    def describe(self):
        return f"4 位年份，{self.min_year}–{self.max_year}"

    def __call__(self, raw):
        if raw.__class__ is str and len(raw) == 4 and raw.isdigit() and raw.isascii():
            year = int(raw)
            if self.min_year <= year <= self.max_year:
                return year
        if raw is None:
            return None
        if isinstance(raw, bool):
            raise ValueError("年度应为 4 位数字，如 2023")
        if isinstance(raw, (int, float)):
            if raw != int(raw):
                raise ValueError(f"年度应为整数（实际 {format_number(raw)}）")
            year = int(raw)
        elif isinstance(raw, (datetime.date, datetime.datetime)):
            raise ValueError(f"年度被 Excel 识别成了日期 {raw:%Y-%m-%d}，请填写 4 位年份，如 2023")
        else:
            text = _blank_or_error(unicodedata.normalize("NFKC", clean_text(raw)).replace(" ", ""))
            if text is None:
                return None
            m = _YEAR_TEXT.match(text)
            if not m:
                raise ValueError(f"“{shorten(text)}”不是年份，应为 4 位数字，如 2023")
            year = int(m.group(1))
        if not self.min_year <= year <= self.max_year:
            raise ValueError(f"年度 {year} 不合理，应在 {self.min_year}–{self.max_year} 之间")
        return year


EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_PATTERNS = [re.compile(r"^(\d{4})[-/.](\d{1,2})$"), re.compile(r"^(\d{4})年(\d{1,2})月?$")]


class DateParser(Parser):
    """Dates as typed in China: 2023-01-05, 2023/1/5, 2023.1.5, 2023年1月5日, 20230105, an Excel
    serial number (45000) or a real date cell; a month alone (2023年1月, 2023-01) means its 1st day."""

    def __init__(self, earliest=datetime.date(1900, 1, 1), latest=None, label="日期"):
        self.earliest = earliest
        self.latest = latest
        self.label = label

    def describe(self):
        return "日期，如 2023-01-05"

    def __call__(self, raw):
        if raw is None:
            return None
        if isinstance(raw, datetime.datetime):
            value = raw.date()
        elif isinstance(raw, datetime.date):
            value = raw
        elif isinstance(raw, bool):
            raise ValueError("应为日期，如 2023-01-05")
        elif isinstance(raw, (int, float)):
            value = self._from_number(raw)
        else:
            text = _blank_or_error(unicodedata.normalize("NFKC", clean_text(raw)).lower())
            if text is None:
                return None
            value = self._from_text(text)
        if value < self.earliest:
            raise ValueError(f"{self.label} {value:%Y-%m-%d} 早于 {self.earliest:%Y-%m-%d}，不合理")
        if self.latest is not None and value > self.latest:
            raise ValueError(f"{self.label} {value:%Y-%m-%d} 晚于今天，不合理")
        return value

    def _from_number(self, number):
        if number != int(number):
            number = int(number)  # a date-time serial: the day part
        number = int(number)
        if 19000101 <= number <= 29991231:
            return self._from_text(str(number))
        if 1 <= number <= 2_958_465:
            return EXCEL_EPOCH + datetime.timedelta(days=number)
        raise ValueError(f"“{number}”不是日期，应如 2023-01-05")

    def _from_text(self, text):
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                return self._make(text, int(m.group(1)), int(m.group(2)), int(m.group(3)))
        for pattern in _MONTH_PATTERNS:
            m = pattern.match(text)
            if m:
                return self._make(text, int(m.group(1)), int(m.group(2)), 1)
        if re.fullmatch(r"\d{1,7}(\.\d+)?", text):
            return self._from_number(float(text))
        raise ValueError(f"“{shorten(text)}”不是日期，应如 2023-01-05、2023/1/5 或 2023年1月5日")

    @staticmethod
    def _make(text, year, month, day):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise ValueError(f"“{shorten(text)}”不是存在的日期") from None


class ChoiceParser(Parser):
    """One of a few labels: `options` maps each accepted label (any spelling) to its value."""

    def __init__(self, options, shown):
        self.options = {fold(k): v for k, v in options.items()}
        self.shown = shown  # the labels listed in the error message

    def describe(self):
        return "可选：" + "、".join(self.shown)

    def __call__(self, raw):
        if raw is None:
            return None
        if isinstance(raw, bool):
            key = "true" if raw else "false"
        else:
            text = clean_text(raw)
            if not text:
                return None
            key = fold(text)
        try:
            return self.options[key]
        except KeyError:
            pass
        if key in NULL_WORDS and key not in self.options:
            return None
        raise ValueError(f"“{shorten(raw)}”不是可选值（可选：{'、'.join(self.shown)}）")


YES_WORDS = ("是", "Y", "yes", "true", "1", "√", "✓", "✔", "☑", "有", "是的", "对")
NO_WORDS = ("否", "N", "no", "false", "0", "×", "✗", "✘", "☐", "不是", "非")


class BoolParser(ChoiceParser):
    def __init__(self):
        options = {w: True for w in YES_WORDS}
        options.update({w: False for w in NO_WORDS})
        options["1.0"] = True
        options["0.0"] = False
        super().__init__(options, ["是", "否"])

    def __call__(self, raw):
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw in (0, 1):
            return bool(raw)
        return super().__call__(raw)


class LookupParser(Parser):
    """A reference by name or code: `mapping` maps folded text to the value."""

    def __init__(self, mapping, what, hint=""):
        self.mapping = mapping
        self.what = what
        self.hint = hint

    def __call__(self, raw):
        if raw is None:
            return None
        text = clean_text(raw)
        if is_blank(text):
            return None
        value = self.mapping.get(fold(text))
        if value is None:
            raise ValueError(f"没有{self.what}“{shorten(text)}”" + (f"（{self.hint}）" if self.hint else ""))
        if isinstance(value, ValueError):
            raise value
        return value


class ListParser(Parser):
    """Several values in one cell separated by 、 , ； / or line breaks; a tuple, no duplicates."""

    SPLIT = re.compile(r"[、,，;；|｜/\n]+")

    def __init__(self, item):
        self.item = item

    def __call__(self, raw):
        if raw is None:
            return None
        text = clean_text(raw)
        if is_blank(text):
            return None
        values = []
        for part in self.SPLIT.split(text):
            if part.strip():
                value = self.item(part.strip())
                if value is not None and value not in values:
                    values.append(value)
        return tuple(values) or None


class IndustryParser(Parser):
    """A GB/T 4754-2017 小类 code: 3670, C3670, '3670 汽车零部件及配件制造', the 小类 name, or a
    number that lost its leading zero in Excel (111 → 0111). Codes of other levels are refused."""

    def __init__(self, classes, names, other_levels):
        self.classes = classes  # {code: name}
        self.names = names  # {folded name: code}
        self.other_levels = other_levels  # {code: level label} for 门类/大类/中类

    def describe(self):
        return "4 位小类代码"

    def __call__(self, raw):
        if raw is None:
            return None
        numeric = isinstance(raw, (int, float)) and not isinstance(raw, bool)
        text = format_number(raw) if numeric else clean_text(raw)
        if is_blank(text):
            return None
        folded = fold(text)
        m = re.match(r"^([a-t])?(\d{1,4})(?![\d])", folded)
        if m:
            digits = m.group(2)
            code = None
            if digits in self.classes:
                code = digits
            elif len(digits) == 3 and "0" + digits in self.classes and (numeric or digits not in self.other_levels):
                code = "0" + digits
            if code is not None:
                rest = folded[m.end():].strip("()-_:：、,，.。 ")
                name = fold(self.classes[code])
                if rest and rest not in name and name not in rest:
                    raise ValueError(f"代码 {code} 是“{self.classes[code]}”，与填写的名称“{shorten(rest)}”不符")
                return code
            level = self.other_levels.get(digits)
            if level:
                raise ValueError(f"“{digits}”是{level}代码，请填写 4 位小类代码（GB/T 4754-2017）")
            raise ValueError(f"没有国民经济行业小类代码“{digits}”（GB/T 4754-2017）")
        code = self.names.get(folded)
        if code:
            return code
        if folded.upper() in self.other_levels:
            raise ValueError(f"“{text}”是门类代码，请填写 4 位小类代码（GB/T 4754-2017）")
        raise ValueError(f"“{shorten(text)}”不是国民经济行业小类代码或名称（GB/T 4754-2017）")


# ---------------------------------------------------------------------------------------------
# Specs and layout

@dataclass(eq=False)
class Column:
    key: str  # the field it fills
    label: str  # canonical Chinese header, as in the template
    parser: Parser = None  # None: an informational column, recognised but not used
    synonyms: tuple = ()
    required: bool = False  # the column must be present
    needed: bool = False  # every row must have a value
    example: object = ""
    note: str = ""  # explanation in the template and the docs

    @property
    def family(self):
        return getattr(self.parser, "family", "") if self.parser else ""

    @property
    def unit(self):
        return canonical_unit(self.family) if self.family and self.family not in ("people",) else ""

    @property
    def header(self):
        """The header the template writes: label with its unit, e.g. 营业收入（万元）."""
        return f"{self.label}（{self.unit}）" if self.unit else self.label

    def names(self):
        return {parse_header(n)[0] for n in (self.label, *self.synonyms)}


# Headers ignored without a notice: the columns the error report adds, row numbers.
SILENT_HEADERS = frozenset({"序号", "编号", "行号", "错误原因", "原文件行号", "no", "no."})


@dataclass(eq=False)
class Spec:
    kind: str
    label: str  # what one row is, e.g. 企业
    columns: list
    key: tuple = ()  # column keys that identify a row inside a file

    def __post_init__(self):
        self.by_name = {}
        for col in self.columns:
            for name in col.names():
                self.by_name.setdefault(name, col)
        self.by_key = {c.key: c for c in self.columns}

    def match(self, header_text):
        """(column or None, unit candidates) for one header cell."""
        name, units = parse_header(header_text)
        col = self.by_name.get(name)
        if col is None and name:
            stem, unit = split_unit(name)
            if unit and stem in self.by_name:
                col, units = self.by_name[stem], [unit, *units]
        return col, units


@dataclass
class Bound:
    """A sheet column mapped to a spec column."""

    index: int  # position in the row as read
    column: Column
    parser: Parser
    header: str  # the header as the user wrote it
    letter: str  # Excel column letter


@dataclass
class Layout:
    header_line: int = 0  # row number (as in Excel) of the header (its last row if two)
    col_offset: int = 0  # Excel column index of the first cell of each row
    skip: int = 0  # rows of the preview consumed by the header (and units row)
    bound: list = field(default_factory=list)
    headers: list = field(default_factory=list)  # the header text of every column, for reports
    ignored: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # fatal: the file cannot be imported as it is

    @property
    def ok(self):
        return not self.errors and bool(self.bound)

    def present(self):
        return {b.column.key for b in self.bound}


HEADER_SEARCH_ROWS = 12


def _cells(row):
    return [clean_text(c) if c is not None else "" for c in row]


def _score(spec, texts):
    return len({col.key for col in (spec.match(t)[0] for t in texts if t) if col is not None})


def _combine(upper, lower):
    """Header candidates of a two-row header, per column: [(text, group)], best first."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    # A group label merged across columns reaches the columns to its right (CSV loses merges).
    filled, last = [], ""
    for i in range(width):
        if upper[i]:
            last = upper[i]
        elif not lower[i]:
            last = ""
        filled.append(upper[i] or (last if lower[i] else ""))
    combined = []
    for u, lo in zip(filled, lower):
        if lo and u and u != lo:
            combined.append([(lo, u), (u + lo, ""), (u, "")])
        else:
            combined.append([(lo or u, "")])
    return combined


def find_layout(spec, head, col_offset=0, sheet_units=None):
    """Locate the header among `head` ([(line, cells)], the first rows of a sheet) and map columns.

    `sheet_units` may name a unit stated above the table (单位：元) applying to columns without
    their own unit."""
    rows = [(line, _cells(cells)) for line, cells in head[:HEADER_SEARCH_ROWS]]
    best = None  # ((score, preference), rows used, position, candidates)
    for pos, (line, texts) in enumerate(rows):
        single = [[(t, "")] for t in texts]
        score = (_score(spec, texts), 1)
        if score[0] and (best is None or score > best[0]):
            best = (score, 1, pos, single)
        if pos + 1 < len(rows) and any(rows[pos + 1][1]):
            combined = _combine(texts, rows[pos + 1][1])
            picked = [_pick(spec, cands) for cands in combined]
            # A title row merged across the table (one distinct text) loses ties to the header alone;
            # an upper row of group labels wins them (its units apply to the columns below).
            groups = len({t for t in texts if t})
            score2 = (len({c.key for c, *_ in picked if c is not None}), 1 if groups >= 2 else 0)
            if score2[0] and (best is None or score2 > best[0]):
                best = (score2, 2, pos, combined)
    layout = Layout(col_offset=col_offset)
    if best is None:
        wanted = "、".join(c.label for c in spec.columns if c.required)
        layout.errors.append(f"在前 {HEADER_SEARCH_ROWS} 行中没有找到表头：应有“{wanted}”等列名。"
                             f"请确认这是{spec.label}数据，或下载导入模板对照列名。")
        return layout
    _, used, pos, candidates = best
    layout.header_line = rows[pos + used - 1][0]
    layout.skip = pos + used
    if pos:
        layout.notices.append(f"表头在第 {rows[pos][0]} 行，上方的标题行已跳过。")
    if used == 2:
        layout.notices.append(f"表头占两行（第 {rows[pos][0]}–{rows[pos + 1][0]} 行），已合并识别。")
    # A units row right below the header: every filled cell a unit.
    units_row = None
    if layout.skip < len(rows):
        below = rows[layout.skip][1]
        filled = [t for t in below if t]
        if filled and all(_unit_cell(t) for t in filled):
            units_row = [_unit_cell(t) or "" for t in below]
            layout.notices.append(f"第 {rows[layout.skip][0]} 行是单位行，已按其单位换算。")
            layout.skip += 1
    _bind(spec, layout, candidates, col_offset, units_row, sheet_units)
    return layout


def _unit_cell(text):
    """The unit a units-row cell names ('万元', '（亩）', '单位：吨'), or None."""
    t = fold(text).translate(_BRACKETS).strip("()")
    t = t.removeprefix("单位").lstrip(":：")
    return t if t in UNIT_FAMILY else None


def _pick(spec, candidates):
    """(column, units, text) of the first candidate text that names a column."""
    for text, group in candidates:
        col, units = spec.match(text)
        if col is not None:
            if group:
                units = units + parse_header(group)[1]
            return col, units, text
    return None, [], candidates[0][0] if candidates else ""


def _bind(spec, layout, candidates, col_offset, units_row, sheet_units):
    seen = {}
    for index, cands in enumerate(candidates):
        col, units, text = _pick(spec, cands)
        shown = text if text else ""
        layout.headers.append(shown)
        letter = excel_column(index + col_offset)
        if col is None:
            if shown and fold(shown) not in SILENT_HEADERS and parse_header(shown)[0] not in SILENT_HEADERS:
                layout.ignored.append(f"{letter} 列“{shorten(shown, 20)}”")
            continue
        if col.key in seen:
            other = seen[col.key]
            layout.errors.append(f"“{col.label}”列出现了两次（{other.letter} 列“{other.header}”和 {letter} 列"
                                 f"“{shown}”），请删除其中一列。")
            continue
        if units_row is not None and index < len(units_row) and units_row[index]:
            units = [units_row[index], *units]
        parser = col.parser
        if parser is not None and col.family and UNITS.get(col.family):
            factor, unit = _unit_factor(col, units, sheet_units, letter, shown, layout)
            if factor is None:
                continue
            if factor != 1:
                parser = parser.bind(factor)
                layout.notices.append(f"{letter} 列“{shorten(shown, 20)}”的单位是{unit}，已换算为{col.unit}。")
        bound = Bound(index=index, column=col, parser=parser, header=shown, letter=letter)
        seen[col.key] = bound
        layout.bound.append(bound)
    if layout.ignored:
        layout.notices.append("以下列无法识别，已忽略：" + "、".join(layout.ignored) + "。")
    present = {b.column.key for b in layout.bound}
    for col in spec.columns:
        if col.required and col.key not in present:
            names = "、".join(dict.fromkeys([col.label, *col.synonyms[:4]]))
            layout.errors.append(f"缺少必需的列“{col.label}”（可用的列名：{names}）。")


def _unit_factor(col, units, sheet_units, letter, shown, layout):
    """(factor, unit name) for a column's stated unit; (None, None) after recording an error."""
    family = col.family
    for u in units:
        key = fold(u)
        if key in UNITS[family]:
            return UNITS[family][key], u
        if key in UNIT_FAMILY:
            layout.errors.append(f"{letter} 列“{shown}”的单位“{u}”不适用，应为{col.unit}或可换算的单位"
                                 f"（{'、'.join(list(UNITS[family])[:4])}）。")
            return None, None
    if sheet_units and fold(sheet_units) in UNITS[family]:
        return UNITS[family][fold(sheet_units)], sheet_units
    return Decimal(1), col.unit


_SHEET_UNIT = re.compile(r"单位[:：]\s*([^\s,，;；)）]+)")


def sheet_unit(head, header_line):
    """A unit stated in a title row above the header (单位：元), or None."""
    for line, cells in head:
        if line >= header_line:
            break
        for c in cells:
            if isinstance(c, str):
                m = _SHEET_UNIT.search(unicodedata.normalize("NFKC", c))
                if m:
                    return m.group(1)
    return None


# ---------------------------------------------------------------------------------------------
# Rows

def _blank(cells):
    for c in cells:
        if c is not None and c != "" and (c.__class__ is not str or c.strip()):
            return False
    return True


@dataclass(slots=True)
class Row:
    line: int  # the row number the user sees in Excel
    raw: list  # the cells as read
    values: dict = field(default_factory=dict)  # column key → clean value (absent: empty cell)
    errors: list = field(default_factory=list)  # [(column index or None, header, reason)]

    @property
    def ok(self):
        return not self.errors

    def add_error(self, bound, reason):
        if bound is None:
            self.errors.append((None, "", reason))
        else:
            self.errors.append((bound.index, bound.column.label, reason))

    def reasons(self):
        return "；".join(reason_text(h, r) for _, h, r in self.errors)


def reason_text(label, reason):
    """'营业收入：不能为负数', without repeating a label the reason already starts with."""
    return f"{label}：{reason}" if label and not reason.startswith(label) else reason


class Cleaner:
    """Cleans data rows: per-cell parsing, needed values, duplicate keys inside the file."""

    def __init__(self, spec, layout):
        self.spec = spec
        self.layout = layout
        self.plan = [(b.index, b.column.key, b.parser, b.column.label) for b in layout.bound if b.parser is not None]
        self.needed = [b for b in layout.bound if b.column.needed]
        self.key_bounds = [next(b for b in layout.bound if b.column.key == k) for k in spec.key
                           if any(b.column.key == k for b in layout.bound)]
        self.seen = {}
        self.blank_rows = 0
        self.total_rows = []  # lines skipped as 合计 rows
        self.rows = 0

    def clean(self, rows):
        """Yields a Row for every non-blank data row of `rows` ([(line, cells)])."""
        plan, needed = self.plan, self.needed
        key_names = tuple(self.spec.key)
        key_full = len(self.key_bounds) == len(key_names) and key_names
        first_key = key_names[0] if key_names else None
        seen = self.seen
        for line, cells in rows:
            n = len(cells)
            values = {}
            errors = []
            for index, key, parser, label in plan:
                if index >= n:
                    continue
                raw = cells[index]
                if raw is None or raw == "":
                    continue
                try:
                    value = parser(raw)
                except ValueError as e:
                    errors.append((index, label, str(e)))
                    continue
                if value is not None:
                    values[key] = value
            if not values and not errors and _blank(cells):
                self.blank_rows += 1
                continue
            row = Row(line, cells, values, errors)
            if (errors or first_key not in values) and self._is_total(row):
                self.total_rows.append(line)
                continue
            for bound in needed:
                if bound.column.key not in values and not any(e[0] == bound.index for e in errors):
                    errors.append((bound.index, bound.column.label, f"{bound.column.label}不能为空"))
            if key_full:
                try:
                    key = tuple([values[k] for k in key_names])
                except KeyError:
                    key = None
                if key is not None:
                    first = seen.get(key)
                    if first is None:
                        seen[key] = line
                    else:
                        what = " + ".join(b.column.label for b in self.key_bounds)
                        b = self.key_bounds[0]
                        errors.append((b.index, b.column.label, f"与第 {first} 行重复（{what}相同）"))
            self.rows += 1
            yield row

    def _is_total(self, row):
        """A 合计/总计 row under the table: a total word in one of its first cells."""
        for cell in row.raw[:4]:
            if isinstance(cell, str) and "".join(cell.split()) in TOTAL_WORDS:
                return True
        return False

    def notices(self):
        out = []
        if self.total_rows:
            lines = "、".join(str(n) for n in self.total_rows[:5]) + ("等" if len(self.total_rows) > 5 else "")
            out.append(f"第 {lines} 行是合计行，已跳过。")
        return out


def changed_fields(before, after, keys):
    """The keys among `keys` whose value differs between two dicts."""
    return [k for k in keys if before.get(k) != after.get(k)]
