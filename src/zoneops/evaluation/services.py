"""Runs and their workflow: snapshot the input, evaluate with the engine, write results in bulk,
and move a run through 初评 → 调档 → 公示 → 异议 → 终评.

Every change of a run or a result goes through a function here; each checks that the run is not
final (终评 freezes it) and records a named action in the change history (log_action).
"""
import datetime
import hashlib
import io
import logging
import time
from collections import Counter, defaultdict
from typing import NamedTuple

import polars as pl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.attachments import clean_attachment
from zoneops.core.changelog import log_action
from zoneops.core.importing import writers

from .models import (
    EXPLAIN_FIELDS,
    ITEM_CODES,
    ITEM_FIELDS,
    Adjustment,
    Objection,
    ObjectionStatus,
    Result,
    Ruleset,
    RulesetVersion,
    Run,
    RunSnapshot,
    RunState,
    RunStatus,
)

logger = logging.getLogger(__name__)

# Runs with more input rows than this are computed by the background worker.
BACKGROUND_ROWS = getattr(settings, "ZONEOPS_EVALUATION_BACKGROUND_ROWS", 20000)
FIGURE_FIELDS = ("land_mu", "tax", "value_added", "revenue", "energy_tce", "emissions_t", "employees",
                 "rd_expense", "power_mwh")
FIGURES_SCHEMA = {"key": pl.Int64, "scale": pl.Utf8, "is_lessee": pl.Boolean, "producing": pl.Boolean,
                  **{f: pl.Float64 for f in FIGURE_FIELDS}, "merge_key": pl.Utf8, "exempt_reason": pl.Utf8}
ADJUSTMENTS_SCHEMA = {"key": pl.Int64, "code": pl.Utf8, "reason": pl.Utf8}
STATE_LABELS = dict(RunState.choices)


class WorkflowError(Exception):
    """A move the run's state or the input does not allow; the message is for the user (Chinese)."""


class ClassInfo(NamedTuple):
    class_code: str
    total: float | None
    year: int
    run_id: int
    land_mu: float | None
    exempt: bool = False


# -- rulesets --------------------------------------------------------------------------------

def _rules_module():
    from . import ruleset

    return ruleset


def parse_ruleset(text):
    """The Ruleset of a YAML text; RulesetError (Chinese, naming the path) when it is not valid."""
    return _rules_module().Ruleset.from_yaml(text)


def ensure_presets():
    """The shipped presets as province-wide rulesets (zone empty); a new version when the shipped
    text changed. Cheap when nothing changed (one query)."""
    rules = _rules_module()
    names = list(rules.PRESETS)
    existing = {r.name: r for r in Ruleset.objects.filter(zone__isnull=True, name__in=names)}
    latest = {}
    for v in RulesetVersion.objects.filter(ruleset__in=list(existing.values())).order_by("number"):
        latest[v.ruleset_id] = v  # the newest wins
    for name in names:
        preset = rules.load_preset(name)
        text = preset.to_yaml()
        digest = preset.digest()
        ruleset = existing.get(name)
        if ruleset is None:
            ruleset = Ruleset.objects.create(zone=None, name=name, title=preset.title or name)
        version = latest.get(ruleset.pk)
        if version is None or version.digest != digest:
            RulesetVersion.objects.create(ruleset=ruleset, number=(version.number + 1) if version else 1,
                                          yaml=text, digest=digest, note=_("系统预设"))


def save_version(ruleset, text, user=None, note=""):
    """Validate `text` and store it as the ruleset's next version (unchanged text: no new version)."""
    parsed = parse_ruleset(text)
    canonical = parsed.to_yaml()
    digest = parsed.digest()
    with transaction.atomic():
        last = ruleset.versions.select_for_update().order_by("-number").first()
        if last is not None and last.digest == digest:
            return last, False
        version = RulesetVersion.objects.create(ruleset=ruleset, number=(last.number + 1) if last else 1,
                                                yaml=canonical, digest=digest, note=note[:200], created_by=user)
        log_action(ruleset, "保存规则版本", None, {"版本": version.number, "摘要": digest, "说明": note})
        Ruleset.objects.filter(pk=ruleset.pk).update(updated=timezone.now())
    return version, True


def copy_ruleset(source, zone, name, title, user=None):
    """A zone's own editable copy of a ruleset (usually a preset), starting from its latest version."""
    version = source.latest_version()
    with transaction.atomic():
        ruleset = Ruleset.objects.create(zone=zone, name=name, title=title, source=source)
        RulesetVersion.objects.create(ruleset=ruleset, number=1, yaml=version.yaml, digest=version.digest,
                                      note=_("复制自 %(src)s v%(n)s") % {"src": source.name, "n": version.number},
                                      created_by=user)
    return ruleset


def find_ruleset(zone, name):
    """The zone's ruleset called `name`, else the preset of that name; None when neither exists."""
    ensure_presets()
    return (Ruleset.objects.filter(zone=zone, name=name).first()
            or Ruleset.objects.filter(zone__isnull=True, name=name).first())


# -- the input frame ----------------------------------------------------------------------------

def _in(ids):
    return ", ".join(str(int(z)) for z in ids)


def _read_parts(zone_ids, year):
    """The plain queries of the input: no joins in the database (a 1M-row join costs 4× the scans);
    Polars joins the parts. Each one: (sql, schema)."""
    zones, y = _in(zone_ids), int(year)
    # PostgreSQL: numeric as text (a cast to float8 doubles the COPY time); Polars parses the floats.
    cast = "{}" if connection.vendor == "postgresql" else "CAST({} AS REAL)"
    figures = ", ".join(cast.format(f) for f in FIGURE_FIELDS)
    return {
        "figures": ((f"SELECT enterprise_id, {figures}, zone_id FROM registry_enterpriseyear "
                    f"WHERE zone_id IN ({zones}) AND year = {y}"),
                    {"key": pl.Int64, **{f: pl.Float64 for f in FIGURE_FIELDS}, "zone_id": pl.Int64}),
        "firms": ((f"SELECT id, scale, CASE WHEN status = 'operating' THEN 1 ELSE 0 END FROM registry_enterprise "
                  f"WHERE zone_id IN ({zones})"),
                  {"key": pl.Int64, "scale": pl.Utf8, "producing": pl.Int8}),
        "parcels": ((f"SELECT holder_id, {cast.format('area_mu')}, "
                    f"CASE WHEN tenure = 'leased' THEN 1 ELSE 0 END FROM registry_parcel "
                    f"WHERE zone_id IN ({zones}) AND holder_id IS NOT NULL"),
                    {"key": pl.Int64, "area": pl.Float64, "leased": pl.Int8}),
        "exempt": (f"SELECT enterprise_id, reason FROM evaluation_exemption WHERE zone_id IN ({zones}) AND year = {y}",
                   {"key": pl.Int64, "exempt_reason": pl.Utf8}),
        "merge": ((f"SELECT me.enterprise_id, MIN(g.id) FROM evaluation_mergegroup_enterprises me "
                  f"JOIN evaluation_mergegroup g ON g.id = me.mergegroup_id "
                  f"WHERE g.zone_id IN ({zones}) AND g.year = {y} GROUP BY me.enterprise_id"),
                  {"key": pl.Int64, "gid": pl.Int64}),
    }


def _fetch(cur, sql, schema):
    if connection.vendor == "postgresql":
        buf = io.BytesIO()
        with cur.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            for data in copy:
                buf.write(data)
        if not buf.getbuffer().nbytes:
            return pl.DataFrame(schema=schema)
        buf.seek(0)
        return pl.read_csv(buf, has_header=False, new_columns=list(schema), schema=schema)
    cur.execute(sql)
    return pl.DataFrame(cur.fetchall(), schema=schema, orient="row")


def read_frame(zone_ids, year):
    """The input rows as a Polars frame (with zone_id), ordered by firm: a few plain scans (COPY …
    TO STDOUT on PostgreSQL, cursor fetches on SQLite) joined in Polars.

    lessee = the firm holds no owned parcel (no parcel at all, or only leased ones); land = the
    year's recorded land (人工认定) or else the sum of the firm's parcels."""
    parts = _read_parts(zone_ids, year)
    # One snapshot for every scan (REPEATABLE READ) when the caller has no transaction open.
    own = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cur:
        if own:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        got = {name: _fetch(cur, sql, schema) for name, (sql, schema) in parts.items()}
        stray = got["figures"].join(got["firms"], on="key", how="anti")["key"]
        if stray.len():  # figures filed under a zone the firm has since left
            sql, schema = parts["firms"]
            sql = sql.split(" WHERE ")[0] + f" WHERE id IN ({_in(stray.unique().to_list())})"
            got["firms"] = pl.concat([got["firms"], _fetch(cur, sql, schema)])
    land = (got["parcels"].group_by("key")
            .agg(pl.col("area").sum().alias("p_area"), (pl.len() > pl.col("leased").sum()).alias("owns")))
    frame = (got["figures"]
             .join(got["firms"], on="key", how="left")
             .join(land, on="key", how="left")
             .join(got["exempt"].unique("key", keep="first"), on="key", how="left")
             .join(got["merge"], on="key", how="left")
             .sort("key"))
    return frame.select(
        "key", "scale",
        (~pl.col("owns").fill_null(False)).alias("is_lessee"),
        (pl.col("producing") == 1).fill_null(False).alias("producing"),
        pl.col("land_mu").fill_null(pl.col("p_area")).alias("land_mu"),
        *FIGURE_FIELDS[1:],
        pl.when(pl.col("gid").is_not_null()).then(pl.lit("g") + pl.col("gid").cast(pl.Utf8)).alias("merge_key"),
        "exempt_reason", "zone_id",
    )


def build_frame(zone, year):
    """(figures, adjustments) for one zone and year, in the engine's contract layout."""
    frame = read_frame([zone.pk], year).drop("zone_id")
    adjustments = pl.DataFrame(
        list(Adjustment.objects.filter(zone=zone, year=year).order_by("enterprise_id", "code")
             .values_list("enterprise_id", "code", "reason")), schema=ADJUSTMENTS_SCHEMA, orient="row")
    return frame.select(list(FIGURES_SCHEMA)).cast(FIGURES_SCHEMA), adjustments


def _parquet(frame):
    buf = io.BytesIO()
    frame.write_parquet(buf, compression="zstd", statistics=False)
    return buf.getvalue()


def snapshot_bytes(figures, adjustments):
    """(figures parquet, adjustments parquet, sha256 of both)."""
    a, b = _parquet(figures), _parquet(adjustments)
    digest = hashlib.sha256(hashlib.sha256(a).digest() + hashlib.sha256(b).digest()).hexdigest()
    return a, b, digest


def load_snapshot(run):
    snap = RunSnapshot.objects.get(run=run)
    figures = pl.read_parquet(io.BytesIO(bytes(snap.figures)))
    adjustments = pl.read_parquet(io.BytesIO(bytes(snap.adjustments)))
    return figures, adjustments


# -- evaluation and bulk writing ------------------------------------------------------------------

def evaluate(figures, rules, adjustments):
    from .engine import evaluate as run_engine

    known = {a.code for a in (rules.adjustments or ())}
    skipped = sorted(set(adjustments["code"].to_list()) - known) if adjustments.height else []
    if skipped:
        adjustments = adjustments.filter(pl.col("code").is_in(list(known)))
    return run_engine(figures, rules, adjustments=adjustments if adjustments.height else None,
                      explain=True), skipped


def _finite(col, digits=None):
    x = pl.when(pl.col(col).is_finite()).then(pl.col(col)).otherwise(None)
    return x.round_sig_figs(digits) if digits else x


SHOWN_DIGITS = 6  # significant digits kept of item values/scores and explanation figures (display)


def result_frame(frame, rules):
    """The engine's frame as rows of evaluation_result: plain typed columns, no per-row Python.
    Each row keeps only its group's indicators (the v_/s_ columns of the others are empty)."""
    in_groups = defaultdict(list)
    for g in rules.groups:
        for i in g.items:
            in_groups[i.indicator].append(g.code)
    text = {c: pl.col(c).fill_null("").cast(pl.Utf8) for c in ("group", "exclusion_reason", "exemption_reason")}

    def mine(code, col):  # rows outside a group that has this indicator: empty (rows without a group keep theirs)
        groups = in_groups[code]
        return pl.when(pl.col("group").is_null() | (pl.col("group").is_in(groups) if groups else pl.lit(False))
                       ).then(col)

    def has(col):
        return col in frame.columns

    items, notes = [], []
    for code in ITEM_CODES:
        for p in ("v", "s"):
            col = f"{p}_{code}"
            items.append(mine(code, _finite(col, SHOWN_DIGITS)).alias(col) if has(col)
                         else pl.lit(None, pl.Float64).alias(col))
        if has(f"n_{code}") and frame[f"n_{code}"].null_count() < frame.height:
            notes.append(mine(code, pl.col(f"n_{code}")).alias(code))
    if notes:  # {code: note} of the rows with any note; "" for the others
        any_note = pl.any_horizontal([n.is_not_null() for n in notes])
        note_json = pl.when(any_note).then(
            pl.struct(notes).struct.json_encode().str.replace_all(r',?"[a-z_]+":null', "")
            .str.replace(r"^\{,", "{")).otherwise(pl.lit(""))
    else:
        note_json = pl.lit("")
    adjusted = has("adjust_points") and frame["adjust_points"].fill_null(0).abs().sum() > 0
    explain = [
        (pl.col("next_class").fill_null("") if has("next_class") else pl.lit("")).alias("next_class"),
        *[(_finite(c, SHOWN_DIGITS) if has(c) else pl.lit(None, pl.Float64)).alias(c)
          for c in ("gap_score", "need_tax_per_mu", "need_va_per_mu")],
        (pl.col("drag").list.join(",").fill_null("") if has("drag") else pl.lit("")).alias("drag"),
    ]
    return frame.select(
        pl.col("key").alias("enterprise_id"),
        pl.col("unit_key").fill_null(pl.col("key")).cast(pl.Int64).alias("unit_key"),
        text["group"].alias("group"),
        pl.col("included").fill_null(False).alias("included"),
        text["exclusion_reason"].str.slice(0, 200).alias("exclusion_reason"),
        pl.col("exempt").fill_null(False).alias("exempt"),
        text["exemption_reason"].str.slice(0, 200).alias("exemption_reason"),
        (pl.col("_land_mu") if has("_land_mu") else pl.lit(None, pl.Float64)).alias("land_mu"),
        _finite("total").alias("total"),
        pl.col("rank").cast(pl.Int64).alias("rank"),
        pl.col("group_size").cast(pl.Int64).alias("group_size"),
        _finite("percentile").alias("percentile"),
        pl.col("class_code").fill_null("").alias("class_code"),
        pl.col("class_code").fill_null("").alias("final_class"),
        pl.lit("").alias("class_note"),
        *items,
        note_json.alias("item_notes"),
        (pl.col("adjust_points") if adjusted else pl.lit(None, pl.Float64)).alias("adjust_points"),
        (pl.col("adjust_notes").fill_null("").str.slice(0, 500) if adjusted else pl.lit("")).alias("adjust_notes"),
        *explain,
    )


def _result_columns():
    return ("zone_id", "created", "updated", "run_id", "enterprise_id", "unit_key", "group", "included",
            "exclusion_reason", "exempt", "exemption_reason", "land_mu", "total", "rank", "group_size",
            "percentile", "class_code", "final_class", "class_note", *ITEM_FIELDS, "item_notes", "adjust_points",
            "adjust_notes", *EXPLAIN_FIELDS)


def write_results(rows, run_id=None, zone_id=None, zone_of=None):
    """Insert result rows (a frame from result_frame) in bulk: COPY (CSV) on PostgreSQL, executemany
    on SQLite. `zone_of` (a frame key→zone_id) serves multi-zone writes (the benchmark)."""
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    if zone_of is not None:
        rows = rows.join(zone_of.rename({"key": "enterprise_id"}), on="enterprise_id", how="left")
    else:
        rows = rows.with_columns(pl.lit(zone_id, pl.Int64).alias("zone_id"))
    if "run_id" not in rows.columns:
        rows = rows.with_columns(pl.lit(run_id, pl.Int64).alias("run_id"))
    columns = _result_columns()
    if connection.vendor == "postgresql":  # created/updated: the column default now() (migration 0002)
        columns = tuple(c for c in columns if c not in ("created", "updated"))
    else:
        rows = rows.with_columns(pl.lit(str(stamp)).alias("created"), pl.lit(str(stamp)).alias("updated"))
    rows = rows.select(columns)
    if connection.vendor == "postgresql":
        buf = io.BytesIO()
        rows.write_csv(buf, include_header=False, quote_style="non_numeric")
        table = connection.ops.quote_name(Result._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in columns)
        with _without_secondary_indexes(rows.height), connection.cursor() as cur, \
                cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as copy:
            view = buf.getbuffer()
            step = 1 << 20
            for i in range(0, len(view), step):
                copy.write(view[i:i + step])
    else:
        writers.insert_rows(Result, columns, rows.iter_rows())


# A write at least this big, and at least as big as the table already is, drops the two secondary
# indexes and builds them again after the COPY (inside the same transaction): building an index
# over the finished table is several times cheaper than maintaining it row by row.
REINDEX_MIN_ROWS = getattr(settings, "ZONEOPS_EVALUATION_REINDEX_ROWS", 200_000)


class _without_secondary_indexes:
    """PostgreSQL, inside a transaction: drop the unique (enterprise, run) constraint and the
    (run, group, rank) index before a big write, recreate them after. DROP INDEX locks the table
    (ACCESS EXCLUSIVE) until the commit: other pages reading results wait for the write. If the
    lock cannot be had within 5 s the write keeps the indexes."""

    def __init__(self, n_rows):
        self.n_rows = n_rows
        self.dropped = False

    def _big(self):
        if connection.vendor != "postgresql" or not connection.in_atomic_block or self.n_rows < REINDEX_MIN_ROWS:
            return False
        with connection.cursor() as cur:
            cur.execute("SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = %s::regclass",
                        [Result._meta.db_table])
            row = cur.fetchone()
        return self.n_rows >= (row[0] if row else 0)

    def __enter__(self):
        if not self._big():
            return self
        from django.db.utils import OperationalError

        try:
            with transaction.atomic(), connection.cursor() as cur, connection.schema_editor(atomic=False) as ed:
                cur.execute("SET LOCAL lock_timeout = '5s'")
                for c in Result._meta.constraints:
                    ed.remove_constraint(Result, c)
                for ix in Result._meta.indexes:
                    ed.remove_index(Result, ix)
            self.dropped = True
        except OperationalError:
            logger.warning("evaluation_result: indexes kept for the bulk write (table busy)")
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self.dropped or exc_type is not None:
            return False  # an error rolls back the transaction, the drop with it
        with connection.cursor() as cur, connection.schema_editor(atomic=False) as ed:
            cur.execute("SET LOCAL lock_timeout = 0")
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for ix in Result._meta.indexes:
                ed.add_index(Result, ix)
            for c in Result._meta.constraints:
                ed.add_constraint(Result, c)
        return False


def _counts(rows):
    counts = defaultdict(Counter)
    for group, cls in rows:
        counts[group or ""][cls or ""] += 1
    return {g: dict(c) for g, c in counts.items()}


def refresh_counts(run):
    rows = Result.objects.filter(run=run).values_list("group", "final_class")
    run.class_counts = _counts(rows)
    Run.objects.filter(pk=run.pk).update(class_counts=run.class_counts)


def _with_land(figures, frame):
    return frame.join(figures.select(pl.col("key"), pl.col("land_mu").alias("_land_mu")), on="key", how="left")


# -- runs ---------------------------------------------------------------------------------------

def _check_not_final(run):
    if run.is_final:
        raise WorkflowError(_("该评价已终评，结果已冻结，不能再修改。"))


def count_inputs(zone, year):
    from zoneops.registry.models import EnterpriseYear

    return EnterpriseYear.objects.filter(zone=zone, year=year).count()


def create_run(zone, year, version, user=None, title="", background=None):
    """Create a run and compute it now (small) or in the background worker (large)."""
    n = count_inputs(zone, year)
    if n == 0:
        raise WorkflowError(_("%(zone)s %(year)s 年度没有企业年度指标，无法评价。") % {"zone": zone.name, "year": year})
    parse_ruleset(version.yaml)  # a version saved before a rules change may no longer parse
    run = Run.objects.create(zone=zone, year=year, ruleset_version=version, title=title[:200], created_by=user,
                             input_rows=n)
    log_action(run, "新建评价", None, {"year": year, "规则版本": str(version)})
    if background is None:
        background = n > BACKGROUND_ROWS
    if background:
        from .tasks import compute_run_task

        try:
            compute_run_task.enqueue(run.pk)
        except Exception:
            logger.exception("evaluation run %s: could not enqueue", run.pk)
            Run.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, message=_("无法提交后台任务。"))
    else:
        compute_run(run)
    run.refresh_from_db()
    return run


def compute_run(run, progress=None):
    """Snapshot the input, evaluate, write the results. Errors leave the run FAILED with a message."""
    say = progress or (lambda step, text: None)
    if run.status == RunStatus.DONE:
        return run
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, message="")
    started = time.perf_counter()
    try:
        rules = parse_ruleset(run.ruleset_version.yaml)
        say(1, _("读取企业年度指标"))
        figures, adjustments = build_frame(run.zone, run.year)
        say(2, _("保存输入快照"))
        a, b, digest = snapshot_bytes(figures, adjustments)
        say(3, _("计算 %(n)s 家企业") % {"n": figures.height})
        evaluation, skipped = evaluate(figures, rules, adjustments)
        say(4, _("写入评价结果"))
        rows = result_frame(_with_land(figures, evaluation.frame), rules)
        with transaction.atomic():
            RunSnapshot.objects.update_or_create(run=run, defaults={"figures": a, "adjustments": b, "digest": digest})
            Result.objects.filter(run=run)._raw_delete(Result.objects.db)
            write_results(rows, run_id=run.pk, zone_id=run.zone_id)
            message = ""
            if skipped:
                message = _("以下加减分项代码不在本规则中，已忽略：%(codes)s") % {"codes": "、".join(skipped)}
            run.status = RunStatus.DONE
            run.input_digest = digest
            run.input_rows = figures.height
            run.benchmarks = _jsonable(evaluation.benchmarks)
            run.cut_scores = _jsonable(evaluation.cut_scores)
            run.seconds = round(time.perf_counter() - started, 3)
            run.message = message
            Run.objects.filter(pk=run.pk).update(
                status=run.status, input_digest=digest, input_rows=run.input_rows, benchmarks=run.benchmarks,
                cut_scores=run.cut_scores, seconds=run.seconds, message=message)
            refresh_counts(run)
            log_action(run, "初评", None, {"企业数": figures.height, "输入摘要": digest})
    except Exception as e:
        logger.exception("evaluation run %s failed", run.pk)
        text = str(e) if isinstance(e, (WorkflowError,)) or _is_rules_error(e) else _("计算出错：%(e)s") % {"e": e}
        Run.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, message=text[:2000])
        run.status, run.message = RunStatus.FAILED, text
        if progress is not None:
            raise
    return run


def _is_rules_error(e):
    try:
        return isinstance(e, _rules_module().RulesetError)
    except Exception:  # noqa: BLE001
        return False


def _jsonable(value):
    import math

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def recompute(run):
    """Evaluate the run again from its snapshot and ruleset version; the differences from the stored
    computed results ([(enterprise_id, field, stored, recomputed)]). Firms re-scored by an accepted
    objection are left out (their stored figures are the corrected ones)."""
    figures, adjustments = load_snapshot(run)
    rules = parse_ruleset(run.ruleset_version.yaml)
    evaluation, _skipped = evaluate(figures, rules, adjustments)
    fresh = result_frame(_with_land(figures, evaluation.frame), rules)
    rescored = set(Objection.objects.filter(run=run, status=ObjectionStatus.ACCEPTED).exclude(corrections={})
                   .values_list("result__enterprise_id", flat=True))
    fields = ("unit_key", "group", "included", "exclusion_reason", "exempt", "exemption_reason", "total", "rank",
              "group_size", "percentile", "class_code", *RESCORED_FIELDS)
    stored = {r[0]: r[1:] for r in Result.objects.filter(run=run).values_list("enterprise_id", *fields)}

    diffs = []
    for row in fresh.iter_rows(named=True):
        key = row["enterprise_id"]
        if key in rescored:
            continue
        old = stored.pop(key, None)
        if old is None:
            diffs.append((key, "*", None, "new"))
            continue
        for name, before in zip(fields, old):
            after = row[name]
            if isinstance(before, float) and isinstance(after, float):
                same = abs(before - after) <= 1e-9 * max(1.0, abs(before))
            else:
                same = before == after
            if not same:
                diffs.append((key, name, before, after))
    for key in stored:
        if key not in rescored:
            diffs.append((key, "*", "stored", None))
    return diffs


def verify_snapshot(run):
    snap = RunSnapshot.objects.get(run=run)
    a, b = bytes(snap.figures), bytes(snap.adjustments)
    digest = hashlib.sha256(hashlib.sha256(a).digest() + hashlib.sha256(b).digest()).hexdigest()
    return digest == snap.digest == run.input_digest


# -- workflow ------------------------------------------------------------------------------------

def _lock(run):
    return Run.objects.select_for_update().get(pk=run.pk)


def classes_of(run, group):
    """The class codes of `group` in the run's ruleset, best first."""
    rules = parse_ruleset(run.ruleset_version.yaml)
    for g in rules.groups:
        if g.code == group:
            return list(g.classification.classes)
    return []


def adjust_class(result, new_class, reason, user=None):
    """调档: a manual class change of one firm, with a reason, in the run's history."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("调档须填写理由。"))
    with transaction.atomic():
        run = _lock(result.run)
        _check_not_final(run)
        if run.state not in (RunState.COMPUTED, RunState.ADJUSTING):
            raise WorkflowError(_("当前阶段（%(state)s）不能调档；调档只在公示前进行。") % {
                "state": STATE_LABELS[run.state]})
        if not result.included or result.exempt:
            raise WorkflowError(_("该企业不参评或免评，没有等级可调。"))
        allowed = classes_of(run, result.group)
        if new_class not in allowed:
            raise WorkflowError(_("等级须为 %(classes)s 之一。") % {"classes": "、".join(allowed)})
        old = result.final_class
        if old == new_class:
            raise WorkflowError(_("新等级与当前等级相同。"))
        Result.objects.filter(pk=result.pk).update(final_class=new_class, class_note=reason[:300],
                                                   updated=timezone.now())
        result.final_class, result.class_note = new_class, reason[:300]
        log_action(result, "调档", {"final_class": old}, {"final_class": new_class, "理由": reason})
        if run.state != RunState.ADJUSTING:
            _move(run, RunState.ADJUSTING)
        refresh_counts(run)
    return result


def _move(run, state, extra=None, action=None):
    before = {"state": run.state}
    run.state = state
    fields = {"state": state, **(extra or {})}
    Run.objects.filter(pk=run.pk).update(**fields)
    for k, v in (extra or {}).items():
        setattr(run, k, v)
    log_action(run, action or STATE_LABELS[state], before,
               {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items()})


def publish(run, start, end, user=None):
    """公示: open the publication window; the firms see their own results from now on."""
    if not isinstance(start, datetime.date) or not isinstance(end, datetime.date):
        raise WorkflowError(_("请填写公示开始和结束日期。"))
    if end < start:
        raise WorkflowError(_("公示结束日期不能早于开始日期。"))
    if (end - start).days > 60:
        raise WorkflowError(_("公示期不能超过 60 天。"))
    with transaction.atomic():
        run = _lock(run)
        _check_not_final(run)
        if run.status != RunStatus.DONE:
            raise WorkflowError(_("评价尚未计算完成，不能公示。"))
        if run.state not in (RunState.COMPUTED, RunState.ADJUSTING):
            raise WorkflowError(_("当前阶段（%(state)s）不能公示。") % {"state": STATE_LABELS[run.state]})
        _move(run, RunState.PUBLISHED, {"publish_from": start, "publish_to": end})
    return run


def in_window(run, today=None):
    today = today or timezone.localdate()
    return (run.state in (RunState.PUBLISHED, RunState.OBJECTION) and run.publish_from is not None
            and run.publish_from <= today <= run.publish_to)




def file_objection(result, text, evidence, user=None, by_enterprise=False):
    """异议: a firm (during the window) or staff (during 公示/异议) disputes a published result."""
    text = (text or "").strip()
    if not text:
        raise WorkflowError(_("请填写异议内容。"))
    if evidence is None:
        raise WorkflowError(_("请上传佐证材料。"))
    name = getattr(evidence, "name", "") or ""
    try:  # the platform's one upload rule (type, size, empty file)
        clean_attachment(evidence)
    except ValidationError as e:
        raise WorkflowError(_("佐证材料：%(error)s") % {"error": " ".join(e.messages)}) from None
    with transaction.atomic():
        run = _lock(result.run)
        _check_not_final(run)
        if run.state not in (RunState.PUBLISHED, RunState.OBJECTION):
            raise WorkflowError(_("只有公示期间可以提出异议。"))
        if by_enterprise and not in_window(run):
            raise WorkflowError(_("不在公示期内（%(a)s 至 %(b)s），不能提出异议。") % {
                "a": run.publish_from, "b": run.publish_to})
        if Objection.objects.filter(result=result, status=ObjectionStatus.PENDING).exists():
            raise WorkflowError(_("该企业已有待处理的异议。"))
        objection = Objection(zone_id=run.zone_id, run=run, result=result, text=text[:2000],
                              evidence_name=name[-255:], submitted_by=user, by_enterprise=by_enterprise)
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        stem, dot, ext = base.rpartition(".")
        objection.evidence.save(f"{stem[:80]}.{ext[:8]}" if dot else base[:80], evidence, save=False)
        objection.save()
        log_action(result, "提出异议", None, {"异议编号": objection.pk, "异议内容": text[:200]})
        if run.state != RunState.OBJECTION:
            _move(run, RunState.OBJECTION)
    return objection


def clean_corrections(raw):
    """{field: float} of corrected figures; Chinese errors for unknown fields or bad numbers."""
    out = {}
    for name, value in (raw or {}).items():
        if value in (None, ""):
            continue
        if name not in FIGURE_FIELDS:
            raise WorkflowError(_("不能更正字段 %(f)s。") % {"f": name})
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise WorkflowError(_("%(f)s 须为数字。") % {"f": name}) from None
        if not (number >= 0) or number == float("inf"):
            raise WorkflowError(_("%(f)s 不能为负数。") % {"f": name})
        out[name] = number
    return out


def decide_objection(objection, accept, reason, user=None, corrections=None, new_class=""):
    """Accept (re-score with corrected figures, or change the class) or reject, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("处理异议须填写理由。"))
    corrections = clean_corrections(corrections)
    with transaction.atomic():
        run = _lock(objection.run)
        _check_not_final(run)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.PENDING:
            raise WorkflowError(_("该异议已处理。"))
        result = Result.objects.select_for_update().get(pk=objection.result_id)
        before = {"final_class": result.final_class, "total": result.total}
        if accept:
            if not corrections and not new_class:
                raise WorkflowError(_("采纳异议须填写更正数据或改定等级。"))
            if corrections:
                rescore(run, result, corrections)
            if new_class:
                allowed = classes_of(run, result.group)
                if new_class not in allowed:
                    raise WorkflowError(_("等级须为 %(classes)s 之一。") % {"classes": "、".join(allowed)})
                result.final_class = new_class
            result.class_note = (_("异议采纳：") + reason)[:300]
            result.updated = timezone.now()
            result.save(update_fields=["final_class", "class_note", "total", "land_mu", "included",
                                       "exclusion_reason", "updated", *RESCORED_FIELDS])
        objection.status = ObjectionStatus.ACCEPTED if accept else ObjectionStatus.REJECTED
        objection.decision_reason = reason[:500]
        objection.corrections = corrections
        objection.new_class = result.final_class if accept else ""
        objection.decided_by = user
        objection.decided_at = timezone.now()
        objection.save()
        after = {"final_class": result.final_class, "total": result.total, "理由": reason}
        if corrections:
            after["更正数据"] = corrections
        log_action(result, "异议采纳" if accept else "异议驳回", before, after)
        refresh_counts(run)
    return objection


# What a re-scoring (accepted objection with corrected figures) rewrites besides total and land.
RESCORED_FIELDS = (*ITEM_FIELDS, "item_notes", "adjust_points", "adjust_notes", *EXPLAIN_FIELDS)


def rescore(run, result, corrections):
    """Evaluate the snapshot with the firm's corrected figures; only this firm's result changes.

    The firm's class follows from its new total and the run's cut scores (the lowest total of each
    class), so the other firms keep their ranks and classes."""
    figures, adjustments = load_snapshot(run)
    key = result.unit_key
    exprs = [pl.when(pl.col("key") == key).then(pl.lit(v, pl.Float64)).otherwise(pl.col(f)).alias(f)
             for f, v in corrections.items()]
    figures = figures.with_columns(exprs)
    rules = parse_ruleset(run.ruleset_version.yaml)
    evaluation, _skipped = evaluate(figures, rules, adjustments)
    rows = result_frame(_with_land(figures, evaluation.frame), rules).filter(
        pl.col("enterprise_id") == result.enterprise_id)
    if rows.height != 1:
        raise WorkflowError(_("更正后无法重新计算该企业。"))
    row = rows.row(0, named=True)
    result.total = row["total"]
    for name in RESCORED_FIELDS:
        setattr(result, name, row[name])
    result.land_mu = row["land_mu"]
    result.included = row["included"]
    result.exclusion_reason = row["exclusion_reason"]
    if not row["included"] or row["exempt"] or row["total"] is None:
        result.final_class = ""
        return result
    result.final_class = class_for_total(run, row["group"] or result.group, row["total"]) or result.final_class
    return result


def class_for_total(run, group, total):
    """The best class whose lowest total (run.cut_scores) the total reaches; else the last class."""
    classes = classes_of(run, group)
    cuts = (run.cut_scores or {}).get(group) or {}
    for cls in classes:
        low = cuts.get(cls)
        if low is not None and total >= low:
            return cls
    return classes[-1] if classes else ""


def finalize(run, user=None):
    """终评: freeze the run (no class, objection or figure can change any more)."""
    with transaction.atomic():
        run = _lock(run)
        _check_not_final(run)
        if run.state not in (RunState.PUBLISHED, RunState.OBJECTION):
            raise WorkflowError(_("须先公示，才能终评。"))
        if Objection.objects.filter(run=run, status=ObjectionStatus.PENDING).exists():
            raise WorkflowError(_("还有待处理的异议，不能终评。"))
        _move(run, RunState.FINAL, {"finalized_at": timezone.now()})
    return run


def delete_run(run, user=None):
    if run.state not in (RunState.COMPUTED,) or run.is_final:
        raise WorkflowError(_("只能删除尚未调档或公示的评价。"))
    with transaction.atomic():
        log_action(run, "删除评价", {"year": run.year}, None)
        Result.objects.filter(run=run)._raw_delete(Result.objects.db)
        run.delete()


# -- reading ------------------------------------------------------------------------------------

def previous_run(run):
    """The zone's run of the year before (final preferred, then the newest) to compare against."""
    runs = Run.objects.filter(zone_id=run.zone_id, year=run.year - 1, status=RunStatus.DONE)
    return _best(runs)


def _best(runs):
    ranked = sorted(runs, key=lambda r: (r.state == RunState.FINAL, r.is_public, r.pk), reverse=True)
    return ranked[0] if ranked else None


def compare(run_a, run_b):
    """Class movement from run_a to run_b: ({from: {to: n}}, [(enterprise_id, from, to)] of movers)."""
    a = dict(Result.objects.filter(run=run_a).values_list("enterprise_id", "final_class"))
    b = dict(Result.objects.filter(run=run_b).values_list("enterprise_id", "final_class"))
    matrix = defaultdict(Counter)
    moved = []
    for key, old in a.items():
        if key not in b:
            continue
        new = b[key]
        matrix[old or "—"][new or "—"] += 1
        if old != new:
            moved.append((key, old, new))
    return {k: dict(v) for k, v in matrix.items()}, moved


def latest_classes(zone_ids=None, *, year=None, final_only=False):
    """{enterprise_id: ClassInfo} — the class that counts for each firm, from its zone's latest run.

    Per zone: the newest year with a completed run (or `year`); within it the final run, else a
    published one, else the newest. Exempt firms count as their ruleset's exemption class."""
    runs = Run.objects.filter(status=RunStatus.DONE)
    if zone_ids is not None:
        runs = runs.filter(zone_id__in=list(zone_ids))
    if year is not None:
        runs = runs.filter(year=year)
    if final_only:
        runs = runs.filter(state=RunState.FINAL)
    by_zone = defaultdict(list)
    for r in runs.only("id", "zone_id", "year", "state", "ruleset_version_id"):
        by_zone[r.zone_id].append(r)
    chosen = {}
    for zone_id, rs in by_zone.items():
        top = max(r.year for r in rs)
        chosen[zone_id] = _best([r for r in rs if r.year == top])
    if not chosen:
        return {}
    exempt_as = {}
    for r in chosen.values():
        try:
            exempt_as[r.pk] = parse_ruleset(r.ruleset_version.yaml).exemption_class or ""
        except Exception:  # noqa: BLE001 - a version that no longer parses: no class for exempt firms
            exempt_as[r.pk] = ""
    years = {r.pk: r.year for r in chosen.values()}
    out = {}
    rows = Result.objects.filter(run_id__in=list(years)).values_list(
        "enterprise_id", "final_class", "total", "run_id", "land_mu", "exempt")
    for ent, cls, total, run_id, land, exempt in rows.iterator(chunk_size=20000):
        if exempt:
            cls = exempt_as.get(run_id, "")
        if not cls:
            continue
        out[ent] = ClassInfo(cls, total, years[run_id], run_id, land, bool(exempt))
    return out
