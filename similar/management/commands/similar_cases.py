"""``manage.py similar_cases FILE.jsonl`` (issue #13): the five most similar cases per line, read only."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from similar.batch import answer_lines


class Command(BaseCommand):
    help = (
        '为每行 {"ref", "text", "matter", "region"}（事项、区划为编码，可省略）输出一行 '
        '{"ref", "similar": [{"case": 案件编号, "score": 0..1, "why": "…"}]}：全部在办和已办结案件中最相似的五件。'
        "不修改任何数据；错误行在标准错误中按行号说明，其余各行照常输出，有错误时退出码非零。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSONL 文件路径，或 - 读取标准输入")
        parser.add_argument("--limit", type=int, default=5, help="每行输出的相似案件数（默认 5）")

    def handle(self, *args, file, limit, **options):
        try:
            stream = sys.stdin if file == "-" else open(file, encoding="utf-8-sig")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from exc
        bad = 0
        try:
            with stream:
                for result in answer_lines(stream, limit=max(1, min(limit, 50))):
                    if "error" in result:
                        bad += 1
                        self.stderr.write(f"第 {result['line']} 行：{result['error']}")
                    else:
                        self.stdout.write(json.dumps(result["answer"], ensure_ascii=False))
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} 不是 UTF-8 编码的文本。") from exc
        if bad:
            self.stderr.write(f"有 {bad} 行有错误，未输出结果。")
            sys.exit(1)
