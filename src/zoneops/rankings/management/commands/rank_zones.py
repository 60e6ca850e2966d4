"""`manage.py rank_zones --scheme ID --period 2024-06`: compute and store one period's ranking
(and the previous period's when it has none, for the movement column), then print the table."""
from django.core.management.base import BaseCommand, CommandError

from zoneops.rankings import engine, services
from zoneops.rankings.models import RankingScheme


class Command(BaseCommand):
    help = "计算并保存赛马方案某一期的排名，并打印排名表。"

    def add_arguments(self, parser):
        parser.add_argument("--scheme", required=True, help="赛马方案编号或名称")
        parser.add_argument("--period", required=True, help="期次，如 2024-06（月度）、2024-Q2（季度）、2024（年度）")

    def handle(self, *args, scheme, period, verbosity, **options):
        obj = (RankingScheme.objects.filter(pk=int(scheme)).first() if scheme.isdigit()
               else RankingScheme.objects.filter(name=scheme).first())
        if obj is None:
            raise CommandError(f"没有编号或名称为“{scheme[:60]}”的赛马方案。")
        try:
            year, month, key = services.resolve_period(obj, period)
            n = services.compute_with_previous(obj, year, month)
        except (engine.PeriodError, services.RankingError) as e:
            raise CommandError(str(e)) from None
        if not verbosity:
            return
        data = services.ranking_table(obj, year, month, None)
        self.stdout.write(f"{obj.name} · {data['label']}（{n} 个开发区）")
        dims = [d.name for d in data["dimensions"]]
        self.stdout.write("\t".join(["名次", "变动", "开发区", *dims, "总分", "末位"]))
        for r in data["rows"]:
            self.stdout.write("\t".join(map(str, [r["rank"], r["movement_label"], r["zone"],
                                                  *["" if v is None else f"{v:.2f}" for v in r["dimensions"]],
                                                  f"{r['total']:.2f}", "末位" if r["bottom"] else ""])))
