"""The citizen's web claim form: who may use it, success, double submit, and every bad field."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Status
from intake.models import Attachment, Claim
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
URL = reverse("intake:claim-submit")


def page(response) -> str:
    return response.content.decode()


# Who may submit ------------------------------------------------------------------------------


def test_anonymous_may_fill_in_the_form_and_is_told_why_to_sign_in(client, demo):
    # The inline SMS sign-in is tested in test_citizen_inline_sign_in.py.
    response = client.get(URL)
    assert response.status_code == 200
    assert "为了把办理进展告诉您，需要先用手机号登录" in page(response)


@pytest.mark.parametrize("username", ["gm_window", "gm_labor", "admin"])
def test_staff_are_refused_with_a_hint(login, username):
    response = login(username).get(URL)
    assert response.status_code == 403
    assert "窗口登记" in page(response) and "热线登记" in page(response)
    assert login(username).post(URL, {}).status_code == 403


def test_form_is_prefilled_with_the_citizens_name_and_phone(login, citizen):
    response = login(citizen).get(URL)
    html = page(response)
    assert response.status_code == 200
    assert 'value="夏志明"' in html and 'value="13800138000"' in html
    assert 'name="submission_token"' in html
    assert "根据描述推荐" in html and "js/claim-form.js" in html
    assert "拖欠工资" in html  # the two-level matter picker
    assert 'name="region_2"' in html  # province and city picked, districts offered
    assert "multiple" in html and 'name="attachments"' in html
    assert "个人信息保护说明" in html


def test_each_get_has_a_fresh_token(login, citizen):
    client = login(citizen)
    first = client.get(URL).context["form"].initial["submission_token"]
    second = client.get(URL).context["form"].initial["submission_token"]
    assert len(first) == 32 and first != second


# Success -------------------------------------------------------------------------------------


def test_citizen_submits_and_sees_the_tracking_code(
    login, citizen, claim_data, jpeg, django_capture_on_commit_callbacks
):
    client = login(citizen)
    pdf = SimpleUploadedFile("工资条.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, claim_data(attachments=[jpeg(), pdf]))
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:claim-submitted", args=[claim.tracking_code])

    case = claim.case
    assert case.status == Status.SUBMITTED
    assert case.centre.code == "GM-ZX"
    assert case.channel == "web" and case.region.code == "440608102201" and case.matter.code == "labor.wages"
    assert case.people_count == 3 and case.address == "明东村工业区 8 号"
    party = case.parties.get()
    assert party.user == citizen and party.phone == "13800138000" and party.notify
    assert claim.submitter == citizen and claim.contact_name == "夏志明"
    kinds = sorted(Attachment.objects.filter(claim=claim).values_list("content_type", flat=True))
    assert kinds == ["application/pdf", "image/jpeg"]

    sms = OutboxMessage.objects.get(kind="tracking_code")
    assert sms.recipient_phone == "13800138000" and claim.tracking_code in sms.body
    assert sms.status == "sent"

    done = client.get(response["Location"])
    html = page(done)
    assert done.status_code == 200
    assert claim.tracking_code[:5] in html and claim.tracking_code[5:] in html
    assert case.number in html
    assert "已通过短信发送" in html and "138****8000" in html
    assert reverse("intake:claim-detail", args=[claim.tracking_code]) in html
    assert reverse("intake:my-claims") in html


def test_success_page_is_only_for_the_submitter(login, submit_claim, other_citizen, client):
    claim = submit_claim()
    url = reverse("intake:claim-submitted", args=[claim.tracking_code])
    assert login(other_citizen).get(url).status_code == 404
    client.logout()
    assert login("gm_window").get(url).status_code == 404
    assert login(other_citizen).get(reverse("intake:claim-submitted", args=["NOSUCHCODE"])).status_code == 404


def test_double_post_with_the_same_token_makes_one_claim(login, citizen, claim_data):
    client = login(citizen)
    data = claim_data()
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert Claim.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    other = client.post(URL, claim_data())  # a new form is a new claim: the same words nearby, asked first
    assert other.status_code == 200 and "附近已有类似问题正在办理" in other.content.decode()
    other = client.post(URL, claim_data(similar_choice="separate"))
    assert other.status_code == 302 and Claim.objects.count() == 2


def test_a_token_is_scoped_to_its_account(login, citizen, other_citizen, claim_data, client):
    data = claim_data()
    login(citizen).post(URL, data)
    client.logout()
    response = login(other_citizen).post(
        URL, {**data, "contact_phone": "13900139000", "contact_name": "何秀英", "similar_choice": "separate"}
    )
    assert response.status_code == 302
    assert Claim.objects.count() == 2
    assert set(Claim.objects.values_list("submitter__phone", flat=True)) == {"13800138000", "13900139000"}


def test_phone_with_spaces_is_accepted(login, citizen, claim_data):
    response = login(citizen).post(URL, claim_data(contact_phone="138 0013 8000"))
    assert response.status_code == 302
    assert Claim.objects.get().contact_phone == "13800138000"


def test_town_level_is_enough(login, citizen, claim_data):
    response = login(citizen).post(URL, claim_data(region_4=None))
    assert response.status_code == 302
    assert Claim.objects.get().region.code == "440608102"


def test_grid_level_is_accepted(login, citizen, claim_data):
    response = login(citizen).post(URL, claim_data(region_5="440608102201001"))
    assert response.status_code == 302
    assert Claim.objects.get().region.code == "440608102201001"


# Bad input -----------------------------------------------------------------------------------


def too_many(jpeg):
    return {"attachments": [jpeg(f"照片{i}.jpg") for i in range(10)]}


def oversize(jpeg):
    return {"attachments": [jpeg("大照片.jpg", size=11 * 1024 * 1024)]}


def renamed_text(jpeg):
    return {
        "attachments": [SimpleUploadedFile("假照片.jpg", "这是一段文字，不是图片".encode(), content_type="image/jpeg")]
    }


def empty_file(jpeg):
    return {"attachments": [SimpleUploadedFile("空.jpg", b"", content_type="image/jpeg")]}


BAD_FIELDS = [
    ("matter missing", lambda j: {"matter": None}, "请选择事项类型"),
    ("unknown matter", lambda j: {"matter": "no.such"}, "所选事项类型不存在"),
    ("region only at district", lambda j: {"region_3": None, "region_4": None}, "请至少选到乡镇（街道）一级"),
    ("region missing", lambda j: {f"region_{i}": None for i in range(5)}, "请选择诉求发生的地点"),
    ("description too short", lambda j: {"description": "工资没发"}, "诉求内容至少 10 个字"),
    ("description too long", lambda j: {"description": "欠" * 2001}, "诉求内容不能超过 2000 个字"),
    ("description blank", lambda j: {"description": "   "}, "请填写诉求内容"),
    ("no people", lambda j: {"people_count": "0"}, "涉及人数至少为 1"),
    ("too many people", lambda j: {"people_count": "100001"}, "涉及人数不能超过"),
    ("people not a number", lambda j: {"people_count": "三个"}, "涉及人数请填写整数"),
    ("bad phone", lambda j: {"contact_phone": "1380013800"}, "请输入 11 位中国大陆手机号"),
    ("landline", lambda j: {"contact_phone": "075788888888"}, "请输入 11 位中国大陆手机号"),
    ("no contact name", lambda j: {"contact_name": " "}, "请填写联系人姓名"),
    ("no consent", lambda j: {"consent": None}, "请阅读并勾选同意《个人信息保护说明》"),
    ("10 files", too_many, "最多上传 9 个附件，您选择了 10 个"),
    ("an 11 MB file", oversize, "超过 10 MB"),
    ("a text file renamed .jpg", renamed_text, "不是图片（JPG、PNG、GIF、WebP）或 PDF 文件"),
    ("an empty file", empty_file, "是空文件"),
]


@pytest.mark.parametrize(("label", "change", "message"), BAD_FIELDS, ids=[row[0] for row in BAD_FIELDS])
def test_bad_field_is_refused_in_chinese_and_typed_values_kept(
    login, citizen, claim_data, jpeg, label, change, message
):
    data = claim_data(**{"description": "邻居家的狗每天夜里叫，影响休息已经两个月了。", "address": "明东村三巷 12 号"})
    data.update(change(jpeg))
    for key in [k for k, v in data.items() if v is None]:
        del data[key]
    response = login(citizen).post(URL, data)
    html = page(response)
    assert response.status_code == 400
    assert message in html, label
    assert "处需要修改" in html
    assert Claim.objects.count() == 0
    # Everything typed comes back.
    if "description" in data and data["description"].strip() and len(data["description"]) < 100:
        assert data["description"] in html
    assert 'value="明东村三巷 12 号"' in html
    assert f'value="{data["submission_token"]}"' in html  # the same form: a retry is still one claim
    if data.get("matter") == "labor.wages":
        assert 'value="labor.wages" selected' in html
    if "region_4" in data:
        assert 'value="440608102201" selected' in html
    if data.get("consent"):
        assert 'name="consent" checked' in html or "checked" in html.split('name="consent"')[1][:80]
    if "attachments" in data:
        assert "请重新选择附件" in html
    else:
        assert "请重新选择附件" not in html


def test_several_errors_at_once_are_all_reported(login, citizen, claim_data):
    response = login(citizen).post(URL, claim_data(matter=None, description="太短", consent=None))
    html = page(response)
    assert response.status_code == 400
    assert "有 3 处需要修改" in html
    assert "请选择事项类型" in html and "诉求内容至少 10 个字" in html and "个人信息保护说明" in html
    # The summary links each wrong field.
    for anchor in ("#id_matter", "#id_description", "#id_consent"):
        assert f'href="{anchor}"' in html


def test_region_error_links_to_the_cascade(login, citizen, claim_data):
    html = page(login(citizen).post(URL, claim_data(region_3=None, region_4=None)))
    assert 'href="#id_region_0"' in html and 'id="id_region_0"' in html


def test_missing_token_asks_to_submit_again_with_a_new_one(login, citizen, claim_data):
    client = login(citizen)
    data = claim_data(submission_token=None)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "页面已过期" in page(response)
    assert Claim.objects.count() == 0
    token = response.context["form"].data["submission_token"]
    assert len(token) == 32
    again = client.post(URL, {**data, "submission_token": token})
    assert again.status_code == 302 and Claim.objects.count() == 1


def test_next_level_without_javascript_keeps_values_and_shows_no_errors(login, citizen, claim_data):
    data = claim_data(region_3=None, region_4=None, next_level="1")
    response = login(citizen).post(URL, data)
    html = page(response)
    assert response.status_code == 200
    assert 'name="region_3"' in html and "明城镇" in html  # the towns of 高明区 are now offered
    assert data["description"] in html and 'value="labor.wages" selected' in html
    assert "处需要修改" not in html
    assert Claim.objects.count() == 0


# Matter suggestion ---------------------------------------------------------------------------


def test_matter_suggest_returns_up_to_three_matters(client, demo):
    response = client.get(reverse("intake:matter-suggest"), {"text": "老板拖欠工资三个月了"})
    rows = response.json()
    assert response.status_code == 200
    assert 1 <= len(rows) <= 3
    assert rows[0]["code"] == "labor.wages" and rows[0]["parent_name"] == "劳动保障"
    assert set(rows[0]) == {"code", "name", "parent_name"}


def test_matter_suggest_by_post_and_empty_text(client, demo):
    assert client.post(reverse("intake:matter-suggest"), {"text": "拖欠工资"}).json()[0]["code"] == "labor.wages"
    assert client.get(reverse("intake:matter-suggest")).json() == []


def test_a_web_claim_texts_only_the_accounts_verified_phone(login, citizen, claim_data):
    """Issue #19 item 4: anyone could make the platform text a stranger through a web claim."""
    response = login(citizen).post(URL, claim_data(contact_phone="13912345678"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "联系电话须为您账号已验证的手机号（138****8000）" in page
    assert not Claim.objects.exists()
    assert not OutboxMessage.objects.filter(recipient_phone="13912345678").exists()
