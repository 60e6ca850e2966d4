"""The chain page and its workflows: decisions, tree editor, templates, files, checklist,
candidates, the enterprise tab; permissions and zone isolation of each."""
import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoneops.chains import services
from zoneops.chains.models import (
    Candidate,
    Chain,
    ChainLeader,
    ChainMapping,
    ChecklistItem,
    Segment,
)
from zoneops.core.importing import service as import_service
from zoneops.core.models import ObjectChange

from ..core.import_support import make_xlsx, media_root  # noqa: F401
from ..registry import factories as reg
from . import factories

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def chain(zone_a):
    c = factories.chain(zone_a, name="甲区汽车链")
    reg.enterprise(zone_a, 1, name="甲区刹车片有限公司", industry_id="3670", business_scope="刹车片、制动盘制造")
    reg.enterprise(zone_a, 2, name="甲区车灯有限公司", industry_id="3670", business_scope="汽车车灯制造")
    services.run_mapping(zone_a)
    return c


def test_chain_page_tabs_for_a_viewer(client, viewer_a, chain):
    client.force_login(viewer_a)
    for tab in ("panorama", "gaps", "firms", "targets", "checklist", "tree", "history"):
        r = client.get(chain.get_absolute_url(), {"tab": tab})
        assert r.status_code == 200, tab
        html = r.content.decode()
        assert "甲区汽车链" in html
        assert reverse("chains:remap", args=[chain.pk]) not in html  # no write buttons for a viewer
    html = client.get(chain.get_absolute_url(), {"tab": "panorama"}).content.decode()
    data = json.loads(html.split('id="panorama-data" type="application/json">')[1].split("</script>")[0])
    stages = [c["name"] for c in data["children"]]
    assert stages == ["上游", "中游", "下游"]
    assert "甲区刹车片有限公司" in client.get(chain.get_absolute_url(), {"tab": "firms"}).content.decode()


def test_panorama_marks_leaders_and_exports_xlsx(client, staff_a, chain):
    ent = ChainMapping.objects.get(enterprise__name="甲区刹车片有限公司").enterprise
    client.force_login(staff_a)
    client.post(reverse("chains:leader_toggle", args=[chain.pk]), {"enterprise": ent.pk})
    assert ChainLeader.objects.filter(chain=chain, enterprise=ent).exists()
    html = client.get(chain.get_absolute_url(), {"tab": "panorama"}).content.decode()
    assert '"kind": "leader"' in html and "甲区刹车片有限公司" in html
    r = client.get(chain.get_absolute_url(), {"tab": "panorama", "export": "xlsx"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    from ..core.viewtests import read_xlsx

    rows = read_xlsx(r.content)
    assert rows[0][:4] == ["链位", "环节", "上级环节", "企业数"]
    brake = next(row for row in rows if str(row[1]).strip() == "制动系统")
    assert brake[3] == 1 and brake[5] == 1


def test_decide_by_htmx_persists_and_is_audited(client, staff_a, chain):
    m = ChainMapping.objects.get(enterprise__name="甲区车灯有限公司")
    client.force_login(staff_a)
    r = client.post(reverse("chains:mapping_decide", args=[m.pk]), {"source": "rejected"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "人工否决" in r.content.decode()
    services.run_mapping(chain.zone)
    m.refresh_from_db()
    assert m.source == "rejected" and m.decided_by == staff_a
    assert ObjectChange.objects.filter(action="rejected", object_id=str(m.pk), user=staff_a).exists()


def test_viewer_and_other_zone_cannot_decide(client, viewer_a, staff_b, chain):
    m = ChainMapping.objects.first()
    url = reverse("chains:mapping_decide", args=[m.pk])
    client.force_login(viewer_a)
    assert client.post(url, {"source": "rejected"}).status_code == 403
    client.force_login(staff_b)
    assert client.post(url, {"source": "rejected"}).status_code == 404
    for name in ("chains:segment_firms", "chains:segment_detail"):
        assert client.get(reverse(name, args=[m.segment_id])).status_code == 404
    m.refresh_from_db()
    assert m.source == "auto"


def test_add_firm_to_segment_by_credit_code(client, staff_a, zone_b, chain):
    seg = factories.segment(chain, "整车")
    other = reg.enterprise(zone_b, 6, name="乙区企业有限公司")
    client.force_login(staff_a)
    url = reverse("chains:segment_add_firm", args=[seg.pk])
    r = client.post(url, {"uscc": other.uscc}, follow=True)
    assert "本开发区没有统一社会信用代码" in r.content.decode()  # another zone's firm is not found
    ent = reg.enterprise(chain.zone, 7, name="甲区整车有限公司")
    client.post(url, {"uscc": ent.uscc})
    assert ChainMapping.objects.get(enterprise=ent, segment=seg).source == "confirmed"


def test_tree_editor_operations(client, staff_a, chain):
    client.force_login(staff_a)
    url = reverse("chains:tree_edit", args=[chain.pk])
    hx = {"HTTP_HX_REQUEST": "true"}
    parts = factories.segment(chain, "零部件")
    r = client.post(url, {"op": "add", "parent": parts.pk, "name": "转向系统"}, **hx)
    assert r.status_code == 200 and "转向系统" in r.content.decode()
    steer = factories.segment(chain, "转向系统")
    assert steer.stage == "mid" and steer.parent == parts
    r = client.post(url, {"op": "add", "parent": parts.pk, "name": "转向系统"}, **hx)
    assert "该产业链已有同名的环节" in r.content.decode()
    client.post(url, {"op": "rename", "segment": steer.pk, "name": "转向与悬架"}, **hx)
    steer.refresh_from_db()
    assert steer.name == "转向与悬架"
    client.post(url, {"op": "move", "segment": steer.pk, "parent": "down"}, **hx)
    steer.refresh_from_db()
    assert steer.parent is None and steer.stage == "down"
    r = client.post(url, {"op": "move", "segment": parts.pk, "parent": factories.segment(chain, "制动系统").pk}, **hx)
    assert "不能把环节移到它自己的下级环节之下" in r.content.decode()
    order = lambda: list(Segment.objects.filter(chain=chain, parent=parts).order_by("order").values_list("name", flat=True))
    before = order()
    client.post(url, {"op": "down", "segment": factories.segment(chain, before[0]).pk}, **hx)
    assert order() == [before[1], before[0]]
    client.post(url, {"op": "delete", "segment": parts.pk}, **hx)
    assert not Segment.objects.filter(chain=chain, name__in=["零部件", "制动系统", "车灯"]).exists()
    # Another chain's segment id is not found through this chain.
    other = factories.chain(chain.zone, name="又一条链")
    client.post(url, {"op": "delete", "segment": factories.segment(other, "整车").pk}, **hx)
    assert Segment.objects.filter(chain=other, name="整车").exists()


def test_tree_editor_refuses_viewer_and_other_zone(client, viewer_a, staff_b, chain):
    url = reverse("chains:tree_edit", args=[chain.pk])
    n = Segment.objects.filter(chain=chain).count()
    client.force_login(viewer_a)
    assert client.post(url, {"op": "add", "stage": "up", "name": "x"}).status_code == 403
    client.force_login(staff_b)
    assert client.post(url, {"op": "add", "stage": "up", "name": "x"}).status_code == 404
    assert Segment.objects.filter(chain=chain).count() == n


def test_create_from_template_maps_the_zone(client, staff_a, zone_a, zone_b):
    reg.enterprise(zone_a, 3, name="甲区铜杆有限公司", industry_id="3251", business_scope="铜杆、铜线制造")
    client.force_login(staff_a)
    r = client.post(reverse("chains:templates"), {"zone": zone_b.pk, "template": "recycled_metal"}, follow=True)
    assert "请选择您有写入权限的开发区" in r.content.decode() and not Chain.objects.exists()
    r = client.post(reverse("chains:templates"), {"zone": zone_a.pk, "template": "recycled_metal",
                                                  "chief_name": "李四"}, follow=True)
    chain = Chain.objects.get(zone=zone_a, name="再生金属")
    assert chain.chief_name == "李四" and chain.template == "再生金属"
    assert ChainMapping.objects.filter(chain=chain, segment__name="铜材加工").exists()
    r = client.post(reverse("chains:templates"), {"zone": zone_a.pk, "template": "../../etc/passwd"}, follow=True)
    assert "没有名为" in r.content.decode()


def test_yaml_export_import_round_trip_and_errors(client, staff_a, staff_b, chain, zone_a):
    client.force_login(staff_a)
    text = client.get(reverse("chains:chain_export_yaml", args=[chain.pk])).content.decode()
    tree = yaml.safe_load(text)
    assert tree["name"] == "甲区汽车链"
    tree["name"] = "导入的链"
    upload = SimpleUploadedFile("c.yaml", yaml.safe_dump(tree, allow_unicode=True).encode())
    client.post(reverse("chains:chain_import"), {"zone": zone_a.pk, "file": upload})
    copy = Chain.objects.get(name="导入的链")
    assert sorted(copy.segments.values_list("name", flat=True)) == sorted(chain.segments.values_list("name", flat=True))
    bad = SimpleUploadedFile("bad.yaml", b"a: &x [1]\nb: *x\n")
    r = client.post(reverse("chains:chain_import"), {"zone": zone_a.pk, "file": bad}, follow=True)
    assert "不支持锚点与别名" in r.content.decode()
    bad_code = SimpleUploadedFile("c.yaml", "name: 坏链\nsegments:\n- name: a\n  stage: up\n  codes: 9999\n".encode())
    r = client.post(reverse("chains:chain_import"), {"zone": zone_a.pk, "file": bad_code}, follow=True)
    assert "没有行业代码 9999" in r.content.decode() and not Chain.objects.filter(name="坏链").exists()
    xlsx = client.get(reverse("chains:chain_export_xlsx", args=[chain.pk])).content
    r = client.post(reverse("chains:chain_import"), {"chain": chain.pk, "file": SimpleUploadedFile("c.xlsx", xlsx)},
                    follow=True)
    assert "新增 0、修改 0、删除 0" in r.content.decode()
    client.force_login(staff_b)
    r = client.post(reverse("chains:chain_import"), {"chain": chain.pk, "file": SimpleUploadedFile("c.xlsx", xlsx)})
    assert r.status_code == 404


def test_checklist_evidence_upload_and_permission_checked_download(client, staff_a, viewer_a, staff_b, chain):
    item = ChecklistItem.objects.get(chain=chain, kind="plan")
    url = reverse("chains:checklist_item", args=[item.pk])
    client.force_login(staff_a)
    client.post(url, {"done": "1", "note": "已印发", "evidence": SimpleUploadedFile("规划.pdf", b"%PDF-1.4 plan")})
    r = client.post(url, {"done": "1", "evidence": SimpleUploadedFile("x.exe", b"MZ")}, follow=True)
    assert "类型不允许" in r.content.decode()  # an executable is refused, the earlier file kept
    item.refresh_from_db()
    assert item.done and item.evidence_name == "规划.pdf"
    html = client.get(chain.get_absolute_url(), {"tab": "checklist"}).content.decode()
    assert "11%" in html  # 1 of 9
    dl = reverse("chains:evidence", args=[item.pk])
    client.force_login(viewer_a)
    r = client.get(dl)
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 plan"
    assert client.post(url, {"done": ""}).status_code == 403
    client.force_login(staff_b)
    assert client.get(dl).status_code == 404
    client.logout()
    assert client.get(dl).status_code == 302


def test_candidates_import_map_and_rank(client, staff_a, chain, zone_a, monkeypatch):
    rows = [["企业名称", "省份", "城市", "行业代码", "主营产品", "营业收入（亿元）", "上市公司"],
            ["宁波甲刹车片股份有限公司", "浙江省", "宁波市", "3670", "盘式制动器、刹车片", "12", "是"],
            ["苏州甲车灯有限公司", "江苏省", "苏州市", "3670", "LED前照灯、尾灯", "0.8", "否"],
            ["坏行有限公司", "", "", "9999", "", "-3", "也许"]]
    batch = import_service.create_batch(zone_a, "candidates", "目标.xlsx", make_xlsx(rows), user=staff_a)
    import_service.validate_batch(batch)
    batch.refresh_from_db()
    assert batch.rejected_count == 1
    errors = json.dumps(import_service.rejected_preview(batch), ensure_ascii=False)
    assert "9999" in errors and "不能为负" in errors
    batch.valid_only = True
    batch.save()
    import_service.commit_batch(batch)
    big = Candidate.objects.get(name="宁波甲刹车片股份有限公司")
    assert big.revenue == 120000 and big.is_listed
    assert big.matches.filter(segment__name="制动系统").exists()
    client.force_login(staff_a)
    html = client.get(chain.get_absolute_url(), {"tab": "targets"}).content.decode()
    assert "宁波甲刹车片股份有限公司" in html and "上市公司" in html
    monkeypatch.setattr(services, "CANDIDATE_TO_LEAD", None)  # the project pipeline not installed
    r = client.post(reverse("chains:candidate_to_lead", args=[big.pk]), follow=True)
    assert "项目库尚未启用" in r.content.decode()
    client.post(reverse("chains:candidate_status", args=[big.pk]), {"status": "talks"})
    big.refresh_from_db()
    assert big.status == "talks"


def test_candidate_to_lead_hook(client, staff_a, zone_a, monkeypatch):
    cand = factories.candidate(zone_a)

    class Lead:
        def __str__(self):
            return "线索 1"

        def get_absolute_url(self):
            return "/lead/1/"

    monkeypatch.setattr(services, "CANDIDATE_TO_LEAD", lambda c, u: Lead())
    client.force_login(staff_a)
    r = client.post(reverse("chains:candidate_to_lead", args=[cand.pk]))
    assert r["Location"] == "/lead/1/"
    assert ObjectChange.objects.filter(action="to_lead", object_id=str(cand.pk)).exists()


def test_enterprise_tab_shows_segments(client, viewer_a, chain):
    ent = ChainMapping.objects.get(enterprise__name="甲区刹车片有限公司").enterprise
    client.force_login(viewer_a)
    html = client.get(ent.get_absolute_url(), {"tab": "chains"}).content.decode()
    assert "甲区汽车链" in html and "制动系统" in html
    assert reverse("chains:mapping_decide", args=[ChainMapping.objects.get(enterprise=ent).pk]) not in html


def test_partner_zone_shows_its_name_only(client, staff_a, zone_a, zone_b, chain):
    reg.enterprise(zone_b, 8, name="乙区机密企业有限公司", industry_id="3670", business_scope="刹车片制造")
    chain.partner_zone = zone_b
    chain.partner_chief = "乙区区长"
    chain.save()
    client.force_login(staff_a)
    html = client.get(chain.get_absolute_url(), {"tab": "firms"}).content.decode()
    assert "乙开发区" in html and "乙区机密企业有限公司" not in html
    # A zone-A user cannot pick a zone they do not see.
    r = client.post(reverse("chains:chain_edit", args=[chain.pk]), {"name": chain.name, "status": "pilot",
                                                                     "partner_zone": zone_b.pk, "thresholds": ""})
    assert r.status_code == 400 and "partner_zone" in r.context["form"].errors
