"""督办: the daily supervision sweep over all open problems, set-based.

Each problem with a department carries three dates computed on the Chinese working-day calendar
when its deadline is set: remind_on (REMIND_DAYS working days before), the deadline, and red_on
(RED_DAYS working days after). On a day `today` a problem has reached:

    到期提醒 (1) from remind_on    → the handler (or the department's members)
    黄牌督办 (2) from the deadline  → the department's heads
    红牌督办 (3) from red_on        → zone leadership (the zone's admins)

The sweep raises `escalation_level` to the level reached, never lowers it (a new deadline resets
it to 0). It is idempotent: a second run on the same day finds nothing to do. A problem that
skipped levels (the worker was down) gets the highest level only. Whatever the number of
problems, it is four statements: INSERT … SELECT of the Escalation rows, INSERT … SELECT of the
change-history rows (action 督办), one UPDATE, and one GROUP BY for the notifications, which are
digests (one per recipient and level: "3 项诉求黄牌督办"), not one per problem.
"""
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import Cast, JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.changelog import current_context
from zoneops.core.models import ObjectChange, Zone

from . import engine, notify
from .models import Department, Escalation, Problem

ACTION = engine.ACTION_LABELS["escalate"]  # 督办


def _target(today):
    return Case(When(red_on__lte=today, then=Value(engine.RED)),
                When(deadline__lte=today, then=Value(engine.YELLOW)),
                When(remind_on__lte=today, then=Value(engine.REMINDER)),
                default=Value(engine.NONE), output_field=IntegerField())


def candidates(today, zone_ids=None):
    qs = Problem.objects.filter(state__in=engine.WITH_DEPARTMENT, remind_on__lte=today,
                                escalation_level__lt=engine.RED)
    if zone_ids is not None:
        qs = qs.filter(zone_id__in=zone_ids)
    return qs.annotate(target=_target(today)).filter(target__gt=F("escalation_level"))


def _insert_select(table, columns, queryset):
    sql, params = queryset.query.sql_with_params()
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(table)} ({cols}) {sql}", params)
        return cursor.rowcount


@transaction.atomic
def sweep(today=None, zone_ids=None):
    """Escalate every open problem as of `today` (default: the local date). Returns
    {"reminder": n, "yellow": n, "red": n, "notifications": n}."""
    today = today or timezone.localdate()
    now = timezone.now()
    request_id = current_context().get("request_id") or uuid.uuid4()
    qs = candidates(today, zone_ids)
    # 1. The escalation steps (the unique constraint makes a concurrent second sweep harmless).
    _insert_select(Escalation._meta.db_table, ["problem_id", "level", "deadline", "created"],
                   qs.values_list("id", "target", "deadline", Value(now)))
    # 2. The change history: one 督办 entry per problem, the level before and after.
    ct = ContentType.objects.get_for_model(Problem)
    rid = ObjectChange._meta.get_field("request_id").get_db_prep_value(request_id, connection)
    history = qs.values_list(
        Value(now), Value("system"), Value(rid, output_field=CharField()), Value(ACTION), Value(ct.pk),
        Cast("id", CharField()), "title", "zone_id",
        JSONObject(escalation_level=F("escalation_level")), JSONObject(escalation_level=F("target")))
    _insert_select(ObjectChange._meta.db_table,
                   ["time", "user_name", "request_id", "action", "content_type_id", "object_id", "object_repr",
                    "zone_id", "before", "after"], history)
    # 3. Who to tell (grouped before the levels move), then raise the levels: a plain UPDATE …
    # WHERE (no subquery), "target > level" spelled out per level.
    groups = list(qs.values("target", "zone_id", "department_id", "handler_id").annotate(n=Count("id")).order_by())
    zones = {g["zone_id"] for g in groups}
    due = Q(red_on__lte=today, escalation_level__lt=engine.RED) | Q(
        deadline__lte=today, escalation_level__lt=engine.YELLOW) | Q(remind_on__lte=today,
                                                                     escalation_level__lt=engine.REMINDER)
    raised = Problem.objects.filter(due, state__in=engine.WITH_DEPARTMENT)
    if zone_ids is not None:
        raised = raised.filter(zone_id__in=zone_ids)
    raised.update(escalation_level=_target(today), updated=now)
    # 4. Digests to the people concerned.
    counts = {"reminder": 0, "yellow": 0, "red": 0}
    sent = _notify([{"level": g["target"], "problem__zone_id": g["zone_id"], "problem__department_id":
                     g["department_id"], "problem__handler_id": g["handler_id"], "n": g["n"]} for g in groups], counts)
    Zone.touch(zones)
    return {**counts, "notifications": sent}


def _notify(groups, counts):
    from django.contrib.auth import get_user_model

    from .services import leadership

    User = get_user_model()
    key = {engine.REMINDER: "reminder", engine.YELLOW: "yellow", engine.RED: "red"}
    per_user = {}  # (user id, level) -> count

    def add(user_ids, level, n):
        for uid in user_ids:
            per_user[(uid, level)] = per_user.get((uid, level), 0) + n

    dept_ids = {g["problem__department_id"] for g in groups if g["problem__department_id"]}
    members, heads = {}, {}
    for d in Department.objects.filter(pk__in=dept_ids).prefetch_related("members", "heads"):
        members[d.pk] = [u.pk for u in d.members.all()]
        heads[d.pk] = [u.pk for u in d.heads.all()]
    leaders = {}
    for g in groups:
        level, n = g["level"], g["n"]
        counts[key[level]] += n
        dept = g["problem__department_id"]
        if level == engine.REMINDER:
            add([g["problem__handler_id"]] if g["problem__handler_id"] else members.get(dept, []), level, n)
        elif level == engine.YELLOW:
            add(heads.get(dept, []) or members.get(dept, []), level, n)
        else:
            zone = g["problem__zone_id"]
            if zone not in leaders:
                leaders[zone] = list(leadership(zone).values_list("pk", flat=True))
            add(leaders[zone], level, n)
    users = User.objects.in_bulk({uid for uid, _l in per_user})
    texts = {
        engine.REMINDER: _("到期提醒：您有 %(n)s 项诉求即将到期，请抓紧办理。"),
        engine.YELLOW: _("黄牌督办：本部门有 %(n)s 项诉求已到办理期限。"),
        engine.RED: _("红牌督办：有 %(n)s 项诉求超期未办结，请督促。"),
    }
    links = {engine.REMINDER: reverse("service:inbox"), engine.YELLOW: reverse("service:inbox"),
             engine.RED: reverse("service:problem_list") + "?escalation_level=3"}
    sent = 0
    for (uid, level), n in sorted(per_user.items()):
        user = users.get(uid)
        if user is not None:
            sent += len(notify.send([user], texts[level] % {"n": n}, links[level]))
    return sent


def due_counts(today, zone_ids=None):
    """What a sweep on `today` would do, without doing it (for the command's --dry-run)."""
    qs = candidates(today, zone_ids)
    return dict(qs.values_list("target").annotate(n=Count("id")).order_by())


def visible_filter():
    return Q(escalation_level__gt=0)
