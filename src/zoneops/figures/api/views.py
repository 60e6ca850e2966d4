"""The catalogue (read-only) and the computed figures of one zone and period."""
from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, permissions, viewsets
from rest_framework.response import Response

from zoneops.core.scoping import is_portal_user

from .. import engine, services
from ..models import Indicator
from .serializers import IndicatorSerializer


class StaffReader(permissions.BasePermission):
    """Signed-in zone or province users (portal roles see none of this)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and not is_portal_user(user))


class IndicatorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """指标目录: every indicator of the catalogue (global, read-only here; superusers edit it on
    /figures/indicators/). A list only (filter ?code=…): id routes are kept for zone data."""

    serializer_class = IndicatorSerializer
    permission_classes = [StaffReader]
    queryset = Indicator.objects.order_by("sort_order", "code")
    filterset_fields = ["code", "frequency", "accumulation"]


def _number(value):
    return None if value is None else format(value.normalize(), "f") if hasattr(value, "normalize") else value


class ZoneFiguresViewSet(viewsets.ViewSet):
    """`GET /api/zone-figures/?zone=<code or id>&period=2023-12`: the dashboard rows of a zone
    (value, 同比, 当月, target, progress, status, source, who entered it). 404 for a zone the user
    may not see."""

    permission_classes = [StaffReader]

    def list(self, request, format=None):
        from zoneops.core.models import Zone

        period = request.query_params.get("period", "")
        try:
            year, month = engine.parse_period(period) if period else services.default_period()
        except ValueError as e:
            raise exceptions.ValidationError({"period": [str(e)]}) from None
        ref = (request.query_params.get("zone") or "").strip()[:64]
        zones = Zone.objects.restrict(request.user)
        if not ref:
            raise exceptions.ValidationError({"zone": [_("请用 zone 参数指定开发区（代码或编号）。")]})
        zone = zones.filter(code=ref).first() or (zones.filter(pk=int(ref)).first() if ref.isdigit() else None)
        if zone is None:
            raise exceptions.NotFound(_("没有找到开发区“%(ref)s”，或您没有查看权限。") % {"ref": ref})
        rows = services.zone_rows(zone, year, month)
        keep = ("code", "name", "unit", "value", "base", "yoy", "yoy_kind", "yoy_reason", "month_value", "month_yoy",
                "target", "progress", "elapsed", "status", "progress_reason", "source", "entered_by", "note", "year",
                "month")
        return Response({"zone": zone.code, "zone_name": zone.name, "period": f"{year}-{month:02d}",
                         "rows": [{k: _number(r[k]) for k in keep} for r in rows]})
