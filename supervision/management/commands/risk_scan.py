import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.periods import day_start
from supervision.models import RiskKind
from supervision.risk.services import risk_scan


class Command(BaseCommand):
    help = (
        "研判预警扫描（每天由调度自动运行）：诉求激增、群体性诉求、重复信访人。可重复执行，不会重复预警。"
        "例：risk_scan，或 risk_scan --date 2026-11-20（按该日凌晨运行计算）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天运行，YYYY-MM-DD（默认今天）；统计截至该日零时")

    def handle(self, *args, date=None, **options):
        now = None
        if date:
            try:
                now = day_start(dt.date.fromisoformat(date)) + dt.timedelta(hours=1)
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
            if now > timezone.now():
                raise CommandError("不能按将来的日期扫描。")
        result = risk_scan(now=now)
        found = "，".join(f"{label} {result.created.get(code, 0)} 条" for code, label in RiskKind.choices)
        self.stdout.write(
            self.style.SUCCESS(f"研判预警扫描完成：新增 {found}；已通知督办人 {result.notifications} 人次。")
        )
