"""Demo peer library: three of the collected public reports (tests/data/peers, not the seeds) in
each demo zone, extracted and accepted, with the figures that match F1's catalogue linked."""
import datetime
import pathlib
import re

from zoneops.core.models import Membership

from . import services
from .models import PeerFigure, PeerReport

REPORTS = [  # file, peer name
    ("wuhu-edz-2022.txt", "芜湖经济技术开发区"),
    ("tongling-edz-2021.txt", "铜陵经济技术开发区"),
    ("liaocheng-hitech-2016.txt", "聊城高新技术产业开发区"),
]
DIR = pathlib.Path(__file__).resolve().parent / "demo_reports"


def read(name):
    header, body = {}, []
    for line in (DIR / name).read_text(encoding="utf-8").splitlines(keepends=True):
        m = re.match(r"^# (\w+): ?(.*)$", line)
        if m and not body:
            header[m.group(1)] = m.group(2).strip()
        elif not line.startswith("# ") or body:
            body.append(line)
    return header, "".join(body)


def load_demo(zones, *, seed, last_year, stdout=None):
    from zoneops.figures.models import Indicator

    indicators = {i.name: i for i in Indicator.objects.all()}
    n = 0
    for zone in zones:
        if PeerReport.objects.filter(zone=zone).exists():
            continue
        staff = (Membership.objects.filter(zone=zone, role=Membership.Role.STAFF).select_related("user").first())
        user = staff.user if staff else None
        for name, peer in REPORTS:
            header, text = read(name)
            date = datetime.date.fromisoformat(header["date"]) if header.get("date") else None
            report = PeerReport.objects.create(zone=zone, peer_name=peer, title=header.get("title", "")[:200],
                                               report_date=date, source_url=header.get("source", ""), text=text,
                                               created_by=user)
            services.run_extraction(report)
            services.accept_all(report, user)
            for f in PeerFigure.objects.filter(report=report):
                ind = next((i for nm, i in indicators.items() if nm and nm in f.metric), None)
                if ind is not None and f.kind in ("level", "count"):
                    PeerFigure.objects.filter(pk=f.pk).update(indicator=ind)
            n += 1
    if stdout:
        stdout.write(f"同行报告：{n} 份（已提取并接受）")
