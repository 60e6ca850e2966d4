from decimal import Decimal

from rest_framework import serializers

from zoneops.core.api.serializers import ZoneScopedSerializer

from ..engine import normalise
from ..models import PeerFigure, PeerReport


class PeerReportSerializer(ZoneScopedSerializer):
    """POST with `text` (and peer_name, zone …) answers with the extraction result in `candidates`."""

    candidates = serializers.JSONField(read_only=True)

    class Meta:
        model = PeerReport
        fields = ["id", "zone", "peer_name", "title", "report_date", "source_url", "text", "status", "candidates",
                  "created", "updated"]
        read_only_fields = ["status", "candidates", "created", "updated"]

    def create(self, validated_data):
        from .. import services

        request = self.context.get("request")
        report = super().create({**validated_data, "created_by": getattr(request, "user", None)})
        return services.run_extraction(report)

    def update(self, instance, validated_data):
        from .. import services

        text_changed = "text" in validated_data and validated_data["text"] != instance.text
        report = super().update(instance, validated_data)
        return services.run_extraction(report) if text_changed else report


class PeerFigureSerializer(ZoneScopedSerializer):
    class Meta:
        model = PeerFigure
        fields = ["id", "zone", "report", "peer_name", "metric", "value", "unit", "norm_value", "norm_unit", "period",
                  "kind", "sentence", "start", "end", "corrected", "indicator", "reviewed_by", "created", "updated"]
        read_only_fields = ["norm_value", "norm_unit", "reviewed_by", "created", "updated"]

    def validate(self, attrs):
        attrs = super().validate(attrs)  # the shared zone rules: no moving zones, write rights, same-zone relations
        report = attrs.get("report") or getattr(self.instance, "report", None)
        zone = attrs.get("zone") or getattr(self.instance, "zone", None)
        if report is not None and zone is not None and report.zone_id != zone.pk:
            raise serializers.ValidationError({"report": "同行报告不属于所选开发区。"})
        value = attrs.get("value", getattr(self.instance, "value", None))
        unit = attrs.get("unit", getattr(self.instance, "unit", ""))
        kind = attrs.get("kind", getattr(self.instance, "kind", "level"))
        if value is not None:
            nv, nu = normalise(value, unit or "", kind)
            attrs["norm_value"], attrs["norm_unit"] = Decimal(str(round(nv, 6))), nu
        return attrs

    def create(self, validated_data):
        request = self.context.get("request")
        return super().create({**validated_data, "reviewed_by": getattr(request, "user", None)})
