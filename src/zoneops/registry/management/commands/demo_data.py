"""`manage.py demo_data`: realistic demo zones, enterprises, parcels and annual figures.

The data comes from the pure generator `zoneops.registry.demo`. Rows are written in one
transaction: through COPY on PostgreSQL (a million enterprises in minutes; for big loads into
empty tables the secondary indexes are dropped and rebuilt at the end) and executemany on
SQLite. The change log gets one entry per zone for the whole load (action "import", the counts
and seed in `after`), not one per row.
"""
import datetime
import time
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from zoneops.core.changelog import change_context, current_context, make_change
from zoneops.core.importing import writers
from zoneops.core.models import Membership, Zone
from zoneops.registry import demo
from zoneops.registry.models import (MIN_YEAR, CultivationPool, Enterprise, EnterpriseYear, IndustryCode, Parcel,
                                     max_year)

BIG_LOAD = 50_000  # enterprises from which indexes are rebuilt after the load (PostgreSQL)
# The logins scripts/serve.sh prints; created once, never reset.
LOGINS = (
    ("admin", "zoneops-admin", "superuser"),
    ("demo", "zoneops-demo", "staff"),  # the default zone
    ("viewer", "zoneops-viewer", "viewer"),  # the second zone
    ("province", "zoneops-province", "province"),
)


class Command(BaseCommand):
    help = "生成演示数据：以五篇开发区报道为原型的开发区、企业、地块和年度指标，以及演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--zones", type=int, default=5,
                            help="开发区数量（默认 5：路桥、永康、江山、长三角（湖州）、瓯江口；更多则取浙江其他县）")
        parser.add_argument("--enterprises", type=int, default=None,
                            help="企业总数，按各开发区演示规模的比例分配（默认路桥 1,000 家，五个开发区共 3,000 家）")
        parser.add_argument("--years", type=int, default=3, help="年度指标的年数（默认 3，截至去年）")
        parser.add_argument("--last-year", type=int, default=None, help="最后一个年度（默认去年）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子；同一种子生成相同数据（默认 1）")
        parser.add_argument("--if-empty", action="store_true", help="已有任何企业时什么也不做（make demo 使用）")

    def handle(self, *args, zones, enterprises, years, last_year, seed, if_empty, verbosity, **options):
        if if_empty and Enterprise.objects.exists():
            if verbosity:
                self.stdout.write("已有企业数据，跳过演示数据。")
            return
        last_year = last_year or datetime.date.today().year - 1
        if not 0 <= years <= 20:
            raise CommandError("--years 应在 0–20 之间。")
        if years and not MIN_YEAR <= last_year - years + 1 <= last_year <= max_year():
            raise CommandError(f"年度应在 {MIN_YEAR}–{max_year()} 之间（--last-year {last_year}，--years {years}）。")
        try:
            plan = demo.make_plan(zones, enterprises)
        except ValueError as e:
            raise CommandError(str(e)) from None

        started = time.monotonic()
        loader = Loader(self, seed=seed, years=years, last_year=last_year, verbosity=verbosity)
        with change_context(request_id=uuid.uuid4()), transaction.atomic():
            loader.load(plan)
            load_feature_demos(seed=seed, last_year=last_year, stdout=self.stdout if verbosity else None)
        loader.analyze()
        if verbosity:
            loader.report(time.monotonic() - started)


def load_feature_demos(*, seed, last_year, stdout=None):
    """Other apps' demo records (evaluation runs, chains, problems …): each app may provide
    `zoneops.<app>.demo.load_demo(zones, *, seed, last_year, stdout)`, called in INSTALLED_APPS
    order inside the same transaction, after the registry is loaded."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    zones = list(Zone.objects.order_by("code"))
    for config in apps.get_app_configs():
        if not config.name.startswith("zoneops.") or config.label in ("core", "registry"):
            continue
        if find_spec(f"{config.name}.demo") is None:
            continue
        module = import_module(f"{config.name}.demo")
        if hasattr(module, "load_demo"):
            module.load_demo(zones, seed=seed, last_year=last_year, stdout=stdout)


class Loader:
    def __init__(self, command, *, seed, years, last_year, verbosity):
        self.cmd, self.seed, self.years, self.last_year, self.verbosity = command, seed, years, last_year, verbosity
        self.writer = BulkWriter()
        self.now = timezone.now()
        self.stats = []
        self.logins = []
        self.officer_count = 0
        self.missing_codes = set()

    def out(self, text):
        if self.verbosity:
            self.cmd.stdout.write(text)

    # -- reference data ----------------------------------------------------------------------
    def reference(self):
        self.classes = set(IndustryCode.objects.filter(level="class").values_list("code", flat=True))
        self.sections = dict(IndustryCode.objects.filter(level="division").values_list("code", "section"))
        self.pools = dict(CultivationPool.objects.values_list("code", "id"))
        if not self.classes:
            self.cmd.stderr.write("警告：行业代码表为空（未执行 migrate？），企业将不带行业。")

    # -- zones and people ----------------------------------------------------------------------
    def zone(self, spec):
        zone = Zone.objects.filter(code=spec.code).first()
        if zone is None:
            if Zone.objects.filter(name=spec.name).exists():
                raise CommandError(f"已有名为“{spec.name}”但代码不是 {spec.code} 的开发区，请先改名或删除。")
            zone = Zone.objects.create(
                code=spec.code, name=spec.name, level=spec.level, region_code=spec.region_code,
                approved_area_ha=spec.approved_area_ha, leading_industries=spec.leading,
                featured_industries=spec.featured, future_industries=spec.future)
        elif Enterprise.objects.filter(zone=zone).exists():
            raise CommandError(f"开发区“{zone.name}”（{zone.code}）已有企业数据：demo_data 只向没有企业的开发区写入。"
                               "如只想在空库里生成，请用 --if-empty。")
        return zone

    def officers(self, spec, zone, n):
        User = get_user_model()
        records = demo.officers(spec, n, self.seed)
        existing = {u.username: u for u in User.objects.filter(username__in=[r.username for r in records])}
        new = [User(username=r.username, last_name=r.last_name, first_name=r.first_name,
                    password=make_password(None)) for r in records if r.username not in existing]
        User.objects.bulk_create(new)
        users = {u.username: u for u in User.objects.filter(username__in=[r.username for r in records])}
        member = set(Membership.objects.filter(zone=zone, user__in=users.values()).values_list("user_id", flat=True))
        for u in users.values():
            if u.pk not in member:
                Membership.objects.create(user=u, zone=zone, role=Membership.Role.STAFF)
        self.officer_count += len(users)
        return {name: u.pk for name, u in users.items()}

    def demo_logins(self, zones):
        User = get_user_model()
        roles = {"staff": Membership.Role.STAFF, "viewer": Membership.Role.VIEWER,
                 "province": Membership.Role.PROVINCE}
        for username, password, role in LOGINS:
            zone = zones[0] if role == "staff" else zones[1] if role == "viewer" and len(zones) > 1 else None
            if role == "viewer" and zone is None:
                continue
            user = User.objects.filter(username=username).first()
            if user is None:
                if role == "superuser":
                    user = User.objects.create_superuser(username, password=password)
                else:
                    user = User.objects.create_user(username, password=password)
            if role in roles and not Membership.objects.filter(user=user, zone=zone).exists():
                Membership.objects.create(user=user, zone=zone, role=roles[role])
            label = {"superuser": "超级管理员", "staff": f"{zone.name if zone else ''} 工作人员",
                     "viewer": f"{zone.name if zone else ''} 只读", "province": "省/市只读（全部开发区）"}[role]
            self.logins.append((username, password, label))

    # -- the load ------------------------------------------------------------------------------
    def load(self, plan):
        self.reference()
        self.writer.begin()
        tables = (Enterprise, Enterprise.pools.through, Parcel, EnterpriseYear)
        # A big load into empty tables: build the secondary indexes once at the end instead of
        # maintaining them row by row (about twice as fast on PostgreSQL).
        rebuild = (sum(n for _, n in plan) >= BIG_LOAD and not any(m.objects.exists() for m in tables[::2])
                   and self.writer.suspend_indexes(tables))
        zones = [self.zone(spec) for spec, _ in plan]
        self.demo_logins(zones)
        offset = 0
        for (spec, n), zone in zip(plan, zones):
            t0 = time.monotonic()
            officer_ids = self.officers(spec, zone, n)
            stat = {"zone": zone, "enterprises": 0, "above": 0, "high_tech": 0, "rd": 0, "parcels": 0,
                    "land_mu": 0.0, "figures": 0}
            for chunk in demo.generate_zone(spec, n, seed=self.seed, years=self.years, last_year=self.last_year,
                                            first_index=offset):
                self.write_chunk(zone, chunk, officer_ids, stat)
            offset += n
            self.stats.append(stat)
            make_change(zone, "import", None, {
                "来源": "demo_data 演示数据", "种子": self.seed, "企业": stat["enterprises"], "地块": stat["parcels"],
                "年度指标": stat["figures"], "年度": f"{self.last_year - self.years + 1}–{self.last_year}"
                if self.years else "",
            }, ctx={**current_context(), "user_name": "demo_data"}).save()
            if n >= 20000:
                self.out(f"  {zone.name}：{n:,} 家企业，用时 {time.monotonic() - t0:.0f} 秒")
        if rebuild:
            self.out("  重建索引 …")
            self.writer.restore_indexes()
        Zone.touch(z.pk for z in zones)  # the bulk writes bypass signals: invalidate cached figures
        if self.missing_codes:
            self.cmd.stderr.write("警告：行业代码表中没有这些小类，相应企业未设行业："
                                  + "、".join(sorted(self.missing_codes)))

    def write_chunk(self, zone, chunk, officer_ids, stat):
        w, now = self.writer, self.now
        ids = {}
        ent_rows, pool_rows = [], []
        for pk, e in zip(writers.reserve_ids(Enterprise, len(chunk.enterprises)), chunk.enterprises):
            ids[e.key] = pk
            code = e.industry if e.industry in self.classes else None
            if code is None:
                self.missing_codes.add(e.industry)
            ent_rows.append({
                "id": pk, "zone_id": zone.pk, "created": now, "updated": now, "uscc": e.uscc, "name": e.name,
                "former_names": e.former_names, "industry_id": code,
                "industry_section": self.sections.get(code[:2], "") if code else "",
                "industry_division": code[:2] if code else "", "scale": e.scale, "is_high_tech": e.is_high_tech,
                "is_listed": e.is_listed, "has_rd_center": e.has_rd_center, "is_specialized": e.is_specialized,
                "status": e.status, "address": e.address, "established": e.established,
                "account_officer_id": officer_ids.get(e.officer), "import_batch_id": None,
            })
            pool_rows.extend((pk, self.pools[p]) for p in e.pools if p in self.pools)
            stat["above"] += e.scale == demo.ABOVE
            stat["high_tech"] += e.is_high_tech
            stat["rd"] += e.has_rd_center
        w.insert(Enterprise, ent_rows)
        through = Enterprise.pools.through
        w.insert_plain(through, [through._meta.get_field("enterprise").column,
                                 through._meta.get_field("cultivationpool").column], pool_rows)

        parcel_rows = []
        for pk, p in zip(writers.reserve_ids(Parcel, len(chunk.parcels)), chunk.parcels):
            parcel_rows.append({
                "id": pk, "zone_id": zone.pk, "created": now, "updated": now, "code": p.code, "name": p.name,
                "area_mu": p.area_mu, "land_use": p.land_use, "holder_id": ids.get(p.holder), "tenure": p.tenure,
                "floor_area_ratio": p.floor_area_ratio, "status": p.status, "address": p.address, "geometry": None,
                "import_batch_id": None,
            })
            stat["land_mu"] += p.area_mu
        w.insert(Parcel, parcel_rows)

        fig_rows = []
        for pk, f in zip(writers.reserve_ids(EnterpriseYear, len(chunk.figures)), chunk.figures):
            fig_rows.append({
                "id": pk, "zone_id": zone.pk, "created": now, "updated": now, "enterprise_id": ids[f.enterprise],
                "year": f.year, "revenue": f.revenue, "tax": f.tax, "value_added": f.value_added,
                "energy_tce": f.energy_tce, "emissions_t": f.emissions_t, "employees": f.employees,
                "rd_expense": f.rd_expense, "power_mwh": f.power_mwh, "land_mu": f.land_mu, "land_note": f.land_note,
                "source": demo.SOURCE, "import_batch_id": None,
            })
        w.insert(EnterpriseYear, fig_rows)

        stat["enterprises"] += len(chunk.enterprises)
        stat["parcels"] += len(chunk.parcels)
        stat["figures"] += len(chunk.figures)

    def analyze(self):
        tables = [m._meta.db_table for m in (Enterprise, Enterprise.pools.through, Parcel, EnterpriseYear)]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
            elif connection.vendor == "sqlite":
                cursor.execute("ANALYZE")

    def report(self, seconds):
        out = self.cmd.stdout
        out.write(self.cmd.style.SUCCESS(f"演示数据已生成（种子 {self.seed}，用时 {seconds:.1f} 秒）："))
        for s in self.stats:
            z = s["zone"]
            out.write(f"  {z.name}（{z.code}）：企业 {s['enterprises']:,} 家（规上 {s['above']:,}，高新 {s['high_tech']:,}，"
                      f"省级以上研发机构 {s['rd']:,}），地块 {s['parcels']:,} 宗 {s['land_mu']:,.1f} 亩，"
                      f"年度指标 {s['figures']:,} 行")
        total = sum(s["enterprises"] for s in self.stats), sum(s["figures"] for s in self.stats)
        out.write(f"  合计：企业 {total[0]:,} 家，年度指标 {total[1]:,} 行；服务专员 {self.officer_count} 名（不能登录）。")
        if self.logins:
            out.write("演示账号（用户名 / 密码）：")
            for username, password, label in self.logins:
                out.write(f"  {username} / {password}  {label}")
        out.write("变更记录：每个开发区记一条“导入”（演示数据），不逐行记录。")


class BulkWriter:
    """Inserts rows fast: COPY on PostgreSQL, executemany on SQLite (and anything else)."""

    def __init__(self):
        self.vendor = connection.vendor
        self.columns = {}

    def begin(self):
        self.suspended = []
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                cursor.execute("SET LOCAL maintenance_work_mem TO '256MB'")

    def suspend_indexes(self, models):
        """Drop the tables' indexes that back no constraint (inside the load's transaction, so a
        failure restores them); `restore_indexes` recreates them. PostgreSQL only."""
        if self.vendor != "postgresql":
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                   FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                   WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
                [[m._meta.db_table for m in models]])
            self.suspended = cursor.fetchall()
            for name, _ in self.suspended:
                cursor.execute(f"DROP INDEX {name}")
        return bool(self.suspended)

    def restore_indexes(self):
        with connection.cursor() as cursor:
            # Check the deferred foreign keys now: CREATE INDEX refuses while their events are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _, ddl in self.suspended:
                cursor.execute(ddl)
        self.suspended = []

    def model_columns(self, model):
        """[(column, attname, default)] of the model's concrete fields."""
        if model not in self.columns:
            cols = []
            for f in model._meta.concrete_fields:
                # get_default() is "" for a text field without a default, None for a nullable one
                cols.append((f.column, f.attname, f.get_default()))
            self.columns[model] = cols
        return self.columns[model]

    def insert(self, model, rows):
        """Insert dicts keyed by attname; missing fields take their model default."""
        if not rows:
            return
        cols = self.model_columns(model)
        tuples = [tuple(r.get(attname, default) for _, attname, default in cols) for r in rows]
        self.insert_plain(model, [c for c, _, _ in cols], tuples)

    def insert_plain(self, model, columns, tuples):
        if self.vendor != "postgresql":
            tuples = [tuple(_sqlite_value(v) for v in row) for row in tuples]
        writers.insert_rows(model, columns, tuples)


def _sqlite_value(v):
    if isinstance(v, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(v)
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v
