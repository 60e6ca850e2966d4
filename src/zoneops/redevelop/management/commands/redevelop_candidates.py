"""Print a zone's 低效用地 candidates: manage.py redevelop_candidates --zone CODE [--year 2024] [--csv]."""
import csv

from django.core.management.base import BaseCommand, CommandError

from zoneops.core.models import Zone

from ... import services


class Command(BaseCommand):
    help = "按开发区的识别规则列出低效用地候选地块（面积、使用企业、等级、亩均税收、容积率、理由）。"

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True, help="开发区代码")
        parser.add_argument("--year", type=int, help="亩均评价年度（默认最新）")
        parser.add_argument("--csv", action="store_true", help="以 CSV 输出")

    def handle(self, *args, zone, year=None, csv=False, **options):
        z = Zone.objects.filter(code=zone).first()
        if z is None:
            raise CommandError(f"没有代码为“{zone}”的开发区。")
        if year is not None and not (1990 <= year <= 2100):
            raise CommandError(f"年度 {year} 不在 1990–2100 之间。")
        rows = services.candidates(None, services.CandidateQuery(zone_id=z.pk, year=year), all_zones=True)
        header = ["地块编号", "面积（亩）", "状态", "使用企业", "等级", "亩均税收（万元/亩）", "容积率", "理由"]
        data = [[r.code, f"{r.area_mu:.2f}", r.status, r.holder_name, r.holder_class,
                 "" if r.tax_per_mu is None else f"{r.tax_per_mu:.2f}", "" if r.far is None else f"{r.far:.2f}",
                 "；".join(r.reasons)] for r in rows]
        if csv:
            writer = _csv_writer(self.stdout)
            writer.writerow(header)
            writer.writerows(data)
            return
        self.stdout.write("\t".join(header))
        for row in data:
            self.stdout.write("\t".join(row))
        totals = services.candidate_totals(rows)
        self.stdout.write(f"合计 {totals['parcels']} 宗，{totals['area_mu']:.2f} 亩（{z.name}）")


def _csv_writer(stream):
    return csv.writer(stream)
