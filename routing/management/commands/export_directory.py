from pathlib import Path

from django.core.management.base import BaseCommand

from routing import yaml_io
from routing.selectors import directory_export


class Command(BaseCommand):
    help = "导出整个目录（区划、事项、单位、规则）为 YAML，可再次导入。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="写入文件（默认输出到标准输出）")

    def handle(self, *args, output=None, **options):
        text = yaml_io.dump(directory_export())
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
