"""The change log, written once from model signals.

Whoever saves (a form, the API, an import, the shell) the record is logged with the user and
request id of the current `change_context`. Bulk imports bypass signals and call `log_bulk`.
"""
import contextvars
import datetime
import decimal
import uuid
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

_context = contextvars.ContextVar("zoneops_change_context", default=None)
# Zones being deleted right now: records logged meanwhile (their memberships…) must not point at them.
_deleting_zones = contextvars.ContextVar("zoneops_deleting_zones", default=frozenset())

# Models whose changes are recorded; filled by `track`.
TRACKED = set()
# Bookkeeping fields that are not part of a record's history (map_geometry: derived from geometry;
# free_as_of: the day a space's free m² was last worked out).
SKIPPED_FIELDS = {"created", "updated", "data_version", "map_geometry", "free_as_of"}


@contextmanager
def change_context(user=None, request_id=None, import_batch=None):
    token = _context.set({"user": user, "request_id": request_id or uuid.uuid4(), "import_batch": import_batch})
    zones_token = _deleting_zones.set(frozenset())
    try:
        yield
    finally:
        _deleting_zones.reset(zones_token)
        _context.reset(token)


def current_context():
    return _context.get() or {}


def track(model):
    TRACKED.add(model)
    return model


def to_json(value):
    if value is None or isinstance(value, (bool, int, str, float)):
        return value
    if isinstance(value, decimal.Decimal):
        # 12.5 whether it came from the database as 12.5000 or from a form as 12.5.
        return format(value.normalize(), "f")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, dict)):
        return value
    return str(value)


def snapshot(instance):
    """JSON-safe {field name: value} of concrete fields (foreign keys as their ids)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        data[field.name] = to_json(getattr(instance, field.attname))
    return data


def _user_fields(ctx):
    user = ctx.get("user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user, user.get_username()
    return None, ctx.get("user_name", "system")


def zone_id_of(instance):
    zone_id = getattr(instance, "zone_id", None) if not instance._meta.model_name == "zone" else instance.pk
    return None if zone_id in _deleting_zones.get() else zone_id


def make_change(instance, action, before, after, ctx=None):
    from .models import ObjectChange

    ctx = ctx if ctx is not None else current_context()
    user, user_name = _user_fields(ctx)
    batch = ctx.get("import_batch")
    return ObjectChange(
        user=user, user_name=user_name or "system", request_id=ctx.get("request_id"), action=action,
        content_type=ContentType.objects.get_for_model(instance.__class__),
        object_id=str(instance.pk), object_repr=(getattr(instance, "_zoneops_repr", None) or str(instance))[:200],
        zone_id=zone_id_of(instance),
        import_batch_id=batch.pk if batch is not None else None, before=before, after=after,
    )


def log_action(instance, action, before=None, after=None):
    """Record a named business action (e.g. 'submitted', 'assigned') on an object."""
    change = make_change(instance, action, before, after)
    change.save()
    return change


def log_bulk(changes):
    from .models import ObjectChange, Zone

    ObjectChange.objects.bulk_create(changes, batch_size=2000)
    Zone.touch({c.zone_id for c in changes})


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if sender not in TRACKED or raw or not instance.pk:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._zoneops_before = snapshot(old) if old is not None else None


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if sender not in TRACKED or raw:
        return
    before = None if created else getattr(instance, "_zoneops_before", None)
    after = snapshot(instance)
    if not created and before == after:
        return
    change = make_change(instance, "create" if created else "update", before, after)
    change.save()
    instance._zoneops_before = after
    instance._zoneops_last_change = change
    _touch(instance)


@receiver(pre_delete)
def _prepare_delete(sender, instance, **kwargs):
    """Before a tracked record goes: its many-to-many values (gone by post_delete), the tracked
    records whose reference to it the database will set to NULL (no signals for those), and, for a
    zone, the note that records logged during its deletion must not point at it."""
    if sender not in TRACKED:
        return
    if instance._meta.model_name == "zone":
        _deleting_zones.set(_deleting_zones.get() | {instance.pk})
        instance._zoneops_pk = instance.pk
    # Named now: a related record its name uses (a membership's zone) may be deleted first.
    instance._zoneops_repr = str(instance)
    instance._zoneops_m2m = {f.name: _m2m_pks(instance, f) for f in instance._meta.many_to_many}
    nulled = []
    for rel in instance._meta.related_objects:
        if rel.related_model in TRACKED and rel.on_delete is models.SET_NULL and not rel.many_to_many:
            for other in rel.related_model._base_manager.filter(**{rel.field.name: instance.pk}):
                before = snapshot(other)
                nulled.append((other, before, {**before, rel.field.name: None}))
    instance._zoneops_nulled = nulled


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if sender not in TRACKED:
        return
    for other, before, after in getattr(instance, "_zoneops_nulled", ()):
        make_change(other, "update", before, after).save()
    make_change(instance, "delete", {**snapshot(instance), **getattr(instance, "_zoneops_m2m", {})}, None).save()
    _touch(instance)
    if instance._meta.model_name == "zone":
        # Records cascading from the zone may be deleted (and logged) after it: forget it at commit.
        pk = instance.pk if instance.pk is not None else getattr(instance, "_zoneops_pk", None)
        transaction.on_commit(lambda: _deleting_zones.set(_deleting_zones.get() - {pk}))


def _m2m_pks(instance, field):
    return sorted(str(v) for v in getattr(instance, field.name).values_list("pk", flat=True))


@receiver(m2m_changed)
def _log_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Many-to-many changes from either side (enterprise.pools.add(...), pool.enterprises.clear()).

    The values before are read on pre_*, compared on post_*. Within one request, a change joins the
    record just written for the same object (a form's create/update), so one save is one entry."""
    owner_model = model if reverse else type(instance)
    if owner_model not in TRACKED:
        return
    field = next((f for f in owner_model._meta.many_to_many if f.remote_field.through is sender), None)
    if field is None:
        return
    phase, _, kind = action.partition("_")
    pending = instance.__dict__.setdefault("_zoneops_m2m_pending", {})
    key = (field.name, kind)
    if phase == "pre":
        if not reverse:
            owners = [instance]
        elif kind == "clear":
            owners = list(owner_model._base_manager.filter(**{field.name: instance.pk}))
        else:
            owners = list(owner_model._base_manager.filter(pk__in=pk_set or ()))
        pending[key] = [(owner, _m2m_pks(owner, field)) for owner in owners]
        return
    for owner, before in pending.pop(key, ()):
        after = _m2m_pks(owner, field)
        if before != after:
            _record_m2m(owner, field.name, before, after)


def _record_m2m(owner, name, before, after):
    last = owner.__dict__.get("_zoneops_last_change")
    request_id = current_context().get("request_id")
    if last is not None and request_id is not None and last.request_id == request_id:
        if last.before is not None:
            last.before.setdefault(name, before)
        last.after[name] = after
        last.save(update_fields=["before", "after"])
    else:
        change = make_change(owner, "update", {name: before}, {name: after})
        change.save()
        owner._zoneops_last_change = change
    _touch(owner)


def _touch(instance):
    from .models import Zone

    if not isinstance(instance, Zone):
        Zone.touch([zone_id_of(instance)])
