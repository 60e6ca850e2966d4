"""招商项目 with 20,000 projects and 200,000 stage events in PostgreSQL: the board, the figures page
and agenda generation, p95 against 200 ms each.

    python bench/projects.py [--projects 20000] [--events 200000] [--requests 30] [--quick] [--keep]

Creates a separate database `zoneops_bench_projects` (migrate only, one zone, one staff user), bulk
loads the projects (bulk_create in batches; dates over two years, every stage, plan dates around the
actual ones) and the stage events, then times in-process with Django's test client (DEBUG off):
warm-up, then `--requests` sequential requests, p50/p95/max. Agenda generation is
services.build_agenda of today's meeting of a fresh series each time (worst case: one zone holds
everything, so thousands of projects are behind plan).
One JSON line per figure. --keep reuses the database of an earlier run of the same size
(`zoneops_bench_projects_<n>`; for profiling), without reloading it.
"""
import argparse
import functools
import datetime
import random
import sys
import time

from common import emit, latency, log, open_pg_database, pg_available, timed

DB_NAME = "zoneops_bench_projects"
TARGET_MS = 200


def load(n_projects, n_events):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from zoneops.core.models import Membership, Zone
    from zoneops.projects import engine
    from zoneops.projects.models import Project, ProjectType, StageEvent

    rng = random.Random(5)
    zone = Zone.objects.create(code="bench", name="基准开发区")
    user = get_user_model().objects.create_user("bench", password="x")
    Membership.objects.create(user=user, zone=zone, role="staff")
    officers = [get_user_model().objects.create_user(f"officer{i}", password="x") for i in range(30)]
    ProjectType.ensure_defaults([zone.pk])
    ptype = ProjectType.objects.get(zone=zone, name="产业")
    today = timezone.localdate()
    stages = list(engine.PIPELINE) + [engine.TERMINATED, engine.PAUSED]
    t0 = time.perf_counter()
    rows = []
    for i in range(n_projects):
        stage = rng.choice(stages)
        reach = stage if stage in engine.PIPELINE else engine.SIGNED
        p = Project(zone=zone, name=f"基准项目{i:05}", project_type=ptype, investor_name=f"投资方{i}",
                    agreed_investment=rng.choice([5000, 20000, 30000, 100000, 250000, 600000]),
                    fixed_investment=4000, land_mu=50, lead_officer=rng.choice(officers), stage=stage,
                    paused_from=reach if stage == engine.PAUSED else "")
        day = today - datetime.timedelta(days=rng.randint(0, 700))
        for s in reversed(engine.PIPELINE[:engine.PIPELINE.index(reach) + 1]):
            setattr(p, f"{s}_on", day)
            setattr(p, f"planned_{s}", day + datetime.timedelta(days=rng.randint(-20, 20)))
            day -= datetime.timedelta(days=rng.randint(5, 60))
        nxt = engine.PIPELINE.index(reach) + 1
        if nxt < len(engine.PIPELINE):
            setattr(p, f"planned_{engine.PIPELINE[nxt]}", today + datetime.timedelta(days=rng.randint(-60, 90)))
        p.next_due, p.ahead = engine.plan_marks(ptype.stages, stage, p.planned(), p.actual(), p.paused_from)
        rows.append(p)
    Project.objects.bulk_create(rows, batch_size=5000)
    ids = list(Project.objects.filter(zone=zone).values_list("pk", flat=True))
    now = timezone.now()
    events = [StageEvent(zone=zone, project_id=rng.choice(ids), from_stage="lead", to_stage="talks",
                         user_name="bench", time=now - datetime.timedelta(minutes=rng.randint(0, 1_000_000)))
              for _ in range(n_events)]
    StageEvent.objects.bulk_create(events, batch_size=10000)
    emit(bench="projects", figure="load", projects=n_projects, events=n_events,
         seconds=round(time.perf_counter() - t0, 1))
    return zone, user


report = functools.partial(latency, "projects", target_ms=TARGET_MS)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run of this size")
    args = parser.parse_args()
    if args.quick:
        args.projects, args.events, args.requests = 2000, 20000, 10
    if not pg_available():
        log("PostgreSQL is not reachable: skipped")
        return 0
    name = f"{DB_NAME}_{args.projects}"
    reuse = open_pg_database(name, args.keep)
    from django.test import Client

    if reuse:
        from django.contrib.auth import get_user_model

        from zoneops.core.models import Zone

        zone, user = Zone.objects.get(code="bench"), get_user_model().objects.get(username="bench")
    else:
        zone, user = load(args.projects, args.events)
    from django.db import connection

    with connection.cursor() as c:
        c.execute("ANALYZE")
    client = Client()
    client.force_login(user)

    def get(url):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)

    report("board", timed(lambda: get("/projects/board/"), args.requests), projects=args.projects)
    year = datetime.date.today().year
    report("figures", timed(lambda: get(f"/projects/figures/?from={year - 1}-01-01&to={year}-12-31"), args.requests),
           projects=args.projects)

    from zoneops.projects import services
    from zoneops.projects.models import Meeting, MeetingSeries

    MeetingSeries.objects.filter(zone=zone).delete()  # (--keep: the meetings of an earlier run)
    today = datetime.date.today()
    meetings = []  # today's meeting of a series that met two weeks ago, one per timed build
    for i in range(args.requests + 3):
        series = MeetingSeries.objects.create(zone=zone, name=f"两周一调度{i}")
        Meeting.objects.create(zone=zone, series=series, held_on=today - datetime.timedelta(days=14))
        meetings.append(Meeting.objects.create(zone=zone, series=series, held_on=today))
    queue = iter(meetings)

    def agenda():
        services.build_agenda(next(queue))

    times = timed(agenda, args.requests)
    items = Meeting.objects.filter(zone=zone, held_on=today).order_by("-id").first().items.count()
    report("agenda", times, projects=args.projects, agenda_items=items)
    return 0


if __name__ == "__main__":
    sys.exit(main())
