from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from zoneops.core.api.serializers import ZoneScopedSerializer
from zoneops.core.models import Zone
from zoneops.registry.models import IndustryCode

from ..models import Candidate, Chain, ChainMapping, Segment


class ChainSerializer(ZoneScopedSerializer):
    partner_zone = serializers.PrimaryKeyRelatedField(queryset=Zone.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Chain
        fields = ["id", "zone", "name", "status", "chief_name", "chief_title", "office_contact", "office_phone",
                  "partner_zone", "partner_chief", "template", "description", "thresholds", "created", "updated"]
        read_only_fields = ["template", "created", "updated"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        fields["partner_zone"].queryset = Zone.objects.restrict(request.user if request else None)
        return fields

    def validate(self, attrs):
        # The partner zone is another zone by design (双链长); keep it out of the same-zone check.
        partner = attrs.pop("partner_zone", serializers.empty)
        attrs = super().validate(attrs)
        if partner is not serializers.empty:
            zone = attrs.get("zone") or getattr(self.instance, "zone", None)
            if partner is not None and zone is not None and partner.pk == zone.pk:
                raise serializers.ValidationError({"partner_zone": _("合作开发区不能是本开发区。")})
            attrs["partner_zone"] = partner
        return attrs


class SegmentSerializer(ZoneScopedSerializer):
    class Meta:
        model = Segment
        fields = ["id", "zone", "chain", "parent", "stage", "name", "order", "codes", "keywords", "exclude_words",
                  "products", "note", "created", "updated"]
        read_only_fields = ["created", "updated"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        chain = attrs.get("chain") or getattr(self.instance, "chain", None)
        parent = attrs.get("parent", getattr(self.instance, "parent", None))
        if chain is not None and parent is not None and parent.chain_id != chain.pk:
            raise serializers.ValidationError({"parent": _("上级环节须属于同一条产业链。")})
        return attrs


class ChainMappingSerializer(ZoneScopedSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    segment_name = serializers.CharField(source="segment.name", read_only=True)

    class Meta:
        model = ChainMapping
        fields = ["id", "zone", "enterprise", "enterprise_name", "chain", "segment", "segment_name", "confidence",
                  "evidence", "source", "decided_at", "created", "updated"]
        read_only_fields = fields


class CandidateSerializer(ZoneScopedSerializer):
    industry = serializers.SlugRelatedField(
        slug_field="code", queryset=IndustryCode.objects.filter(level="class"), required=False, allow_null=True,
        error_messages={"does_not_exist": _("没有这个国民经济行业小类代码（GB/T 4754-2017）：{value}。"),
                        "invalid": _("行业代码应为 4 位小类代码。")})

    class Meta:
        model = Candidate
        fields = ["id", "zone", "name", "province", "city", "industry", "products", "revenue", "is_listed", "status",
                  "notes", "created", "updated"]
        read_only_fields = ["created", "updated"]
