from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from zoneops.core.api.serializers import ZoneScopedSerializer
from zoneops.registry.models import Parcel

from .. import engine, services
from ..models import CandidateRule, CaseParcel, Milestone, RedevelopmentCase


def _drf_error(exc):
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"non_field_errors": exc.messages})


class CandidateRuleSerializer(ZoneScopedSerializer):
    class Meta:
        model = CandidateRule
        fields = ["id", "zone", "name", "active", "classes", "max_tax_per_mu", "max_far", "idle_months", "min_area_mu", "combine",
                  "include_marked", "note", "created", "updated"]
        read_only_fields = ["created", "updated"]

    def validate_classes(self, value):
        return ",".join(engine.parse_classes(value))

    def validate_name(self, value):
        value = (value or "").strip()
        if not value:
            raise serializers.ValidationError(_("规则名称不能为空。"))
        return value


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "planned_on", "actual_on", "done"]
        read_only_fields = fields


class CaseParcelSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="parcel.code", read_only=True)

    class Meta:
        model = CaseParcel
        fields = ["parcel", "code", "area_mu", "holder_name", "holder_class", "far_before", "tax_per_mu_before",
                  "status_before", "reasons"]
        read_only_fields = fields


class RedevelopmentCaseSerializer(ZoneScopedSerializer):
    """Cases with their parcels (figures at opening) and milestones (nested, read-only). Creating a
    case opens it (services.open_case: the parcels move to 改造中); its parcels cannot change later."""

    parcels = serializers.PrimaryKeyRelatedField(many=True, queryset=Parcel.objects.all(), write_only=True)
    case_parcels = CaseParcelSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = RedevelopmentCase
        fields = ["id", "zone", "name", "approach", "extent", "status", "parcels", "case_parcels", "opened_on",
                  "completed_on", "target_far", "planned_investment", "area_mu", "far_before", "tax_per_mu_before",
                  "far_after", "tax_per_mu_after", "freed_floor_m2", "new_floor_m2", "stop_reason", "notes",
                  "milestones", "created", "updated"]
        read_only_fields = ["extent", "status", "completed_on", "area_mu", "far_before", "tax_per_mu_before",
                            "far_after", "tax_per_mu_after", "stop_reason", "created", "updated"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and "parcels" in fields:
            fields["parcels"].required = False
        return fields

    def validate_opened_on(self, value):
        if value and value > timezone.localdate():
            raise serializers.ValidationError(_("立项日期不能晚于今天。"))
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        inst = self.instance
        if inst is not None:
            if "parcels" in attrs and {p.pk for p in attrs["parcels"]} != set(
                    inst.case_parcels.values_list("parcel_id", flat=True)):
                raise serializers.ValidationError({"parcels": _("立项后不能更改地块；请终止本项目后重新立项。")})
            if "opened_on" in attrs and attrs["opened_on"] != inst.opened_on:
                raise serializers.ValidationError({"opened_on": _("立项后不能更改立项日期。")})
            attrs.pop("parcels", None)
            return attrs
        try:
            services._check_parcels(attrs["zone"], attrs.get("parcels") or [],
                                    attrs.get("opened_on") or timezone.localdate())
        except DjangoValidationError as e:
            raise _drf_error(e) from None
        return attrs

    def create(self, validated):
        request = self.context["request"]
        parcels = validated.pop("parcels")
        zone = validated.pop("zone")
        try:
            return services.open_case(zone, parcels, request.user, **validated)
        except DjangoValidationError as e:
            raise _drf_error(e) from None


class CompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField(required=False)
    far_after = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    tax_per_mu_after = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    freed_floor_m2 = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    new_floor_m2 = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


class StopSerializer(serializers.Serializer):
    stop_reason = serializers.CharField(max_length=500, error_messages={
        "required": _("终止项目须填写终止原因。"), "blank": _("终止项目须填写终止原因。")})
