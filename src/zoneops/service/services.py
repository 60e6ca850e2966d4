"""Workflow actions on problems: the engine decides, this module writes.

Every action:
- checks the move with `engine.decide` (state and role), and the version the user saw;
- writes the problem with one conditional UPDATE (`WHERE version = <seen>`), so of two people
  acting on the same version only the first one wins and the second gets a clear message;
- records the named action in the change history (log_action, with the fields before and
  after), a ProblemEvent for the timeline, and notifications.
"""
import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.core.changelog import current_context, log_action, snapshot
from zoneops.core.models import Membership, Zone
from zoneops.core.scoping import CHANGE, can, portal_enterprise_ids

from . import engine, notify, workdays
from .models import DeadlineRule, Department, Problem, ProblemEvent, department_ids

# Supervision: the handler is reminded this many working days before the deadline; zone
# leadership gets the red flag this many working days after it (the department head's yellow
# flag falls on the deadline itself).
REMIND_DAYS = getattr(settings, "ZONEOPS_SERVICE_REMIND_DAYS", 2)
RED_DAYS = getattr(settings, "ZONEOPS_SERVICE_RED_DAYS", 3)


class ActionError(Exception):
    """A refused action (message in Chinese)."""


class StaleVersion(ActionError):
    pass


STALE_MESSAGE = "该诉求已被他人修改（您看到的是第 {seen} 版，当前为第 {now} 版），本次操作未保存。请刷新页面查看最新情况后再办理。"


def roles_of(user, problem):
    """The engine roles `user` holds on `problem`."""
    roles = set()
    if can(user, problem.zone_id, CHANGE):
        roles.add(engine.STAFF)
    if problem.department_id and problem.department_id in department_ids(user):
        roles.add(engine.DEPARTMENT)
    if problem.enterprise_id in portal_enterprise_ids(user):
        roles.add(engine.ENTERPRISE)
    return roles


def deadline_for(problem, start=None):
    """The default deadline: the rule's working days after `start` (today)."""
    days = DeadlineRule.days_for(problem.zone_id, problem.category_id, problem.priority)
    return workdays.add_working_days(start or timezone.localdate(), days)


def supervision_fields(deadline):
    remind, _yellow, red = workdays.supervision_dates(deadline, REMIND_DAYS, RED_DAYS)
    return {"deadline": deadline, "remind_on": remind, "red_on": red, "escalation_level": 0}


def _user_name(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return current_context().get("user_name", "system")
    return user.get_full_name() or user.get_username()


@transaction.atomic
def apply(problem, move, user, *, version, changes=None, note="", rating=None, public=True, notice=None):
    """Make `move` on `problem` as `user`, who saw `version`; `changes` are the fields it sets.
    Returns the refreshed problem. Raises ActionError."""
    roles = roles_of(user, problem)
    try:
        outcome = engine.decide(problem.state, move, roles, extension_pending=problem.extension_pending,
                                rating=rating)
    except engine.Refused as e:
        raise ActionError(str(e)) from None
    if int(version) != problem.version:
        raise StaleVersion(STALE_MESSAGE.format(seen=version, now=problem.version))
    before = snapshot(problem)
    fields = {"state": outcome.state, **(changes or {})}
    updated = Problem.objects.filter(pk=problem.pk, version=problem.version).update(
        **fields, version=F("version") + 1, updated=timezone.now())
    if not updated:
        now = Problem.objects.filter(pk=problem.pk).values_list("version", flat=True).first()
        raise StaleVersion(STALE_MESSAGE.format(seen=version, now=now))
    problem.refresh_from_db()
    action = outcome.label if move not in ("request_extension", "decide_extension") else engine.ACTION_LABELS["extension"]
    log_action(problem, action, before, snapshot(problem))
    ProblemEvent.objects.create(problem=problem, action=outcome.action if move != "rate" else outcome.action,
                                user=user if getattr(user, "is_authenticated", False) else None,
                                user_name=_user_name(user), state=problem.state, note=note, public=public)
    Zone.touch([problem.zone_id])
    if notice:
        notice(problem)
    return problem


def receive(problem, user):
    """A new problem (form, portal, API): the 受理 entry of its timeline and history."""
    log_action(problem, engine.ACTION_LABELS["receive"], None, snapshot(problem))
    ProblemEvent.objects.create(problem=problem, action="receive", user=user if user.is_authenticated else None,
                                user_name=_user_name(user), state=problem.state,
                                note=_("来源：%(source)s") % {"source": problem.get_source_display()})


def assign(problem, user, *, version, department, handler=None, deadline=None, note="", today=None):
    if department.zone_id != problem.zone_id:
        raise ActionError(_("所选部门不属于该开发区。"))
    if handler is not None and not department.members.filter(pk=handler.pk).exists() \
            and not department.heads.filter(pk=handler.pk).exists():
        raise ActionError(_("经办人“%(name)s”不是%(dept)s的成员。") % {"name": handler, "dept": department})
    today = today or timezone.localdate()
    deadline = deadline or deadline_for(problem, today)
    if deadline < today:
        raise ActionError(_("办理期限不能早于今天。"))
    changes = {"department": department, "handler": handler, "assigned_on": today, **supervision_fields(deadline),
               "extension_pending": False, "extension_date": None, "extension_reason": ""}
    text = _("交办%(dept)s，期限 %(date)s") % {"dept": department.name, "date": deadline.isoformat()}
    return apply(problem, "assign", user, version=version, changes=changes,
                 note="；".join(t for t in (text, note) if t),
                 notice=lambda p: notify.assigned(p))


def accept(problem, user, *, version, note=""):
    return apply(problem, "accept", user, version=version, note=note)


def give_back(problem, user, *, version, reason):
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(_("退回须写明理由。"))
    department = problem.department
    changes = {"department": None, "handler": None, "assigned_on": None, "deadline": None, "remind_on": None,
               "red_on": None, "escalation_level": 0, "extension_pending": False, "extension_date": None,
               "extension_reason": ""}
    return apply(problem, "return", user, version=version, changes=changes,
                 note=_("%(dept)s退回：%(reason)s") % {"dept": department, "reason": reason},
                 notice=lambda p: notify.returned(p, department, reason))


def request_extension(problem, user, *, version, new_date, reason):
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(_("申请延期须写明理由。"))
    if problem.deadline and new_date <= problem.deadline:
        raise ActionError(_("延期后的期限（%(new)s）须晚于当前期限（%(old)s）。") % {
            "new": new_date.isoformat(), "old": problem.deadline.isoformat()})
    return apply(problem, "request_extension", user, version=version,
                 changes={"extension_pending": True, "extension_date": new_date, "extension_reason": reason},
                 note=_("申请延期至 %(date)s：%(reason)s") % {"date": new_date.isoformat(), "reason": reason},
                 public=False, notice=lambda p: notify.extension_requested(p))


def decide_extension(problem, user, *, version, approve, note=""):
    if approve:
        changes = {**supervision_fields(problem.extension_date), "extension_pending": False}
        text = _("批准延期，期限改为 %(date)s") % {"date": problem.extension_date.isoformat()}
    else:
        changes = {"extension_pending": False, "extension_date": None}
        text = _("不批准延期，期限仍为 %(date)s") % {"date": problem.deadline.isoformat() if problem.deadline else "—"}
    return apply(problem, "decide_extension", user, version=version, changes=changes,
                 note="；".join(t for t in (text, note) if t), public=False,
                 notice=lambda p: notify.extension_decided(p, approve))


def answer(problem, user, *, version, text, today=None):
    text = (text or "").strip()
    if not text:
        raise ActionError(_("请填写办理结果（将反馈给企业）。"))
    today = today or timezone.localdate()
    changes = {"answer": text, "answered_on": today,
               "on_time": problem.deadline is None or today <= problem.deadline}
    return apply(problem, "answer", user, version=version, changes=changes, note=text,
                 notice=lambda p: notify.answered(p))


def _closing(problem):
    today = timezone.localdate()
    return {"closed_on": today, "days_to_close": max(0, (today - problem.received_on).days)}


def rate(problem, user, *, version, rating, note=""):
    if rating not in engine.RATING_LABELS:
        raise ActionError(_("请选择满意、基本满意或不满意。"))
    changes = {"rating": rating, "rating_note": (note or "").strip()[:500]}
    if rating == engine.UNSATISFIED:
        today = timezone.localdate()
        changes.update({"answered_on": None, "on_time": None, "closed_on": None, "days_to_close": None,
                        **supervision_fields(deadline_for(problem, today))})
    else:
        changes.update(_closing(problem))
    label = engine.RATING_LABELS[rating]
    return apply(problem, "rate", user, version=version, changes=changes, rating=rating,
                 note=_("企业评价：%(label)s%(note)s") % {"label": label, "note": f"（{note}）" if note else ""},
                 notice=lambda p: notify.rated(p))


def close(problem, user, *, version, note=""):
    return apply(problem, "close", user, version=version, changes=_closing(problem),
                 note=note or _("企业未评价，由开发区办结"))


def reopen(problem, user, *, version, note=""):
    if not (note or "").strip():
        raise ActionError(_("重开须写明理由。"))
    today = timezone.localdate()
    changes = {"closed_on": None, "days_to_close": None, "answered_on": None, "on_time": None, "rating": "",
               "rating_note": "", **supervision_fields(deadline_for(problem, today))}
    return apply(problem, "reopen", user, version=version, changes=changes, note=note,
                 notice=lambda p: notify.assigned(p))


def leadership(zone_id):
    """Zone leadership (red flags go to them): the zone's admins."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(memberships__zone_id=zone_id, memberships__role=Membership.Role.ADMIN,
                                           is_active=True)


def visible_departments(user, zone_ids=None):
    qs = Department.objects.restrict(user)
    if zone_ids is not None:
        qs = qs.filter(zone_id__in=zone_ids)
    return qs


def open_problem_filter():
    return Q(state__in=engine.OPEN_STATES)


def overdue_filter(today=None):
    today = today or timezone.localdate()
    return Q(state__in=engine.WITH_DEPARTMENT, deadline__lt=today)


def today():
    return timezone.localdate()


def as_date(value):
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)
