"""`manage.py evaluate`: progress, summary, --publish, Chinese errors, and a final run stays frozen."""
import io

import pytest
from django.core.management import CommandError, call_command

from zoneops.evaluation import services
from zoneops.evaluation.models import Run, RunState

from . import support

pytestmark = pytest.mark.django_db


def run_cli(*args):
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


def test_evaluate_and_publish(zone_a):
    support.population(zone_a, 10)
    text = run_cli("--zone", zone_a.code, "--year", "2023", "--ruleset", "huangyan_2022", "--publish")
    run = Run.objects.get()
    assert run.state == RunState.PUBLISHED and run.results.count() == 10
    assert "4/4" in text and "完成：评价批次" in text and "规上：A 2，B 5，C 2，D 1（共 10 家）" in text and "公示期" in text


@pytest.mark.parametrize("args, message", [
    (["--zone", "nowhere", "--year", "2023", "--ruleset", "huangyan_2022"], "没有代码为“nowhere”的开发区"),
    (["--zone", "zone-a", "--year", "2023", "--ruleset", "nope"], "没有代码为“nope”的评价规则"),
    (["--zone", "zone-a", "--year", "1999", "--ruleset", "huangyan_2022"], "1999 年度没有企业年度指标"),
])
def test_errors_in_chinese(zone_a, args, message):
    support.population(zone_a, 2)
    with pytest.raises(CommandError, match=message):
        run_cli(*args)
    assert not Run.objects.exists()


def test_zone_ruleset_wins_over_the_preset(zone_a):
    from zoneops.evaluation.models import Ruleset

    support.population(zone_a, 3)
    services.ensure_presets()
    preset = Ruleset.objects.get(zone__isnull=True, name="percentile")
    own = services.copy_ruleset(preset, zone_a, "huangyan_2022", "本区同名规则")
    run_cli("--zone", zone_a.code, "--year", "2023", "--ruleset", "huangyan_2022")
    assert Run.objects.get().ruleset_version.ruleset == own


def test_cli_never_changes_a_final_run(zone_a):
    import datetime

    support.population(zone_a, 6)
    final = support.make_run(zone_a)
    services.publish(final, datetime.date.today(), datetime.date.today())
    services.finalize(final)
    before = list(final.results.order_by("pk").values_list("pk", "final_class", "total"))
    run_cli("--zone", zone_a.code, "--year", "2023", "--ruleset", "huangyan_2022", "--publish")
    assert Run.objects.count() == 2
    final.refresh_from_db()
    assert final.state == RunState.FINAL
    assert list(final.results.order_by("pk").values_list("pk", "final_class", "total")) == before
