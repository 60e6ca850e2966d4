from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, viewsets

from ..changelog import change_context


class ZoneScopedViewSet(viewsets.ModelViewSet):
    """A feature's API: the queryset is restricted to the user's zones before anything else."""

    feature = None
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        action = "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else self.feature.write_action
        return self.feature.base_queryset(self.request.user, action).order_by("pk")

    @property
    def write_action(self):
        return self.feature.write_action

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise exceptions.NotFound(_("没有找到编号为 %(pk)s 的%(model)s，或您没有相应开发区的权限。") % {
                "pk": self.kwargs.get(self.lookup_field), "model": self.feature.verbose_name}) from None

    def _save(self, serializer):
        # DRF authenticates inside the view (e.g. HTTP Basic), after RequestContextMiddleware
        # opened the change context with the session's (anonymous) user: log the real one.
        with change_context(user=self.request.user, request_id=getattr(self.request._request, "id", None)):
            with transaction.atomic():
                serializer.save()

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)
