"""Pure rules of the project pipeline (no Django): stage order and moves, status against plan,
size bands, durations and their summaries, the dispatch-meeting agenda.

Money is in 万元 (1 亿 = 10,000 万元); dates are datetime.date.
"""
import datetime
from dataclasses import dataclass, field

LEAD, TALKS, SIGNED, LAND, STARTED, ENTERED, PRODUCING, FULL = (
    "lead", "talks", "signed", "land", "started", "entered", "producing", "full")
TERMINATED, PAUSED = "terminated", "paused"
# The default pipeline, in order; a project type may use a subset (its stage template).
PIPELINE = (LEAD, TALKS, SIGNED, LAND, STARTED, ENTERED, PRODUCING, FULL)
LABELS = {LEAD: "线索", TALKS: "洽谈", SIGNED: "签约", LAND: "供地", STARTED: "开工", ENTERED: "入库",
          PRODUCING: "竣工投产", FULL: "达产", TERMINATED: "终止", PAUSED: "暂缓"}
DEFAULT_APPROVALS = ("立项/备案", "用地规划许可证", "工程规划许可证", "施工许可证", "竣工验收")

AHEAD, ON_PLAN, BEHIND = "ahead", "normal", "behind"
PLAN_LABELS = {AHEAD: "超前", ON_PLAN: "正常", BEHIND: "滞后"}

# Size bands of 协议总投资 in 万元, largest first; bands are cumulative ("3 亿以上" counts the
# 10 亿 projects too), as the zones report them.
BANDS = ((500_000, "50亿以上"), (200_000, "20亿以上"), (100_000, "10亿以上"), (30_000, "3亿以上"))
BAND_KEYS = {"50": 500_000, "20": 200_000, "10": 100_000, "3": 30_000}


class MoveError(ValueError):
    """A refused stage move; the message is Chinese and says what is missing."""


def stage_index(template, stage):
    return template.index(stage) if stage in template else -1


@dataclass
class Move:
    """The validated result of a move: the new stage and the actual dates to record."""

    to: str
    dates: dict = field(default_factory=dict)  # stage -> actual date
    resume_from: str = ""  # the stage a 暂缓 project was in


def check_move(template, current, target, actual, dates, *, reason="", today=None, paused_from=""):
    """Validate moving a project from `current` to `target`.

    `actual` holds the recorded actual dates {stage: date}; `dates` the dates given now
    {stage: date} (the target's and those of any skipped stage). Rules:
    - 终止 needs a reason; 暂缓 keeps the stage to resume; neither takes a date;
    - only forward moves along the type's template (a 暂缓 project resumes at or after its stage);
    - the target and every skipped stage without a recorded date need a date now ("no skipping
      without a date");
    - dates are not in the future and never earlier than the previous stage's date."""
    today = today or datetime.date.today()
    if current == TERMINATED:
        raise MoveError("项目已终止，不能再变更阶段。")
    if target == current:
        raise MoveError("项目已处于“%s”阶段。" % LABELS[target])
    if target == TERMINATED:
        if not (reason or "").strip():
            raise MoveError("终止项目须填写终止原因。")
        return Move(TERMINATED)
    if target == PAUSED:
        return Move(PAUSED, resume_from=current)
    if target not in template:
        raise MoveError("该项目类型没有“%s”阶段。" % LABELS.get(target, target))
    base = paused_from if current == PAUSED else current
    if current == PAUSED and stage_index(template, target) < stage_index(template, base):
        raise MoveError("暂缓项目只能恢复到“%s”或之后的阶段。" % LABELS[base])
    if current != PAUSED and stage_index(template, target) <= stage_index(template, base):
        raise MoveError("不能退回到已经过的阶段“%s”；如需更正请编辑项目的阶段日期。" % LABELS[target])
    # the stages passed by the move (empty when a paused project resumes where it was)
    steps = template[stage_index(template, base) + 1:stage_index(template, target) + 1]
    chosen = {}
    previous = actual.get(base) if base in template else None
    for stage in steps:
        date = dates.get(stage) or actual.get(stage)
        if date is None:
            if stage == target:
                raise MoveError("请填写“%s”的实际日期。" % LABELS[stage])
            raise MoveError("跳过了“%s”阶段：请填写它的实际日期。" % LABELS[stage])
        if date > today:
            raise MoveError("“%s”的实际日期 %s 晚于今天。" % (LABELS[stage], date.isoformat()))
        if previous is not None and date < previous:
            raise MoveError("“%s”的实际日期 %s 早于上一阶段的日期 %s。" % (LABELS[stage], date.isoformat(),
                                                               previous.isoformat()))
        chosen[stage] = date
        previous = date
    return Move(target, chosen)


def missing_dates(template, current, target, actual, paused_from=""):
    """The stages a move to `target` must be given a date for (target and skipped ones)."""
    if target in (TERMINATED, PAUSED) or target not in template:
        return []
    base = paused_from if current == PAUSED else current
    lo = stage_index(template, base) + 1
    return [s for s in template[lo:stage_index(template, target) + 1] if s == target or s not in actual]


def plan_marks(template, current, planned, actual, paused_from=""):
    """(next_due, ahead): the planned date of the next stage not reached yet, and whether the
    stage reached last was reached before its plan. Stored on the project so that 滞后 can be
    queried as next_due < today while time passes without any write."""
    if current == TERMINATED:
        return None, False
    base = paused_from if current == PAUSED else current
    i = stage_index(template, base)
    nxt = next((planned.get(s) for s in template[i + 1:] if planned.get(s)), None) if current != PAUSED else None
    reached_plan, reached_actual = planned.get(base), actual.get(base)
    ahead = bool(reached_plan and reached_actual and reached_actual < reached_plan)
    return nxt, ahead


def plan_status(next_due, ahead, today, current=None):
    """超前 / 正常 / 滞后 (None for terminated and paused projects)."""
    if current in (TERMINATED, PAUSED):
        return None
    if next_due is not None and next_due < today:
        return BEHIND
    return AHEAD if ahead else ON_PLAN


def size_band(agreed):
    """The largest band an agreed investment (万元) reaches, or None below 3 亿."""
    if agreed is None:
        return None
    for bound, label in BANDS:
        if agreed >= bound:
            return label
    return None


def band_counts(values):
    """{band label: count} with cumulative bands (≥ bound, exact boundary included)."""
    return {label: sum(1 for v in values if v is not None and v >= bound) for bound, label in reversed(BANDS)}


def days_between(start, end):
    """Calendar days from `start` to `end` (works across year ends); None if either is missing."""
    if start is None or end is None:
        return None
    return (end - start).days


def median(values):
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    n = len(vals)
    mid = n // 2
    return vals[mid] if n % 2 else (vals[mid - 1] + vals[mid]) / 2


DAY_BUCKETS = ((0, 7), (8, 15), (16, 30), (31, 60), (61, 90), (91, 180), (181, 365), (366, None))


def bucket_label(lo, hi):
    return f"{lo}–{hi}天" if hi is not None else f"{lo}天以上"


def histogram(days, buckets=DAY_BUCKETS):
    """[(label, count)] of durations in days."""
    out = []
    for lo, hi in buckets:
        out.append((bucket_label(lo, hi), sum(1 for d in days if d is not None and d >= lo and (hi is None or d <= hi))))
    return out


def summary(days):
    vals = [d for d in days if d is not None]
    return {"count": len(vals), "median": median(vals), "min": min(vals) if vals else None,
            "max": max(vals) if vals else None, "histogram": histogram(vals)}


def summary_counts(counts):
    """summary() of durations given as {days: how many} (the database groups them, so the figures
    page reads a few hundred rows instead of one per project)."""
    vals = sorted((d, n) for d, n in counts.items() if d is not None and n)
    total = sum(n for _, n in vals)
    if not total:
        return summary([])

    def nth(k):  # the k-th smallest value, 0-based
        for d, n in vals:
            if k < n:
                return d
            k -= n
        return vals[-1][0]

    mid = total // 2
    med = nth(mid) if total % 2 else (nth(mid - 1) + nth(mid)) / 2
    hist = [(bucket_label(lo, hi), sum(n for d, n in vals if d >= lo and (hi is None or d <= hi)))
            for lo, hi in DAY_BUCKETS]
    return {"count": total, "median": med, "min": vals[0][0], "max": vals[-1][0], "histogram": hist}


def share(part, whole):
    """A percentage with one decimal, None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


# -- agenda ---------------------------------------------------------------------------------

REASON_BEHIND, REASON_OVERDUE, REASON_MOVED = "behind", "overdue", "moved"
REASON_LABELS = {REASON_BEHIND: "滞后于计划", REASON_OVERDUE: "有超期问题", REASON_MOVED: "阶段变更"}


def agenda(behind, overdue, moved):
    """Merge the three selections (iterables of project ids, `moved` may repeat) into the agenda:
    [(project id, [reasons])], behind-plan projects first, then overdue problems, then moves,
    each project once."""
    reasons = {}
    for reason, ids in ((REASON_BEHIND, behind), (REASON_OVERDUE, overdue), (REASON_MOVED, moved)):
        for pid in ids:
            got = reasons.setdefault(pid, [])
            if reason not in got:
                got.append(reason)
    rank = {REASON_BEHIND: 0, REASON_OVERDUE: 1, REASON_MOVED: 2}
    return sorted(reasons.items(), key=lambda kv: (rank[kv[1][0]], kv[0]))
