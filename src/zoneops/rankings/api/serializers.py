from rest_framework import serializers

from ..models import AnnualSummary, RankingDimension, RankingItem, RankingResult, RankingScheme


class RankingItemSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    direction = serializers.CharField(source="effective_direction", read_only=True)

    class Meta:
        model = RankingItem
        fields = ["id", "indicator", "indicator_name", "weight", "direction", "measure", "normalisation"]


class RankingDimensionSerializer(serializers.ModelSerializer):
    items = RankingItemSerializer(many=True, read_only=True)

    class Meta:
        model = RankingDimension
        fields = ["id", "name", "weight", "items"]


class RankingSchemeSerializer(serializers.ModelSerializer):
    dimensions = RankingDimensionSerializer(many=True, read_only=True)

    class Meta:
        model = RankingScheme
        fields = ["id", "name", "year", "granularity", "bottom_places", "selection", "level", "target_cap",
                  "description", "dimensions"]


class RankingResultSerializer(serializers.ModelSerializer):
    zone_name = serializers.CharField(source="zone.name", read_only=True)
    item_scores = serializers.SerializerMethodField()

    class Meta:
        model = RankingResult
        fields = ["scheme", "period", "zone", "zone_name", "rank", "total", "dimension_scores", "item_scores",
                  "computed_at"]

    def get_item_scores(self, obj):
        """The items' values are the zone's own figures: only for zones the user may see."""
        visible = self.context.get("visible_zone")
        return obj.item_scores if visible is None or visible(obj.zone_id) else None


class AnnualSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualSummary
        fields = ["id", "zone", "year", "title", "overview", "headline", "highlights", "next_targets",
                  "generated_at", "edited", "created", "updated"]
