"""The problem (诉求) workflow as a pure state machine: no Django, no database.

    受理 ──交办──▶ 已交办 ──签收──▶ 处置中 ──反馈──▶ 已反馈 ──满意/基本满意──▶ 办结
      ▲              │                 │                  │ 不满意 (重开)
      └────退回──────┴─────────────────┘                  └──────────▶ 处置中

- 退回: the department gives the problem back with a reason; it returns to 受理 and the zone
  assigns it again (the department and handler are cleared).
- 延期: the department asks for a later deadline (a reason and a date); a supervisor (zone staff)
  approves (the deadline moves) or refuses (it stays). The state does not change meanwhile.
- 满意度: the firm rates an answered problem. 满意 / 基本满意 close it; 不满意 reopens it to
  处置中 with the same department, which has to answer again (it can still 退回 it when it is not
  theirs). Staff may also close an answered problem the firm did not rate (办结, no rating) and
  reopen a closed one (重开, back to 处置中).

`decide(...)` answers with the new state and the named action of the change history, or raises
`Refused` with a Chinese message saying why.
"""
from dataclasses import dataclass

# States (stored values).
RECEIVED = "received"        # 受理
ASSIGNED = "assigned"        # 已交办
IN_PROGRESS = "in_progress"  # 处置中
ANSWERED = "answered"        # 已反馈
CLOSED = "closed"            # 办结

STATE_LABELS = {RECEIVED: "受理", ASSIGNED: "已交办", IN_PROGRESS: "处置中", ANSWERED: "已反馈", CLOSED: "办结"}
OPEN_STATES = (RECEIVED, ASSIGNED, IN_PROGRESS, ANSWERED)
# States in which the department holds the problem and its deadline runs.
WITH_DEPARTMENT = (ASSIGNED, IN_PROGRESS)

# Who acts. A zone's staff (工作人员/管理员) supervise; a department user works what is assigned to
# their department; an enterprise user speaks for their own firm.
STAFF = "staff"
DEPARTMENT = "department"
ENTERPRISE = "enterprise"
ROLE_LABELS = {STAFF: "开发区工作人员", DEPARTMENT: "承办部门", ENTERPRISE: "企业"}

# Ratings.
SATISFIED = "satisfied"
BASICALLY = "basically"
UNSATISFIED = "unsatisfied"
RATING_LABELS = {SATISFIED: "满意", BASICALLY: "基本满意", UNSATISFIED: "不满意"}

# Named actions as the change history records them (ObjectChange.action and ProblemEvent.action).
ACTION_LABELS = {
    "receive": "受理", "assign": "交办", "accept": "签收", "return": "退回", "extension": "延期",
    "escalate": "督办", "answer": "反馈", "close": "办结", "reopen": "重开", "rate": "评价",
}


class Refused(Exception):
    """A move that is not allowed; the message (Chinese) says why."""


@dataclass(frozen=True)
class Move:
    action: str          # the named action written to the history
    sources: tuple       # states it starts from
    target: str | None   # new state (None: the state does not change)
    roles: tuple         # who may do it
    label: str           # what the button says


MOVES = {
    "assign": Move("assign", (RECEIVED,), ASSIGNED, (STAFF,), "交办"),
    "accept": Move("accept", (ASSIGNED,), IN_PROGRESS, (DEPARTMENT, STAFF), "签收处置"),
    "return": Move("return", (ASSIGNED, IN_PROGRESS), RECEIVED, (DEPARTMENT, STAFF), "退回"),
    "answer": Move("answer", (ASSIGNED, IN_PROGRESS), ANSWERED, (DEPARTMENT, STAFF), "反馈"),
    "request_extension": Move("extension", (ASSIGNED, IN_PROGRESS), None, (DEPARTMENT, STAFF), "申请延期"),
    "decide_extension": Move("extension", (ASSIGNED, IN_PROGRESS), None, (STAFF,), "审批延期"),
    "rate": Move("rate", (ANSWERED,), None, (ENTERPRISE, STAFF), "评价"),
    "close": Move("close", (ANSWERED,), CLOSED, (STAFF,), "办结"),
    "reopen": Move("reopen", (CLOSED,), IN_PROGRESS, (STAFF,), "重开"),
}


@dataclass(frozen=True)
class Outcome:
    state: str        # the state after the move
    action: str       # the named history action ("assign", "close", "reopen" …)
    label: str        # its Chinese name (交办, 办结, 重开 …)


def allowed_moves(state, roles, *, extension_pending=False):
    """Names of the moves `roles` may make from `state` (for the buttons on the problem page)."""
    out = []
    for name in MOVES:
        try:
            decide(state, name, roles, extension_pending=extension_pending)
        except Refused:
            continue
        out.append(name)
    return out


def decide(state, move, roles, *, extension_pending=False, rating=None):
    """The outcome of `move` on a problem in `state` by someone holding `roles` (a set of
    STAFF / DEPARTMENT / ENTERPRISE), or Refused."""
    if isinstance(roles, str):
        roles = {roles}
    spec = MOVES.get(move)
    if spec is None:
        raise Refused(f"未知的操作：{move}。")
    if state not in STATE_LABELS:
        raise Refused(f"未知的状态：{state}。")
    if not set(roles) & set(spec.roles):
        who = "、".join(ROLE_LABELS[r] for r in spec.roles)
        raise Refused(f"“{spec.label}”只能由{who}办理。")
    if state not in spec.sources:
        allowed = "、".join(STATE_LABELS[s] for s in spec.sources)
        raise Refused(f"诉求当前为“{STATE_LABELS[state]}”，不能{spec.label}（仅限{allowed}状态）。")
    if move == "request_extension" and extension_pending:
        raise Refused("已有一项延期申请待审批，请等待审批结果。")
    if move == "decide_extension" and not extension_pending:
        raise Refused("没有待审批的延期申请。")
    if move == "rate":
        if rating is not None and rating not in RATING_LABELS:
            raise Refused("请选择满意、基本满意或不满意。")
        if rating == UNSATISFIED:
            return Outcome(IN_PROGRESS, "reopen", ACTION_LABELS["reopen"])
        return Outcome(CLOSED, "close", ACTION_LABELS["close"])
    target = spec.target if spec.target is not None else state
    return Outcome(target, spec.action, ACTION_LABELS[spec.action])


# ---------------------------------------------------------------------------------------------
# Supervision (督办) levels.

NONE = 0
REMINDER = 1   # 提醒: to the handler, some working days before the deadline
YELLOW = 2     # 黄牌: to the department head, on the deadline
RED = 3        # 红牌: to zone leadership, some working days after it
LEVEL_LABELS = {NONE: "", REMINDER: "到期提醒", YELLOW: "黄牌督办", RED: "红牌督办"}


def level_due(today, remind_on, yellow_on, red_on):
    """The supervision level a problem has reached on `today`, given its three dates."""
    if red_on is not None and today >= red_on:
        return RED
    if yellow_on is not None and today >= yellow_on:
        return YELLOW
    if remind_on is not None and today >= remind_on:
        return REMINDER
    return NONE
