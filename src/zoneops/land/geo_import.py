"""Import of parcel boundaries (GeoJSON FeatureCollection, or a CSV of 地块编号 + WKT).

    batch = store(zone, user, file_name, data)                       # an ImportBatch, nothing else
    result = dry_run(batch, options)                                 # what would change; writes nothing
    result = commit(batch, user, options)                            # all accepted rows in ONE transaction

Rows are matched by code inside the batch's zone only: a code of another zone is an unknown code
(and is never written). With `create_missing`, unknown codes become new parcels whose area is the
geometry's. Rejected rows (invalid geometry, unknown codes without `create_missing`, duplicate
codes) block the commit unless `valid_only` is chosen explicitly.
"""
import hashlib
import json
import os
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from zoneops.core.changelog import change_context, log_bulk, make_change
from zoneops.core.models import ImportBatch
from zoneops.core.scoping import CHANGE, can
from zoneops.registry.models import Parcel, ParcelStatus

from zoneops.core import geo

KIND = "parcel_boundaries"
EXTENSIONS = (".geojson", ".json", ".csv", ".txt")
# How much the surveyed area may differ from the registered one before the preview says so.
AREA_WARNING_RATIO = 0.10


class ImportRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def max_features():
    return int(getattr(settings, "ZONEOPS_BOUNDARY_MAX_FEATURES", geo.MAX_FEATURES))


def max_points():
    return int(getattr(settings, "ZONEOPS_BOUNDARY_MAX_POINTS", geo.MAX_POINTS))


@dataclass
class Options:
    code_key: str = ""  # the properties key holding the code; empty = 'code' or '地块编号'
    create_missing: bool = False
    valid_only: bool = False

    @property
    def code_keys(self):
        return (self.code_key.strip(),) if self.code_key.strip() else geo.DEFAULT_CODE_KEYS

    @classmethod
    def from_data(cls, data):
        def yes(name):
            return str(data.get(name, "")).lower() in ("1", "on", "true", "yes")

        return cls(code_key=str(data.get("code_key", "") or "")[:64], create_missing=yes("create_missing"),
                   valid_only=yes("valid_only"))

    def as_query(self):
        return {"code_key": self.code_key, "create_missing": "1" if self.create_missing else "",
                "valid_only": "1" if self.valid_only else ""}


# what a row does
UPDATE, CREATE, UNCHANGED, UNKNOWN, INVALID = "update", "create", "unchanged", "unknown", "invalid"
ACTION_LABELS = {UPDATE: "更新边界", CREATE: "新建地块", UNCHANGED: "未变化", UNKNOWN: "编号不存在", INVALID: "几何无效"}


@dataclass
class Result:
    rows: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    written: bool = False

    @property
    def rejected(self):
        return self.counts.get(UNKNOWN, 0) + self.counts.get(INVALID, 0)

    @property
    def accepted(self):
        return self.counts.get(UPDATE, 0) + self.counts.get(CREATE, 0)

    @property
    def warnings(self):
        return [w for r in self.rows for w in r["warnings"]]


def store(zone, user, file_name, data):
    """Keep the upload as an ImportBatch (kind parcel_boundaries). Raises ImportRefused."""
    if user is not None and not can(user, zone.pk, CHANGE):
        raise ImportRefused(f"您没有向“{zone.name}”导入地块边界的权限。")
    if not data:
        raise ImportRefused("文件是空的，没有任何内容。")
    limit = settings.ZONEOPS_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ImportRefused(f"文件太大（{len(data) / 1048576:.1f} MB），上限为 {limit / 1048576:.0f} MB，请分批导入。")
    base = os.path.basename(str(file_name or "")).strip() or "boundaries.geojson"
    ext = os.path.splitext(base)[1].lower()
    if ext not in EXTENSIONS:
        raise ImportRefused(f"文件“{base[:80]}”的类型不受支持：请上传 GeoJSON（.geojson/.json）或含 WKT 列的 CSV。")
    sha = hashlib.sha256(data).hexdigest()
    batch = ImportBatch(zone=zone, kind=KIND, user=user if getattr(user, "is_authenticated", False) else None,
                        file_name=base[:255], file_sha256=sha, file_size=len(data),
                        status=ImportBatch.Status.PENDING)
    batch.file.save(f"{KIND}-{sha[:16]}{ext}", ContentFile(data), save=False)
    batch.save()
    return batch


def read(file_name, data, options):
    """Rows of the file (see geo.read_geojson). Raises geo.GeoError for an unreadable file."""
    ext = os.path.splitext(str(file_name))[1].lower()
    head = data[:64].lstrip(b"\xef\xbb\xbf \r\n\t")
    if ext in (".csv", ".txt") and not head.startswith(b"{"):  # a GeoJSON saved as .txt is still GeoJSON
        return geo.read_wkt_csv(data, max_features(), max_points())
    return geo.read_geojson(data, options.code_keys, max_features(), max_points())


def plan(zone, rows, options):
    """Annotate each row with its action against the zone's parcels (queries this zone only)."""
    codes = {r["code"] for r in rows if r["code"]}
    existing = {}
    codes_list = sorted(codes)
    for i in range(0, len(codes_list), 5000):  # SQLite limits the parameters of one query
        # the stored geometry as text, compared with the file's as text: decoding 20,000 polygons
        # only to compare them was a tenth of a large import (a false "changed" merely rewrites it)
        for pk, code, geometry, area in Parcel.objects.filter(zone=zone, code__in=codes_list[i:i + 5000]) \
                .values_list("pk", "code", Cast("geometry", TextField()), "area_mu"):
            existing[code] = (pk, geometry, area)
    seen = {}
    result = Result()
    for row in rows:
        row.setdefault("warnings", [])
        row["pk"] = None
        if row["error"]:
            row["action"] = INVALID
        elif row["code"] in seen:
            row["action"] = INVALID
            row["error"] = f"{row['where']}：地块编号 {row['code']} 在文件中重复（{seen[row['code']]}已有）"
        elif row["code"] in existing:
            pk, old, registered = existing[row["code"]]
            row["pk"] = pk
            row["area_mu"] = geo.area_mu(row["geometry"])
            row["action"] = UNCHANGED if old is not None and old == json.dumps(row["geometry"]) else UPDATE
            if registered and abs(row["area_mu"] - float(registered)) > AREA_WARNING_RATIO * float(registered):
                row["warnings"].append(f"{row['where']}（{row['code']}）：图形面积 {row['area_mu']:.2f} 亩与登记面积 "
                                       f"{float(registered):.2f} 亩相差超过 {AREA_WARNING_RATIO:.0%}")
        else:
            row["area_mu"] = geo.area_mu(row["geometry"])
            if options.create_missing:
                row["action"] = CREATE
            else:
                row["action"] = UNKNOWN
                row["error"] = (f"{row['where']}：本开发区没有编号为 {row['code']} 的地块"
                                "（可勾选“创建缺失地块”按图形面积新建）")
        if row["code"] and row["code"] not in seen:
            seen[row["code"]] = row["where"]
        row["action_label"] = ACTION_LABELS[row["action"]]
        result.counts[row["action"]] = result.counts.get(row["action"], 0) + 1
    result.rows = rows
    return result


def _file_data(batch):
    with batch.file.open("rb") as f:
        return f.read()


def dry_run(batch, options):
    """What a commit would do; writes nothing but the batch's counts. Raises geo.GeoError."""
    try:
        rows = read(batch.file_name, _file_data(batch), options)
    except geo.GeoError as e:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, message=e.message)
        raise
    result = plan(batch.zone, rows, options)
    _record_counts(batch, result, ImportBatch.Status.VALIDATED)
    return result


def _record_counts(batch, result, status, **extra):
    batch.status = status
    batch.total_rows = batch.processed_rows = len(result.rows)
    batch.created_count = result.counts.get(CREATE, 0)
    batch.updated_count = result.counts.get(UPDATE, 0)
    batch.unchanged_count = result.counts.get(UNCHANGED, 0)
    batch.rejected_count = result.rejected
    for k, v in extra.items():
        setattr(batch, k, v)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status, total_rows=batch.total_rows, processed_rows=batch.processed_rows,
        created_count=batch.created_count, updated_count=batch.updated_count,
        unchanged_count=batch.unchanged_count, rejected_count=batch.rejected_count,
        validated_at=timezone.now(), **extra)


def _new_status():
    """A parcel known only from a boundary file is planned land (when L1's statuses have it)."""
    values = set(ParcelStatus.values)
    for candidate in ("planned", "reserved"):
        if candidate in values:
            return candidate
    return Parcel._meta.get_field("status").default


def commit(batch, user, options):
    """Write every accepted row in one transaction, or nothing. Raises ImportRefused / geo.GeoError."""
    if batch.kind != KIND:
        raise ImportRefused("这个导入批次不是地块边界导入。")
    if batch.status == ImportBatch.Status.DONE:
        raise ImportRefused("这个文件已经导入过了（导入批次已完成）。")
    if batch.status == ImportBatch.Status.CANCELLED:
        raise ImportRefused("这个导入批次已取消。")
    if user is not None and not can(user, batch.zone_id, CHANGE):
        raise ImportRefused("您没有向该开发区导入地块边界的权限。")
    rows = read(batch.file_name, _file_data(batch), options)
    with transaction.atomic():
        # the batch row is the lock: two commits of the same batch cannot both write
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportBatch.Status.DONE:
            raise ImportRefused("这个文件已经导入过了（导入批次已完成）。")
        result = plan(batch.zone, rows, options)
        if result.rejected and not options.valid_only:
            raise ImportRefused(f"有 {result.rejected} 个要素被拒绝，没有写入任何数据：请修正文件后重新上传，"
                                "或选择“仅导入有效行”。")
        if not result.accepted:
            _record_counts(batch, result, ImportBatch.Status.DONE, committed_at=timezone.now(),
                           valid_only=options.valid_only, message="没有需要写入的边界。")
            return result
        _write(batch, user, result)
        _record_counts(batch, result, ImportBatch.Status.DONE, committed_at=timezone.now(),
                       valid_only=options.valid_only,
                       message=f"更新 {result.counts.get(UPDATE, 0)} 个地块边界，新建 {result.counts.get(CREATE, 0)} 个地块。")
    result.written = True
    return result


def _write(batch, user, result):
    zone = batch.zone
    updates = [r for r in result.rows if r["action"] == UPDATE]
    creates = [r for r in result.rows if r["action"] == CREATE]
    changes = []
    with change_context(user=user, import_batch=batch):
        if updates:
            old = {}
            pks = [r["pk"] for r in updates]
            for i in range(0, len(pks), 5000):
                old.update(Parcel.objects.filter(zone=zone, pk__in=pks[i:i + 5000]).values_list("pk", "geometry"))
            objs = []
            for r in updates:
                p = _light_parcel(r["pk"], zone.pk, r["code"], r["geometry"], batch.pk)
                objs.append(p)
                changes.append(make_change(p, "update", {"geometry": old.get(r["pk"])},
                                           {"geometry": r["geometry"], "import_batch": batch.pk}))
            _bulk_update(objs)
        if creates:
            status = _new_status()
            objs = [Parcel(zone=zone, code=r["code"], area_mu=Decimal(f"{r['area_mu']:.4f}"), geometry=r["geometry"],
                           status=status, import_batch=batch) for r in creates]
            Parcel.objects.bulk_create(objs, batch_size=2000)
            if any(o.pk is None for o in objs):  # a backend that does not return ids
                ids = dict(Parcel.objects.filter(zone=zone, code__in=[o.code for o in objs]).values_list("code", "pk"))
                for o in objs:
                    o.pk = ids[o.code]
            from zoneops.core.changelog import snapshot

            for o in objs:
                changes.append(make_change(o, "create", None, snapshot(o)))
        log_bulk(changes)  # also Zone.touch: the map's cache key moves on


def _light_parcel(pk, zone_id, code, geometry, batch_id):
    """A Parcel carrying only what the update and its change-log entry read (pk, zone, code,
    geometry, batch): Model.__init__ over 20,000 rows cost seconds of a large import."""
    p = Parcel.__new__(Parcel)
    p.__dict__.update(id=pk, zone_id=zone_id, code=code, geometry=geometry, import_batch_id=batch_id,
                      _zoneops_repr=code)
    return p


def _bulk_update(objs):
    Parcel.objects.set_geometries([(o.pk, o.geometry) for o in objs], import_batch=objs[0].import_batch_id,
                                  updated=timezone.now())
