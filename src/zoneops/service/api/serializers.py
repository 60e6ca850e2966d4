from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from zoneops.core.api.serializers import ZoneScopedSerializer

from ..models import DeadlineRule, Department, Problem, ProblemCategory, Visit

STALE_API = _("该诉求已被他人修改（您提交的是第 {seen} 版，当前为第 {now} 版），本次修改未保存。请重新读取后再提交。")


class ProblemSerializer(ZoneScopedSerializer):
    """Problems over the API. The workflow (交办, 反馈, 办结 …) happens on the problem page; the API
    registers and corrects problems and reads their state. An update must carry the `version` it
    read (optimistic locking): an older one is refused with 409-like 400 and changes nothing."""

    version = serializers.IntegerField(required=False)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Problem
        fields = ["id", "zone", "enterprise", "title", "description", "source", "category", "priority",
                  "received_on", "officer", "state", "state_display", "department", "handler", "assigned_on",
                  "deadline", "escalation_level", "answer", "answered_on", "on_time", "closed_on", "rating",
                  "rating_note", "subject_type", "subject_id", "version", "created", "updated"]
        read_only_fields = ["subject_type", "subject_id", "state", "department", "handler", "assigned_on", "deadline", "escalation_level",
                            "answer", "answered_on", "on_time", "closed_on", "rating", "rating_note", "created",
                            "updated"]

    def get_fields(self):
        from ..forms import zone_people

        fields = super().get_fields()
        request = self.context.get("request")
        if "officer" in fields and request is not None:
            # Only colleagues of the user's zones can be chosen (and are listed by the browsable API).
            fields["officer"].queryset = zone_people(request.user)
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        zone = attrs.get("zone") or getattr(self.instance, "zone", None)
        officer = attrs.get("officer")
        if officer is not None and zone is not None and not officer.is_superuser and not officer.memberships.filter(
                zone=zone).exists():
            raise serializers.ValidationError({"officer": _("服务专员必须是本开发区的工作人员。")})
        for name in ("category", "enterprise"):
            value = attrs.get(name)
            if value is not None and zone is not None and value.zone_id != zone.pk:
                raise serializers.ValidationError({name: _("所选对象不属于该开发区。")})
        if self.instance is not None:
            seen = attrs.pop("version", None)
            if seen is None:
                raise serializers.ValidationError({"version": _("请提供读取时的版本号（version），以免覆盖他人的修改。")})
            if seen != self.instance.version:
                raise serializers.ValidationError({"version": STALE_API.format(seen=seen, now=self.instance.version)})
        else:
            attrs.pop("version", None)
        return attrs

    def update(self, instance, validated_data):
        from django.db.models import F

        # The conditional UPDATE: of two writers holding the same version only one succeeds.
        if not Problem.objects.filter(pk=instance.pk, version=instance.version).update(version=F("version") + 1):
            raise serializers.ValidationError({"version": STALE_API.format(seen=instance.version, now="?")})
        instance.version += 1
        return super().update(instance, validated_data)

    def create(self, validated_data):
        from .. import services

        ent = validated_data.get("enterprise")
        if validated_data.get("officer") is None and ent is not None:
            validated_data["officer_id"] = ent.account_officer_id
        problem = super().create(validated_data)
        services.receive(problem, self.context["request"].user)
        return problem


class DepartmentSerializer(ZoneScopedSerializer):
    class Meta:
        model = Department
        fields = ["id", "zone", "name", "phone", "heads", "members", "created", "updated"]
        read_only_fields = ["heads", "members", "created", "updated"]


class ProblemCategorySerializer(ZoneScopedSerializer):
    class Meta:
        model = ProblemCategory
        fields = ["id", "zone", "name", "order", "active", "created", "updated"]
        read_only_fields = ["created", "updated"]


class DeadlineRuleSerializer(ZoneScopedSerializer):
    class Meta:
        model = DeadlineRule
        fields = ["id", "zone", "category", "priority", "working_days", "created", "updated"]
        read_only_fields = ["created", "updated"]


class VisitSerializer(ZoneScopedSerializer):
    class Meta:
        model = Visit
        fields = ["id", "zone", "enterprise", "date", "officers", "people_met", "notes", "created", "updated"]
        read_only_fields = ["officers", "created", "updated"]
