from rest_framework import serializers

from zoneops.core.api.serializers import ZoneScopedSerializer

from ..models import Adjustment, Exemption, MergeGroup, Result, Run


class RunSerializer(ZoneScopedSerializer):
    ruleset = serializers.CharField(source="ruleset_version.ruleset.name", read_only=True)
    ruleset_version = serializers.IntegerField(source="ruleset_version.number", read_only=True)

    class Meta:
        model = Run
        fields = ["id", "zone", "year", "title", "ruleset", "ruleset_version", "state", "status", "publish_from",
                  "publish_to", "input_digest", "input_rows", "class_counts", "cut_scores", "benchmarks", "created",
                  "finalized_at"]
        read_only_fields = fields


class ResultSerializer(ZoneScopedSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True)

    class Meta:
        model = Result
        fields = ["id", "zone", "run", "enterprise", "enterprise_name", "uscc", "unit_key", "group", "included",
                  "exclusion_reason", "exempt", "exemption_reason", "land_mu", "total", "rank", "group_size",
                  "percentile", "class_code", "final_class", "class_note", "items", "explanation"]
        read_only_fields = fields


class ExemptionSerializer(ZoneScopedSerializer):
    class Meta:
        model = Exemption
        fields = ["id", "zone", "enterprise", "year", "reason", "created", "updated"]
        read_only_fields = ["created", "updated"]


class AdjustmentSerializer(ZoneScopedSerializer):
    class Meta:
        model = Adjustment
        fields = ["id", "zone", "enterprise", "year", "code", "reason", "created", "updated"]
        read_only_fields = ["created", "updated"]


class MergeGroupSerializer(ZoneScopedSerializer):
    class Meta:
        model = MergeGroup
        fields = ["id", "zone", "name", "year", "enterprises", "reason", "created", "updated"]
        read_only_fields = ["created", "updated"]
