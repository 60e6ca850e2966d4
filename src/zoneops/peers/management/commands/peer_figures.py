"""`manage.py peer_figures FILE [--date 2023-12-31] [--json]`: print the figures the extractor
finds in a report (.txt or .docx), without saving anything. `-` reads standard input."""
import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zoneops.peers import services
from zoneops.peers.engine import KIND_LABELS
from zoneops.peers.extract import extract


class Command(BaseCommand):
    help = "提取一篇报告中的数字（不保存）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="报告文件（.txt 或 .docx），- 表示标准输入")
        parser.add_argument("--date", help="报告日期 YYYY-MM-DD，句中未写年份的数字按此年份计")
        parser.add_argument("--json", action="store_true", help="每行输出一个 JSON")

    def handle(self, *args, file, date=None, json=False, **options):
        if file == "-":
            text = sys.stdin.read()
        else:
            try:
                with open(file, "rb") as f:
                    text = services.text_from_upload(f)
            except OSError as e:
                raise CommandError(f"无法读取文件“{file}”：{e.strerror}") from None
            except ValidationError as e:
                raise CommandError("；".join(e.messages)) from None
        for f in extract(text, date):
            if json:
                self.stdout.write(_dumps(f.as_dict()))
            else:
                self.stdout.write(f"{f.period or '-':>11}  {KIND_LABELS[f.kind]:<3} {f.metric[:20]:<20} "
                                  f"{f.value:g}{f.unit} = {f.norm_value:g}{f.norm_unit}  {f.qualifier}")


def _dumps(d):
    return json.dumps(d, ensure_ascii=False)
