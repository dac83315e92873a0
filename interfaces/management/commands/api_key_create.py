from django.core.management.base import BaseCommand, CommandError

from core.errors import ServiceError
from interfaces.services import SCOPES, api_key_create
from routing.models import Region


class Command(BaseCommand):
    help = (
        "为合作方创建接口密钥。密钥只在此显示一次（输出的最后一行），系统只保存其摘要；在管理后台“接口密钥”中可吊销。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True, help="合作方名称，如“某市 12345 平台”")
        parser.add_argument(
            "--scope", default="open311", help=f"授权范围，逗号分隔（默认 open311）。可选：{', '.join(SCOPES)}"
        )
        parser.add_argument("--region", default="", help="授权区域的区划编码（含下级）；不填表示不限区域")
        parser.add_argument("--rate", type=int, default=None, help="每分钟调用上限（默认用系统设置）")

    def handle(self, *args, partner, scope, region, rate, **options):
        area = None
        if region:
            area = Region.objects.filter(code=region.strip()).first()
            if area is None:
                raise CommandError(f"区划编码 {region} 不存在。")
        try:
            key, raw_key = api_key_create(partner=partner, scopes=scope.split(","), region=area, rate_per_minute=rate)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        where = f"{area.name}（{area.code}）及下级" if area else "不限区域"
        self.stdout.write(f"已为“{key.partner}”创建接口密钥 {key.prefix}…：范围 {', '.join(key.scopes)}；{where}。")
        self.stdout.write("密钥只显示这一次，请通过安全途径交给合作方；系统只保存其摘要，遗失后只能吊销并重新创建。")
        self.stdout.write(raw_key)
