import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from supervision.kpi.snapshot import kpi_snapshot_days, kpi_snapshot_today, last_complete_day


class Command(BaseCommand):
    help = (
        "生成（或重新生成）每日统计快照，供统计分析看板读取。默认补齐最近 400 天；"
        "可重复执行，结果相同。例：kpi_snapshot --from 2025-11-01 --to 2026-10-31"
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="开始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="last", help="结束日期 YYYY-MM-DD（默认昨天）")
        parser.add_argument("--days", type=int, default=400, help="未指定开始日期时，补齐的天数（默认 400）")

    def handle(self, *args, first=None, last=None, days=400, **options):
        try:
            last_day = dt.date.fromisoformat(last) if last else last_complete_day()
            first_day = dt.date.fromisoformat(first) if first else last_day - dt.timedelta(days=days - 1)
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
        if first_day > last_day:
            raise CommandError("开始日期不能晚于结束日期。")
        written = kpi_snapshot_days(first=first_day, last=last_day)
        kpi_snapshot_today()  # and the day in progress up to its last full hour, as the schedule does
        self.stdout.write(
            self.style.SUCCESS(f"统计快照：已写入 {written} 天（{first_day} 至 {last_day}，未结束的日期跳过）。")
        )
