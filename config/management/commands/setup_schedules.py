from django.core.management.base import BaseCommand
from django.db import transaction
from django_q.models import Schedule

from config.schedules import SCHEDULE_PREFIX, SCHEDULES


def first_run_at(hour: int):
    """The next time the local clock shows ``hour``:00."""
    import datetime as dt

    from django.utils import timezone

    now = timezone.localtime()
    run = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return run if run > now else run + dt.timedelta(days=1)


class Command(BaseCommand):
    help = "按代码中的声明创建或更新 django-q2 定时任务（按名称，幂等）。"

    @transaction.atomic
    def handle(self, *args, **options):
        for spec in SCHEDULES:
            defaults = {
                "func": spec.func,
                "schedule_type": spec.schedule_type,
                "minutes": spec.minutes,
                "repeats": -1,
            }
            Schedule.objects.update_or_create(
                name=spec.name,
                defaults=defaults,
                # a nightly task's first run at its hour; an existing schedule keeps its next run
                create_defaults={**defaults, "next_run": first_run_at(spec.hour)} if spec.hour is not None else None,
            )
        stale = Schedule.objects.filter(name__startswith=SCHEDULE_PREFIX).exclude(name__in=[s.name for s in SCHEDULES])
        removed, _ = stale.delete()
        self.stdout.write(f"定时任务：{len(SCHEDULES)} 个已就绪，移除 {removed} 个过期任务。")
