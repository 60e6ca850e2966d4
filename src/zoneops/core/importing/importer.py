"""The Django side of an import kind: lookups, matching rows to existing records, bulk writing.

An app declares its kinds in `<app>/importers.py` (autodiscovered) by subclassing `Importer`:

    @register
    class ParcelImporter(Importer):
        kind, model, label = "parcels", Parcel, "地块"
        key = ("code",)
        fields = {"code": "code", "area_mu": "area_mu", ...}  # column key → model attname
        def columns(self): return [Column("code", "地块编号", TextParser(64), required=True, ...), ...]
        def resolve(self, rows, present): ...          # DB references; row.add_error(...)
        def existing(self, rows): ...                  # {row key: dict of attnames} of matching records

`plan` then decides per row create / update / unchanged (an update touches only the columns the
file has; an empty cell keeps the stored value) and `write` stores a chunk with the change log.
"""
import datetime
import decimal
import json
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from zoneops.core.changelog import SKIPPED_FIELDS, to_json

from . import writers
from .engine import Spec

IMPORTERS = {}

_JSON_INT_TYPES = {"IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                   "PositiveSmallIntegerField", "PositiveBigIntegerField", "AutoField", "BigAutoField",
                   "SmallAutoField"}
_JSON_STR_TYPES = {"CharField", "TextField", "SlugField"}
_json_str_c = json.encoder.encode_basestring  # ensure_ascii=False, as writers.encode_json


def _json_any(value):
    return "null" if value is None else writers.JSON_ENCODER.encode(to_json(value))


def _json_str(value):
    return _json_str_c(value) if value.__class__ is str else _json_any(value)


def _json_int(value):
    return str(value) if value.__class__ is int else _json_any(value)


def _json_bool(value):
    return ("true" if value else "false") if value.__class__ is bool else _json_any(value)


def _json_decimal(value):
    if value.__class__ is decimal.Decimal and value.is_finite():
        return '"' + format(value.normalize(), "f") + '"'
    return _json_any(value)
_discovered = False


def register(cls):
    IMPORTERS[cls.kind] = cls
    return cls


def importer_class(kind):
    """The Importer subclass for `kind`, or None."""
    global _discovered
    if not _discovered:
        autodiscover_modules("importers")
        _discovered = True
    return IMPORTERS.get(kind)


def chunked(items):
    """`items` in lists small enough for one `__in` lookup (SQLite allows 999 parameters)."""
    items = list(items)
    size = connection.features.max_query_params or 20000
    size = max(1, size - 10)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def all_kinds():
    importer_class("")
    return list(IMPORTERS.values())


@dataclass
class Change:
    row: object  # engine.Row
    action: str  # "create", "update", "unchanged"
    values: dict  # attname → value after the import (every concrete field)
    before: dict = None  # attname → value before (updates)
    pk: int = None
    m2m: dict = field(default_factory=dict)  # field name → (ids before, ids after)


@dataclass
class WriteContext:
    batch: object
    user: object
    request_id: object
    now: datetime.datetime


class Importer:
    kind = ""
    model = None
    label = ""  # what one row is, e.g. 企业
    title = ""  # the template's file name, e.g. 企业名录
    key = ()  # column keys identifying a row inside the file
    fields = {}  # column key → model attname written by the import
    m2m_fields = {}  # column key → many-to-many field name

    def __init__(self, zone, user=None, batch=None, file_name="", today=None):
        self.zone = zone
        self.user = user
        self.batch = batch
        self.file_name = file_name or (batch.file_name if batch is not None else "")
        self.today = today or timezone.localdate()
        self.layout = None  # the engine.Layout of the file being imported, set by the service

    def bound(self, key):
        """The file column (engine.Bound) of a column key, for attaching row errors."""
        for b in (self.layout.bound if self.layout is not None else ()):
            if b.column.key == key:
                return b
        return None

    # -- declared by subclasses ------------------------------------------------------------------
    def columns(self):
        raise NotImplementedError

    def resolve(self, rows, present):
        """Resolve references (USCC → enterprise …) of rows without errors; add errors to rows."""

    def existing(self, rows):
        """{row key: {attname: value, …, 'id': pk}} of stored records matching the rows."""
        raise NotImplementedError

    def row_key(self, row):
        return tuple(row.values.get(k) for k in self.key)

    def adjust(self, change, present):
        """Model rules beyond one cell (derived fields, cross-field checks); may add row errors."""

    def object_repr(self, values):
        return str(values.get("name") or values.get("id"))

    def existing_m2m(self, name, pks):
        """{pk: tuple of related ids} for a many-to-many field."""
        return {}

    # -- generic machinery -----------------------------------------------------------------------
    @cached_property
    def spec(self):
        return Spec(self.kind, self.label, self.columns(), key=self.key)

    @cached_property
    def concrete(self):
        return [f for f in self.model._meta.concrete_fields]

    @cached_property
    def value_names(self):
        """Attnames fetched for existing records (everything the change log snapshots, and id)."""
        return [a for _, a in self.snapshot_fields]

    @cached_property
    def snapshot_fields(self):
        return [(f.name, f.attname) for f in self.concrete if f.name not in SKIPPED_FIELDS]

    def defaults(self):
        values = {}
        for f in self.concrete:
            if not f.primary_key and f.name not in ("created", "updated"):
                values[f.attname] = f.get_default()
        values["zone_id"] = self.zone.pk
        return values

    def plan(self, rows, present):
        """Changes for the rows of one chunk; rows that fail get errors and no change."""
        self.resolve([r for r in rows if not r.errors], present)
        found = self.existing([r for r in rows if not r.errors])
        columns = self.spec.by_key
        # Column keys the rows may carry: the file's columns, and keys filled by `resolve`.
        active = [(k, a) for k, a in self.fields.items() if k in present or k not in columns]
        compared = list(dict.fromkeys([a for k, a in active if k in present] + list(self.derived)))
        m2m_present = [(k, n) for k, n in self.m2m_fields.items() if k in present]
        m2m_before = {}
        if m2m_present:
            pks = [v["id"] for v in found.values()]
            m2m_before = {name: self.existing_m2m(name, pks) for _, name in m2m_present}
        base = self.defaults()
        adjust = self.adjust if type(self).adjust is not Importer.adjust else None
        row_key = self.row_key
        changes = []
        append = changes.append
        for row in rows:
            if row.errors:
                continue
            old = found.get(row_key(row))
            values = dict(old) if old is not None else dict(base)
            rv = row.values
            for key, attname in active:
                if key in rv:
                    values[attname] = rv[key]
            if old is None:
                change = Change(row, "create", values)
            else:
                change = Change(row, "update", values, old, old["id"])
            for key, name in m2m_present:
                before = m2m_before[name].get(change.pk, ()) if old is not None else ()
                after = tuple(sorted(rv[key])) if key in rv else before
                if before != after:
                    change.m2m[name] = (before, after)
            if adjust is not None:
                adjust(change, present)
                if row.errors:
                    continue
            if old is not None and not change.m2m:
                for a in compared:
                    if values[a] != old[a]:
                        break
                else:
                    change.action = "unchanged"
            append(change)
        return changes

    derived = ()  # attnames `adjust` may change besides the file's columns

    def write(self, changes, present, ctx):
        """Store changes (inside the caller's transaction) and log them in the change log."""
        from zoneops.core.models import ObjectChange

        creates = [c for c in changes if c.action == "create"]
        updates = [c for c in changes if c.action == "update"]
        if not creates and not updates:
            return
        ContentType.objects.get_for_model(self.model)  # cached now: no query while the insert runs
        now_db = writers.prepare(self.model._meta.get_field("updated"), ctx.now)
        batch_id = ctx.batch.pk if ctx.batch is not None else None
        inserting = None
        if creates:
            ids = writers.reserve_ids(self.model, len(creates))
            getter = itemgetter(*[f.attname for f in self.concrete])
            rows = []
            for change, pk in zip(creates, ids):
                change.pk = pk
                v = change.values
                v["id"] = pk
                v["import_batch_id"] = batch_id
                v["created"] = v["updated"] = now_db
                rows.append(getter(v))
            inserting = writers.start_insert(self.model, [f.column for f in self.concrete], rows)
        for change in updates:
            change.values["import_batch_id"] = batch_id
        try:
            # The change log is computed while the database ingests the new rows.
            log_columns, log_rows = self.change_rows(creates + updates, ctx)
        finally:
            if inserting is not None:
                inserting.wait()
        if updates:
            attnames = list(dict.fromkeys([*(self.fields[k] for k in present if k in self.fields), *self.derived]))
            attnames = [a for a in attnames if a != "id"]
            by_attname = {f.attname: f for f in self.concrete}
            columns = [by_attname[a].column for a in attnames] + ["updated", "import_batch_id"]
            rows = [(*(c.values[a] for a in attnames), now_db, batch_id, c.pk) for c in updates]
            writers.update_rows(self.model, columns, rows)
        self.write_m2m([c for c in changes if c.m2m])
        writers.insert_rows(ObjectChange, log_columns, log_rows)

    def write_m2m(self, changes):
        by_field = {}
        for change in changes:
            for name, (before, after) in change.m2m.items():
                by_field.setdefault(name, []).append((change.pk, set(before), set(after)))
        for name, items in by_field.items():
            rel = self.model._meta.get_field(name)
            through = rel.remote_field.through
            src = rel.m2m_field_name() + "_id"
            dst = rel.m2m_reverse_field_name() + "_id"
            for pk, before, after in items:
                removed = before - after
                if removed:
                    through.objects.filter(**{src: pk, f"{dst}__in": removed}).delete()
            through.objects.bulk_create([through(**{src: pk, dst: other}) for pk, before, after in items
                                         for other in sorted(after - before)], batch_size=2000)

    @cached_property
    def _snapshot_plan(self):
        """(field names, getter of their values, indexes of values needing to_json)."""
        plain = {"CharField", "TextField", "SlugField", "IntegerField", "BigIntegerField", "SmallIntegerField",
                 "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "BooleanField",
                 "AutoField", "BigAutoField", "ForeignKey"}
        fields = [f for f in self.concrete if f.name not in SKIPPED_FIELDS]
        convert = [i for i, f in enumerate(fields) if f.get_internal_type() not in plain
                   or (f.is_relation and f.target_field.get_internal_type() not in plain)]
        return [f.name for f in fields], itemgetter(*[f.attname for f in fields]), convert

    def snapshot(self, values, m2m=None, side=1):
        """The change log's JSON of a record (as changelog.snapshot gives for an instance)."""
        names, getter, convert = self._snapshot_plan
        row = list(getter(values))
        for i in convert:
            v = row[i]
            if v is not None:
                row[i] = to_json(v)
        data = dict(zip(names, row))
        for name, pair in (m2m or {}).items():
            data[name] = [str(v) for v in pair[side]]
        return data

    @cached_property
    def _json_plan(self):
        """[(JSON text before the value, converter of the value to JSON text)] per snapshot field:
        `snapshot_json` builds the same text as encoding `snapshot`, without the dict and the
        generic encoder."""
        names, getter, convert = self._snapshot_plan
        fields = {f.name: f for f in self.concrete}
        plan = []
        for i, name in enumerate(names):
            f = fields[name]
            kind = (f.target_field if f.is_relation else f).get_internal_type()
            if kind in _JSON_INT_TYPES:
                conv = _json_int
            elif kind in _JSON_STR_TYPES:
                conv = _json_str
            elif kind == "DecimalField":
                conv = _json_decimal
            elif kind == "BooleanField":
                conv = _json_bool
            else:
                conv = _json_any
            plan.append((("{" if i == 0 else ",") + _json_str(name) + ":", conv))
        return plan

    def snapshot_json(self, values, m2m=None, side=1):
        """`snapshot(values, m2m, side)` as compact JSON text (what the change log stores)."""
        if m2m:
            return writers.encode_json(self.snapshot(values, m2m, side))
        names, getter, convert = self._snapshot_plan
        parts = [prefix + conv(v) for (prefix, conv), v in zip(self._json_plan, getter(values))]
        return "".join(parts) + "}" if parts else "{}"

    def change_rows(self, changes, ctx):
        """(columns, rows) of the change-log records of `changes`: one per created or updated
        record, as the signal handlers would log it. Computes only: no database access."""
        from zoneops.core.models import ObjectChange

        meta = ObjectChange._meta
        content_type_id = ContentType.objects.get_for_model(self.model).pk
        user = ctx.user if ctx.user is not None and getattr(ctx.user, "is_authenticated", False) else None
        user_id = user.pk if user is not None else None
        user_name = user.get_username() if user is not None else "system"
        request_id = writers.prepare(meta.get_field("request_id"), ctx.request_id)
        time = writers.prepare(meta.get_field("time"), ctx.now)
        batch_id = ctx.batch.pk if ctx.batch is not None else None
        snapshot_json = self.snapshot_json
        object_repr = self.object_repr
        order = ["time", "user_id", "user_name", "request_id", "action", "content_type_id", "object_id",
                 "object_repr", "zone_id", "import_batch_id", "before", "after"]
        zone_id = self.zone.pk
        rows = [(time, user_id, user_name, request_id, c.action, content_type_id, str(c.pk),
                 object_repr(c.values)[:200], zone_id, batch_id,
                 snapshot_json(c.before, c.m2m, side=0) if c.action == "update" else None,
                 snapshot_json(c.values, c.m2m, side=1))
                for c in changes]
        return [meta.get_field(n).column for n in order], rows

    # -- the template ------------------------------------------------------------------------------
    def example_rows(self):
        return [[c.example for c in self.spec.columns]]
