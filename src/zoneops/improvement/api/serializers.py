from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from zoneops.core.api.serializers import ZoneScopedSerializer

from ..forms import owner_error, zone_staff
from ..models import ImprovementPlan, Measure, PlanStatus, PolicyItem, ProgressNote


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = ["id", "category", "content", "department", "person", "deadline", "state"]
        read_only_fields = fields


class ProgressNoteSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ProgressNote
        fields = ["id", "date", "text", "author"]
        read_only_fields = fields


class ImprovementPlanSerializer(ZoneScopedSerializer):
    """Plans with their measures and progress notes (read-only here; added on the plan page)."""

    measures = MeasureSerializer(many=True, read_only=True)
    notes = ProgressNoteSerializer(many=True, read_only=True)

    class Meta:
        model = ImprovementPlan
        fields = ["id", "zone", "enterprise", "title", "eval_year", "eval_class", "eval_total", "situation",
                  "target_tax_per_mu", "target_class", "target_text", "owner", "deadline", "status", "stop_reason",
                  "measures", "notes", "created", "updated"]
        read_only_fields = ["eval_year", "eval_class", "eval_total", "created", "updated"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if "owner" in fields and request is not None:
            fields["owner"].queryset = zone_staff(request.user)
            fields["owner"].allow_null = False
            fields["owner"].required = True
        return fields

    def validate_target_class(self, value):
        return (value or "").strip().upper()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        inst = self.instance

        def value(name):
            return attrs[name] if name in attrs else getattr(inst, name, None)

        zone = value("zone")
        if inst is not None and "enterprise" in attrs and attrs["enterprise"].pk != inst.enterprise_id:
            raise serializers.ValidationError({"enterprise": _("已制定的方案不能改为其他企业。")})
        message = owner_error(value("owner"), zone)
        if message:
            raise serializers.ValidationError({"owner": message})
        created = timezone.localdate(inst.created) if inst is not None else timezone.localdate()
        deadline = value("deadline")
        if deadline and deadline < created:
            raise serializers.ValidationError({"deadline": _("完成期限（%(d)s）不能早于制定日期（%(c)s）。") % {
                "d": deadline, "c": created}})
        if value("status") == PlanStatus.STOPPED and not (value("stop_reason") or "").strip():
            raise serializers.ValidationError({"stop_reason": _("终止方案须填写终止原因。")})
        return attrs


class PolicyItemSerializer(ZoneScopedSerializer):
    class Meta:
        model = PolicyItem
        fields = ["id", "zone", "class_code", "item", "value", "note", "order", "created", "updated"]
        read_only_fields = ["created", "updated"]

    def validate_class_code(self, value):
        return (value or "").strip().upper()
