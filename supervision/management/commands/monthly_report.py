from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.periods import Period
from routing.models import Region
from supervision.kpi.exports import monthly_report_pdf
from supervision.kpi.forms import parse_month
from supervision.kpi.measures import KpiScope


class Command(BaseCommand):
    help = "生成某地区某月的群众诉求服务月度分析报告（PDF）。例：monthly_report --region 440608 --month 2026-10"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="行政区划编码，如 440608（高明区）")
        parser.add_argument("--month", help="统计月份，如 2026-10；默认本月")
        parser.add_argument("-o", "--output", help="输出文件；默认 monthly-report-<地区>-<月份>.pdf")

    def handle(self, *args, region, month=None, output=None, **options):
        place = Region.objects.filter(code=region.strip()).first()
        if place is None:
            raise CommandError(f"没有编码为 {region} 的行政区划。")
        period = parse_month(month) if month else Period.current_month(timezone.localdate())
        if period is None:
            raise CommandError("月份格式应为 2026-10。")
        path = Path(output or f"monthly-report-{place.code}-{period.month_param}.pdf")
        path.write_bytes(monthly_report_pdf(KpiScope(region=place), period))
        self.stdout.write(self.style.SUCCESS(f"已生成 {place.name} {period.label} 月度分析报告：{path}"))
