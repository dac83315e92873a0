import json
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from routing import yaml_io
from routing.directory_io import DirectoryError
from routing.replay import MAX_MONTHS, directory_preview, replay_moves
from routing.services import directory_import


class Command(BaseCommand):
    help = (
        "导入行政区划、事项类型、承办单位和分派规则（YAML，见 docs/directory-format.md）。全部成功或全部不变。"
        "加 --dry-run 只演练不写入；再加 --replay N 按新规则重放最近 N 个月的案件，列出各单位增减和改变结果的规则。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="YAML 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查并预演导入，不改动数据库")
        parser.add_argument(
            "--replay",
            type=int,
            nargs="?",
            const=12,
            metavar="N",
            help="（须与 --dry-run 同用）按新规则重放最近 N 个月登记的案件（默认 12）",
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="以 JSON 输出预演结果")
        parser.add_argument(
            "--moves",
            metavar="FILE",
            help="把主办单位会改变的每件案件写入 JSONL 文件（manage.py route 可直接读取）",
        )

    def handle(self, *args, file, dry_run=False, replay=None, as_json=False, moves=None, **options):
        if replay is not None and not dry_run:
            raise CommandError("--replay 须与 --dry-run 同用：先预演，确认无误后再不加 --dry-run 导入。")
        if replay is not None and not 1 <= replay <= MAX_MONTHS:
            raise CommandError(f"--replay 的月数应为 1 到 {MAX_MONTHS} 之间的整数。")
        if moves and replay is None:
            raise CommandError("--moves 须与 --dry-run --replay 同用。")
        data = self.load(file)
        try:
            if dry_run:
                return self.preview(data, replay, as_json=as_json, moves=moves)
            summary = directory_import(data=data)
        except DirectoryError as exc:
            lines = "\n".join(f"  - {line}" for line in exc.errors)
            raise CommandError(f"导入失败，未作任何更改。共 {len(exc.errors)} 处错误：\n{lines}") from exc
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("导入完成。"))

    @staticmethod
    def load(file: str):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}")
        try:
            return yaml_io.load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file} 不是有效的 YAML（UTF-8）：{exc}") from exc

    def preview(self, data, months: int | None, *, as_json: bool, moves: str | None) -> None:
        report = directory_preview(data=data, months=months)
        if moves:
            try:
                with open(moves, "w", encoding="utf-8") as out:
                    for row in replay_moves(report):
                        out.write(json.dumps(row, ensure_ascii=False) + "\n")
            except OSError as exc:
                raise CommandError(f"无法写入 {moves}：{exc}") from exc
        if as_json:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
            return
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("演练完成，数据库未作任何更改。"))
