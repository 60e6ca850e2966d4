from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (group label, [(label, url name)]); other apps add theirs with add_menu() from their ready().
MENU = [
    (_("总览"), [(_("开发区首页"), "home"), (_("开发区"), "core:zone_list"), (_("成员与角色"), "core:membership_list")]),
    (_("企业库"), [(_("企业"), "registry:enterprise_list"), (_("地块"), "registry:parcel_list"),
                  (_("年度指标"), "registry:enterpriseyear_list")]),
    (_("数据"), [(_("导入数据"), "imports:start"), (_("导入批次"), "core:importbatch_list"),
                (_("变更记录"), "core:objectchange_list"), (_("API 文档"), "api-docs")]),
]


# The menus of users who hold only portal roles: PORTAL_MENU for both enterprise and department
# users, DEPARTMENT_MENU for department users only; apps add to them.
PORTAL_MENU = [(_("服务"), [])]
DEPARTMENT_MENU = [(_("部门"), [])]


def add_menu(group_label, items, menu=None, before=None):
    """Append `items` [(label, url name)] to the group `group_label`, creating the group (placed
    before the group `before`, or last) when it does not exist yet."""
    menu = MENU if menu is None else menu
    for label, entries in menu:
        if str(label) == str(group_label):
            entries.extend(items)
            return
    at = next((i for i, (label, _e) in enumerate(menu) if before is not None and str(label) == str(before)),
              len(menu))
    menu.insert(at, (group_label, list(items)))


def navigation(request):
    from .scoping import DEPARTMENT, is_portal_user, portal_enterprise_ids, zone_ids_for

    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    path = request.path
    groups = []
    menu = MENU
    portal_user = is_portal_user(request.user)
    if portal_user:
        menu = list(PORTAL_MENU)
        if zone_ids_for(request.user, DEPARTMENT):
            menu = [*DEPARTMENT_MENU, *menu]
        if portal_enterprise_ids(request.user):
            menu = [(_("企业"), [(_("企业服务门户"), "portal")]), *menu]
    for label, items in menu:
        if not items:
            continue
        entries = []
        for item_label, url_name in items:
            url = reverse(url_name)
            active = path == url if url == "/" else path.startswith(url)
            entries.append({"label": item_label, "url": url, "active": active})
        groups.append({"label": label, "items": entries})
    return {"nav_menu": groups, "portal_user": portal_user}
