"""我的意见书: a signed-in citizen finds the guidance letters made on their account again, without
the verification code; nobody else's."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

URL = reverse("consult:mine")


def _code(response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"].rstrip("/").split("/")[-1]


def test_a_citizen_finds_their_letters_on_their_page_and_home(issue, login, citizen):
    me = login(citizen)
    first = _code(issue(as_client=me))
    second = _code(issue(as_client=me))
    page = me.get(URL).content.decode()
    assert first in page and second in page
    assert page.index(second) < page.index(first), "newest first"
    assert "拖欠工资解纷意见书" in page and reverse("consult:letter-pdf", args=[first]) in page
    assert URL in me.get(reverse("home")).content.decode()


def test_nobody_sees_anothers_letters_and_an_anonymous_visitor_signs_in_first(issue, login, citizen, client):
    mine = _code(issue(as_client=login(citizen)))
    anonymous = _code(issue())
    other = get_user_model().objects.create_user(username="13700000099", password="x", phone="13700000099")
    other.is_citizen = True
    other.save()
    page = login(other).get(URL).content.decode()
    assert mine not in page and anonymous not in page and "您还没有意见书" in page
    response = client.get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_list_does_not_grow_queries_with_letters(issue, login, citizen, django_assert_max_num_queries):
    me = login(citizen)
    _code(issue(as_client=me))
    me.get(URL)
    with django_assert_max_num_queries(8) as one:
        assert me.get(URL).status_code == 200
    for _n in range(3):
        _code(issue(as_client=me))
    with django_assert_max_num_queries(8) as four:
        assert me.get(URL).status_code == 200
    assert len(four.captured_queries) == len(one.captured_queries)
