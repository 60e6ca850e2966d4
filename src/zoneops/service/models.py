"""为企服务: enterprise problems (诉求) and their closed loop, departments, visits, notifications.

A Problem belongs to an enterprise and may also concern a "subject" (an investment project, once
projects exist): the generic pair `subject_type` / `subject_id` is the extension point, so issue 5
attaches problems to projects without a new model.
"""
import os

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.changelog import track
from zoneops.core.models import ZoneScopedModel
from zoneops.core.scoping import DEPARTMENT, VIEW, ZoneQuerySet, portal_enterprise_ids, zone_ids_for

from . import engine

DEFAULT_CATEGORIES = ("用地", "用工", "融资", "审批", "基础设施", "政策兑现", "其他")


class Source(models.TextChoices):
    VISIT = "visit", _("走访")
    SELF = "self", _("企业自报")
    MEETING = "meeting", _("调度会")
    HOTLINE = "hotline", _("热线")
    OTHER = "other", _("其他")


class Priority(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class State(models.TextChoices):
    RECEIVED = engine.RECEIVED, _("受理")
    ASSIGNED = engine.ASSIGNED, _("已交办")
    IN_PROGRESS = engine.IN_PROGRESS, _("处置中")
    ANSWERED = engine.ANSWERED, _("已反馈")
    CLOSED = engine.CLOSED, _("办结")


class Rating(models.TextChoices):
    SATISFIED = engine.SATISFIED, _("满意")
    BASICALLY = engine.BASICALLY, _("基本满意")
    UNSATISFIED = engine.UNSATISFIED, _("不满意")


class Level(models.IntegerChoices):
    NONE = engine.NONE, _("无")
    REMINDER = engine.REMINDER, _("到期提醒")
    YELLOW = engine.YELLOW, _("黄牌督办")
    RED = engine.RED, _("红牌督办")


@track
class ProblemCategory(ZoneScopedModel):
    """A zone's problem categories (用地, 用工, 融资 …); the defaults are created on first use."""

    name = models.CharField(_("名称"), max_length=40)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["zone", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="unique_problem_category_per_zone",
                                               violation_error_message=_("本开发区已有同名的诉求类别。"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("service:problemcategory_detail", args=[self.pk])

    @classmethod
    def ensure_defaults(cls, zone_ids):
        """Create the default categories of zones that have none (bulk, no history: reference data)."""
        zone_ids = set(zone_ids)
        have = set(cls.objects.filter(zone_id__in=zone_ids).values_list("zone_id", flat=True).distinct())
        cls.objects.bulk_create([cls(zone_id=z, name=name, order=10 * (i + 1))
                                 for z in zone_ids - have for i, name in enumerate(DEFAULT_CATEGORIES)],
                                ignore_conflicts=True)


@track
class Department(ZoneScopedModel):
    """A department that receives assigned problems (经信局, 自然资源和规划局 …).

    Members work the department's inbox: users with the zone role 部门用户 (or zone staff).
    Heads get the yellow flags (黄牌督办) of its overdue problems."""

    name = models.CharField(_("部门名称"), max_length=60)
    heads = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="headed_departments",
                                   verbose_name=_("负责人"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="service_departments",
                                     verbose_name=_("成员"))
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("承办部门")
        verbose_name_plural = _("承办部门")
        ordering = ["zone", "name"]
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="unique_department_per_zone",
                                               violation_error_message=_("本开发区已有同名的部门。"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("service:department_detail", args=[self.pk])


# Working days to handle a problem when no DeadlineRule of the zone matches.
DEFAULT_DAYS = {Priority.CRITICAL: 3, Priority.URGENT: 5, Priority.NORMAL: 10}


@track
class DeadlineRule(ZoneScopedModel):
    """Working days a department has, per category and priority; an empty category or priority
    matches any. The most specific matching rule wins (category and priority > category >
    priority > neither); without one the defaults apply: 特急 3, 紧急 5, 一般 10 working days."""

    category = models.ForeignKey(ProblemCategory, on_delete=models.CASCADE, null=True, blank=True,
                                 verbose_name=_("诉求类别"), help_text=_("留空表示所有类别"))
    priority = models.CharField(_("紧急程度"), max_length=10, choices=Priority.choices, blank=True,
                                help_text=_("留空表示所有紧急程度"))
    working_days = models.PositiveSmallIntegerField(
        _("办理时限（工作日）"), validators=[MinValueValidator(1, _("办理时限至少 1 个工作日。")),
                                      MaxValueValidator(250, _("办理时限不能超过 250 个工作日。"))])

    class Meta:
        verbose_name = _("办理时限规则")
        verbose_name_plural = _("办理时限规则")
        ordering = ["zone", "category", "priority"]
        constraints = [models.UniqueConstraint(fields=["zone", "category", "priority"],
                                               name="unique_deadline_rule_per_zone",
                                               violation_error_message=_("本开发区已有相同类别和紧急程度的时限规则。"))]

    def __str__(self):
        cat = self.category.name if self.category_id else _("所有类别")
        pri = self.get_priority_display() if self.priority else _("所有紧急程度")
        return f"{cat} · {pri} · {self.working_days} {_('个工作日')}"

    def get_absolute_url(self):
        return reverse("service:deadlinerule_detail", args=[self.pk])

    @classmethod
    def days_for(cls, zone_id, category_id, priority):
        best = None
        for rule in cls.objects.filter(zone_id=zone_id).filter(
                Q(category_id=category_id) | Q(category__isnull=True)).filter(Q(priority=priority) | Q(priority="")):
            rank = (rule.category_id is not None) * 2 + (rule.priority != "")
            if best is None or rank > best[0]:
                best = (rank, rule.working_days)
        return best[1] if best else DEFAULT_DAYS.get(priority, 10)


class ProblemQuerySet(ZoneQuerySet):
    def restrict(self, user, action=VIEW):
        """Zone members as for every zone-scoped model; for reading, also the problems assigned to
        the departments of a department user, and an enterprise user's own firm's problems."""
        base = super().restrict(user, action)
        if action != VIEW:
            return base
        ids = zone_ids_for(user)
        if ids is None:
            return base
        departments = department_ids(user)
        firms = portal_enterprise_ids(user)
        if not departments and not firms:
            return base
        cond = Q(zone_id__in=ids) if ids else Q(pk__in=[])
        if departments:
            cond |= Q(department_id__in=departments)
        if firms:
            cond |= Q(enterprise_id__in=firms)
        return self.filter(cond)


def department_ids(user):
    """Departments whose inbox `user` works as a department user (zones with that role), cached."""
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_zoneops_departments", None)
    if cached is None:
        zones = zone_ids_for(user, DEPARTMENT) or set()
        cached = set(Department.objects.filter(Q(members=user) | Q(heads=user), zone_id__in=zones)
                     .values_list("pk", flat=True)) if zones else set()
        user._zoneops_departments = cached
    return cached


@track
class Problem(ZoneScopedModel):
    # No index of their own for the FK columns that lead a composite index below (enterprise,
    # department, subject_type) or are read only when a user is deleted (handler; a scan then):
    # every index is written again for each problem whose level the sweep raises.
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="problems",
                                   verbose_name=_("企业"), db_index=False)
    # Extension point: the record the problem concerns besides the firm (an investment project).
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("关联对象类型"), db_index=False)
    subject_id = models.PositiveBigIntegerField(_("关联对象编号"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField(_("诉求标题"), max_length=120)
    description = models.TextField(_("诉求内容"), max_length=4000)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.VISIT)
    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, related_name="problems",
                                 verbose_name=_("类别"))
    priority = models.CharField(_("紧急程度"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    received_on = models.DateField(_("受理日期"), default=timezone.localdate)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.RECEIVED)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("服务专员"),
                                help_text=_("默认为企业的服务专员"))
    visit = models.ForeignKey("Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="problems",
                              verbose_name=_("来自走访"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="problems", verbose_name=_("承办部门"), db_index=False)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("经办人"), db_index=False)
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    # The supervision dates of the current deadline (computed on the Chinese working-day calendar
    # when the deadline is set, so the daily sweep is a few set-based statements).
    remind_on = models.DateField(_("提醒日期"), null=True, blank=True, editable=False)
    red_on = models.DateField(_("红牌日期"), null=True, blank=True, editable=False)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), choices=Level.choices, default=Level.NONE,
                                                        editable=False)
    extension_pending = models.BooleanField(_("延期待审批"), default=False, editable=False)
    extension_date = models.DateField(_("申请延期至"), null=True, blank=True, editable=False)
    extension_reason = models.CharField(_("延期理由"), max_length=500, blank=True, editable=False)
    answer = models.TextField(_("办理结果"), blank=True, editable=False)
    answered_on = models.DateField(_("反馈日期"), null=True, blank=True, editable=False)
    on_time = models.BooleanField(_("按期反馈"), null=True, editable=False)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True, editable=False)
    days_to_close = models.PositiveIntegerField(_("办结用时（天）"), null=True, blank=True, editable=False)
    rating = models.CharField(_("满意度"), max_length=12, choices=Rating.choices, blank=True, editable=False)
    rating_note = models.CharField(_("评价意见"), max_length=500, blank=True, editable=False)
    # Optimistic locking: every change raises it; a form or API call carrying an older value
    # changes nothing and says so.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业诉求")
        verbose_name_plural = _("企业诉求")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["zone", "state", "received_on"]),
            # The department inbox: counted and paged (by deadline, both ways) from this index.
            models.Index(fields=["department", "state", "deadline", "id"]),
            models.Index(fields=["enterprise", "received_on"]),
            # Problems of a project (issue 5) and of any other subject.
            models.Index(fields=["subject_type", "subject_id"], name="service_problem_subject"),
            # The list's order, and (with `updated`) the figures' per-month fingerprint, index-only.
            models.Index(fields=["zone", "received_on", "id", "updated"], name="service_problem_zone_recv"),
            # The sweep's candidates; escalation_level is left out so that raising it touches no
            # index (PostgreSQL can then update in place).
            models.Index(fields=["state", "remind_on"], name="service_problem_sweep"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("service:problem_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.state in engine.OPEN_STATES

    @property
    def is_overdue(self):
        return (self.state in engine.WITH_DEPARTMENT and self.deadline is not None
                and self.deadline < timezone.localdate())

    def clean(self):
        super().clean()
        if self.subject_type_id and not self.subject_id:
            raise ValidationError({"subject_id": _("选择了关联对象类型时须填写关联对象编号。")})


def attachment_path(instance, filename):
    base, ext = os.path.splitext(filename)
    return f"service/{instance.problem.zone_id}/{instance.problem_id}/{timezone.now():%Y%m%d%H%M%S}{ext.lower()}"


class AttachmentQuerySet(ZoneQuerySet):
    def restrict(self, user, action=VIEW):
        """Whoever may see the problem may read its files."""
        if action != VIEW:
            return super().restrict(user, action)
        return self.filter(problem__in=Problem.objects.restrict(user, VIEW).values("pk"))


class ProblemAttachment(ZoneScopedModel):
    """A file attached to a problem (photos, letters). Served only through a view that checks the
    reader may see the problem; never from MEDIA_URL."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("service:attachment", args=[self.pk])


class ProblemEvent(models.Model):
    """The problem's timeline as the problem page shows it (the change history has the same
    actions with the field values before and after)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField(_("时间"), default=timezone.now)
    action = models.CharField(_("操作"), max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    user_name = models.CharField(_("办理人"), max_length=150, blank=True)
    state = models.CharField(_("办理后状态"), max_length=12, choices=State.choices)
    note = models.TextField(_("说明"), blank=True)
    # Shown to the firm in the portal (internal notes such as an extension refusal are not).
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["time", "id"]
        indexes = [models.Index(fields=["problem", "time"])]

    @property
    def label(self):
        return engine.ACTION_LABELS.get(self.action, self.action)


class Escalation(models.Model):
    """One supervision step (督办) a problem reached for one deadline; written by the sweep."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("督办级别"), choices=Level.choices)
    deadline = models.DateField(_("办理期限"))
    created = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("督办记录")
        ordering = ["created", "id"]
        constraints = [models.UniqueConstraint(fields=["problem", "level", "deadline"],
                                               name="unique_escalation_step")]


@track
class Visit(ZoneScopedModel):
    """A visit to a firm (大走访): who went, whom they met, what they heard."""

    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="visits",
                                   verbose_name=_("企业"))
    date = models.DateField(_("走访日期"), default=timezone.localdate)
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="service_visits",
                                      verbose_name=_("走访人员"))
    people_met = models.CharField(_("接待人"), max_length=200, blank=True, help_text=_("企业方参加人员及职务"))
    notes = models.TextField(_("走访记录"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["zone", "date"]), models.Index(fields=["enterprise", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.enterprise.name if self.enterprise_id else ''}"

    def get_absolute_url(self):
        return reverse("service:visit_detail", args=[self.pk])


class Notification(models.Model):
    """An in-app message to one user (assignment, return, supervision, feedback)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("内容"), max_length=300)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    read = models.BooleanField(_("已读"), default=False)
    created = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("通知")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "read", "created"])]

    def __str__(self):
        return self.text
