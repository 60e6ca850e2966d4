"""Import of annual figures: rows per second, ZoneOps against django-import-export.

    python bench/import_figures.py --db {sqlite,postgresql} [--rows 100000] [--baseline-rows 10000]

On a fresh database (a file under var/bench/, or the PostgreSQL database `zoneops_bench_import`)
it loads the enterprises with `demo_data`, writes a figures file of `--rows` rows (UTF-8 CSV
with BOM, as Excel's "CSV UTF-8" saves it, and .xlsx), then times, for each format:

- dry run: `create_batch` + `validate_batch` (read, clean, match against the database);
- commit: `commit_batch` (reads and validates again, then writes in one transaction);

and, in the same run on the same database, django-import-export importing the first
`--baseline-rows` rows of the same file (`import_data(dry_run=True)` and then for real) through a
ModelResource keyed on the enterprise's USCC + year. The change log is switched off for the
baseline (ZoneOps writes its change log): the comparison favours the baseline.
One JSON line per format and mode.
"""
import argparse
import csv
import io
import math
import sys
import time

from common import (BENCH_VAR, emit, log, package_version, pg_available, pg_url, recreate_pg_database, setup_django,
                    sqlite_url)

HEADERS = ["统一社会信用代码", "企业名称", "年度", "营业收入（万元）", "评价税收（万元）", "工业增加值（万元）",
           "综合能耗（吨标煤）", "主要污染物排放（吨）", "年平均职工人数", "R&D经费支出（万元）", "用电量（万千瓦时）",
           "用地面积（亩）", "用地认定说明", "数据来源"]
SEED = 7
PG_DB = "zoneops_bench_import"


def figure_rows(n_rows, last_year):
    """(enterprises to load, rows): `n_rows` figure rows of demo enterprises (pure, deterministic)."""
    from zoneops.registry import demo

    spec = demo.SEED_ZONES[0]
    n_ent = math.ceil(n_rows / 2.8)
    while True:
        rows = []
        for chunk in demo.generate_zone(spec, n_ent, seed=SEED, years=3, last_year=last_year):
            names = {e.key: (e.uscc, e.name) for e in chunk.enterprises}
            for f in chunk.figures:
                uscc, name = names[f.enterprise]
                rows.append([uscc, name, f.year, f.revenue, f.tax, f.value_added, f.energy_tce, f.emissions_t,
                             f.employees, f.rd_expense, f.power_mwh, f.land_mu, f.land_note, "统计、税务部门"])
        if len(rows) >= n_rows:
            return n_ent, rows[:n_rows]
        n_ent = math.ceil(n_ent * 1.05)


def csv_bytes(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows):
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("年度指标")
    sheet.write_row(0, 0, HEADERS)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, ["" if v is None else v for v in row])
    book.close()
    return out.getvalue()


def reset_figures(zone):
    """Remove the imported figures and their change log (raw SQL: fast, no signals). On PostgreSQL
    TRUNCATE and VACUUM, so that the next run does not wade through dead rows."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from zoneops.core.models import ObjectChange
    from zoneops.registry.models import EnterpriseYear

    ct = ContentType.objects.get_for_model(EnterpriseYear)
    qn = connection.ops.quote_name
    changes, figures = qn(ObjectChange._meta.db_table), qn(EnterpriseYear._meta.db_table)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {changes} WHERE content_type_id = %s", [ct.pk])
        if connection.vendor == "postgresql":
            cur.execute(f"TRUNCATE {figures}")
        else:
            cur.execute(f"DELETE FROM {figures} WHERE zone_id = %s", [zone.pk])
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {changes}, {figures}")


def ours(zone, user, file_name, data, n_rows):
    from zoneops.core.importing import service
    from zoneops.registry.models import EnterpriseYear

    t0 = time.perf_counter()
    batch = service.create_batch(zone, "figures", file_name, data, user)
    service.validate_batch(batch)
    t1 = time.perf_counter()
    if batch.status != batch.Status.VALIDATED or batch.created_count != n_rows or batch.rejected_count:
        raise RuntimeError(f"dry run of {file_name}: {batch.status} {batch.message}")
    service.commit_batch(batch)
    t2 = time.perf_counter()
    written = EnterpriseYear.objects.filter(zone=zone, import_batch=batch).count()
    if batch.status != batch.Status.DONE or written != n_rows:
        raise RuntimeError(f"commit of {file_name}: {batch.status} {batch.message}, {written} rows written")
    return t1 - t0, t2 - t1


def figure_resource():
    from import_export import fields, resources, widgets

    from zoneops.registry.models import Enterprise, EnterpriseYear

    names = dict(zip(["revenue", "tax", "value_added", "energy_tce", "emissions_t", "employees", "rd_expense",
                      "power_mwh", "land_mu", "land_note", "source"], HEADERS[3:]))

    class FigureResource(resources.ModelResource):
        enterprise = fields.Field(attribute="enterprise", column_name="统一社会信用代码",
                                  widget=widgets.ForeignKeyWidget(Enterprise, field="uscc"))
        year = fields.Field(attribute="year", column_name="年度", widget=widgets.IntegerWidget())

        class Meta:
            model = EnterpriseYear
            import_id_fields = ("enterprise", "year")
            fields = ("enterprise", "year", *names)

        def before_save_instance(self, instance, row, **kwargs):
            instance.zone_id = instance.enterprise.zone_id

    for attr, header in names.items():
        field = FigureResource.fields[attr]
        field.column_name = header
    return FigureResource


def baseline(fmt, data, n_rows):
    """django-import-export: (dry-run seconds, commit seconds) for the same file."""
    import tablib

    from zoneops.core import changelog
    from zoneops.registry.models import EnterpriseYear

    resource_class = figure_resource()
    times = []
    changelog.TRACKED.discard(EnterpriseYear)
    try:
        for dry_run in (True, False):
            t0 = time.perf_counter()
            dataset = tablib.Dataset().load(data.decode("utf-8-sig") if fmt == "csv" else data, format=fmt)
            result = resource_class().import_data(dataset, dry_run=dry_run, use_transactions=True, raise_errors=False)
            times.append(time.perf_counter() - t0)
            if result.has_errors() or result.has_validation_errors():
                first = (result.base_errors or [e for _, errs in result.row_errors() for e in errs] or
                         result.invalid_rows)[:1]
                raise RuntimeError(f"django-import-export rejected rows: {first}")
            if result.totals.get("new", 0) != n_rows:
                raise RuntimeError(f"django-import-export created {result.totals}")
    finally:
        changelog.TRACKED.add(EnterpriseYear)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()

    if args.db == "postgresql":
        if not pg_available():
            emit(bench="import_figures", db="postgresql", skipped="PostgreSQL not reachable")
            return 1
        recreate_pg_database(PG_DB)
        url = pg_url(PG_DB)
    else:
        BENCH_VAR.mkdir(parents=True, exist_ok=True)
        path = BENCH_VAR / "import.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        url = sqlite_url(path)
    setup_django(url)

    import datetime

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from zoneops.core.models import Zone

    last_year = datetime.date.today().year - 1
    log(f"{args.db}: migrate, enterprises, files of {args.rows:,} rows …")
    call_command("migrate", verbosity=0)
    n_ent, rows = figure_rows(args.rows, last_year)
    call_command("demo_data", zones=1, enterprises=n_ent, years=0, seed=SEED, last_year=last_year, verbosity=0)
    zone = Zone.objects.get(code="luqiao")
    user = get_user_model().objects.get(username="demo")
    files = {"csv": csv_bytes, "xlsx": xlsx_bytes}
    base_info = f"django-import-export {package_version('django-import-export')}"

    for fmt in args.formats.split(","):
        data = files[fmt](rows)
        log(f"{args.db} {fmt}: ZoneOps {args.rows:,} rows …")
        dry, commit = ours(zone, user, f"年度指标.{fmt}", data, args.rows)
        reset_figures(zone)
        log(f"{args.db} {fmt}: django-import-export {args.baseline_rows:,} rows …")
        sample = files[fmt](rows[: args.baseline_rows])
        b_dry, b_commit = baseline(fmt, sample, args.baseline_rows)
        reset_figures(zone)
        for mode, seconds, b_seconds in (("dry_run", dry, b_dry), ("commit", commit, b_commit)):
            rate = args.rows / seconds
            b_rate = args.baseline_rows / b_seconds
            target = "≥ 10× baseline"
            ok = rate >= 10 * b_rate
            if fmt == "csv" and mode == "commit" and args.db == "postgresql":
                target += ", ≥ 20,000 rows/s"
                ok = ok and rate >= 20_000
            record = dict(bench=f"import_figures_{fmt}_{mode}", db=args.db, rows=args.rows, file_bytes=len(data),
                          seconds=round(seconds, 2), rows_per_s=round(rate), baseline=base_info,
                          baseline_rows=args.baseline_rows, baseline_seconds=round(b_seconds, 2),
                          baseline_rows_per_s=round(b_rate), speedup=round(rate / b_rate, 1), target=target,
                          meets_target=ok)
            if mode == "commit":
                record["upload_to_done_rows_per_s"] = round(args.rows / (dry + commit))
            emit(**record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
