"""A chain's segment tree as data: read and write YAML and .xlsx, validate, list the shipped
templates. No Django; every error is a `TreeError` with a Chinese message saying where.

A tree is a dict: {"name", "description", "segments": [{"name", "stage", "parent", "codes",
"keywords", "excludes", "products", "note"}]} with segments in display order and `parent` the
name of the parent segment (None at the top, under its stage).
"""
import io
from pathlib import Path

import yaml

from . import engine

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates_data"
STAGES = {"up": "上游", "mid": "中游", "down": "下游"}
STAGE_OF = {**{v: k for k, v in STAGES.items()}, **{k: k for k in STAGES}}
MAX_BYTES = 1_000_000
MAX_SEGMENTS = 300
MAX_DEPTH = 4  # segment, sub-segment, and two more levels below a stage
NAME_MAX = 60
TEXT_LIMITS = {"codes": 300, "keywords": 2000, "excludes": 1000, "products": 1000, "note": 2000}
XLSX_HEADERS = ["链位", "环节", "上级环节", "行业代码", "关键词", "排除词", "典型产品", "说明"]


class TreeError(ValueError):
    """The tree cannot be used; the message says what and where, in Chinese."""


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader without anchors/aliases: a few aliases can expand to gigabytes ("billion laughs")."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise TreeError(f"YAML 第 {event.start_mark.line + 1} 行：不支持锚点与别名（& / *）。")
        return super().compose_node(parent, index)


def _text(value, where, field, limit):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "、".join(str(v) for v in value if v is not None)
    if isinstance(value, (dict, set)):
        raise TreeError(f"{where}的“{field}”应为文字或列表。")
    text = str(value).strip()
    if len(text) > limit:
        raise TreeError(f"{where}的“{field}”超过 {limit} 个字符。")
    return text


def load_yaml(data):
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise TreeError(f"文件超过 {MAX_BYTES // 1000} KB。")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TreeError("YAML 文件须为 UTF-8 编码。") from None
    if len(data) > MAX_BYTES:
        raise TreeError(f"文件超过 {MAX_BYTES // 1000} KB。")
    try:
        doc = yaml.load(data, Loader=_NoAliasLoader)
    except TreeError:
        raise
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise TreeError(f"YAML 格式错误{where}：{getattr(e, 'problem', '') or e}") from None
    except RecursionError:
        raise TreeError("YAML 嵌套过深。") from None
    if not isinstance(doc, dict):
        raise TreeError("YAML 顶层应为对象，包含 name 和 segments。")
    segments = []

    def walk(items, parent, stage, depth, where):
        if items is None:
            return
        if not isinstance(items, list):
            raise TreeError(f"{where}的 segments/children 应为列表。")
        if depth > MAX_DEPTH:
            raise TreeError(f"{where}层级过深（最多 {MAX_DEPTH} 级环节）。")
        for i, item in enumerate(items, 1):
            if len(segments) >= MAX_SEGMENTS:
                raise TreeError(f"环节超过 {MAX_SEGMENTS} 个。")
            if not isinstance(item, dict):
                raise TreeError(f"{where}第 {i} 项应为对象（含 name）。")
            name = _text(item.get("name"), f"{where}第 {i} 项", "name", NAME_MAX)
            here = f"环节“{name}”" if name else f"{where}第 {i} 项"
            own_stage = item.get("stage")
            if parent is None:
                if own_stage is None:
                    raise TreeError(f"{here}缺少 stage（上游/中游/下游）。")
            seg_stage = STAGE_OF.get(str(own_stage).strip()) if own_stage is not None else stage
            if seg_stage is None:
                raise TreeError(f"{here}的 stage 应为 上游、中游 或 下游（up/mid/down），而不是“{own_stage}”。")
            if parent is not None and seg_stage != stage:
                seg_stage = stage  # children always sit in their parent's stage
            unknown = set(item) - {"name", "stage", "codes", "keywords", "exclude", "excludes", "products", "note",
                                   "children"}
            if unknown:
                raise TreeError(f"{here}有未知的字段：{'、'.join(sorted(map(str, unknown)))}。")
            segments.append({
                "name": name, "stage": seg_stage, "parent": parent,
                "codes": engine.split_words(_text(item.get("codes"), here, "codes", TEXT_LIMITS["codes"])),
                "keywords": engine.split_words(_text(item.get("keywords"), here, "keywords", TEXT_LIMITS["keywords"])),
                "excludes": engine.split_words(_text(item.get("exclude", item.get("excludes")), here, "exclude",
                                                     TEXT_LIMITS["excludes"])),
                "products": _text(item.get("products"), here, "products", TEXT_LIMITS["products"]),
                "note": _text(item.get("note"), here, "note", TEXT_LIMITS["note"]),
            })
            walk(item.get("children"), name, seg_stage, depth + 1, here)

    walk(doc.get("segments"), None, None, 1, "")
    tree = {"name": _text(doc.get("name"), "产业链", "name", NAME_MAX),
            "description": _text(doc.get("description"), "产业链", "description", 2000), "segments": segments}
    validate(tree)
    return tree


def validate(tree):
    if not tree.get("name"):
        raise TreeError("缺少产业链名称（name）。")
    seen = set()
    for i, seg in enumerate(tree["segments"], 1):
        if not seg["name"]:
            raise TreeError(f"第 {i} 个环节缺少名称。")
        if seg["name"] in seen:
            raise TreeError(f"环节名称“{seg['name']}”重复；同一条产业链内环节名称须唯一。")
        if seg["stage"] not in STAGES:
            raise TreeError(f"环节“{seg['name']}”的链位应为 上游、中游 或 下游。")
        if seg["parent"] is not None and seg["parent"] not in seen:
            raise TreeError(f"环节“{seg['name']}”的上级环节“{seg['parent']}”不存在（上级须写在下级之前）。")
        bad = [c for c in seg["codes"] if not (c.isdigit() and len(c) in (2, 3, 4))]
        if bad:
            raise TreeError(f"环节“{seg['name']}”的行业代码应为 2–4 位数字：{'、'.join(bad[:5])}。")
        seen.add(seg["name"])
    if not tree["segments"]:
        raise TreeError("产业链没有任何环节。")
    return tree


def dump_yaml(tree):
    children = {}
    for seg in tree["segments"]:
        children.setdefault(seg["parent"], []).append(seg)

    def node(seg, top):
        out = {"name": seg["name"]}
        if top:
            out["stage"] = seg["stage"]
        for key, out_key in (("codes", "codes"), ("keywords", "keywords"), ("excludes", "exclude")):
            if seg[key]:
                out[out_key] = "、".join(seg[key])
        for key in ("products", "note"):
            if seg[key]:
                out[key] = seg[key]
        kids = children.get(seg["name"], [])
        if kids:
            out["children"] = [node(k, False) for k in kids]
        return out

    doc = {"name": tree["name"]}
    if tree.get("description"):
        doc["description"] = tree["description"]
    doc["segments"] = [node(s, True) for s in children.get(None, [])]
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)


def dump_xlsx(tree):
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    meta = book.add_worksheet("产业链")
    meta.write_row(0, 0, ["项目", "内容"], bold)
    meta.write_row(1, 0, ["名称", tree["name"]])
    meta.write_row(2, 0, ["说明", tree.get("description", "")])
    meta.set_column(1, 1, 80)
    ws = book.add_worksheet("环节")
    ws.write_row(0, 0, XLSX_HEADERS, bold)
    for r, seg in enumerate(tree["segments"], 1):
        ws.write_row(r, 0, [STAGES[seg["stage"]], seg["name"], seg["parent"] or "", "、".join(seg["codes"]),
                            "、".join(seg["keywords"]), "、".join(seg["excludes"]), seg["products"], seg["note"]])
    ws.set_column(0, 2, 16)
    ws.set_column(3, 7, 40)
    book.close()
    return buf.getvalue()


def load_xlsx(data):
    """A tree from the workbook `dump_xlsx` writes (sheets 产业链 and 环节)."""
    from zoneops.core.importing.readers import ImportFileError, open_workbook

    if len(data) > 5 * MAX_BYTES:
        raise TreeError("文件超过 5 MB。")
    try:
        book = open_workbook(data)
    except ImportFileError as e:
        raise TreeError(str(e)) from None
    sheets = {s.name: s for s in book.sheets}
    seg_sheet = sheets.get("环节") or (book.sheets[0] if len(book.sheets) == 1 else None)
    if seg_sheet is None:
        raise TreeError("工作簿中没有名为“环节”的工作表。")
    name, description = "", ""
    if "产业链" in sheets:
        for _line, cells in _limited(sheets["产业链"].rows(), 50):
            key = str(cells[0]).strip() if cells else ""
            value = str(cells[1]).strip() if len(cells) > 1 and cells[1] is not None else ""
            if key == "名称":
                name = value
            elif key == "说明":
                description = value
    rows = iter(_limited(seg_sheet.rows(), MAX_SEGMENTS + 50))
    header = None
    for line, cells in rows:
        texts = [str(c).strip() if c is not None else "" for c in cells]
        if "环节" in texts:
            header = {h: i for i, h in enumerate(texts) if h}
            break
    if header is None:
        raise TreeError("“环节”工作表缺少表头（须有“链位”“环节”“上级环节”等列）。")
    missing = [h for h in ("链位", "环节") if h not in header]
    if missing:
        raise TreeError(f"“环节”工作表缺少列：{'、'.join(missing)}。")

    def cell(cells, col):
        i = header.get(col)
        if i is None or i >= len(cells) or cells[i] is None:
            return ""
        value = cells[i]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    segments = []
    for line, cells in rows:
        seg_name = cell(cells, "环节")
        if not seg_name and not any(str(c).strip() for c in cells if c is not None):
            continue
        where = f"“环节”第 {line} 行"
        if len(seg_name) > NAME_MAX:
            raise TreeError(f"{where}：环节名称超过 {NAME_MAX} 个字符。")
        stage = STAGE_OF.get(cell(cells, "链位"))
        if stage is None:
            raise TreeError(f"{where}：链位应为 上游、中游 或 下游，而不是“{cell(cells, '链位')}”。")
        if len(segments) >= MAX_SEGMENTS:
            raise TreeError(f"环节超过 {MAX_SEGMENTS} 个。")
        seg = {"name": seg_name, "stage": stage, "parent": cell(cells, "上级环节") or None}
        for col, key in (("行业代码", "codes"), ("关键词", "keywords"), ("排除词", "excludes")):
            text = cell(cells, col)
            if len(text) > TEXT_LIMITS[key]:
                raise TreeError(f"{where}：“{col}”超过 {TEXT_LIMITS[key]} 个字符。")
            seg[key] = engine.split_words(text)
        for col, key in (("典型产品", "products"), ("说明", "note")):
            text = cell(cells, col)
            if len(text) > TEXT_LIMITS[key]:
                raise TreeError(f"{where}：“{col}”超过 {TEXT_LIMITS[key]} 个字符。")
            seg[key] = text
        segments.append(seg)
    by_name = {s["name"]: s for s in segments}
    for s in segments:
        parent = by_name.get(s["parent"]) if s["parent"] else None
        if parent is not None:
            s["stage"] = parent["stage"]
    tree = {"name": name[:NAME_MAX], "description": description[:2000], "segments": _parents_first(segments)}
    if not tree["name"]:
        raise TreeError("“产业链”工作表缺少“名称”。")
    return validate(tree)


def _limited(rows, limit):
    for n, row in enumerate(rows):
        if n > limit:
            raise TreeError(f"工作表行数过多（最多 {limit} 行）。")
        yield row


def _parents_first(segments):
    """Segments reordered so that every parent comes before its children (order kept otherwise)."""
    names = {s["name"] for s in segments}
    placed, out, pending = set(), [], list(segments)
    while pending:
        progress = False
        rest = []
        for s in pending:
            if s["parent"] is None or s["parent"] in placed or s["parent"] not in names:
                out.append(s)
                placed.add(s["name"])
                progress = True
            else:
                rest.append(s)
        if not progress:
            raise TreeError(f"环节“{rest[0]['name']}”的上级关系形成了循环。")
        pending = rest
    return out


# -- templates ---------------------------------------------------------------------------------

def template_slugs():
    return sorted(p.stem for p in TEMPLATES_DIR.glob("*.yaml"))


_TEMPLATE_CACHE = {}


def load_template(slug):
    if slug not in template_slugs():
        raise TreeError(f"没有名为“{slug}”的模板。")
    if slug not in _TEMPLATE_CACHE:
        _TEMPLATE_CACHE[slug] = load_yaml((TEMPLATES_DIR / f"{slug}.yaml").read_bytes())
    return _TEMPLATE_CACHE[slug]


def templates():
    """[(slug, tree)] of every shipped template."""
    return [(slug, load_template(slug)) for slug in template_slugs()]


def template_by_name(name):
    for slug, tree in templates():
        if tree["name"] == name:
            return slug, tree
    return None, None


def chain_spec(tree, key=None):
    """The matcher's view of a tree (segments keyed by name)."""
    return engine.ChainSpec(key if key is not None else tree["name"], tree["name"], [
        engine.SegmentSpec(s["name"], s["name"], s["stage"], s["parent"], tuple(s["codes"]), tuple(s["keywords"]),
                           tuple(s["excludes"])) for s in tree["segments"]])
