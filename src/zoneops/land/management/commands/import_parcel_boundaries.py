"""python manage.py import_parcel_boundaries --zone CODE FILE [--commit]: parcel boundaries from a
GeoJSON FeatureCollection or a CSV of 地块编号 + WKT. A dry run unless --commit."""
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zoneops.core.models import Zone
from zoneops.core import geo
from zoneops.land import geo_import


class Command(BaseCommand):
    help = "导入地块边界（GeoJSON 要素集合或含“地块编号、WKT”列的 CSV）；默认只预览，加 --commit 才写入"

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON（.geojson/.json）或 CSV 文件")
        parser.add_argument("--zone", required=True, help="开发区代码")
        parser.add_argument("--key", default="", help="GeoJSON properties 中地块编号的字段名（默认 code 或 地块编号）")
        parser.add_argument("--create-missing", action="store_true", help="编号不存在时按图形面积新建地块")
        parser.add_argument("--valid-only", action="store_true", help="跳过被拒绝的要素，只写入有效的")
        parser.add_argument("--commit", action="store_true", help="写入（否则只预览）")
        parser.add_argument("--user", default="", help="记入变更记录的用户名（须为该开发区的工作人员或管理员）")

    def handle(self, *args, file, zone, key, create_missing, valid_only, commit, user, **opts):
        z = Zone.objects.filter(code=zone).first()
        if z is None:
            raise CommandError(f"没有代码为 {zone} 的开发区")
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"没有用户名为 {user} 的用户")
        try:
            with open(file, "rb") as f:
                data = f.read()
        except OSError as e:
            raise CommandError(f"无法读取文件 {file}：{e.strerror}") from None
        options = geo_import.Options(code_key=key, create_missing=create_missing, valid_only=valid_only)
        try:
            batch = geo_import.store(z, account, os.path.basename(file), data)
            result = geo_import.dry_run(batch, options)
        except (geo_import.ImportRefused, geo.GeoError) as e:
            raise CommandError(e.message) from None
        self._report(z, batch, result)
        if not commit:
            self.stdout.write("预览完成，没有写入任何数据（加 --commit 写入）。\n")
            return
        try:
            result = geo_import.commit(batch, account, options)
        except (geo_import.ImportRefused, geo.GeoError) as e:
            raise CommandError(e.message) from None
        self.stdout.write(self.style.SUCCESS(
            f"已写入：更新 {result.counts.get(geo_import.UPDATE, 0)} 个地块边界，"
            f"新建 {result.counts.get(geo_import.CREATE, 0)} 个地块（导入批次 #{batch.pk}）。\n"))

    def _report(self, zone, batch, result):
        self.stdout.write(f"{zone.name} · {batch.file_name} · 导入批次 #{batch.pk}\n")
        self.stdout.write("  ".join(f"{label} {result.counts.get(a, 0)}" for a, label in geo_import.ACTION_LABELS.items())
                          + "\n")
        for r in result.rows:
            if r["error"]:
                self.stdout.write(f"  {r['error']}\n")
        for w in result.warnings:
            self.stdout.write(f"  提示：{w}\n")
