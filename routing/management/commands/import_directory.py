from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from routing import yaml_io
from routing.directory_io import DirectoryError
from routing.services import directory_import


class Command(BaseCommand):
    help = "导入行政区划、事项类型、承办单位和分派规则（YAML，见 docs/directory-format.md）。全部成功或全部不变。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="YAML 文件路径")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}")
        try:
            data = yaml_io.load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file} 不是有效的 YAML（UTF-8）：{exc}") from exc
        try:
            summary = directory_import(data=data)
        except DirectoryError as exc:
            lines = "\n".join(f"  - {line}" for line in exc.errors)
            raise CommandError(f"导入失败，未作任何更改。共 {len(exc.errors)} 处错误：\n{lines}") from exc
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("导入完成。"))
