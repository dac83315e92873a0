"""Window walk-ins, receipts, the hotline (caller history, attach) and 随手拍."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, CaseEvent, Status
from intake.models import Claim

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def login(client, username):
    assert client.login(username=username, password="Yikouban@2026")
    return client


def walk_in(**overrides):
    data = {
        "contact_name": "何秀英",
        "contact_phone": "13900139000",
        "id_number": "44060819850101234X",
        "matter": "labor.wages",
        "region_0": "44",
        "region_1": "4406",
        "region_2": "440608",
        "region_3": "440608102",
        "region_4": "440608102201",
        "address": "明东村工业区 3 号",
        "description": "在明东村五金厂打工，老板拖欠两个月工资八千元。",
        "people_count": "1",
        "next_step": "accept",
        "submission_key": "walk-in-1",
    }
    data.update(overrides)
    return data


def test_clerk_registers_a_walk_in_accepts_and_prints_a_receipt(client, demo):
    login(client, "gm_window")
    response = client.post(reverse("intake:window-register"), walk_in())
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("intake:receipt", args=[claim.tracking_code])
    case = claim.case
    assert claim.channel == "window" and claim.registered_by.username == "gm_window"
    assert case.status == Status.DISPATCHED and case.lead_unit.code == "GM-RSJ"
    assert claim.submitter.phone == "13900139000"  # the person has an account: they can follow it online
    page = client.get(response["Location"]).content.decode()
    assert claim.tracking_code in page and case.number in page
    assert "139****9000" in page and "13900139000" not in page
    assert "44060819850101234X" not in page


def test_citizen_can_track_what_the_clerk_registered(client, demo):
    login(client, "gm_window").post(reverse("intake:window-register"), walk_in())
    client.logout()
    login(client, "13900139000")
    case = Case.objects.get()
    assert any(p.user and p.user.phone == "13900139000" for p in case.parties.all())
    from accounts.models import User
    from cases.selectors import visible_cases

    assert visible_cases(User.objects.get(phone="13900139000")).filter(pk=case.pk).exists()


def test_resolve_on_spot_needs_a_result(client, demo):
    login(client, "gm_window")
    response = client.post(reverse("intake:window-register"), walk_in(next_step="on_spot"))
    assert response.status_code == 400
    assert "请填写办理结果" in response.content.decode()
    assert not Claim.objects.exists()
    response = client.post(
        reverse("intake:window-register"), walk_in(next_step="on_spot", on_spot_result="已解答仲裁流程")
    )
    assert Case.objects.get().status == Status.FEEDBACK


def test_register_only_leaves_it_submitted(client, demo):
    login(client, "gm_window").post(reverse("intake:window-register"), walk_in(next_step="register"))
    assert Case.objects.get().status == Status.SUBMITTED


def test_walk_in_from_another_district_is_registered_for_that_centre(client, demo):
    data = walk_in(region_2="440604", region_3="440604010", region_4="440604010001")
    login(client, "gm_window").post(reverse("intake:window-register"), data, follow=True)
    case = Case.objects.get()
    assert case.status == Status.SUBMITTED and case.centre.code == "CC-ZX"


def test_double_submit_creates_one_claim(client, demo):
    login(client, "gm_window")
    first = client.post(reverse("intake:window-register"), walk_in())
    second = client.post(reverse("intake:window-register"), walk_in())
    assert Claim.objects.count() == 1 and Case.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert CaseEvent.objects.filter(transition="accept").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contact_name": ""}, "请填写来访人姓名"),
        ({"contact_phone": "1234"}, "11 位中国大陆手机号"),
        ({"id_number": "12345"}, "身份证号码应为 18 位"),
        ({"matter": ""}, "请选择事项类型"),
        ({"region_3": "", "region_4": ""}, "请把发生地选到乡镇"),
        ({"description": "欠薪"}, "至少 10 个字"),
        ({"people_count": "0"}, "涉及人数至少为 1"),
    ],
)
def test_bad_walk_in_input_is_explained_and_kept(client, demo, overrides, message):
    response = login(client, "gm_window").post(reverse("intake:window-register"), walk_in(**overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "明东村工业区 3 号" in page  # typed values are kept
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([SimpleUploadedFile("photo.jpg", b"just text, not an image", content_type="image/jpeg")], "不是图片"),
        (
            [SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")],
            "超过 10 MB",
        ),
        ([SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png") for i in range(10)], "最多上传 9 个附件"),
        ([SimpleUploadedFile("empty.png", b"", content_type="image/png")], "空文件"),
    ],
)
def test_bad_attachments_are_refused(client, demo, files, message):
    response = login(client, "gm_window").post(reverse("intake:window-register"), {**walk_in(), "attachments": files})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Claim.objects.exists()


def test_good_attachments_are_stored_under_generated_names(client, demo):
    files = [
        SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
        SimpleUploadedFile("合同.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    ]
    login(client, "gm_window").post(reverse("intake:window-register"), {**walk_in(), "attachments": files})
    attachments = list(Claim.objects.get().attachments.all())
    assert [a.original_name for a in attachments] == ["现场.png", "合同.pdf"]
    assert [a.content_type for a in attachments] == ["image/png", "application/pdf"]
    assert all(len(a.sha256) == 64 and "现场" not in a.file.name for a in attachments)


@pytest.mark.parametrize("username", ["gm_labor", "gm_dispatch", "13800138000"])
def test_only_clerks_register(client, demo, username):
    assert login(client, username).get(reverse("intake:window-register")).status_code == 403
    assert client.get(reverse("intake:hotline-register")).status_code == 403


def test_receipt_of_another_centre_is_404(client, demo):
    login(client, "gm_window").post(reverse("intake:window-register"), walk_in())
    code = Claim.objects.get().tracking_code
    from accounts.services import staff_user_ensure

    staff_user_ensure(
        username="cc_window", full_name="禅城窗口", password="Yikouban@2026", memberships=[("CC-ZX", "clerk")]
    )
    client.logout()
    assert login(client, "cc_window").get(reverse("intake:receipt", args=[code])).status_code == 404
    assert client.get(reverse("intake:receipt", args=["NOPE"])).status_code == 404


def hotline(**overrides):
    data = walk_in(submission_key="call-1")
    data.pop("next_step")
    data.update({"accept_now": "on"})
    data.update(overrides)
    return data


def test_hotline_shows_the_callers_earlier_claims_and_attaches(client, demo):
    login(client, "gm_hotline")
    client.post(reverse("intake:hotline-register"), hotline(accept_now=""))
    first = Case.objects.get()
    history = client.post(reverse("intake:hotline-caller"), {"contact_phone": "13900139000"}).content.decode()
    assert first.number in history and "同一事项，并入此案" in history
    response = client.post(reverse("intake:hotline-register"), hotline(submission_key="call-2", attach_to=first.number))
    assert response.status_code == 302
    second = Case.objects.exclude(pk=first.pk).get()
    assert second.status == Status.MERGED and second.merged_into_id == first.pk
    assert Claim.objects.filter(case=second).exists()


def test_hotline_attach_to_a_foreign_case_is_refused(client, demo):
    login(client, "gm_hotline")
    response = client.post(reverse("intake:hotline-register"), hotline(attach_to="高明-2026-999999"))
    assert response.status_code == 400
    assert "要并入的案件不存在" in response.content.decode()
    assert not Claim.objects.exists()


def test_hotline_accepts_and_dispatches(client, demo):
    login(client, "gm_hotline").post(reverse("intake:hotline-register"), hotline())
    case = Case.objects.get()
    assert case.channel == "hotline" and case.status == Status.DISPATCHED


def test_caller_history_needs_a_full_number_and_shows_only_own_area(client, demo):
    login(client, "gm_hotline")
    assert "输入 11 位来电号码后显示" in client.post(reverse("intake:hotline-caller")).content.decode()
    client.post(
        reverse("intake:hotline-register"), hotline(region_2="440604", region_3="440604010", region_4="440604010001")
    )
    page = client.post(reverse("intake:hotline-caller"), {"contact_phone": "13900139000"}).content.decode()
    assert "没有本中心范围内的历史诉求" in page


def test_caller_lookup_is_a_post_so_the_phone_stays_out_of_urls(client, demo):
    """Issue #19 item 8: a GET put the caller's full phone in the access log."""
    login(client, "gm_hotline")
    assert client.get(reverse("intake:hotline-caller"), {"contact_phone": "13900139000"}).status_code == 405


def grid_post(**overrides):
    data = {
        "region": "440608102201001",
        "description": "明东村第一网格巷口路面塌陷约一米，雨后积水，行人绕行。",
        "matter": "urban.roads",
        "people_count": "1",
        "submission_key": "grid-1",
        "attachments": [SimpleUploadedFile("road.png", PNG, content_type="image/png")],
    }
    data.update(overrides)
    return data


def test_grid_worker_reports_with_a_photo(client, demo):
    from routing.models import MatterType

    matter = MatterType.objects.filter(code__startswith="urban").exclude(parent=None).first().code
    login(client, "md_grid")
    page = client.get(reverse("intake:grid-report")).content.decode()
    assert "明东村第一网格" in page and 'capture="environment"' in page
    response = client.post(reverse("intake:grid-report"), grid_post(matter=matter))
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.channel == "grid" and claim.region.code == "440608102201001"
    assert claim.attachments.count() == 1


def test_grid_report_requires_a_photo_and_own_grid(client, demo):
    from routing.models import MatterType

    matter = MatterType.objects.exclude(parent=None).first().code
    login(client, "md_grid")
    response = client.post(reverse("intake:grid-report"), grid_post(matter=matter, attachments=[]))
    assert response.status_code == 400 and "请至少拍摄或选择一张现场照片" in response.content.decode()
    pdf = [SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")]
    response = client.post(reverse("intake:grid-report"), grid_post(matter=matter, attachments=pdf))
    assert response.status_code == 400 and "PDF 不算照片" in response.content.decode()
    response = client.post(reverse("intake:grid-report"), grid_post(matter=matter, region="440608102202001"))
    assert response.status_code == 400
    assert not Claim.objects.exists()


def test_only_grid_workers_use_grid_report(client, demo):
    assert login(client, "gm_labor").get(reverse("intake:grid-report")).status_code == 403


def test_the_receipt_is_for_staff_only(client, demo):
    """Issue #19 item 12: a citizen who is a party to the case does not open the clerk's receipt."""
    from accounts.models import User
    from accounts.services import citizen_ensure

    citizen_ensure(phone="13900139000", full_name="何秀英", password="Yikouban@2026")
    login(client, "gm_window").post(reverse("intake:window-register"), walk_in())
    claim = Claim.objects.get()
    assert client.get(reverse("intake:receipt", args=[claim.tracking_code])).status_code == 200
    client.logout()
    citizen = User.objects.get(phone="13900139000")
    client.force_login(citizen)
    assert client.get(reverse("intake:receipt", args=[claim.tracking_code])).status_code == 404


def test_the_on_the_spot_result_is_bounded(client, demo):
    """Issue #19 item 9: the window's on-the-spot result took 500,000 characters."""
    login(client, "gm_window")
    response = client.post(
        reverse("intake:window-register"), walk_in(next_step="on_spot", on_spot_result="已解答" * 200_000)
    )
    assert response.status_code == 400
    assert "内容过长：最多 2000 个字" in response.content.decode()
    assert not Claim.objects.exists()


def test_a_description_of_only_zero_width_characters_is_missing(client, demo):
    login(client, "gm_window")
    response = client.post(reverse("intake:window-register"), walk_in(description="\u200b" * 30))
    assert response.status_code == 400
    assert "请记录诉求内容" in response.content.decode()
    assert not Claim.objects.exists()
