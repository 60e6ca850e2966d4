"""Rulesets in the database: presets (read by all, edited by superusers), zone copies, the YAML
editor (every save a new version, Chinese errors naming the path), upload and download, hostile input."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoneops.evaluation import services
from zoneops.evaluation.models import Ruleset, RulesetVersion

from ..conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def preset(db):
    services.ensure_presets()
    return Ruleset.objects.get(zone__isnull=True, name="huangyan_2022")


def test_presets_seeded_once(preset):
    services.ensure_presets()
    assert Ruleset.objects.filter(zone__isnull=True).count() == 2
    assert RulesetVersion.objects.filter(ruleset=preset).count() == 1
    assert "24.097" in preset.latest_version().yaml


def test_preset_readable_by_all_editable_by_superuser_only(client_a, client, preset, staff_b):
    url = preset.get_absolute_url()
    html = client_a.get(url).content.decode()
    assert "黄岩区" in html and "亩均税收" in html and "24.097" in html and "yaml-form" not in html
    text = preset.latest_version().yaml.replace("weight: 30", "weight: 35")
    assert client_a.post(url, {"yaml": text}).status_code == 404
    assert RulesetVersion.objects.filter(ruleset=preset).count() == 1
    root = make_user("root", is_superuser=True)
    client.force_login(root)
    client.post(url, {"yaml": text, "note": "调整权重"})
    assert RulesetVersion.objects.filter(ruleset=preset).count() == 2


def test_copy_edit_version_download(client_a, zone_a, preset):
    r = client_a.post(reverse("evaluation:ruleset_new"), {"zone": zone_a.pk, "name": "jia_2024", "title": "甲区 2024",
                                                          "source": preset.pk})
    own = Ruleset.objects.get(zone=zone_a)
    assert r["Location"] == own.get_absolute_url() and own.source == preset
    url = own.get_absolute_url()
    html = client_a.get(url).content.decode()
    assert "yaml-form" in html and "rules-table" in html
    text = own.latest_version().yaml.replace("weight: 30", "weight: 40")
    client_a.post(url, {"yaml": text, "note": "税收权重改为 40"})
    client_a.post(url, {"yaml": text})  # unchanged: no new version
    versions = list(own.versions.order_by("number").values_list("number", flat=True))
    assert versions == [1, 2]
    body = client_a.get(reverse("evaluation:ruleset_download", args=[own.pk])).content.decode()
    assert "weight: 40" in body
    assert "weight: 30" in client_a.get(reverse("evaluation:ruleset_download", args=[own.pk]), {"version": 1}).content.decode()
    # the change history names the new version
    assert "保存规则版本" in client_a.get(url).content.decode()
    # upload a YAML file as the next version
    up = SimpleUploadedFile("rules.yaml", text.replace("weight: 40", "weight: 45").encode("utf-8"))
    client_a.post(url, {"file": up})
    assert own.versions.count() == 3


@pytest.mark.parametrize("text, message", [
    ("", "该字段是必填项"),
    ("name: [unclosed", ""),
    ("- just\n- a list\n", ""),
    ("groups: 5\nname: x\n", ""),
])
def test_editor_rejects_bad_yaml_in_chinese(client_a, zone_a, preset, text, message):
    own = services.copy_ruleset(preset, zone_a, "jia", "甲")
    r = client_a.post(own.get_absolute_url(), {"yaml": text})
    html = r.content.decode()
    assert r.status_code == 400 and "未保存" in html and "yaml-error" in html
    assert message in html
    assert own.versions.count() == 1


def test_editor_error_names_the_path(client_a, zone_a, preset):
    own = services.copy_ruleset(preset, zone_a, "jia", "甲")
    text = own.latest_version().yaml.replace("weight: 20", "weight: -20", 1)
    html = client_a.post(own.get_absolute_url(), {"yaml": text}).content.decode()
    assert "groups[0].items[1].weight" in html


@pytest.mark.parametrize("name, data, message", [
    ("empty.yaml", b"", "空"),
    ("huge.yaml", b"a: " + b"x" * (300 * 1024), "200 KB"),
    ("binary.yaml", b"\xff\xfe\x00\x01garbage", "UTF-8"),
    ("bomb.yaml", b"a: &a [1,1]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: &d [*c,*c]\ne: [*d,*d]\n", ""),
    ("deep.yaml", b"a: " + b"[" * 500 + b"]" * 500, ""),
])
def test_hostile_uploads(client_a, zone_a, preset, name, data, message):
    own = services.copy_ruleset(preset, zone_a, "jia", "甲")
    r = client_a.post(own.get_absolute_url(), {"file": SimpleUploadedFile(name, data)})
    assert r.status_code == 400 and message in r.content.decode()
    assert own.versions.count() == 1
    r = client_a.post(reverse("evaluation:ruleset_new"), {"zone": zone_a.pk, "name": "up", "title": "上传",
                                                          "file": SimpleUploadedFile(name, data)})
    assert r.status_code == 400 and not Ruleset.objects.filter(name="up").exists()


def test_zone_b_cannot_see_or_copy_into_zone_a(client_b, zone_a, preset):
    own = services.copy_ruleset(preset, zone_a, "jia_secret", "甲区机密规则")
    assert client_b.get(own.get_absolute_url()).status_code == 404
    assert client_b.get(reverse("evaluation:ruleset_download", args=[own.pk])).status_code == 404
    assert "甲区机密规则" not in client_b.get(reverse("evaluation:ruleset_list")).content.decode()
    r = client_b.post(reverse("evaluation:ruleset_new"), {"zone": zone_a.pk, "name": "x", "title": "x",
                                                          "source": own.pk})
    assert r.status_code == 400 and not Ruleset.objects.filter(name="x").exists()


def test_run_form_refuses_another_zones_ruleset(client_b, zone_a, zone_b, preset):
    own = services.copy_ruleset(preset, zone_a, "jia", "甲")
    r = client_b.post(reverse("evaluation:run_new"), {"zone": zone_b.pk, "year": 2023, "ruleset": own.pk})
    assert r.status_code == 400 and "选择一个有效的选项" in r.content.decode()
