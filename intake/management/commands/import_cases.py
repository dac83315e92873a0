import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from intake.importer import DEFAULT_SOURCE, cases_import


class Command(BaseCommand):
    help = (
        "导入原系统的历史诉求（docs/import.md）：每行一个 JSON 对象，每行输出一个 JSON 结果"
        '（{"line", "external_id", "case"} 或 {"line", "error"}）。有错误行时整个文件不导入，除非 --skip-bad。'
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSONL 文件路径，或 - 读取标准输入")
        parser.add_argument("--skip-bad", action="store_true", help="跳过错误行，导入其余各行")
        parser.add_argument(
            "--source",
            default=DEFAULT_SOURCE,
            help=f"原系统的名称（external_id 在同一来源内唯一；默认 {DEFAULT_SOURCE}）",
        )

    def handle(self, *args, file, skip_bad, source, **options):
        source = source.strip()
        if not source or len(source) > 40:
            raise CommandError("--source 应为 1 到 40 个字符。")
        try:
            stream = sys.stdin if file == "-" else open(file, encoding="utf-8-sig")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from exc
        try:
            with stream:
                results, imported = cases_import(lines=stream, source=source, skip_bad=skip_bad)
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} 不是 UTF-8 编码的文本。") from exc
        except IntegrityError as exc:
            # another import wrote one of these external ids meanwhile: this one rolled back whole
            raise CommandError(
                "另一个导入同时写入了相同的案件（external_id），本次未导入任何案件；请重新运行。"
            ) from exc
        for result in results:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        bad = sum(1 for result in results if "error" in result)
        if not imported:
            self.stderr.write(f"有 {bad} 行未通过检查，整个文件未导入。")
            sys.exit(1)
        done = len(results) - bad
        self.stderr.write(f"完成：{done} 行已对应到案件，{bad} 行有错误已跳过。")
