"""In-app notifications, and the same text by email when mail is configured.

Email goes out when settings.EMAIL_HOST names a mail server (not Django's default "localhost")
or when a non-SMTP backend is configured (the tests use the locmem backend). A failing mail
server never breaks the action that triggered the message (fail_silently).
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Notification

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def email_enabled():
    backend = getattr(settings, "EMAIL_BACKEND", SMTP)
    if backend != SMTP:
        return True
    return bool(getattr(settings, "EMAIL_HOST", "")) and settings.EMAIL_HOST != "localhost"


def send(users, text, link=""):
    """One notification per distinct active user (None and duplicates skipped)."""
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, text=text[:300], link=link))
    Notification.objects.bulk_create(rows)
    # Mail only once the action is committed (a rolled-back action sends nothing).
    transaction.on_commit(lambda: mail(rows))
    return rows


def mail(rows):
    if not rows or not email_enabled():
        return
    users = get_user_model().objects.in_bulk([n.user_id for n in rows])
    base = getattr(settings, "ZONEOPS_BASE_URL", "").rstrip("/")
    messages = []
    for n in rows:
        user = users.get(n.user_id)
        if user is None or not user.email:
            continue
        body = n.text + (f"\n\n{base}{n.link}" if n.link else "")
        messages.append((_("【开发区运营平台】%(text)s") % {"text": n.text[:60]}, body,
                         settings.DEFAULT_FROM_EMAIL, [user.email]))
    if messages:
        send_mass_mail(messages, fail_silently=True)


def _dept_people(department):
    if department is None:
        return []
    return [*department.members.all(), *department.heads.all()]


def assigned(problem):
    people = [problem.handler] if problem.handler_id else _dept_people(problem.department)
    send(people, _("新交办诉求：%(title)s（%(firm)s），期限 %(date)s") % {
        "title": problem.title, "firm": problem.enterprise.name,
        "date": problem.deadline.isoformat() if problem.deadline else "—"}, problem.get_absolute_url())


def returned(problem, department, reason):
    from .services import leadership

    people = [problem.officer] if problem.officer_id else list(leadership(problem.zone_id))
    send(people, _("%(dept)s退回诉求：%(title)s，理由：%(reason)s") % {
        "dept": department, "title": problem.title, "reason": reason}, problem.get_absolute_url())


def extension_requested(problem):
    from .services import leadership

    people = [problem.officer] if problem.officer_id else list(leadership(problem.zone_id))
    send(people, _("%(dept)s申请延期：%(title)s，申请延至 %(date)s") % {
        "dept": problem.department, "title": problem.title,
        "date": problem.extension_date.isoformat() if problem.extension_date else "—"}, problem.get_absolute_url())


def extension_decided(problem, approved):
    text = _("延期申请已批准：%(title)s，新期限 %(date)s") if approved else _("延期申请未获批准：%(title)s，期限仍为 %(date)s")
    send([problem.handler] if problem.handler_id else _dept_people(problem.department),
         text % {"title": problem.title, "date": problem.deadline.isoformat() if problem.deadline else "—"},
         problem.get_absolute_url())


def answered(problem):
    from zoneops.core.models import Membership

    firm_users = [m.user for m in Membership.objects.filter(
        role=Membership.Role.ENTERPRISE, enterprise_id=problem.enterprise_id).select_related("user")]
    send([*firm_users, problem.officer], _("诉求已反馈：%(title)s，请查看办理结果并评价") % {"title": problem.title},
         problem.get_absolute_url())


def rated(problem):
    from .engine import RATING_LABELS

    people = [problem.officer, problem.handler]
    send(people, _("企业评价“%(label)s”：%(title)s") % {"label": RATING_LABELS.get(problem.rating, ""),
                                                         "title": problem.title}, problem.get_absolute_url())
