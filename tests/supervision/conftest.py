import pytest

from accounts.demo import load_demo
from accounts.models import User
from intake.services import claim_submit
from routing.models import MatterType, Region


@pytest.fixture
def demo(db):
    load_demo()


@pytest.fixture
def user(demo):
    return lambda username: User.objects.get(username=username)


@pytest.fixture
def submit(demo):
    """A web claim by the demo citizen; returns its case."""

    def make(matter="labor.wages", region="440608102201", at=None):
        claim, _created = claim_submit(
            channel="web",
            matter=MatterType.objects.get(code=matter),
            region=Region.objects.get(code=region),
            description="老板拖欠三个月工资共计一万二千元，多次讨要无果。",
            contact_name="夏志明",
            contact_phone="13800138000",
            submitter=User.objects.get(phone="13800138000"),
            at=at,
        )
        return claim.case

    return make
