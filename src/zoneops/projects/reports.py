"""The period figures as tables (page, .xlsx, CLI) and the meeting report (.docx, .xlsx)."""
import io

import xlsxwriter

from zoneops.core.export import cell
from zoneops.core.official_doc import OfficialDocument

from . import engine

FIGURES = {  # key -> title; each is one table, one sheet, one export
    "summary": "签约与推进", "bands": "签约项目规模分档", "durations": "推进时长", "approvals": "审批用时",
    "officers": "招商专员业绩",
}


def _d(v):
    return "—" if v is None else (round(v, 1) if isinstance(v, float) else v)


def figure_tables(f):
    """{key: (title, headers, rows)} of the figures computed by services.period_figures."""
    wan = lambda v: round(v, 2)  # noqa: E731
    out = {
        "summary": ("签约与推进", ["指标", "数值", "单位"], [
            ["签约项目", f["signed"], "个"], ["协议总投资", wan(f["agreed_total"]), "万元"],
            ["固定资产投资", wan(f["fixed_total"]), "万元"], ["用地需求", wan(f["land_total"]), "亩"],
            ["签约项目已开工", f["started_of_signed"], "个"], ["开工率", _d(f["start_rate"]), "%"],
            ["开工项目", f["started"], "个"], ["入库项目", f["entered"], "个"], ["竣工投产项目", f["producing"], "个"],
            ["达产项目", f["full"], "个"], ["当前滞后项目", f["behind"], "个"]]),
        "bands": ("签约项目规模分档", ["规模（协议总投资）", "项目数"],
                  [[label, n] for label, n in f["bands"].items()]),
        "durations": ("推进时长", ["环节", "项目数", "中位数（天）", "最短（天）", "最长（天）"],
                      [[d["label"], d["count"], _d(d["median"]), _d(d["min"]), _d(d["max"])]
                       for d in f["durations"].values()]),
        "approvals": ("审批用时", ["审批事项", "办结数", "中位数（天）", "最短（天）", "最长（天）"],
                      [[a["name"], a["count"], _d(a["median"]), _d(a["min"]), _d(a["max"])] for a in f["approvals"]]),
        "officers": ("招商专员业绩", ["招商专员", "在手项目", "签约", "签约协议总投资（万元）", "开工", "投产", "滞后"],
                     [[o["name"], o["total"], o["signed"], wan(o["agreed"]), o["started"], o["producing"], o["behind"]]
                      for o in f["officers"]]),
    }
    return out


def xlsx_tables(tables):
    """One sheet per table: [(title, headers, rows)] -> bytes."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for title, headers, rows in tables:
        ws = book.add_worksheet(title[:31])
        for c, h in enumerate(headers):
            ws.write_string(0, c, str(h), head)
            ws.set_column(c, c, max(12, min(50, len(str(h)) * 2 + 4)))
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row):
                v = cell(value)
                if isinstance(v, (int, float)):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, v)
    book.close()
    return buf.getvalue()


CN_NUMS = "一二三四五六七八九十"


def meeting_rows(meeting, items, problems):
    """[(序号, 项目, 投资方, 阶段, 进度, 上会原因, 会议决定, 下一步, 新问题)]."""
    rows = []
    for n, item in enumerate(items, 1):
        p = item.project
        new = "；".join(f"{pr.title}（{pr.department.name if pr.department_id else '未交办'}，"
                       f"期限 {pr.deadline.isoformat() if pr.deadline else '—'}）"
                       for pr in problems.get(item.pk, []))
        rows.append([n, p.name, p.investor_display, engine.LABELS.get(p.stage, p.stage), p.plan_status_label,
                     "、".join(item.reason_labels), item.decision, item.next_steps, new])
    return rows


MEETING_HEADERS = ["序号", "项目名称", "投资方", "当前阶段", "进度", "上会原因", "会议决定", "下一步工作", "会上提出的问题"]


def meeting_docx(meeting, items, problems):
    """A government work memo (会议纪要): title, 时间/地点/主持/参会, numbered items."""
    doc = OfficialDocument()
    doc.para(f"{meeting.zone.name}", size=16, center=True, font="黑体")
    doc.para(f"{meeting.series.name}会议纪要", bold=True, size=22, center=True, font="方正小标宋简体")
    doc.para(f"（{meeting.held_on.year}年{meeting.held_on.month}月{meeting.held_on.day}日）", center=True)
    doc.para(f"时间：{meeting.held_on.year}年{meeting.held_on.month}月{meeting.held_on.day}日")
    doc.para(f"地点：{meeting.location or '—'}")
    doc.para(f"主持：{meeting.chair or '—'}")
    doc.para(f"参会：{meeting.attendees or '—'}")
    doc.para(f"会议听取了重点项目推进情况汇报，逐一研究了{len(items)}个项目存在的问题。现将会议议定事项纪要如下：")
    for n, row in enumerate(meeting_rows(meeting, items, problems), 1):
        _, name, investor, stage, plan, reasons, decision, steps, new = row
        doc.para(f"{CN_NUMS[n - 1] if n <= 10 else n}、{name}", bold=True, font="黑体")
        doc.para(f"项目情况：投资方{investor or '—'}，当前处于{stage}阶段，进度{plan}；上会原因：{reasons or '—'}。")
        doc.para(f"会议决定：{decision or '（未记录）'}")
        if steps:
            doc.para(f"下一步工作：{steps}")
        if new:
            doc.para(f"交办问题：{new}")
    if meeting.notes:
        doc.para("会议要求", bold=True, font="黑体")
        doc.para(meeting.notes)
    doc.sign_off(f"{meeting.zone.name}管委会", meeting.held_on)
    return doc.bytes()


def meeting_xlsx(meeting, items, problems):
    return xlsx_tables([(f"{meeting.held_on:%Y-%m-%d}调度会", MEETING_HEADERS, meeting_rows(meeting, items, problems))])
