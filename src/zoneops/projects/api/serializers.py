from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from zoneops.core.api.serializers import ZoneScopedSerializer

from ..models import Approval, Meeting, MeetingItem, MeetingSeries, Project, ProjectType, StageEvent

STAGE_DATES = ["planned_signed", "planned_land", "planned_started", "planned_entered", "planned_producing",
               "planned_full", "lead_on", "talks_on", "signed_on", "land_on", "started_on", "entered_on",
               "producing_on", "full_on"]


class ProjectSerializer(ZoneScopedSerializer):
    plan_status = serializers.CharField(read_only=True)
    size_band = serializers.CharField(read_only=True)

    class Meta:
        model = Project
        fields = ["id", "zone", "name", "project_type", "investor", "investor_name", "segment", "chain_tag",
                  "agreed_investment", "fixed_investment", "land_mu", "parcel", "expected_output", "expected_tax",
                  "source", "lead_officer", "members", "responsible_leader", "stage", "paused_from",
                  "termination_reason", "next_due", "plan_status", "size_band", *STAGE_DATES, "notes",
                  "created", "updated"]
        read_only_fields = ["stage", "paused_from", "termination_reason", "next_due", "created", "updated"]

    def get_fields(self):
        """Officers and team members only among the staff of the user's zones (the browsable API's
        form would otherwise list every user of every zone)."""
        from ..forms import zone_people

        fields = super().get_fields()
        request = self.context.get("request")
        people = zone_people(request.user if request else None)
        fields["lead_officer"].queryset = people
        fields["members"].child_relation.queryset = people
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        get = lambda k: attrs.get(k, getattr(self.instance, k, None))  # noqa: E731 - PATCH keeps the rest
        if not get("investor") and not (get("investor_name") or "").strip():
            raise serializers.ValidationError({"investor_name": _("请选择企业库中的投资企业或填写投资方名称。")})
        agreed, fixed = get("agreed_investment"), get("fixed_investment")
        if agreed is not None and fixed is not None and fixed > agreed:
            raise serializers.ValidationError({"fixed_investment": _("固定资产投资不能大于协议总投资。")})
        return attrs


class ProjectTypeSerializer(ZoneScopedSerializer):
    class Meta:
        model = ProjectType
        fields = ["id", "zone", "name", "stages", "approvals", "order", "created", "updated"]
        read_only_fields = ["created", "updated"]


class ApprovalSerializer(ZoneScopedSerializer):
    lead_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = Approval
        fields = ["id", "zone", "project", "name", "order", "applied_on", "granted_on", "lead_days", "note",
                  "created", "updated"]
        read_only_fields = ["created", "updated"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        get = lambda k: attrs.get(k, getattr(self.instance, k, None))  # noqa: E731
        applied, granted = get("applied_on"), get("granted_on")
        if granted and not applied:
            raise serializers.ValidationError({"applied_on": _("填写办结日期时须填写申请日期。")})
        if granted and applied and granted < applied:
            raise serializers.ValidationError({"granted_on": _("办结日期不能早于申请日期。")})
        return attrs


class StageEventSerializer(ZoneScopedSerializer):
    class Meta:
        model = StageEvent
        fields = ["id", "zone", "project", "from_stage", "to_stage", "actual_on", "user", "user_name", "time", "note"]
        read_only_fields = fields


class MeetingSeriesSerializer(ZoneScopedSerializer):
    class Meta:
        model = MeetingSeries
        fields = ["id", "zone", "name", "cadence_days", "location", "chair", "attendees", "created", "updated"]
        read_only_fields = ["created", "updated"]


class MeetingItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingItem
        fields = ["id", "project", "order", "reasons", "stage", "decision", "next_steps", "problem_ids"]
        read_only_fields = fields


class MeetingSerializer(ZoneScopedSerializer):
    items = MeetingItemSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "zone", "series", "held_on", "location", "chair", "attendees", "notes", "agenda_built",
                  "items", "created", "updated"]
        read_only_fields = ["agenda_built", "created", "updated"]
