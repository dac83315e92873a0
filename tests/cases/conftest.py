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
def citizen(demo):
    return User.objects.get(phone="13800138000")


@pytest.fixture
def submit(demo, citizen):
    """Submit a web claim as the demo citizen; returns the case."""

    def make(
        matter="labor.wages",
        region="440608102201",
        people=1,
        channel="web",
        text="老板拖欠三个月工资共计一万二千元，多次讨要无果。",
        **kw,
    ):
        claim, _created = claim_submit(
            channel=channel,
            matter=MatterType.objects.get(code=matter),
            region=Region.objects.get(code=region),
            description=text,
            contact_name="夏志明",
            contact_phone="13800138000",
            people_count=people,
            submitter=kw.pop("submitter", citizen),
            **kw,
        )
        return claim.case

    return make
