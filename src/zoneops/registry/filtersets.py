import django_filters
from django.utils.translation import gettext_lazy as _

from zoneops.core.filtersets import YesNoFilter, ZoneFilterSet

from .models import (CultivationPool, Enterprise, EnterpriseStatus, EnterpriseYear, IndustryCode, LandUse, Parcel,
                     ParcelStatus, Scale, Tenure)

def _sections():
    return [(c, f"{c} {n}") for c, n in IndustryCode.objects.filter(level="section").values_list("code", "name")]


def _divisions():
    return [(c, f"{c} {n}") for c, n in IndustryCode.objects.filter(level="division").values_list("code", "name")]


class EnterpriseFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "former_names__icontains", "uscc__contains")
    industry_section = django_filters.ChoiceFilter(choices=_sections, label=_("行业门类"))
    industry_division = django_filters.ChoiceFilter(choices=_divisions, label=_("行业大类"))
    scale = django_filters.ChoiceFilter(choices=Scale.choices, label=_("规模"))
    status = django_filters.ChoiceFilter(choices=EnterpriseStatus.choices, label=_("状态"))
    is_high_tech = YesNoFilter(label=_("高新技术企业"))
    is_listed = YesNoFilter(label=_("上市/挂牌"))
    has_rd_center = YesNoFilter(label=_("省级以上研发机构"))
    is_specialized = YesNoFilter(label=_("专精特新"))
    pools = django_filters.ModelChoiceFilter(queryset=CultivationPool.objects.all(), label=_("培育库"),
                                             empty_label=_("全部"))

    class Meta:
        model = Enterprise
        fields = ["q", "zone", "industry_section", "industry_division", "scale", "status", "is_high_tech",
                  "is_listed", "has_rd_center", "is_specialized", "pools"]


class ParcelFilterSet(ZoneFilterSet):
    search_fields = ("code__icontains", "name__icontains", "holder__name__icontains")
    status = django_filters.ChoiceFilter(choices=ParcelStatus.choices, label=_("状态"))
    land_use = django_filters.ChoiceFilter(choices=LandUse.choices, label=_("用地性质"))
    tenure = django_filters.ChoiceFilter(choices=Tenure.choices, label=_("权属"))
    area_min = django_filters.NumberFilter(field_name="area_mu", lookup_expr="gte", label=_("面积不小于（亩）"))
    holder = django_filters.NumberFilter(field_name="holder_id", label=_("使用企业编号"))

    class Meta:
        model = Parcel
        fields = ["q", "zone", "status", "land_use", "tenure", "area_min", "holder"]


class EnterpriseYearFilterSet(ZoneFilterSet):
    search_fields = ("enterprise__name__icontains", "enterprise__uscc__contains")
    year = django_filters.NumberFilter(label=_("年度"))
    scale = django_filters.ChoiceFilter(field_name="enterprise__scale", choices=Scale.choices, label=_("规模"))
    industry_section = django_filters.ChoiceFilter(field_name="enterprise__industry_section", choices=_sections,
                                                   label=_("行业门类"))
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业编号"))

    class Meta:
        model = EnterpriseYear
        fields = ["q", "zone", "year", "scale", "industry_section", "enterprise"]
