"""The case API's actions (完成 / 终止) and the read-only candidate endpoint."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from zoneops.core.api.views import ZoneScopedViewSet
from zoneops.core.changelog import change_context
from zoneops.core.models import Zone

from .. import services
from .serializers import CompleteSerializer, StopSerializer, _drf_error


class CaseViewSet(ZoneScopedViewSet):
    """`POST /api/redevelopment-cases/<id>/start/`, `…/complete/` (far_after required), `…/stop/`."""

    def _act(self, fn, serializer_class=None):
        case = self.get_object()   # restricted with the write action: another zone's case is a 404
        data = {}
        if serializer_class is not None:
            s = serializer_class(data=self.request.data)
            s.is_valid(raise_exception=True)
            data = s.validated_data
        try:
            with change_context(user=self.request.user, request_id=getattr(self.request._request, "id", None)):
                with transaction.atomic():
                    fn(case, **data)
        except DjangoValidationError as e:
            raise _drf_error(e) from None
        case.refresh_from_db()
        return Response(self.get_serializer(case).data)

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None, **kwargs):
        return self._act(lambda case: services.start_case(case, request.user))

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None, **kwargs):
        return self._act(lambda case, **d: services.complete_case(case, request.user, **d), CompleteSerializer)

    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None, **kwargs):
        return self._act(lambda case, stop_reason: services.stop_case(case, request.user, reason=stop_reason),
                         StopSerializer)


def candidate_json(c):
    return {"parcel": c.parcel_id, "zone": c.zone_id, "code": c.code, "name": c.name, "area_mu": c.area_mu,
            "status": c.status, "holder": c.holder_id, "holder_name": c.holder_name,
            "holder_class": c.holder_class or None, "eval_year": c.eval_year, "tax_per_mu": c.tax_per_mu,
            "floor_area_ratio": c.far, "idle_since": c.idle_since.isoformat() if c.idle_since else None,
            "reasons": c.reasons}


class CandidateViewSet(viewsets.ViewSet):
    """Read-only: the 低效用地 candidates of the user's zones (`?zone=`, `?year=`, `?q=`, `?class=`,
    `?min_area=`, `?page=`), each with its figures and the reasons it matched, 50 a page; `totals`
    gives the count and 亩 of all of them."""

    permission_classes = [permissions.IsAuthenticated]

    def list(self, request, **kwargs):
        query = services.CandidateQuery()
        params = request.query_params
        try:
            if params.get("zone"):
                query.zone_id = int(params["zone"])
            if params.get("year"):
                query.year = int(params["year"])
            if params.get("min_area"):
                query.min_area = float(params["min_area"])
                if not (0 <= query.min_area < 1e9):
                    raise ValueError
        except (TypeError, ValueError):
            raise exceptions.ValidationError({"detail": _("参数 zone、year 应为整数，min_area 应为非负数字。")}) from None
        if query.zone_id is not None and not Zone.objects.restrict(request.user).filter(pk=query.zone_id).exists():
            raise exceptions.ValidationError({"zone": _("没有编号为 %(pk)s 的开发区，或您没有该开发区的权限。") % {
                "pk": query.zone_id}})
        query.q = (params.get("q") or "")[:100]
        query.holder_class = (params.get("class") or "")[:8]
        rows = services.candidates(request.user, query)
        paginator = api_settings.DEFAULT_PAGINATION_CLASS()  # pages like every other list of the API
        page = paginator.paginate_queryset(rows, request, view=self)
        response = paginator.get_paginated_response([candidate_json(c) for c in page])
        response.data["totals"] = services.candidate_totals(rows)
        return response
