from django.db import transaction
from rest_framework import viewsets


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

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()
