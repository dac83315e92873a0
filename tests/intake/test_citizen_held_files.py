"""The citizen's claim form keeps the files attached to a submit that came back with errors
(issue #17): held on the server for that citizen and that form (its submission token), listed as
attached with 移除, sent once with the corrected submit, released after it; the no-JavaScript
"next level" post keeps them too. Another citizen's token never reaches them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intake.models import Claim, HeldUpload

pytestmark = pytest.mark.django_db
URL = reverse("intake:claim-submit")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n%%EOF\n"


def files():
    return [
        SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg"),
        SimpleUploadedFile("工资条.pdf", PDF, content_type="application/pdf"),
    ]


def names(claim) -> list[str]:
    return [a.original_name for a in claim.attachments.order_by("id")]


def on_storage(row) -> bool:
    return row.file.storage.exists(row.file.name)


def test_a_failed_submit_keeps_the_files_and_the_corrected_one_attaches_them_once(login, citizen, claim_data):
    client = login(citizen)
    data = claim_data()
    bad = client.post(URL, {**data, "description": "太短", "attachments": files()})
    page = bad.content.decode()
    assert bad.status_code == 400 and "处需要修改" in page
    assert 'data-testid="held-files"' in page and "已附上的文件（2 个）" in page
    assert "现场.jpg" in page and "工资条.pdf" in page and "不用重新选择" in page
    assert 'name="held_remove"' in page and "移除“工资条.pdf”" in page
    assert "请重新选择附件" not in page  # the old warning no longer applies
    held = list(HeldUpload.objects.order_by("id"))
    assert [(h.owner, h.form_key) for h in held] == [(citizen, data["submission_token"])] * 2
    assert all(map(on_storage, held))

    ok = client.post(URL, data)  # corrected, nothing chosen again
    assert ok.status_code == 302
    claim = Claim.objects.get()
    assert names(claim) == ["现场.jpg", "工资条.pdf"]
    assert claim.attachments.get(original_name="现场.jpg").file.read() == JPEG
    assert not HeldUpload.objects.exists()

    again = client.post(URL, data)  # a double click: the same claim, no second copy of anything
    assert again.status_code == 302 and again["Location"] == ok["Location"]
    assert Claim.objects.count() == 1 and claim.attachments.count() == 2


def test_held_and_newly_chosen_files_go_together(login, citizen, claim_data, jpeg):
    client = login(citizen)
    data = claim_data()
    client.post(URL, {**data, "consent": "", "attachments": files()})
    assert client.post(URL, {**data, "attachments": [jpeg("补充.jpg")]}).status_code == 302
    assert names(Claim.objects.get()) == ["现场.jpg", "工资条.pdf", "补充.jpg"]
    assert not HeldUpload.objects.exists()


def test_a_held_file_can_be_removed(login, citizen, claim_data, django_capture_on_commit_callbacks):
    client = login(citizen)
    data = claim_data()
    client.post(URL, {**data, "matter": "", "attachments": files()})
    pdf = HeldUpload.objects.get(original_name="工资条.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(URL, {**data, "matter": "", "held_remove": [str(pdf.pk)]})
    page = again.content.decode()
    assert again.status_code == 400 and "已附上的文件（1 个）" in page and "工资条.pdf" not in page
    assert not on_storage(pdf)
    assert client.post(URL, data).status_code == 302
    assert names(Claim.objects.get()) == ["现场.jpg"]


def test_another_citizens_token_reaches_none_of_the_files(login, citizen, other_citizen, claim_data):
    data = claim_data()
    login(citizen).post(URL, {**data, "description": "太短", "attachments": files()})
    mine = list(HeldUpload.objects.values_list("pk", flat=True))
    other = login(other_citizen)
    # the same token, even with the ids ticked for removal: nothing shown, nothing removed
    shown = other.post(URL, {**data, "description": "太短", "held_remove": [str(pk) for pk in mine]})
    assert shown.status_code == 400 and "已附上的文件" not in shown.content.decode()
    done = other.post(URL, {**data, "contact_name": "林美华", "contact_phone": other_citizen.phone})
    assert done.status_code == 302, done.content.decode()[:300]
    assert Claim.objects.get().submitter == other_citizen and not Claim.objects.get().attachments.exists()
    assert sorted(HeldUpload.objects.filter(owner=citizen).values_list("pk", flat=True)) == sorted(mine)


def test_the_limit_of_nine_counts_held_files(login, citizen, claim_data, jpeg):
    client = login(citizen)
    data = claim_data()
    client.post(URL, {**data, "consent": "", "attachments": files()})
    response = client.post(URL, {**data, "attachments": [jpeg(f"照片{i}.jpg") for i in range(8)]})
    page = response.content.decode()
    assert response.status_code == 400
    assert "最多上传 9 个附件：已附上 2 个，您又选择了 8 个" in page
    assert "您刚才选择的 8 个附件没有保存" in page and "已附上的文件（2 个）" in page
    assert not Claim.objects.exists() and HeldUpload.objects.count() == 2
    # seven more fit
    assert client.post(URL, {**data, "attachments": [jpeg(f"照片{i}.jpg") for i in range(7)]}).status_code == 302
    assert Claim.objects.get().attachments.count() == 9


def test_refused_files_are_not_held_and_the_warning_says_so(login, citizen, claim_data):
    text = SimpleUploadedFile("假照片.jpg", "不是图片".encode(), content_type="image/jpeg")
    response = login(citizen).post(URL, {**claim_data(), "attachments": [text, *files()]})
    assert response.status_code == 400
    assert "您刚才选择的 3 个附件没有保存，请重新选择附件" in response.content.decode()
    assert not HeldUpload.objects.exists()


def test_an_expired_page_holds_the_files_under_its_new_token(login, citizen, claim_data):
    client = login(citizen)
    data = claim_data(submission_token="old-page")
    response = client.post(URL, {**data, "attachments": files()})
    assert response.status_code == 400 and "页面已过期" in response.content.decode()
    token = response.context["form"].data["submission_token"]
    assert set(HeldUpload.objects.values_list("form_key", flat=True)) == {token}
    assert client.post(URL, {**data, "submission_token": token}).status_code == 302
    assert names(Claim.objects.get()) == ["现场.jpg", "工资条.pdf"]


def test_the_no_javascript_next_level_post_keeps_the_files(login, citizen, claim_data):
    client = login(citizen)
    data = claim_data()
    partial = {k: v for k, v in data.items() if k not in ("region_3", "region_4")}
    response = client.post(URL, {**partial, "next_level": "1", "attachments": files()})
    page = response.content.decode()
    assert response.status_code == 200 and "处需要修改" not in page
    assert "已附上的文件（2 个）" in page and "请重新选择附件" not in page
    assert client.post(URL, data).status_code == 302
    assert names(Claim.objects.get()) == ["现场.jpg", "工资条.pdf"]


def test_the_next_level_post_warns_about_files_it_cannot_keep(login, citizen, claim_data):
    text = SimpleUploadedFile("假照片.jpg", "不是图片".encode(), content_type="image/jpeg")
    response = login(citizen).post(URL, {**claim_data(), "next_level": "1", "attachments": [text]})
    assert response.status_code == 200
    assert "您刚才选择的 1 个附件没有保存，请重新选择附件" in response.content.decode()
    assert not HeldUpload.objects.exists()


def test_the_token_is_read_as_the_form_reads_it_and_odd_removals_are_ignored(login, citizen, claim_data):
    client = login(citizen)
    data = claim_data()
    upper = {**data, "submission_token": f" {data['submission_token'].upper()} "}
    client.post(URL, {**upper, "consent": "", "attachments": files()})
    assert set(HeldUpload.objects.values_list("form_key", flat=True)) == {data["submission_token"]}
    response = client.post(URL, {**data, "consent": "", "held_remove": ["x", "", "-1", "1e9"]})
    assert response.status_code == 400 and "已附上的文件（2 个）" in response.content.decode()
    assert client.post(URL, upper).status_code == 302
    assert names(Claim.objects.get()) == ["现场.jpg", "工资条.pdf"]
