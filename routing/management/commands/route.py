import json
import sys

from django.core.management.base import BaseCommand, CommandError

from routing.dispatch import UnknownCode, current_index


class Command(BaseCommand):
    help = (
        "按分派规则为诉求逐行给出分派结果（只读，不改动数据库）。"
        '每行一个 JSON：{"ref", "matter", "region", "parties", "channel", "severity"}；\'-\' 表示标准输入。'
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSONL 文件路径，或 - 读取标准输入")

    def handle(self, *args, file, **options):
        try:
            stream = sys.stdin if file == "-" else open(file, encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from exc
        index = current_index()
        failed = 0
        with stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                result = self.route_line(index, number, line)
                failed += "error" in result
                self.stdout.write(json.dumps(result, ensure_ascii=False))
        if failed:
            sys.exit(1)

    @staticmethod
    def route_line(index, number: int, line: str) -> dict:
        try:
            claim = json.loads(line)
        except json.JSONDecodeError as exc:
            return {"ref": None, "error": f"第 {number} 行不是有效的 JSON：{exc.msg}"}
        if not isinstance(claim, dict):
            return {"ref": None, "error": f"第 {number} 行应为 JSON 对象"}
        ref = claim.get("ref")
        missing = [key for key in ("matter", "region") if not claim.get(key)]
        if missing:
            return {"ref": ref, "error": f"缺少字段 {'、'.join(missing)}"}
        parties = claim.get("parties", 1)
        if not isinstance(parties, int) or isinstance(parties, bool) or parties < 1:
            return {"ref": ref, "error": "parties 应为不小于 1 的整数"}
        try:
            decision = index.decide(
                matter=str(claim["matter"]),
                region=str(claim["region"]),
                parties=parties,
                channel=str(claim.get("channel") or "web"),
                severity=str(claim.get("severity") or "general"),
            )
        except UnknownCode as exc:
            return {"ref": ref, "error": str(exc)}
        return decision.as_json(ref)
