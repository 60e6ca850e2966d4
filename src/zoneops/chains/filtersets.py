import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.filtersets import YesNoFilter, ZoneFilterSet

from .models import (
    Candidate,
    CandidateStatus,
    Chain,
    ChainMapping,
    ChainStatus,
    MappingSource,
    Segment,
    Stage,
)


class ChainFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "chief_name__icontains", "office_contact__icontains")
    status = django_filters.ChoiceFilter(choices=ChainStatus.choices, label=_("链长制级别"))

    class Meta:
        model = Chain
        fields = ["q", "zone", "status"]


class SegmentFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "keywords__icontains", "products__icontains", "codes__icontains")
    chain = django_filters.ModelChoiceFilter(queryset=Chain.objects.all(), label=_("产业链"), empty_label=_("全部"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("链位"))

    class Meta:
        model = Segment
        fields = ["q", "zone", "chain", "stage"]


class ChainMappingFilterSet(ZoneFilterSet):
    search_fields = ("enterprise__name__icontains", "enterprise__uscc", "segment__name__icontains")
    chain = django_filters.ModelChoiceFilter(queryset=Chain.objects.all(), label=_("产业链"), empty_label=_("全部"))
    segment = django_filters.ModelChoiceFilter(queryset=Segment.objects.all(), label=_("环节"), empty_label=_("全部"))
    source = django_filters.ChoiceFilter(choices=MappingSource.choices, label=_("来源"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业编号"))

    class Meta:
        model = ChainMapping
        fields = ["q", "zone", "chain", "segment", "source", "enterprise"]


class CandidateFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "products__icontains", "city__icontains", "province__icontains")
    status = django_filters.ChoiceFilter(choices=CandidateStatus.choices, label=_("跟进状态"))
    is_listed = YesNoFilter(label=_("上市公司"))
    province = django_filters.CharFilter(label=_("省份"))

    class Meta:
        model = Candidate
        fields = ["q", "zone", "status", "is_listed", "province"]
