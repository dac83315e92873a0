import pytest

from accounts.models import Membership, Role, User
from demo.people import DEMO_CITIZENS, DEMO_STAFF, demo_logins, load_demo
from routing.models import MatterType, Region, RoutingRule, Unit

pytestmark = pytest.mark.django_db


def counts():
    return (
        Region.objects.count(),
        MatterType.objects.count(),
        Unit.objects.count(),
        RoutingRule.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )


def test_demo_loader_is_idempotent():
    load_demo()
    first = counts()
    load_demo()
    assert counts() == first


def test_demo_city_is_big_enough_to_feel_real():
    load_demo()
    assert Region.objects.filter(level="district").count() >= 3
    assert Region.objects.filter(level="town").count() >= 10
    assert Region.objects.filter(level="village").count() >= 30
    assert Region.objects.filter(level="grid").exists()
    assert Unit.objects.count() >= 40
    assert MatterType.objects.count() >= 40
    tops = set(MatterType.objects.filter(parent=None).values_list("name", flat=True))
    for name in ["劳动保障", "婚姻家庭", "邻里纠纷", "物业纠纷", "消费维权", "医疗纠纷", "交通事故", "学生伤害",
                 "环境保护", "城市管理", "土地与房屋", "金融借贷", "涉企服务", "信访事项"]:  # fmt: skip
        assert name in tops, name
    assert Unit.objects.filter(roles__code="dispatch", region__level="city").exists()
    assert Unit.objects.filter(roles__code="dispatch", region__level="district").count() >= 3
    assert Unit.objects.filter(active=False).exists()


def test_every_role_has_a_demo_user_and_handlers_sit_in_two_units():
    load_demo()
    roles = {role for person in DEMO_STAFF for _unit, role in person.memberships}
    assert set(Role) - {Role.CITIZEN} <= roles
    handler_units = {unit for p in DEMO_STAFF for unit, role in p.memberships if role == Role.HANDLER}
    assert len(handler_units) >= 2
    assert len(demo_logins()) == len(DEMO_STAFF) + len(DEMO_CITIZENS)
