"""Menu entries and API routes of the rankings app (schemes are configured in the Django admin)."""
from django.utils.translation import gettext_lazy as _

from zoneops.core.api.router import EXTRA_ROUTES
from zoneops.core.context_processors import add_menu

from .api.views import AnnualSummaryViewSet, RankingResultViewSet, RankingSchemeViewSet

add_menu(_("指标与赛马"), [(_("赛马比拼"), "rankings:index"), (_("省级视图"), "rankings:province")],
         before=_("数据"))
EXTRA_ROUTES.extend([
    ("ranking-schemes", RankingSchemeViewSet, "rankingscheme"),
    ("ranking-results", RankingResultViewSet, "rankingresult"),
    ("annual-summaries", AnnualSummaryViewSet, "annualsummary"),
])
