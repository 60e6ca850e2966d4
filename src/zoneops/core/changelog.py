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
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

_context = contextvars.ContextVar("zoneops_change_context", default=None)

# Models whose changes are recorded; filled by `track`.
TRACKED = set()


@contextmanager
def change_context(user=None, request_id=None, import_batch=None):
    token = _context.set({"user": user, "request_id": request_id or uuid.uuid4(), "import_batch": import_batch})
    try:
        yield
    finally:
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
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
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
        if field.name in ("created", "updated"):
            continue
        data[field.name] = to_json(getattr(instance, field.attname))
    return data


def _user_fields(ctx):
    user = ctx.get("user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user, user.get_username()
    return None, ctx.get("user_name", "system")


def zone_id_of(instance):
    return getattr(instance, "zone_id", None) if not instance._meta.model_name == "zone" else instance.pk


def make_change(instance, action, before, after, ctx=None):
    from .models import ObjectChange

    ctx = ctx if ctx is not None else current_context()
    user, user_name = _user_fields(ctx)
    batch = ctx.get("import_batch")
    return ObjectChange(
        user=user, user_name=user_name or "system", request_id=ctx.get("request_id"), action=action,
        content_type=ContentType.objects.get_for_model(instance.__class__),
        object_id=str(instance.pk), object_repr=str(instance)[:200], zone_id=zone_id_of(instance),
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
    make_change(instance, "create" if created else "update", before, after).save()
    instance._zoneops_before = after
    _touch(instance)


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if sender not in TRACKED:
        return
    make_change(instance, "delete", snapshot(instance), None).save()
    _touch(instance)


@receiver(m2m_changed)
def _log_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    if reverse or type(instance) not in TRACKED or action not in ("post_add", "post_remove", "post_clear"):
        return
    field = next((f for f in instance._meta.many_to_many if f.remote_field.through is sender), None)
    if field is None:
        return
    now = sorted(str(v) for v in getattr(instance, field.name).values_list("pk", flat=True))
    # Reconstruct the previous set from what was just added or removed.
    changed = {str(p) for p in (pk_set or ())}
    prev = sorted(set(now) - changed) if action == "post_add" else sorted(set(now) | changed)
    if prev == now:
        return
    make_change(instance, "update", {field.name: prev}, {field.name: now}).save()
    _touch(instance)


def _touch(instance):
    from .models import Zone

    if not isinstance(instance, Zone):
        Zone.touch([zone_id_of(instance)])
