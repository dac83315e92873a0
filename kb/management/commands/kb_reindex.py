from django.core.management.base import BaseCommand

from kb.services import articles_reindex


class Command(BaseCommand):
    help = "按当前分词（similar.text.terms）重建知识库的检索词；分词规则变化后运行一次。"

    def handle(self, *args, **options):
        self.stdout.write(f"知识库：{articles_reindex()} 条检索词已更新")
