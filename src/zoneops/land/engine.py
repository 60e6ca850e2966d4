"""The land pipeline's rules, as plain Python (no Django): which status may follow which, what a
move needs, how split/merge areas must add up, how much of a space is taken, and the figures'
period presets. Messages are Chinese and say what is missing; services.py raises them as
ValidationError.

Statuses (values of registry.ParcelStatus):
  规划 planned (储备 reserved is the older name of the same planned stock) → 征收中 acquiring →
  收储 acquired → 已做地 ready → 挂牌 listed → 已出让 sold → 已供地 supplied (to a project) →
  在建 building → 投产 producing; and, from any built status, 低效 inefficient → 改造中
  redeveloping → 改造完成 redeveloped.
"""
import datetime
from decimal import Decimal, InvalidOperation

PLANNED = "planned"
RESERVED = "reserved"
ACQUIRING = "acquiring"
ACQUIRED = "acquired"
READY = "ready"
LISTED = "listed"
SOLD = "sold"
SUPPLIED = "supplied"
BUILDING = "building"
PRODUCING = "producing"
INEFFICIENT = "inefficient"
REDEVELOPING = "redeveloping"
REDEVELOPED = "redeveloped"

LABELS = {
    PLANNED: "规划", RESERVED: "储备", ACQUIRING: "征收中", ACQUIRED: "收储", READY: "已做地", LISTED: "挂牌",
    SOLD: "已出让", SUPPLIED: "已供地", BUILDING: "在建", PRODUCING: "投产", INEFFICIENT: "低效",
    REDEVELOPING: "改造中", REDEVELOPED: "改造完成",
}
# Order of the pipeline (stock tables, the transition form).
ORDER = [PLANNED, RESERVED, ACQUIRING, ACQUIRED, READY, LISTED, SOLD, SUPPLIED, BUILDING, PRODUCING,
         INEFFICIENT, REDEVELOPING, REDEVELOPED]
# Land on which something is built or sold to a user: may be declared low-efficiency.
BUILT = (SOLD, SUPPLIED, BUILDING, PRODUCING, REDEVELOPED)

ALLOWED = {
    PLANNED: (ACQUIRING, ACQUIRED),
    RESERVED: (ACQUIRING, ACQUIRED),
    ACQUIRING: (ACQUIRED, PLANNED),          # back to planned: the acquisition was abandoned
    ACQUIRED: (READY,),
    READY: (LISTED,),
    LISTED: (SOLD, READY),                   # back to ready: the listing was withdrawn (流拍/撤牌)
    SOLD: (SUPPLIED, INEFFICIENT),
    SUPPLIED: (BUILDING, INEFFICIENT),
    BUILDING: (PRODUCING, INEFFICIENT),
    PRODUCING: (INEFFICIENT,),
    INEFFICIENT: (REDEVELOPING, PRODUCING),  # back to producing: the firm improved (摘帽)
    REDEVELOPING: (REDEVELOPED, INEFFICIENT),  # back to inefficient: the case was stopped
    REDEVELOPED: (PRODUCING, INEFFICIENT),
}

# Highest accepted numbers (a typo of ten extra digits is an error, not a figure).
MAX_PRICE_WAN = Decimal("100000000")    # 1 万亿元
MAX_PEOPLE = 1_000_000


def allowed_targets(status):
    """The statuses a parcel in `status` may move to, in pipeline order."""
    return [s for s in ORDER if s in ALLOWED.get(status, ())]


def label(status):
    return LABELS.get(status, status or "—")


def _decimal(value, what):
    """(Decimal or None, error or None) for a number entered as text or a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None, f"{what}应为数字，收到“{str(value)[:40]}”。"
    if not d.is_finite():
        return None, f"{what}应为数字，收到“{str(value)[:40]}”。"
    return d, None


def _count(value, what):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    try:
        n = int(str(value).strip())
    except ValueError:
        return None, f"{what}应为整数，收到“{str(value)[:40]}”。"
    if n < 0:
        return None, f"{what}不能为负数。"
    if n > MAX_PEOPLE:
        return None, f"{what}超出合理范围（不超过 {MAX_PEOPLE}）。"
    return n, None


def check_date(on, today, last_on):
    """Errors of a transition date: given, not in the future, not before the last event."""
    if on is None:
        return ["请填写日期。"]
    if on > today:
        return [f"日期 {on.isoformat()} 在今天（{today.isoformat()}）之后，不能登记未来的变更。"]
    if last_on is not None and on < last_on:
        return [f"日期 {on.isoformat()} 早于该地块上一次变更（{last_on.isoformat()}），请按时间顺序登记。"]
    return []


def check_transition(from_status, to_status, facts):
    """Errors (Chinese) that forbid moving a parcel from `from_status` to `to_status`.

    `facts` carries what the move needs, already looked up by the service:
      parcel_area (Decimal), retired (bool),
      sold: buyer_id / buyer_name, price_wan, area_mu
      supplied: project_id, project_zone_ok (bool)
      acquired: open_households, open_firms (unsigned relocations of the parcel's acquisitions)
      acquiring: households_total, firms_total (optional)
    Returns (errors, cleaned details)."""
    errors, details = [], {}
    if facts.get("retired"):
        return ["该地块已分割或合并注销，不能再变更状态；请对新地块操作。"], details
    if to_status not in LABELS:
        return [f"未知的地块状态“{str(to_status)[:40]}”。"], details
    if to_status == from_status:
        return [f"地块已是“{label(to_status)}”状态。"], details
    if to_status not in ALLOWED.get(from_status, ()):
        allowed = "、".join(label(s) for s in allowed_targets(from_status)) or "无"
        message = f"地块当前为“{label(from_status)}”，不能直接变为“{label(to_status)}”（可选：{allowed}）。"
        if to_status in (LISTED, SOLD) and from_status not in (READY, LISTED):
            message += "土地须先完成做地才能挂牌、出让。"
        return [message], details

    if to_status == SOLD:
        buyer_id, buyer_name = facts.get("buyer_id"), (facts.get("buyer_name") or "").strip()
        if not buyer_id and not buyer_name:
            errors.append("出让须填写受让人（企业库中的企业或受让人名称）。")
        if len(buyer_name) > 200:
            errors.append("受让人名称不能超过 200 个字。")
        price, err = _decimal(facts.get("price_wan"), "成交价（万元）")
        if err:
            errors.append(err)
        elif price is None:
            errors.append("出让须填写成交价（万元）。")
        elif price <= 0:
            errors.append("成交价（万元）应大于 0。")
        elif price > MAX_PRICE_WAN:
            errors.append(f"成交价（万元）超出合理范围（不超过 {MAX_PRICE_WAN}）。")
        area, err = _decimal(facts.get("area_mu"), "出让面积（亩）")
        parcel_area = facts.get("parcel_area")
        if err:
            errors.append(err)
        elif area is None:
            errors.append("出让须填写出让面积（亩）。")
        elif area <= 0:
            errors.append("出让面积（亩）应大于 0。")
        elif parcel_area is not None and area > parcel_area:
            errors.append(f"出让面积 {area} 亩大于地块面积 {parcel_area} 亩。")
        if not errors:
            details.update(price_wan=str(price.quantize(Decimal("0.0001"))), area_mu=str(area.quantize(Decimal("0.0001"))),
                           buyer_id=buyer_id or None, buyer_name=buyer_name)
    elif to_status == SUPPLIED:
        if not facts.get("project_id"):
            errors.append("供地须选择供地的招商项目。")
        elif not facts.get("project_zone_ok"):
            errors.append(f"没有编号为 {facts.get('project_id')} 的招商项目，或它不属于该地块所在的开发区。")
        else:
            details["project_id"] = facts["project_id"]
    elif to_status == ACQUIRED:
        open_h, open_f = facts.get("open_households") or 0, facts.get("open_firms") or 0
        if open_h or open_f:
            errors.append(f"征收尚未清零：还有 {open_h} 户居民、{open_f} 家企业未签约，不能登记收储完成。")
    elif to_status == ACQUIRING:
        for key, what in (("households_total", "需搬迁户数"), ("firms_total", "需搬迁企业数")):
            n, err = _count(facts.get(key), what)
            if err:
                errors.append(err)
            elif n is not None:
                details[key] = n
    return errors, details


def check_parts(parent_area, areas):
    """Errors of a split of a parcel of `parent_area` 亩 into parts of `areas` 亩 (Decimals)."""
    errors = []
    if len(areas) < 2:
        errors.append("分割至少要得到 2 块新地块。")
    for i, a in enumerate(areas, 1):
        if a is None:
            errors.append(f"第 {i} 块新地块缺少面积（亩）。")
        elif a <= 0:
            errors.append(f"第 {i} 块新地块的面积（亩）应大于 0，收到 {a}。")
    if errors:
        return errors
    total = sum(areas, Decimal(0))
    if abs(total - parent_area) > Decimal("0.0001"):
        errors.append(f"新地块面积合计 {total.normalize():f} 亩，与原地块面积 {parent_area.normalize():f} 亩不一致。")
    return errors


def check_merge(parcels):
    """Errors of merging `parcels` [(code, status, retired)] into one."""
    errors = []
    if len(parcels) < 2:
        errors.append("合并至少需要 2 块地块。")
    codes = [c for c, _s, _r in parcels]
    if len(set(codes)) != len(codes):
        errors.append("同一地块不能重复合并。")
    for code, _s, retired in parcels:
        if retired:
            errors.append(f"地块 {code} 已分割或合并注销，不能再合并。")
    statuses = {s for _c, s, _r in parcels}
    if len(statuses) > 1:
        errors.append("只能合并状态相同的地块（当前为：" + "、".join(sorted(label(s) for s in statuses)) + "）。")
    return errors


def peak_use(leases, start, end):
    """The largest m² taken at any one day in [start, end] by `leases` [(area, from, to or None)].

    A lease counts from its first to its last day inclusive; to = None means open-ended."""
    points = []
    for area, a_from, a_to in leases:
        lo = max(a_from, start)
        hi = end if a_to is None else (a_to if end is None else min(a_to, end))
        if hi is not None and lo > hi:
            continue
        points.append((lo, 0, area))           # starts before ends of the same day sort second
        if hi is not None:
            points.append((hi + datetime.timedelta(days=1), -1, -area))
    points.sort(key=lambda p: (p[0], p[1]))
    used = peak = Decimal(0)
    for _day, _kind, delta in points:
        used += delta
        peak = max(peak, used)
    return peak


def in_use(leases, day):
    """m² taken on `day` by `leases` [(area, from, to or None)]."""
    return sum((a for a, lo, hi in leases if lo <= day and (hi is None or hi >= day)), Decimal(0))


def period_preset(name, today):
    """(start, end) of a preset, the whole calendar period containing `today`: month 本月,
    quarter 本季, half 上半年 (January to June), year 本年; None for an unknown name."""
    y = today.year
    if name == "month":
        start = today.replace(day=1)
        nxt = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return start, nxt - datetime.timedelta(days=1)
    if name == "quarter":
        q = (today.month - 1) // 3
        start = datetime.date(y, 3 * q + 1, 1)
        nxt = datetime.date(y + (q == 3), (3 * q + 3) % 12 + 1, 1)
        return start, nxt - datetime.timedelta(days=1)
    if name == "half":
        return datetime.date(y, 1, 1), datetime.date(y, 6, 30)
    if name == "year":
        return datetime.date(y, 1, 1), datetime.date(y, 12, 31)
    return None


PRESETS = (("month", "本月"), ("quarter", "本季"), ("half", "上半年"), ("year", "本年"))


def days_to_clear(started_on, progress, total_households, total_firms):
    """Days from the start of an acquisition to the first progress entry at which every household
    and firm had signed ("15 天 444 户清零"), or None. `progress`: [(on, households, firms)]
    cumulative, any order."""
    if started_on is None or (not total_households and not total_firms):
        return None
    for on, h, f in sorted(progress):
        if (h or 0) >= (total_households or 0) and (f or 0) >= (total_firms or 0):
            return (on - started_on).days
    return None


def unit_price(price_wan, area_mu):
    """万元/亩, or None."""
    if not price_wan or not area_mu:
        return None
    return (Decimal(price_wan) / Decimal(area_mu)).quantize(Decimal("0.01"))
