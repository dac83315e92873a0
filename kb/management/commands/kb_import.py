from django.core.management.base import BaseCommand, CommandError

from kb.importer import import_articles, read_articles
from kb.services import KbError


class Command(BaseCommand):
    help = "从 YAML/JSON 文件导入知识库条目（按编号新增或更新，全部成功才写入）。格式见 docs/knowledge-base.md。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="条目文件（.yaml / .yml / .json）")

    def handle(self, *args, file, **options):
        try:
            created, updated = import_articles(read_articles(file))
        except (KbError, OSError, ValueError) as error:
            raise CommandError(getattr(error, "message", None) or str(error)) from error
        self.stdout.write(f"知识库：新增 {created} 条，更新 {updated} 条")
