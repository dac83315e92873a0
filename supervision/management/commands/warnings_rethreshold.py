from django.core.management.base import BaseCommand

from supervision.services import warnings_rethreshold


class Command(BaseCommand):
    help = "按当前预警阈值（管理后台设置，未设置时按系统配置）重算所有在办案件的蓝色、黄色预警时间点；可重复执行。"

    def handle(self, *args, **options):
        updated = warnings_rethreshold()
        self.stdout.write(f"已重算 {updated} 件在办案件的预警时间点；预警等级将在下一次预警扫描时更新。")
