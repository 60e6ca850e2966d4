"""Zone A's project records for tests/core/test_isolation.py (every projects model, one each)."""
import datetime

from zoneops.projects import services
from zoneops.projects.models import MeetingItem

from . import factories


def zone_a_records(data, zone_b):
    zone, ent, parcel = data["zone"], data["enterprise"], data["parcel"]
    p = factories.project(zone, 0, name="甲区机密项目", investor=ent, parcel=parcel,
                          planned_signed=datetime.date(2020, 1, 1))
    services.move(p, "talks", data["author"], dates={"talks": datetime.date(2023, 1, 5)})
    m = factories.meeting(zone, datetime.date.today())
    services.build_agenda(m)
    assert MeetingItem.objects.filter(meeting=m).exists()
    pb = factories.project(zone_b, 0, name="乙区项目")
    services.build_agenda(factories.meeting(zone_b, datetime.date.today()))
    data["project"] = p
    data["project_b"] = pb
