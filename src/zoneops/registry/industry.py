"""The registry's reference data: the shipped GB/T 4754-2017 table (data/industry_codes.csv, see
data/INDUSTRY_CODES.md) and the cultivation pools. Loaded by migration 0002, and again by the tests
after a transactional test has flushed every table."""
import csv
from pathlib import Path

CSV_PATH = Path(__file__).resolve().parent / "data" / "industry_codes.csv"


def read_rows(path=CSV_PATH):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load(IndustryCode, path=CSV_PATH):
    """Insert or refresh every code; parents before children. Returns the count."""
    rows = read_rows(path)
    sections = {}
    for r in rows:
        if r["level"] == "section":
            sections[r["code"]] = r["code"]
    for r in rows:
        if r["level"] == "division":
            sections[r["code"]] = r["parent"]
    existing = set(IndustryCode.objects.values_list("code", flat=True))
    new, changed = [], []
    for r in rows:
        code = r["code"]
        section = sections.get(code) or sections.get(code[:2], "")
        obj = IndustryCode(code=code, name=r["name"], level=r["level"], parent_id=r["parent"] or None,
                           section=section, description=r.get("description", ""))
        (changed if code in existing else new).append(obj)
    order = {"section": 0, "division": 1, "group": 2, "class": 3}
    new.sort(key=lambda o: order[o.level])
    IndustryCode.objects.bulk_create(new, batch_size=500)
    IndustryCode.objects.bulk_update(changed, ["name", "level", "parent", "section", "description"], batch_size=500)
    return len(rows)


POOLS = [
    ("listing", "上市培育", "凤凰行动：拟上市企业培育"),
    ("eagle", "雄鹰", "雄鹰行动：行业龙头企业培育"),
    ("to-above-scale", "小升规", "规下企业升规培育"),
    ("high-tech", "高新培育", "高新技术企业培育"),
]


def load_reference(IndustryCode, CultivationPool):
    """Industry codes and cultivation pools (models passed in: a migration gives historical ones)."""
    load(IndustryCode)
    for code, name, desc in POOLS:
        CultivationPool.objects.get_or_create(code=code, defaults={"name": name, "description": desc})
