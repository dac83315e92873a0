import time

from django.core.management.base import BaseCommand

from similar.index import index_rebuild, term_stats_refresh


class Command(BaseCommand):
    help = "（重新）建立相似诉求检索索引：按批写入已有案件的检索词，并刷新词频统计。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="只补建尚无索引的案件")
        parser.add_argument("--stats-only", action="store_true", help="只刷新词频统计（PostgreSQL）")
        parser.add_argument("--batch", type=int, default=2000, help="每批案件数（默认 2000）")

    def handle(self, *args, missing=False, stats_only=False, batch=2000, **options):
        started = time.monotonic()
        if stats_only:
            terms = term_stats_refresh()
            self.stdout.write(f"词频统计：{terms} 个检索词（{time.monotonic() - started:.1f} 秒）")
            return
        written = index_rebuild(only_missing=missing, batch=max(1, batch))
        self.stdout.write(
            self.style.SUCCESS(f"相似检索索引：写入 {written} 件案件（{time.monotonic() - started:.1f} 秒）")
        )
