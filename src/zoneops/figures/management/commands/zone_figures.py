"""`manage.py zone_figures --zone CODE --period 2023-12 [--recompute] [--format table|json]`:
the period's figures of a zone (value, 同比, target progress), as on the dashboard."""
import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from zoneops.core.models import Zone

from ... import engine, services

STATUS = {"green": "正常", "amber": "预警", "red": "滞后", None: ""}


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width, right=False):
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _num(value, digits=2):
    if value is None:
        return "—"
    text = f"{float(value):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Command(BaseCommand):
    help = "打印开发区某期的指标：数值、同比、当月、目标完成进度"

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True, help="开发区代码")
        parser.add_argument("--period", help="期间，如 2023-12（默认上一个月）")
        parser.add_argument("--recompute", action="store_true", help="先重新计算该年的系统计算指标")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, zone, period, recompute, format, **options):
        found = Zone.objects.filter(code=zone).first()
        if found is None:
            raise CommandError(f"没有代码为“{zone}”的开发区")
        try:
            year, month = engine.parse_period(period) if period else services.default_period()
        except ValueError as e:
            raise CommandError(str(e)) from None
        if recompute:
            stats = services.compute_derived(found, year)
            self.stderr.write(f"已重新计算 {year} 年系统计算指标：新增 {stats['created']}，更新 {stats['updated']}，"
                              f"未变化 {stats['unchanged']}，保留手工填报 {stats['kept']}")
        rows = services.period_table([found.pk], year, month)[found.pk]
        if format == "json":
            out = [{"code": code, **{k: (str(v) if hasattr(v, "normalize") else v) for k, v in r.items()
                                     if k in ("name", "unit", "value", "yoy", "yoy_kind", "month_value", "target",
                                              "progress", "elapsed", "status", "source", "entered_by", "year", "month")}}
                   for code, r in rows.items()]
            self.stdout.write(json.dumps({"zone": found.code, "period": f"{year}-{month:02d}", "rows": out},
                                         ensure_ascii=False, indent=1))
            return
        headers = ["指标", "单位", "数值", "同比", "当月", "目标", "进度/时间", "状态", "来源"]
        table = []
        for code, r in rows.items():
            yoy = "—" if r["yoy"] is None else f"{r['yoy']:+.1f}" + ("pp" if r["yoy_kind"] == "pp" else "%")
            prog = "—" if r["progress"] is None else f"{r['progress']:.1f}%/{r['elapsed']:.0f}%"
            name = r["name"] + (f"（{r['year']}年）" if (r["year"], r["month"]) != (year, month) else "")
            table.append([name, r["unit"], _num(r["value"]), yoy, _num(r["month_value"]), _num(r["target"]), prog,
                          STATUS[r["status"]], r["source_label"]])
        widths = [max(_width(str(x)) for x in col) for col in zip(headers, *table)]
        self.stdout.write(f"{found.name}（{found.code}） {year} 年 {month} 月")
        for i, line in enumerate([headers, *table]):
            self.stdout.write("  ".join(_pad(str(c), w, right=j in (2, 3, 4, 5, 6)) for j, (c, w) in
                                        enumerate(zip(line, widths))).rstrip())
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
