"""Read-only API: schemes with their dimensions and items, one period's results, summaries.

Results are the ranking table: every zone's name, rank and scores (issue 8 lets zones see each
other's totals); the items' underlying values only for the user's own zones."""
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, permissions, viewsets

from zoneops.core.scoping import can

from .. import engine, services
from ..models import AnnualSummary, RankingDimension, RankingItem, RankingResult, RankingScheme
from .serializers import AnnualSummarySerializer, RankingResultSerializer, RankingSchemeSerializer


class RankingSchemeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RankingSchemeSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = RankingScheme.objects.none()

    def get_queryset(self):
        items = RankingItem.objects.select_related("indicator").order_by("sort_order", "pk")
        dims = RankingDimension.objects.prefetch_related(Prefetch("items", queryset=items)).order_by("sort_order", "pk")
        qs = RankingScheme.objects.prefetch_related(Prefetch("dimensions", queryset=dims)).order_by("pk")
        return qs if self.request.user.is_superuser else qs.filter(active=True)


class RankingResultViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """GET /api/ranking-results/?scheme=<id>&period=2024-06 (period: default the latest computed)."""

    serializer_class = RankingResultSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = RankingResult.objects.none()

    def get_queryset(self):
        raw = self.request.query_params.get("scheme", "")
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
            raise exceptions.ValidationError({"scheme": _("请用 scheme 参数指定赛马方案编号。")})
        scheme = RankingScheme.objects.filter(pk=int(raw), active=True).first()
        if scheme is None:
            raise exceptions.NotFound(_("没有编号为 %(pk)s 的赛马方案。") % {"pk": raw})
        text = self.request.query_params.get("period", "")
        if text:
            try:
                year, month, key = services.resolve_period(scheme, text)
            except engine.PeriodError as e:
                raise exceptions.ValidationError({"period": str(e)}) from None
        else:
            latest = services.latest_period(scheme)
            key = engine.period_key(*latest, scheme.granularity) if latest else ""
        return RankingResult.objects.filter(scheme=scheme, period=key).select_related("zone").order_by(
            "rank", "zone__code")

    def get_serializer_context(self):
        user = self.request.user
        return {**super().get_serializer_context(), "visible_zone": lambda z: can(user, z)}


class AnnualSummaryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AnnualSummarySerializer
    queryset = AnnualSummary.objects.none()
    filter_backends = []  # ?zone= and ?year= below; a generic zone filter form would list every zone

    def get_queryset(self):
        qs = AnnualSummary.objects.restrict(self.request.user).order_by("pk")
        for param in ("zone", "year"):
            raw = self.request.query_params.get(param, "")
            if raw:
                if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
                    raise exceptions.ValidationError({param: _("应为数字。")})
                qs = qs.filter(**{param: int(raw)})
        return qs
