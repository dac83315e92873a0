import time

from django.core.management.base import BaseCommand

from demo.cases import load_demo_cases
from demo.people import demo_logins, load_demo


class Command(BaseCommand):
    help = "载入演示城市（佛山市）目录、各角色演示账号和演示案件；可重复执行，不会产生重复数据。"

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="不打印演示账号")
        parser.add_argument("--no-cases", action="store_true", help="不生成演示案件")

    def handle(self, *args, quiet_logins=False, no_cases=False, **options):
        for line in load_demo():
            self.stdout.write(line)
        if not no_cases:
            started = time.monotonic()
            created = load_demo_cases()
            if created:
                self.stdout.write(f"演示案件：新增 {created} 件（{time.monotonic() - started:.0f} 秒）")
            else:
                self.stdout.write("演示案件：已存在，未改动")
        from demo.mediation import load_demo_mediations, load_demo_mediators

        load_demo_mediators()
        if not no_cases:
            made = load_demo_mediations()
            self.stdout.write(f"演示调解：新增 {made} 件" if made else "演示调解：已存在，未改动")
        from supervision.services import warnings_sweep

        swept = warnings_sweep()
        self.stdout.write(f"预警：更新 {swept.total} 件案件的预警等级")
        if not no_cases:
            from demo.supervision import load_demo_orders

            issued = load_demo_orders()
            self.stdout.write(f"演示督办：新增 {issued} 件" if issued else "演示督办：已存在，未改动")
            from demo.baoan import load_demo_baoan  # 包案 and 挂牌督办 (issue #15)

            self.stdout.write(load_demo_baoan())
            from demo.handover import load_demo_handover

            self.stdout.write(f"演示退回/转办申请：新增 {load_demo_handover()} 件")  # issue #15
        if not no_cases:
            from demo.risk import load_demo_risk
            from supervision.models import RiskWarning

            before = RiskWarning.objects.count()
            made = load_demo_risk()  # a surge in 明城镇, then the daily risk scan (研判预警)
            raised = RiskWarning.objects.count() - before
            self.stdout.write(
                f"演示研判预警：新增 {made} 件激增案件，{raised} 条预警"
                if made or raised
                else "演示研判预警：已存在，未改动"
            )
        if not no_cases:  # 不合理诉求 (issue #15): one approved and rated 不满意, one awaiting the centre
            from demo.unreason import load_demo_unreason

            self.stdout.write(f"演示不合理诉求认定：新增 {load_demo_unreason()} 件")
        from similar.index import index_rebuild

        index_rebuild(only_missing=True)  # cases written before the index existed; then the term statistics
        if not no_cases:  # 疑似重复 (issue #13): what the nightly scan would flag, for the dispatchers
            from cases.duplicates import duplicates_scan

            flagged = duplicates_scan().pairs_added
            self.stdout.write(f"疑似重复：新增 {flagged} 对" if flagged else "疑似重复：无新增")
        from demo.messages import mark_demo_history_read

        mark_demo_history_read()
        from demo.consult import load_demo_questionnaires

        made = load_demo_questionnaires()
        self.stdout.write(f"智能咨询问卷：新增 {made} 份" if made else "智能咨询问卷：已存在，未改动")
        from demo.kb import load_demo_articles

        made = load_demo_articles()
        self.stdout.write(f"知识库：新增 {made} 条" if made else "知识库：已存在，未改动")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        if not quiet_logins:
            self.stdout.write("演示账号（登录名 / 密码 / 身份）：")
            for login, password, who in demo_logins():
                self.stdout.write(f"  {login:<14} {password}  {who}")
