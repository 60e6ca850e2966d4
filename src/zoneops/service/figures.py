"""The closed-loop figures the seeds report (办结率, 按期率, 满意率 …), by department, category,
account officer and month, for the problems a zone received in one year.

- 办结率: closed / received;  按期率: answered on or before the deadline / answered;
- 办结用时（中位数，天）: calendar days from receipt to closure of the closed ones;
- 满意率: (满意 + 基本满意) / rated;  未办结 and 超期 (open, past the deadline) as of today.

On PostgreSQL one hashed GROUP BY GROUPING SETS statement (medians from per-group histograms of
the days to close) whose rows are cached per month: a month is read again only when one of its
problems changed (an index-only fingerprint of each month), so after a problem action only that
month is recomputed; then three small name look-ups. On SQLite a few GROUP BY queries with the
medians from the values. The page's result is cached until the zone's data changes
(Zone.data_version), like the zone home.
"""
import datetime
import statistics

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from zoneops.core import export

from . import engine
from .models import Department, Problem, ProblemCategory

GROUPS = [
    ("department", "department__name", _lazy("承办部门")),
    ("category", "category__name", _lazy("类别")),
    ("officer", "officer__username", _lazy("服务专员")),
    ("month", "month", _lazy("月份")),
]
COLUMNS = [("received", _lazy("受理")), ("closed", _lazy("办结")), ("close_rate", _lazy("办结率%")),
           ("on_time_rate", _lazy("按期率%")), ("median_days", _lazy("办结用时中位数（天）")),
           ("satisfaction", _lazy("满意率%")), ("open", _lazy("未办结")), ("overdue", _lazy("超期"))]


def _aggregates(today):
    return {
        "received": Count("id"),
        "closed": Count("id", filter=Q(state=engine.CLOSED)),
        "answered": Count("id", filter=Q(on_time__isnull=False)),
        "on_time": Count("id", filter=Q(on_time=True)),
        "rated": Count("id", filter=~Q(rating="")),
        "satisfied": Count("id", filter=Q(rating__in=[engine.SATISFIED, engine.BASICALLY])),
        "open": Count("id", filter=Q(state__in=engine.OPEN_STATES)),
        "overdue": Count("id", filter=Q(state__in=engine.WITH_DEPARTMENT, deadline__lt=today)),
    }


def _pct(n, d):
    return round(100 * n / d, 1) if d else None


def _finish(row):
    row["close_rate"] = _pct(row["closed"], row["received"])
    row["on_time_rate"] = _pct(row["on_time"], row["answered"])
    row["satisfaction"] = _pct(row["satisfied"], row["rated"])
    if row.get("median_days") is not None:
        row["median_days"] = round(float(row["median_days"]), 1)
    return row


def compute(zone, year, today):
    if connection.vendor == "postgresql":
        total, groups, ratings = _compute_pg(zone, year, today)
    else:
        total, groups, ratings = _compute_orm(zone, year, today)
    out = {"total": total, "groups": groups}
    months = {r["name"]: r for r in groups["month"]}
    labels = [f"{year}-{m:02d}" for m in range(1, 13)]
    depts = groups["department"]
    out["chart"] = {
        "months": labels,
        "received": [months.get(m, {}).get("received", 0) for m in labels],
        "closed": [months.get(m, {}).get("closed", 0) for m in labels],
        "departments": [str(r["name"]) for r in depts],
        "dept_close_rate": [r["close_rate"] or 0 for r in depts],
        "dept_on_time_rate": [r["on_time_rate"] or 0 for r in depts],
        "categories": [{"name": str(r["name"]), "value": r["received"]} for r in groups["category"]],
        "satisfaction": [{"name": label, "value": ratings[code]} for code, label in engine.RATING_LABELS.items()],
    }
    return out


def _name_missing(key):
    return str(_("未交办") if key == "department" else _("未指定"))


# PostgreSQL: every figure in ONE scan of the year's problems, hashed (no sort, no JIT-sized
# plan): GROUPING SETS gives the counts of each department, category, officer and month at once,
# each split by days to close (`d`, set for closed problems only). The medians come from those
# small histograms (one row per group and distinct number of days, a few thousand at most), exact
# as percentile_cont (the average of the two middle values); the total and the ratings are the
# sums over the months (every problem has one). GROUPING() tells which set a row belongs to, as a
# NULL department (未交办) or officer (未指定) is a real group. The names are looked up after, in
# three small queries ordered by the database as the ORM's order_by(name) was (NULL last).
_COUNTS = ["received", "closed", "answered", "on_time", "rated", "satisfied", "open", "overdue"]
_PG_SQL = """
SELECT GROUPING(department_id, category_id, officer_id) AS g,
       department_id, category_id, officer_id, month, d,
       COUNT(*),
       COUNT(*) FILTER (WHERE state = %(closed)s),
       COUNT(*) FILTER (WHERE on_time IS NOT NULL),
       COUNT(*) FILTER (WHERE on_time),
       COUNT(*) FILTER (WHERE rating <> ''),
       COUNT(*) FILTER (WHERE rating = ANY(%(satisfied)s)),
       COUNT(*) FILTER (WHERE state = ANY(%(open)s)),
       COUNT(*) FILTER (WHERE state = ANY(%(with_department)s) AND deadline < %(today)s),
       {ratings}
FROM (SELECT department_id, category_id, officer_id, state, on_time, rating, deadline,
             EXTRACT(MONTH FROM received_on)::integer AS month,
             CASE WHEN state = %(closed)s THEN days_to_close END AS d
      FROM {table} WHERE zone_id = %(zone)s AND received_on BETWEEN %(first)s AND %(last)s
        AND EXTRACT(MONTH FROM received_on)::integer = ANY(%(months)s)) AS p
GROUP BY GROUPING SETS ((department_id, month, d), (category_id, month, d), (officer_id, month, d), (month, d))
"""
# GROUPING(department_id, category_id, officer_id) is a bit mask, the first argument the highest
# bit; a bit is set for each column the row is NOT grouped by (month is in every set).
_SETS = {0b011: ("department", 1), 0b101: ("category", 2), 0b110: ("officer", 3), 0b111: ("month", 4)}
# Which months changed since their rows were cached: the count and the latest change of each
# month's problems, read from the (zone, received_on, id, updated) index alone. Every write of a
# problem sets `updated` (the actions and the sweep set it explicitly), a deletion changes the count.
_FINGERPRINT_SQL = """
SELECT EXTRACT(MONTH FROM received_on)::integer, COUNT(*), MAX(updated)
FROM {table} WHERE zone_id = %(zone)s AND received_on BETWEEN %(first)s AND %(last)s GROUP BY 1
"""


def median_of_histogram(hist):
    """The median of the values counted in `hist` ({value: count}), as percentile_cont(0.5)."""
    n = sum(hist.values())
    if not n:
        return None
    lo, hi = (n - 1) // 2, n // 2  # the middle positions (equal when n is odd)
    seen, low = 0, None
    for value in sorted(hist):
        seen += hist[value]
        if low is None and seen > lo:
            low = value
        if seen > hi:
            return (low + value) / 2
    return None  # not reached


def _month_rows(zone, year, today):
    """The statement's rows of every month of `year`, each month's taken from the cache while its
    problems have not changed (a problem action, usually on a recent problem, leaves the other
    eleven months cached; 未办结/超期 depend on `today`, so the key has it too)."""
    table = connection.ops.quote_name(Problem._meta.db_table)
    bounds = {"zone": zone.pk, "first": datetime.date(year, 1, 1), "last": datetime.date(year, 12, 31)}
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL.format(table=table), bounds)
        prints = {m: f"{n}:{latest.timestamp()}" for m, n, latest in cursor.fetchall()}
    keys = {m: f"service-figures-month:{zone.pk}:{year}:{m}:{p}:{today.isoformat()}" for m, p in prints.items()}
    cached_rows = cache.get_many(list(keys.values()))
    rows = {m: cached_rows[k] for m, k in keys.items() if k in cached_rows}
    stale = sorted(set(keys) - set(rows))
    if stale:
        codes = list(engine.RATING_LABELS)
        sql = _PG_SQL.format(
            table=table, ratings=", ".join(f"COUNT(*) FILTER (WHERE rating = %(rating{i})s)" for i in range(len(codes))))
        params = {"closed": engine.CLOSED, "satisfied": [engine.SATISFIED, engine.BASICALLY],
                  "open": list(engine.OPEN_STATES), "with_department": list(engine.WITH_DEPARTMENT),
                  "today": today, "months": stale, **bounds, **{f"rating{i}": code for i, code in enumerate(codes)},
                  # The stale months' date range, so that only their rows are read (from the index).
                  "first": datetime.date(year, stale[0], 1),
                  "last": datetime.date(year + (stale[-1] == 12), stale[-1] % 12 + 1, 1) - datetime.timedelta(days=1)}
        with transaction.atomic(), connection.cursor() as cursor:
            # Room to hash every grouping set (a few MB) instead of sorting 200,000 rows on disk; no
            # JIT compilation (it costs more than it saves on one scan).
            cursor.execute("SET LOCAL work_mem = '32MB'")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, params)
            fresh = {m: [] for m in stale}
            for row in cursor.fetchall():
                fresh[row[4]].append(row)
        cache.set_many({keys[m]: r for m, r in fresh.items()}, 24 * 3600)
        rows.update(fresh)
    return [row for m in sorted(rows) for row in rows[m]]


def _compute_pg(zone, year, today):
    from django.contrib.auth import get_user_model

    codes = list(engine.RATING_LABELS)
    rows = _month_rows(zone, year, today)
    width = len(_COUNTS) + len(codes)
    sums = {key: {} for key, _f, _l in GROUPS}  # key -> group -> summed counts
    hists = {key: {} for key, _f, _l in GROUPS}  # key -> group -> {days: closed count}
    for row in rows:
        key, col = _SETS[row[0]]
        group, days, counts = row[col], row[5], row[6:]
        acc = sums[key].setdefault(group, [0] * width)
        for i, n in enumerate(counts):
            acc[i] += n
        if days is not None:
            hist = hists[key].setdefault(group, {})
            hist[days] = hist.get(days, 0) + counts[1]  # closed problems with that many days

    def figures(key, group, acc):
        return dict(zip(_COUNTS, acc)) | {"median_days": median_of_histogram(hists[key].get(group, {}))}

    # The total and the ratings: the sums over the months.
    total_acc, total_hist = [0] * width, {}
    for month, acc in sums["month"].items():
        total_acc = [a + b for a, b in zip(total_acc, acc)]
        for days, n in hists["month"].get(month, {}).items():
            total_hist[days] = total_hist.get(days, 0) + n
    total = dict(zip(_COUNTS, total_acc)) | {"median_days": median_of_histogram(total_hist)}
    ratings = dict(zip(codes, total_acc[len(_COUNTS):]))
    # The names, in the order the database sorts them (as order_by(name) did; NULL last).
    User = get_user_model()
    names = {
        "department": list(Department.objects.filter(pk__in=[k for k in sums["department"] if k is not None])
                           .order_by("name").values_list("pk", "name")),
        "category": list(ProblemCategory.objects.filter(pk__in=list(sums["category"]))
                         .order_by("name").values_list("pk", "name")),
        "officer": [(u.pk, u.get_full_name() or u.username) for u in User.objects.filter(
            pk__in=[k for k in sums["officer"] if k is not None]).order_by("username").only(
            "username", "first_name", "last_name")],
        "month": [(m, f"{year}-{m:02d}") for m in sorted(sums["month"])],
    }
    groups = {}
    for key, _field, _label in GROUPS:
        ordered = names[key] + ([(None, _name_missing(key))] if None in sums[key] else [])
        groups[key] = [_finish(figures(key, pk, sums[key][pk]) | {"name": name}) for pk, name in ordered
                       if pk in sums[key]]
    return _finish(total), groups, ratings


def _compute_orm(zone, year, today):
    """SQLite (development, tests): the same figures with a few GROUP BY queries; medians from
    the sorted days of the closed problems (SQLite has no percentile function)."""
    qs = Problem.objects.filter(zone=zone, received_on__year=year)
    aggs = _aggregates(today)
    total = _finish(qs.aggregate(**aggs))
    groups = {}
    for key, field, _label in GROUPS:
        base = qs.annotate(month=ExtractMonth("received_on")) if key == "month" else qs
        rows = list(base.values(field).annotate(**aggs).order_by(field))
        medians = {}
        for k, days in base.filter(state=engine.CLOSED).values_list(field, "days_to_close"):
            medians.setdefault(k, []).append(days or 0)
        for r in rows:
            m = medians.get(r[field])
            r["median_days"] = statistics.median(m) if m else None
            r["name"] = r.pop(field)
            if key == "month":
                r["name"] = f"{year}-{r['name']:02d}"
            elif r["name"] is None:
                r["name"] = _name_missing(key)
            _finish(r)
        if key == "officer":
            from django.contrib.auth import get_user_model

            names = {u.username: u.get_full_name() or u.username
                     for u in get_user_model().objects.filter(username__in=[r["name"] for r in rows])}
            for r in rows:
                r["name"] = names.get(r["name"], r["name"])
        groups[key] = rows
    days = list(qs.filter(state=engine.CLOSED).values_list("days_to_close", flat=True))
    total["median_days"] = round(float(statistics.median([d or 0 for d in days])), 1) if days else None
    ratings = qs.aggregate(**{code: Count("id", filter=Q(rating=code)) for code in engine.RATING_LABELS})
    return total, groups, ratings


def cached(zone, year, today):
    key = f"service-figures:{zone.pk}:{zone.created.timestamp()}:{zone.data_version}:{year}:{today.isoformat()}"
    data = cache.get(key)
    if data is None:
        data = compute(zone, year, today)
        cache.set(key, data, 3600)
    return data


def warm(today):
    """Compute this year's figures of every zone with problems, so that the first view of the day
    (its key has the date: 未办结/超期 move with it) is served from the cache. The daily sweep
    calls it after raising the levels."""
    from zoneops.core.models import Zone

    zones = Zone.objects.filter(pk__in=Problem.objects.filter(received_on__year=today.year)
                                .values("zone_id").distinct())
    for zone in zones:
        cached(zone, today.year, today)
    return len(zones)


def xlsx_response(zone, year, data):
    """One sheet per grouping would need a multi-sheet writer; one sheet with a 分组 column keeps
    to the shared export (formula-safe) and sorts and filters well in Excel."""
    headers = [_("分组"), _("名称"), *[str(label) for _k, label in COLUMNS]]
    rows = [[_("合计"), str(zone.name), *[data["total"].get(k) for k, _l in COLUMNS]]]
    for key, _field, label in GROUPS:
        for r in data["groups"][key]:
            rows.append([str(label), str(r["name"]), *[r.get(k) for k, _l in COLUMNS]])
    return export.response("xlsx", headers, rows, f"{zone.name}-{year}-{_('为企服务统计')}")
