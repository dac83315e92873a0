"""The matter type's contact deadline (首次联系, issue #11) in the directory file: default, bounds,
round trip."""

import pytest

from routing.directory_io import DirectoryError
from routing.models import MatterType
from routing.selectors import directory_export
from routing.services import directory_import

pytestmark = pytest.mark.django_db

ROOT = {"code": "44", "name": "广东省", "level": "province"}


def test_contact_defaults_to_the_next_working_day_and_round_trips(directory):
    directory({"regions": [ROOT], "matter_types": [{"code": "m", "name": "某事"}]})
    assert MatterType.objects.get(code="m").contact_days == 1
    directory({"matter_types": [{"code": "m", "name": "某事", "deadlines": {"handle": 5, "contact": 0}}]})
    matter = MatterType.objects.get(code="m")
    assert (matter.handle_days, matter.contact_days) == (5, 0)
    exported = next(m for m in directory_export()["matter_types"] if m["code"] == "m")
    assert exported["deadlines"] == {"accept": 1, "sign": 1, "handle": 5, "contact": 0}


@pytest.mark.parametrize("value", [-1, 366, "1", True])
def test_a_bad_contact_deadline_is_refused(directory, value):
    directory({"regions": [ROOT], "matter_types": [{"code": "m", "name": "某事"}]})
    with pytest.raises(DirectoryError) as raised:
        directory_import(data={"matter_types": [{"code": "m", "name": "某事", "deadlines": {"contact": value}}]})
    assert "contact" in str(raised.value) and "m" in str(raised.value)
    assert MatterType.objects.get(code="m").contact_days == 1


def test_zero_stays_refused_for_the_other_deadlines(directory):
    directory({"regions": [ROOT]})
    with pytest.raises(DirectoryError):
        directory_import(data={"matter_types": [{"code": "m", "name": "某事", "deadlines": {"handle": 0}}]})


def test_the_admin_shows_and_edits_the_contact_deadline(client, demo):
    from django.urls import reverse

    assert client.login(username="admin", password="Yikouban@2026")
    page = client.get(reverse("admin:routing_mattertype_changelist")).content.decode()
    assert "首次联系时限（工作日）" in page
    matter = MatterType.objects.get(code="family.violence")
    change = client.get(reverse("admin:routing_mattertype_change", args=[matter.pk])).content.decode()
    assert 'name="contact_days"' in change and "签收后须在第几个工作日结束前联系群众" in change
    assert matter.contact_days == 0  # demo/city.yaml: the same day
