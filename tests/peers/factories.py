from zoneops.peers import services
from zoneops.peers.models import PeerReport

TEXT = ("2022年,江东经济开发区全年完成固定资产投资38.5亿元,同比增长40.9%。新增用地119公顷。"
        "力争2023年引进10亿元以上项目5个。")


def report(zone, peer_name="江东经济开发区", text=TEXT, extract=True, **kw):
    r = PeerReport.objects.create(zone=zone, peer_name=peer_name, text=text, **kw)
    return services.run_extraction(r) if extract else r
