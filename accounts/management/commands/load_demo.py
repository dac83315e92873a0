from django.core.management.base import BaseCommand

from accounts.demo import demo_logins, load_demo


class Command(BaseCommand):
    help = "载入演示城市（佛山市）目录和各角色演示账号；可重复执行，不会产生重复数据。"

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="不打印演示账号")

    def handle(self, *args, quiet_logins=False, **options):
        for line in load_demo():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        if not quiet_logins:
            self.stdout.write("演示账号（登录名 / 密码 / 身份）：")
            for login, password, who in demo_logins():
                self.stdout.write(f"  {login:<14} {password}  {who}")
