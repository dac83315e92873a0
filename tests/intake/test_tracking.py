"""Public tracking: code + last four digits, no personal data, same answer when wrong, rate-limited."""

import re

import pytest
from django.urls import reverse

from cases import services as s

pytestmark = pytest.mark.django_db
URL = reverse("intake:track")


def normalised(content: bytes, typed_code: str) -> str:
    """The page minus what legitimately differs: the CSRF token and the code the user typed."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())
    return html.replace(typed_code, "CODE")


def test_form_is_public(client, demo):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "查询码" in html and "手机号后四位" in html and 'method="post"' in html


def test_right_pair_shows_progress_without_personal_data(client, submit_claim, user, fresh):
    claim = submit_claim()
    case = claim.case
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    s.case_add_note(case=fresh(case), actor=user("gm_labor"), note="已约谈企业负责人。", public=True)
    s.case_add_note(case=fresh(case), actor=user("gm_labor"), note="内部：法人电话 13712345678。", public=False)
    response = client.post(URL, {"code": claim.tracking_code, "phone_last4": "8000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html and "拖欠工资" in html and "办理中" in html
    assert "答复期限" in html and "处置" not in html
    assert "高明区人力资源和社会保障局" in html and "已约谈企业负责人。" in html
    assert "13712345678" not in html
    for private in ("夏志明", "13800138000", "138****8000", "老板拖欠三个月工资", "王芳", "张敏"):
        assert private not in html, private
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert claim.tracking_code not in response.get("Location", "")


def test_code_is_forgiving_about_case_and_spaces(client, submit_claim):
    claim = submit_claim()
    code = claim.tracking_code.lower()
    response = client.post(URL, {"code": f" {code[:5]} {code[5:]} ", "phone_last4": "8000"})
    assert response.status_code == 200 and claim.case.number in response.content.decode()


def test_result_shown_once_approved(client, submit_claim, user, fresh):
    from cases.models import Outcome

    claim = submit_claim()
    case = claim.case
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    s.case_submit_result(case=fresh(case), actor=user("gm_labor"), result="工资已全部结清。", outcome=Outcome.RESOLVED)
    s.case_approve(case=fresh(case), actor=user("gm_dispatch"))
    html = client.post(URL, {"code": claim.tracking_code, "phone_last4": "8000"}).content.decode()
    assert "办理结果" in html and "工资已全部结清。" in html and "待您评价" in html


def test_wrong_pair_and_unknown_code_answer_exactly_the_same(client, submit_claim):
    claim = submit_claim()
    wrong_pair = client.post(URL, {"code": claim.tracking_code, "phone_last4": "1234"})
    unknown = client.post(URL, {"code": "ABCDEFGHJK", "phone_last4": "1234"})
    assert wrong_pair.status_code == unknown.status_code == 400
    assert "查询码或手机号后四位不正确" in wrong_pair.content.decode()
    assert normalised(wrong_pair.content, claim.tracking_code) == normalised(unknown.content, "ABCDEFGHJK")
    assert claim.case.number not in wrong_pair.content.decode()


def test_bad_input_is_explained(client, demo):
    response = client.post(URL, {"code": "", "phone_last4": "12a"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "请输入查询码" in html and "请输入 4 位数字" in html


def test_rate_limited_per_client_address(client, submit_claim):
    claim = submit_claim()
    for _ in range(10):
        assert client.post(URL, {"code": "ABCDEFGHJK", "phone_last4": "1234"}).status_code == 400
    limited = client.post(URL, {"code": claim.tracking_code, "phone_last4": "8000"})
    assert limited.status_code == 429
    assert "查询过于频繁" in limited.content.decode()
    assert claim.case.number not in limited.content.decode()
    assert int(limited["Retry-After"]) > 0
    other_address = client.post(URL, {"code": claim.tracking_code, "phone_last4": "8000"}, REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


def test_merged_claim_shows_the_case_it_follows(client, submit_claim, user, fresh):
    kept = submit_claim()
    duplicate = submit_claim(text="老板拖欠工资三个月，我们几个工友都没拿到钱。")
    s.case_merge(case=fresh(duplicate.case), actor=user("gm_window"), into=fresh(kept.case))
    html = client.post(URL, {"code": duplicate.tracking_code, "phone_last4": "8000"}).content.decode()
    assert "已合并" in html and kept.case.number in html
