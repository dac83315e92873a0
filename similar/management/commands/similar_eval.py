import json

from django.core.management.base import BaseCommand
from django.db import transaction

from similar.evaluation import evaluate, load


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "用标注集（tests/similar/data）评估相似诉求匹配：登记标注诉求、计算 precision@3 与 recall@3，"
        "然后全部回滚，不留下任何数据。需已载入演示目录（load_demo）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--threshold", type=float, default=None, help="“描述相似”阈值（默认用引擎的设定）")
        parser.add_argument("--sweep", action="store_true", help="另列出各阈值下成对判断的准确率与召回率")

    def handle(self, *args, threshold=None, sweep=False, **options):
        claims, pairs = load()
        report = {}
        try:
            with transaction.atomic():
                steps = [t / 100 for t in range(20, 72, 3)] if sweep else ()
                report = evaluate(claims, pairs, threshold=threshold, sweep=steps)
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
