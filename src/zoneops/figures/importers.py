"""Import kind `indicator_values` (指标数值): the monthly figures departments send in Excel.

One row is one value: 指标代码 or 指标名称 (either; the code wins when both are given), 年份, 月份
(annual indicators: 12 or empty), 数值 in the indicator's unit (no unit conversion: one column holds
values of different units, so a unit in the header or the cell is refused rather than guessed),
备注. A row is matched in the batch's zone by indicator + year + month: an existing value is
updated (source 表格导入, who imported it). System-computed indicators cannot be imported.
"""
from zoneops.core.importing.engine import Column, DecimalParser, Parser, TextParser, YearParser, fold
from zoneops.core.importing.importer import Importer, chunked, register
from zoneops.registry.importers import zone_column

from .models import Indicator, IndicatorValue, ValueSource
from .services import check_value


class MonthParser(Parser):
    """1–12; '7月', '07', 7.0 accepted."""

    def describe(self):
        return "1–12 的整数"

    def __call__(self, raw):
        if raw is None:
            return None
        if isinstance(raw, bool):
            raise ValueError("月份应为 1–12 的整数")
        text = str(raw).strip().removesuffix("月").removesuffix("份")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"月份“{text[:20]}”应为 1–12 的整数") from None
        if number != int(number) or not 1 <= number <= 12:
            raise ValueError(f"月份“{text[:20]}”应为 1–12 的整数")
        return int(number)


@register
class IndicatorValueImporter(Importer):
    kind = "indicator_values"
    model = IndicatorValue
    label = "指标数值"
    title = "指标数值"
    key = ("indicator", "year", "month")
    fields = {"indicator": "indicator_id", "year": "year", "month": "month", "value": "value", "note": "note"}
    derived = ("source", "entered_by_id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = {i.pk: i for i in Indicator.objects.all()}

    def columns(self):
        return [
            Column("code", "指标代码", TextParser(48), ("代码", "指标编码"), example="fixed_investment",
                   note="指标目录中的代码；与指标名称填写其一"),
            Column("name", "指标名称", TextParser(100), ("指标", "指标项", "项目"), example="固定资产投资",
                   note="指标目录中的名称；与指标代码填写其一"),
            Column("year", "年份", YearParser(1990, 2100), ("年度", "年"), required=True, needed=True, example=2024,
                   note="4 位年份"),
            Column("month", "月份", MonthParser(), ("月", "月度"), example=7,
                   note="1–12；累计指标填截至该月的累计数；年度指标填 12 或留空"),
            Column("value", "数值", DecimalParser(places=4, digits=16, min_value=None), ("本期数", "本月累计", "累计数",
                                                                                         "指标值", "值"),
                   required=True, needed=True, example=385000, note="按指标目录中的单位填写（如 万元），不做单位换算"),
            Column("note", "备注", TextParser(200), ("说明",)),
            zone_column(self.zone),
        ]

    def resolve(self, rows, present):
        by_code = {i.code.lower(): i for i in self.indicators.values()}
        by_name = {fold(i.name): i for i in self.indicators.values()}
        for r in rows:
            v = r.values
            code, name = v.pop("code", None), v.pop("name", None)
            ind = None
            if code:
                ind = by_code.get(code.strip().lower())
                if ind is None:
                    r.add_error(self.bound("code"), f"指标目录中没有代码为“{code[:48]}”的指标")
                    continue
            elif name:
                ind = by_name.get(fold(name))
                if ind is None:
                    r.add_error(self.bound("name"), f"指标目录中没有名为“{name[:50]}”的指标（请核对名称或改填指标代码）")
                    continue
            else:
                r.add_error(self.bound("code") or self.bound("name"), "请填写指标代码或指标名称")
                continue
            if ind.formula:
                r.add_error(self.bound("code") or self.bound("name"),
                            f"“{ind.name}”为系统计算指标，由系统按计算口径生成，不能导入")
                continue
            month = v.get("month")
            if month is None:
                if ind.frequency == "annual":
                    v["month"] = 12
                else:
                    r.add_error(self.bound("month"), f"“{ind.name}”是月度指标，请填写月份")
                    continue
            problem = check_value(ind, v["year"], v["month"], v.get("value"))
            if problem:
                r.add_error(self.bound("month") if "月份" in problem else self.bound("value"), problem)
                continue
            v["indicator"] = ind.pk

    def row_key(self, row):
        return (row.values["indicator"], row.values["year"], row.values["month"])

    def existing(self, rows):
        keys = {self.row_key(r) for r in rows}
        found = {}
        years = sorted({k[1] for k in keys})
        for chunk in chunked(sorted({k[0] for k in keys})):
            for v in IndicatorValue.objects.filter(zone=self.zone, indicator_id__in=chunk, year__in=years).order_by(
                    ).values(*self.value_names):
                key = (v["indicator_id"], v["year"], v["month"])
                if key in keys:
                    found[key] = v
        return found

    def adjust(self, change, present):
        change.values["source"] = ValueSource.IMPORTED
        user = self.user if getattr(self.user, "is_authenticated", False) else None
        change.values["entered_by_id"] = user.pk if user else None

    def object_repr(self, values):
        ind = self.indicators.get(values["indicator_id"])
        return f"{ind.name if ind else ''} {values['year']}-{values['month']:02d}".strip()
