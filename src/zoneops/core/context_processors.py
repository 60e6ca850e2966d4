from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (group label, [(label, url name)]); features of later apps add their own entries here.
MENU = [
    (_("总览"), [(_("开发区首页"), "home"), (_("开发区"), "core:zone_list"), (_("成员与角色"), "core:membership_list")]),
    (_("企业库"), [(_("企业"), "registry:enterprise_list"), (_("地块"), "registry:parcel_list"),
                  (_("年度指标"), "registry:enterpriseyear_list")]),
    (_("数据"), [(_("导入数据"), "imports:start"), (_("导入批次"), "core:importbatch_list"),
                (_("变更记录"), "core:objectchange_list"), (_("API 文档"), "api-docs")]),
]


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    path = request.path
    groups = []
    for label, items in MENU:
        entries = []
        for item_label, url_name in items:
            url = reverse(url_name)
            active = path == url if url == "/" else path.startswith(url)
            entries.append({"label": item_label, "url": url, "active": active})
        groups.append({"label": label, "items": entries})
    return {"nav_menu": groups}
