import csv
import subprocess
import sys
from pathlib import Path

import pytest

from zoneops.registry.industry import CSV_PATH
from zoneops.registry.models import Enterprise, IndustryCode

SHARED_XLSX = Path(__file__).resolve().parents[3] / "shared" / "data" / "gbt4754_2017" / "GB_T_4754-2017_一维表.xlsx"


@pytest.mark.django_db
def test_shipped_table_has_the_standards_level_counts():
    counts = {level: IndustryCode.objects.filter(level=level).count()
              for level in ("section", "division", "group", "class")}
    assert counts == {"section": 20, "division": 97, "group": 473, "class": 1380}


@pytest.mark.django_db
def test_known_defects_of_the_source_are_fixed():
    assert IndustryCode.objects.get(code="0712").name == "海洋石油开采"
    assert IndustryCode.objects.get(code="3611").level == "class"
    assert IndustryCode.objects.get(code="9700").level == "class"
    assert IndustryCode.objects.get(code="3670").name == "汽车零部件及配件制造"
    for c in IndustryCode.objects.exclude(level="section"):
        assert c.parent_id is not None and c.section
        if c.level != "division":
            assert c.code.startswith(c.parent_id)


@pytest.mark.django_db
def test_enterprise_denormalises_section_and_division(zone_a):
    ent = Enterprise.objects.create(zone=zone_a, uscc="91110000600037341L", name="测试", industry_id="3670")
    assert (ent.industry_section, ent.industry_division) == ("C", "36")


@pytest.mark.skipif(not SHARED_XLSX.exists(), reason="shared reference data not beside the repository")
def test_build_script_reproduces_the_shipped_csv(tmp_path):
    script = CSV_PATH.parent / "build_industry_codes.py"
    out = tmp_path / "codes.csv"
    subprocess.run([sys.executable, str(script), str(SHARED_XLSX), "-o", str(out)], check=True,
                   capture_output=True)
    with open(out, encoding="utf-8") as a, open(CSV_PATH, encoding="utf-8") as b:
        assert list(csv.reader(a)) == list(csv.reader(b))
