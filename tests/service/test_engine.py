"""The workflow state machine: every move from every state by every role, allowed or refused."""
import itertools

import pytest

from zoneops.service import engine as e

STATES = list(e.STATE_LABELS)
ROLES = [e.STAFF, e.DEPARTMENT, e.ENTERPRISE]

# (move, from state, role) -> new state, for every allowed combination; everything else is refused.
ALLOWED = {}
for role in (e.STAFF,):
    ALLOWED[("assign", e.RECEIVED, role)] = e.ASSIGNED
    ALLOWED[("close", e.ANSWERED, role)] = e.CLOSED
    ALLOWED[("reopen", e.CLOSED, role)] = e.IN_PROGRESS
for role in (e.STAFF, e.DEPARTMENT):
    ALLOWED[("accept", e.ASSIGNED, role)] = e.IN_PROGRESS
    for s in (e.ASSIGNED, e.IN_PROGRESS):
        ALLOWED[("return", s, role)] = e.RECEIVED
        ALLOWED[("answer", s, role)] = e.ANSWERED
        ALLOWED[("request_extension", s, role)] = s
for s in (e.ASSIGNED, e.IN_PROGRESS):
    ALLOWED[("decide_extension", s, e.STAFF)] = s  # only with a pending request (below)
for role in (e.STAFF, e.ENTERPRISE):
    ALLOWED[("rate", e.ANSWERED, role)] = e.CLOSED  # satisfied; unsatisfied reopens (below)

CASES = list(itertools.product(e.MOVES, STATES, ROLES))


@pytest.mark.parametrize("move, state, role", CASES, ids=[f"{m}-{s}-{r}" for m, s, r in CASES])
def test_every_move(move, state, role):
    pending = move == "decide_extension"
    expected = ALLOWED.get((move, state, role))
    if expected is None:
        with pytest.raises(e.Refused) as info:
            e.decide(state, move, {role}, extension_pending=pending)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value)), "a Chinese message"
    else:
        out = e.decide(state, move, {role}, extension_pending=pending,
                       rating=e.SATISFIED if move == "rate" else None)
        assert out.state == expected


def test_refusals_say_why():
    with pytest.raises(e.Refused, match="只能由开发区工作人员办理"):
        e.decide(e.RECEIVED, "assign", {e.DEPARTMENT})
    with pytest.raises(e.Refused, match="当前为“办结”，不能反馈"):
        e.decide(e.CLOSED, "answer", {e.DEPARTMENT})
    with pytest.raises(e.Refused, match="已有一项延期申请待审批"):
        e.decide(e.ASSIGNED, "request_extension", {e.DEPARTMENT}, extension_pending=True)
    with pytest.raises(e.Refused, match="没有待审批的延期申请"):
        e.decide(e.ASSIGNED, "decide_extension", {e.STAFF}, extension_pending=False)
    with pytest.raises(e.Refused, match="未知的操作"):
        e.decide(e.ASSIGNED, "teleport", {e.STAFF})
    with pytest.raises(e.Refused, match="请选择满意"):
        e.decide(e.ANSWERED, "rate", {e.ENTERPRISE}, rating="great")


@pytest.mark.parametrize("rating, state, action", [
    (e.SATISFIED, e.CLOSED, "close"), (e.BASICALLY, e.CLOSED, "close"), (e.UNSATISFIED, e.IN_PROGRESS, "reopen")])
def test_rating_closes_or_reopens(rating, state, action):
    out = e.decide(e.ANSWERED, "rate", {e.ENTERPRISE}, rating=rating)
    assert (out.state, out.action) == (state, action)
    assert out.label == {"close": "办结", "reopen": "重开"}[action]


def test_named_actions_cover_the_issue():
    assert {"受理", "交办", "退回", "延期", "督办", "反馈", "办结", "重开"} <= set(e.ACTION_LABELS.values())
    assert e.decide(e.RECEIVED, "assign", {e.STAFF}).label == "交办"
    assert e.decide(e.ASSIGNED, "return", {e.DEPARTMENT}).label == "退回"
    assert e.decide(e.ASSIGNED, "request_extension", {e.DEPARTMENT}).label == "延期"


def test_allowed_moves_for_buttons():
    assert e.allowed_moves(e.RECEIVED, {e.STAFF}) == ["assign"]
    assert e.allowed_moves(e.ASSIGNED, {e.DEPARTMENT}) == ["accept", "return", "answer", "request_extension"]
    assert set(e.allowed_moves(e.ASSIGNED, {e.STAFF}, extension_pending=True)) == {
        "accept", "return", "answer", "decide_extension"}
    assert e.allowed_moves(e.ANSWERED, {e.ENTERPRISE}) == ["rate"]
    assert e.allowed_moves(e.CLOSED, {e.ENTERPRISE, e.DEPARTMENT}) == []


def test_a_user_with_several_roles():
    assert e.decide(e.RECEIVED, "assign", {e.DEPARTMENT, e.STAFF}).state == e.ASSIGNED


@pytest.mark.parametrize("today, level", [
    ("2024-09-25", e.NONE), ("2024-09-26", e.REMINDER), ("2024-09-30", e.YELLOW), ("2024-10-09", e.YELLOW),
    ("2024-10-10", e.RED)])
def test_level_due(today, level):
    import datetime as d

    D = d.date.fromisoformat
    assert e.level_due(D(today), D("2024-09-26"), D("2024-09-30"), D("2024-10-10")) == level
