"""The Django side of chains: trees in and out of the database, mapping runs, strength and gaps,
candidate ranking. Pure rules live in engine.py and treeio.py."""
import gc
import time

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.utils import timezone

from zoneops.core.changelog import log_action
from zoneops.core.models import Zone
from zoneops.registry.models import Enterprise, EnterpriseYear, IndustryCode

from . import engine
from .models import (
    Candidate,
    CandidateMatch,
    CandidateStatus,
    Chain,
    ChainLeader,
    ChainMapping,
    ChecklistItem,
    ChecklistKind,
    MappingSource,
    Segment,
)

INACTIVE = ("moved_out", "deregistered")
ACTIVE_SOURCES = (MappingSource.AUTO, MappingSource.CONFIRMED)


class ChainError(ValueError):
    """A Chinese message for the user."""


# -- trees -------------------------------------------------------------------------------------

def check_codes(tree):
    codes = {c for s in tree["segments"] for c in s["codes"]}
    known = set(IndustryCode.objects.filter(code__in=codes).values_list("code", flat=True))
    for s in tree["segments"]:
        unknown = [c for c in s["codes"] if c not in known]
        if unknown:
            raise ChainError(f"环节“{s['name']}”：GB/T 4754-2017 中没有行业代码 {'、'.join(unknown[:5])}。")


def _seg_values(seg, order):
    return {"stage": seg["stage"], "order": order, "codes": "、".join(seg["codes"]),
            "keywords": "、".join(seg["keywords"]), "exclude_words": "、".join(seg["excludes"]),
            "products": seg["products"], "note": seg["note"]}


@transaction.atomic
def create_chain(zone, tree, *, name=None, template="", **fields):
    """A new chain of `zone` with the segments of `tree` (a template or an uploaded file)."""
    check_codes(tree)
    name = (name or tree["name"]).strip()
    if Chain.objects.filter(zone=zone, name=name).exists():
        raise ChainError(f"本开发区已有名为“{name}”的产业链。")
    chain = Chain.objects.create(zone=zone, name=name, template=template, description=tree.get("description", ""),
                                 **fields)
    apply_tree(chain, tree)
    _ensure_checklist(chain)
    return chain


@transaction.atomic
def apply_tree(chain, tree):
    """Make the chain's segments those of `tree`, matched by name: new ones are created, existing
    ones updated and moved, missing ones deleted (with their mappings). Returns (created, updated, deleted)."""
    check_codes(tree)
    existing = {s.name: s for s in Segment.objects.filter(chain=chain)}
    wanted = {s["name"] for s in tree["segments"]}
    created = updated = 0
    by_name = {}
    for order, seg in enumerate(tree["segments"]):
        values = _seg_values(seg, order)
        parent = by_name.get(seg["parent"]) if seg["parent"] else None
        obj = existing.get(seg["name"])
        if obj is None:
            obj = Segment.objects.create(zone_id=chain.zone_id, chain=chain, name=seg["name"], parent=parent, **values)
            created += 1
        else:
            changed = obj.parent_id != (parent.pk if parent else None) or any(
                getattr(obj, k) != v for k, v in values.items())
            if changed:
                obj.parent = parent
                for k, v in values.items():
                    setattr(obj, k, v)
                obj.save()
                updated += 1
        by_name[seg["name"]] = obj
    gone = [s for n, s in existing.items() if n not in wanted]
    # Children first, so a parent's cascade does not delete them unlogged.
    for s in sorted(gone, key=lambda s: -_depth(s, existing)):
        if Segment.objects.filter(pk=s.pk).exists():
            s.delete()
    return created, updated, len(gone)


def _depth(seg, by_name):
    by_id = {s.pk: s for s in by_name.values()}
    d, node = 0, seg
    while node.parent_id and d < 10:
        node = by_id.get(node.parent_id)
        d += 1
        if node is None:
            break
    return d


def chain_tree(chain):
    segs = list(Segment.objects.filter(chain=chain).order_by("stage", "order", "id"))
    names = {s.pk: s.name for s in segs}
    ordered = _tree_order(segs)
    return {"name": chain.name, "description": chain.description, "segments": [
        {"name": s.name, "stage": s.stage, "parent": names.get(s.parent_id), "codes": engine.split_words(s.codes),
         "keywords": engine.split_words(s.keywords), "excludes": engine.split_words(s.exclude_words),
         "products": s.products, "note": s.note} for s in ordered]}


STAGE_ORDER = {"up": 0, "mid": 1, "down": 2}


def _tree_order(segs):
    """Depth-first order: stage, then each segment followed by its children (by `order`)."""
    kids = {}
    for s in segs:
        kids.setdefault(s.parent_id, []).append(s)
    for v in kids.values():
        v.sort(key=lambda s: (STAGE_ORDER.get(s.stage, 9), s.order, s.pk))
    out = []

    def walk(parent, depth):
        for s in kids.get(parent, []):
            s.depth = depth
            out.append(s)
            walk(s.pk, depth + 1)

    walk(None, 0)
    return out


def _ensure_checklist(chain):
    have = set(ChecklistItem.objects.filter(chain=chain).values_list("kind", flat=True))
    ChecklistItem.objects.bulk_create([ChecklistItem(zone_id=chain.zone_id, chain=chain, kind=k)
                                       for k in ChecklistKind.values if k not in have])


def checklist(chain):
    _ensure_checklist(chain)
    items = sorted(ChecklistItem.objects.filter(chain=chain), key=lambda i: ChecklistKind.values.index(i.kind))
    done = sum(1 for i in items if i.done)
    return items, round(100 * done / len(items)) if items else 0


# -- matcher -----------------------------------------------------------------------------------

def matcher_for(chains):
    chains = list(chains)
    segs = {}
    for s in Segment.objects.filter(chain__in=chains).order_by("stage", "order", "id").values(
            "id", "chain_id", "name", "stage", "parent_id", "codes", "keywords", "exclude_words"):
        segs.setdefault(s["chain_id"], []).append(engine.SegmentSpec(
            s["id"], s["name"], s["stage"], s["parent_id"], tuple(engine.split_words(s["codes"])),
            tuple(engine.split_words(s["keywords"])), tuple(engine.split_words(s["exclude_words"]))))
    return engine.Matcher([engine.ChainSpec(c.pk, c.name, segs.get(c.pk, [])) for c in chains])


def run_mapping(zone, chains=None, progress=None, chunk=5000):
    """Re-map the zone's active enterprises to `chains` (default: all the zone's chains).

    Automatic rows are replaced by the new result; confirmed and rejected rows are left exactly as
    staff decided. Returns counts."""
    started = time.monotonic()
    chains = list(chains if chains is not None else Chain.objects.filter(zone=zone))
    if not chains:
        return {"firms": 0, "created": 0, "updated": 0, "deleted": 0, "seconds": 0.0}
    matcher = matcher_for(chains)
    chain_ids = [c.pk for c in chains]
    existing = {}
    for pk, e, s, source, conf, ev in ChainMapping.objects.filter(chain_id__in=chain_ids).values_list(
            "id", "enterprise_id", "segment_id", "source", "confidence", "evidence").iterator(chunk_size=20000):
        existing[(e, s)] = (pk, source, conf, ev)
    firms = Enterprise.objects.filter(zone=zone).exclude(status__in=INACTIVE)
    total = firms.count()
    new = {}
    done = 0
    # The result dict grows to millions of small objects; the cyclic GC would re-walk them again
    # and again (half the throughput on a million firms). Nothing here makes cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for eid, name, former, code, scope in firms.order_by("pk").values_list(
                "id", "name", "former_names", "industry_id", "business_scope").iterator(chunk_size=chunk):
            for m in matcher.match(name, former, code or "", scope):
                new[(eid, m.segment)] = (m.chain, m.confidence, m.evidence)
            done += 1
            if progress is not None and done % chunk == 0:
                progress(done, total)
    finally:
        if gc_was_enabled:
            gc.enable()
    if progress is not None:
        progress(total, total)
    to_create, to_update, to_delete = [], [], []
    for key, (chain_id, conf, ev) in new.items():
        old = existing.get(key)
        if old is None:
            to_create.append(ChainMapping(zone_id=zone.pk, enterprise_id=key[0], segment_id=key[1], chain_id=chain_id,
                                          confidence=conf, evidence=ev, source=MappingSource.AUTO))
        elif old[1] == MappingSource.AUTO and (abs(old[2] - conf) > 1e-6 or old[3] != ev):
            to_update.append(ChainMapping(pk=old[0], confidence=conf, evidence=ev))
    for key, (pk, source, _c, _e) in existing.items():
        if source == MappingSource.AUTO and key not in new:
            to_delete.append(pk)
    with transaction.atomic():
        ChainMapping.objects.bulk_create(to_create, batch_size=2000)
        ChainMapping.objects.bulk_update(to_update, ["confidence", "evidence"], batch_size=2000)
        for i in range(0, len(to_delete), 900):
            ChainMapping.objects.filter(pk__in=to_delete[i:i + 900]).delete()
        Zone.touch([zone.pk])
    return {"firms": total, "created": len(to_create), "updated": len(to_update), "deleted": len(to_delete),
            "seconds": round(time.monotonic() - started, 2)}


def map_enterprise(enterprise):
    """The suggestions for one firm against its zone's chains (no writing): [(segment id, Match)]."""
    chains = list(Chain.objects.filter(zone_id=enterprise.zone_id))
    if not chains:
        return []
    m = matcher_for(chains)
    return m.match(enterprise.name, enterprise.former_names, enterprise.industry_id or "", enterprise.business_scope)


def decide(enterprise, segment, source, user):
    """Confirm or reject `enterprise` in `segment` (staff decision, audited; wins over every re-run)."""
    assert source in (MappingSource.CONFIRMED, MappingSource.REJECTED, MappingSource.AUTO)
    with transaction.atomic():
        mapping = ChainMapping.objects.select_for_update().filter(enterprise=enterprise, segment=segment).first()
        before = {"source": mapping.source, "confidence": mapping.confidence} if mapping else None
        if mapping is None:
            mapping = ChainMapping(zone_id=segment.zone_id, enterprise=enterprise, segment=segment,
                                   chain_id=segment.chain_id, confidence=1.0, evidence="人工添加")
        if source == MappingSource.AUTO:
            # Undo a decision: the next run decides again; until then the row stays a suggestion.
            mapping.source, mapping.decided_by, mapping.decided_at = MappingSource.AUTO, None, None
        else:
            mapping.source, mapping.decided_by, mapping.decided_at = source, user, timezone.now()
        mapping.save()
        action = {"confirmed": "confirmed", "rejected": "rejected", "auto": "undecided"}[source]
        log_action(mapping, action, before, {"source": mapping.source, "enterprise": enterprise.name,
                                             "segment": segment.name})
        Zone.touch([segment.zone_id])
    return mapping


# -- strength and gaps -------------------------------------------------------------------------

def stats_year(zone_id):
    return EnterpriseYear.objects.filter(zone_id=zone_id).aggregate(y=Max("year"))["y"]


def chain_overview(chain):
    """Per segment: stats (own and rolled up with its sub-segments), score, class, recommendation;
    and the chain's health summary. Cached per chain until the zone's data changes (every tracked
    save, import, mapping run and decision bumps Zone.data_version)."""
    version = Zone.objects.filter(pk=chain.zone_id).values_list("data_version", flat=True).first()
    key = f"chains:overview:{chain.pk}:{chain.updated.timestamp()}:{version}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    result = compute_overview(chain)
    cache.set(key, result, 3600)
    return result


def compute_overview(chain):
    """The chain summary from scratch in four queries: segments, latest year, 链主, and one
    set-based statement whose answer is a few dozen rows whatever the number of firms (see
    _firm_groups); Python only rolls those groups up the tree of about 30 segments."""
    segs = _tree_order(list(Segment.objects.filter(chain=chain)))
    year = stats_year(chain.zone_id)
    leaders = sorted(ChainLeader.objects.filter(chain=chain).values_list("enterprise_id", flat=True))
    own = {s.pk: engine.SegmentStats() for s in segs}
    rolled = {s.pk: engine.SegmentStats() for s in segs}
    totals = {"firms": 0, "pos_revenue": 0.0, "pos_revenue_sq": 0.0, "leader_revenue": 0.0}
    top3 = []
    if segs:
        parent = {s.pk: s.parent_id for s in segs}
        groups, top3 = _firm_groups(chain, [s.pk for s in segs], year, leaders)
        for seg_ids, g in groups:
            # g sums the firms mapped to exactly the segments `seg_ids`: they count in each of those
            # segments, and once in every segment above any of them (once per subtree).
            above_all = set()
            for pk in seg_ids:
                _add(own[pk], g)
                node, hops = pk, 0
                while node is not None and hops <= len(segs):  # hops: a corrupt cycle cannot hang us
                    above_all.add(node)
                    node, hops = parent.get(node), hops + 1
            for pk in above_all:
                _add(rolled[pk], g)
            for k in totals:
                totals[k] += g[k]
    thresholds = chain.effective_thresholds()
    stage_firms = {}
    for s in segs:
        if s.parent_id is None:
            stage_firms[s.stage] = stage_firms.get(s.stage, 0) + rolled[s.pk].firms
    out = []
    has_children = {s.parent_id for s in segs}
    for s in segs:
        st = rolled[s.pk]
        score, klass = engine.strength(st, thresholds)
        rec = engine.recommendation(klass, stage_firms.get(s.stage, 0) > 0)
        out.append({"segment": s, "depth": s.depth, "own": own[s.pk], "stats": st, "score": score, "class": klass,
                    "recommendation": rec, "growth": st.growth, "leaf": s.pk not in has_children})
    leaves = [r for r in out if r["leaf"]]
    covered = sum(1 for r in leaves if r["stats"].firms > 0)
    health = {"segments": len(leaves), "covered": covered, "coverage": covered / len(leaves) if leaves else 0,
              "firms": totals["firms"], "leaders": len(leaders), "hhi": None, "top3": None, "leader_share": None,
              "revenue": 0}
    if year is not None:
        total = totals["pos_revenue"]
        health["revenue"] = total
        if total:
            health["hhi"] = engine.hhi_from_sums(totals["pos_revenue_sq"], total)
            health["top3"] = round(sum(top3) / total, 4)
            health["leader_share"] = totals["leader_revenue"] / total
    return {"rows": out, "year": year, "thresholds": thresholds, "health": health}


def _add(st, g):
    st.firms += g["firms"]
    st.above += g["above"]
    st.leaders += g["leaders"]
    st.revenue += g["revenue"]
    st.tax += g["tax"]
    st.revenue_prev += g["revenue_prev"]


def _firm_groups(chain, seg_ids, year, leaders):
    """One statement: ([(segment ids, sums)], top 3 revenues). `firm` is one row per active firm of
    the chain — `sig` lists the segments it is mapped to (read in firm order from the covering index
    (chain, enterprise, segment, source)) — with its scale, 链主 flag and the revenue and tax of
    `year` and `year - 1`. Grouped by `sig` that is a few dozen rows for 50,000 firms (most sit in
    one segment); a second branch reads the three largest revenues (concentration) from the same
    rows.

    Revenue counts towards growth (revenue_prev) only for firms with both years, as
    engine.SegmentStats.growth documents; pos_* sums are over positive revenues (HHI)."""
    qn = connection.ops.quote_name
    cm, ent, ey = (qn(ChainMapping._meta.db_table), qn(Enterprise._meta.db_table), qn(EnterpriseYear._meta.db_table))
    concat = ("string_agg(CAST(m.segment_id AS text), ',')" if connection.vendor == "postgresql"
              else "group_concat(m.segment_id)")
    # Integers from the database, inlined: ~30 segments, a handful of 链主.
    segs = ", ".join(str(int(pk)) for pk in seg_ids)
    leader = f"CASE WHEN e.id IN ({', '.join(str(int(e)) for e in leaders)}) THEN 1 ELSE 0 END" if leaders else "0"
    y = year if year is not None else -1
    real = "DOUBLE PRECISION"  # float sums: cheaper than numeric ones, and floats are what we show
    sql = f"""
        WITH firm AS (
          SELECT s.sig, CASE WHEN e.scale = 'above' THEN 1 ELSE 0 END AS above, {leader} AS leader,
                 COALESCE(CAST(cur.revenue AS {real}), 0) AS rev, COALESCE(CAST(cur.tax AS {real}), 0) AS tax,
                 CASE WHEN COALESCE(cur.revenue, 0) <> 0 AND COALESCE(prev.revenue, 0) <> 0
                      THEN CAST(prev.revenue AS {real}) ELSE 0 END AS prev
          FROM (SELECT m.enterprise_id AS eid, {concat} AS sig FROM {cm} m
                WHERE m.chain_id = %s AND m.source IN (%s, %s) AND m.segment_id IN ({segs})
                GROUP BY m.enterprise_id) s
          JOIN {ent} e ON e.id = s.eid
          LEFT JOIN {ey} cur ON cur.enterprise_id = e.id AND cur.year = %s AND cur.zone_id = %s
          LEFT JOIN {ey} prev ON prev.enterprise_id = e.id AND prev.year = %s AND prev.zone_id = %s
          WHERE e.status NOT IN (%s, %s)
        )
        SELECT 0, sig, COUNT(*), SUM(above), SUM(leader), SUM(rev), SUM(tax), SUM(prev),
               SUM(CASE WHEN rev > 0 THEN rev ELSE 0 END), SUM(CASE WHEN rev > 0 THEN rev * rev ELSE 0 END),
               SUM(CASE WHEN leader = 1 THEN rev ELSE 0 END)
          FROM firm GROUP BY sig
        UNION ALL
        SELECT 1, NULL, 0, 0, 0, rev, 0, 0, 0, 0, 0
          FROM (SELECT rev FROM firm WHERE rev > 0 ORDER BY rev DESC LIMIT 3) top"""
    params = [chain.pk, MappingSource.AUTO, MappingSource.CONFIRMED, y, chain.zone_id, y - 1, chain.zone_id,
              *INACTIVE]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    keys = ("firms", "above", "leaders", "revenue", "tax", "revenue_prev", "pos_revenue", "pos_revenue_sq",
            "leader_revenue")
    groups, top3 = [], []
    for kind, sig, *values in rows:
        if kind == 1:
            top3.append(float(values[3]))
            continue
        g = dict(zip(keys, values))
        for k in keys[:3]:
            g[k] = int(g[k] or 0)
        for k in keys[3:]:
            g[k] = float(g[k] or 0)
        groups.append((sorted({int(x) for x in str(sig).split(",")}), g))
    return groups, top3


# -- the chain's firm list ----------------------------------------------------------------------

class TreeOrderedMappings:
    """A chain's mappings for the Paginator, in the order of the segment tree (as on the other
    tabs), then by confidence: count and slices without sorting the whole chain.

    The count is one GROUP BY segment (an index-only count per segment); a page's rows come from
    at most three queries whatever its position: the first and the last segment it touches
    (large ones: read in index order (segment, -confidence, id) from an offset inside the segment)
    and the small ones in between, together. `qs` is already restricted and filtered."""

    SMALL = 200  # segments up to this size are read together, sorted in the database

    def __init__(self, qs, segments):
        self.qs = qs.order_by()
        self.segments = {s.pk: s for s in segments}
        self.order = [s.pk for s in segments]
        self._counts = None

    def counts(self):
        if self._counts is None:
            n = dict(self.qs.values("segment_id").annotate(n=Count("pk")).values_list("segment_id", "n"))
            self._counts = [(pk, n[pk]) for pk in self.order if n.get(pk)]
        return self._counts

    def count(self):
        return sum(n for _pk, n in self.counts())

    __len__ = count

    def _rows(self, qs):
        # Only what a row shows (mapping_row.html); the segment comes from the tree already read.
        return qs.select_related("enterprise").only("id", "zone", "segment", "enterprise", "confidence", "evidence",
                                                    "source", "enterprise__id", "enterprise__name")

    def __getitem__(self, window):
        if not isinstance(window, slice):
            return self[window:window + 1][0]
        start, stop = window.start or 0, window.stop if window.stop is not None else self.count()
        pieces, pos = [], 0  # (segment, offset in it, rows wanted, its size)
        for pk, n in self.counts():
            if pos + n > start and pos < stop:
                lo = max(0, start - pos)
                pieces.append((pk, lo, min(n, stop - pos) - lo, n))
            pos += n
        out, i = [], 0
        while i < len(pieces):
            pk, lo, want, n = pieces[i]
            if n > self.SMALL:
                out += list(self._rows(self.qs.filter(segment_id=pk)).order_by("-confidence", "pk")[lo:lo + want])
                i += 1
                continue
            run = [pieces[i]]  # consecutive small segments: one query, ordered by tree position
            while i + len(run) < len(pieces) and pieces[i + len(run)][3] <= self.SMALL:
                run.append(pieces[i + len(run)])
            rank = Case(*[When(segment_id=p[0], then=Value(k)) for k, p in enumerate(run)],
                        output_field=IntegerField())
            total = sum(p[2] for p in run)
            out += list(self._rows(self.qs.filter(segment_id__in=[p[0] for p in run]))
                        .order_by(rank, "-confidence", "pk")[run[0][1]:run[0][1] + total])
            i += len(run)
        for m in out:
            m.segment = self.segments[m.segment_id]
        return out


# -- candidates --------------------------------------------------------------------------------

def map_candidates(zone, candidates=None):
    """Rewrite the candidates' segment matches against the zone's chains."""
    chains = list(Chain.objects.filter(zone=zone))
    qs = Candidate.objects.filter(zone=zone) if candidates is None else candidates
    ids = list(qs.values_list("pk", flat=True))
    with transaction.atomic():
        CandidateMatch.objects.filter(candidate_id__in=ids).delete()
        if not chains:
            return 0
        m = matcher_for(chains)
        out = []
        for c in Candidate.objects.filter(pk__in=ids).only("pk", "name", "industry_id", "products", "notes"):
            for hit in m.match(c.name, "", c.industry_id or "", c.products):
                out.append(CandidateMatch(zone_id=zone.pk, candidate_id=c.pk, chain_id=hit.chain,
                                          segment_id=hit.segment, confidence=hit.confidence, evidence=hit.evidence))
        CandidateMatch.objects.bulk_create(out, batch_size=2000)
    return len(out)


def rank_targets(chain, overview=None, per_gap=5):
    """For each 缺失/薄弱/一般 segment, the candidates worth attracting: fit × size × severity."""
    overview = overview or chain_overview(chain)
    gaps = {r["segment"].pk: r for r in overview["rows"] if r["class"] != engine.CLASS_STRONG}
    matches = (CandidateMatch.objects.filter(chain=chain, segment_id__in=list(gaps))
               .exclude(candidate__status=CandidateStatus.UNFIT).select_related("candidate"))
    by_seg = {}
    for m in matches:
        row = gaps[m.segment_id]
        c = m.candidate
        severity = engine.SEVERITY[row["class"]]
        score, _size = engine.candidate_score(m.confidence, float(c.revenue) if c.revenue is not None else None,
                                              severity, c.is_listed)
        reasons = engine.candidate_reasons(m.evidence, float(c.revenue) if c.revenue else None, c.is_listed,
                                           row["class"], row["segment"].name)
        by_seg.setdefault(m.segment_id, []).append({"candidate": c, "score": score, "reasons": reasons,
                                                    "confidence": m.confidence})
    out = []
    for r in overview["rows"]:
        if r["segment"].pk in by_seg:
            items = sorted(by_seg[r["segment"].pk], key=lambda x: -x["score"])[:per_gap]
            out.append({"row": r, "targets": items})
    out.sort(key=lambda g: -engine.SEVERITY[g["row"]["class"]])
    return out


# -- the seam for the project pipeline -----------------------------------------------------------

#: Set by the investment-project app when it exists: fn(candidate, user) -> the new lead (with a
#: get_absolute_url). Until then the 转为招商项目 button says the project library is not enabled.
CANDIDATE_TO_LEAD = None


def candidate_to_lead(candidate, user):
    """Turn a candidate into an investment lead through the hook above; None while it is unset."""
    if CANDIDATE_TO_LEAD is None:
        return None
    lead = CANDIDATE_TO_LEAD(candidate, user)
    log_action(candidate, "to_lead", None, {"lead": str(lead)})
    return lead

