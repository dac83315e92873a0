"""Attachments survive a failed submit of a staff form (issue #17): they are held on the server,
shown as attached, sent with the next submit, owned by the one who attached them, and purged."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from test_staff_intake import PNG, grid_post, hotline, walk_in

from intake.held import HELD_UPLOAD_HOURS, held_uploads_purge
from intake.models import Claim, HeldUpload

pytestmark = pytest.mark.django_db
WINDOW = reverse("intake:window-register")


def files():
    return [
        SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
        SimpleUploadedFile("合同.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    ]


def storage_has(row) -> bool:
    return row.file.storage.exists(row.file.name)


def test_a_failed_window_submit_keeps_the_files_and_the_next_one_attaches_them(login):
    clerk, key = login("gm_window"), uuid.uuid4().hex
    bad = clerk.post(WINDOW, {**walk_in(submission_key=key, description="欠薪"), "attachments": files()})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert 'data-testid="held-files"' in page and "已附上 2 个文件" in page
    assert "现场.png" in page and "合同.pdf" in page and "出错后附件不会保留" not in page
    held = list(HeldUpload.objects.filter(form_key=key))
    assert [h.original_name for h in held] == ["现场.png", "合同.pdf"] and all(map(storage_has, held))

    # fixed and sent again, without choosing the files again
    ok = clerk.post(WINDOW, walk_in(submission_key=key))
    assert ok.status_code == 302, ok.content.decode()[:500]
    claim = Claim.objects.get()
    assert [a.original_name for a in claim.attachments.all()] == ["现场.png", "合同.pdf"]
    assert claim.attachments.get(original_name="现场.png").file.read() == PNG
    assert not HeldUpload.objects.exists()


def test_a_failed_hotline_submit_keeps_the_files(login):
    clerk, key, url = login("gm_hotline"), uuid.uuid4().hex, reverse("intake:hotline-register")
    bad = clerk.post(url, {**hotline(submission_key=key, contact_name=""), "attachments": files()})
    assert bad.status_code == 400 and "已附上 2 个文件" in bad.content.decode()
    assert "处需要修改" in bad.content.decode()
    ok = clerk.post(url, hotline(submission_key=key))
    assert ok.status_code == 302
    assert Claim.objects.get().attachments.count() == 2 and not HeldUpload.objects.exists()


def test_a_held_file_can_be_taken_off(login, django_capture_on_commit_callbacks):
    clerk, key = login("gm_window"), uuid.uuid4().hex
    clerk.post(WINDOW, {**walk_in(submission_key=key, description="欠薪"), "attachments": files()})
    pdf = HeldUpload.objects.get(original_name="合同.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        again = clerk.post(WINDOW, {**walk_in(submission_key=key, matter=""), "held_remove": [str(pdf.pk)]})
    assert again.status_code == 400
    assert "已附上 1 个文件" in again.content.decode() and "合同.pdf" not in again.content.decode()
    assert not storage_has(pdf)
    clerk.post(WINDOW, walk_in(submission_key=key))
    assert [a.original_name for a in Claim.objects.get().attachments.all()] == ["现场.png"]


def test_held_files_belong_to_their_owner(login):
    key = uuid.uuid4().hex
    login("gm_window").post(WINDOW, {**walk_in(submission_key=key, description="欠薪"), "attachments": files()})
    # another clerk posting the same form key gets nothing of it
    other = login("gm_hotline").post(WINDOW, walk_in(submission_key=key))
    assert other.status_code == 302
    assert not Claim.objects.get().attachments.exists()
    assert HeldUpload.objects.filter(form_key=key).count() == 2


def test_the_limit_counts_held_files(login):
    clerk, key = login("gm_window"), uuid.uuid4().hex
    clerk.post(WINDOW, {**walk_in(submission_key=key, description="欠薪"), "attachments": files()})
    many = [SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png") for i in range(8)]
    response = clerk.post(WINDOW, {**walk_in(submission_key=key), "attachments": many})
    assert response.status_code == 400 and "已附上 2 个，又选择了 8 个" in response.content.decode()
    assert not Claim.objects.exists()


def test_a_grid_photo_held_from_a_failed_report_counts_as_the_photo(login):
    from routing.models import MatterType

    worker, key = login("md_grid"), uuid.uuid4().hex
    matter = MatterType.objects.exclude(parent=None).filter(code__startswith="urban").first().code
    bad = worker.post(reverse("intake:grid-report"), grid_post(matter=matter, description="太短", submission_key=key))
    assert bad.status_code == 400 and "road.png" in bad.content.decode()
    ok = worker.post(reverse("intake:grid-report"), grid_post(matter=matter, attachments=[], submission_key=key))
    assert ok.status_code == 302
    assert Claim.objects.get().attachments.get().original_name == "road.png"


def test_purge_removes_abandoned_files_only(login, django_capture_on_commit_callbacks):
    clerk = login("gm_window")
    old_key, new_key = uuid.uuid4().hex, uuid.uuid4().hex
    clerk.post(WINDOW, {**walk_in(submission_key=old_key, description="欠薪"), "attachments": files()})
    clerk.post(WINDOW, {**walk_in(submission_key=new_key, description="欠薪"), "attachments": files()[:1]})
    old = list(HeldUpload.objects.filter(form_key=old_key))
    HeldUpload.objects.filter(form_key=old_key).update(
        created_at=timezone.now() - timedelta(hours=HELD_UPLOAD_HOURS, minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert held_uploads_purge() == 2
        assert held_uploads_purge() == 0  # safe to run twice
    assert not any(map(storage_has, old))
    assert list(HeldUpload.objects.values_list("form_key", flat=True)) == [new_key]


def test_the_purge_is_scheduled():
    from config.schedules import SCHEDULES

    assert any(s.func == "intake.tasks.held_uploads_purge" for s in SCHEDULES)


def test_one_person_cannot_fill_the_disk_with_failed_forms(login, django_capture_on_commit_callbacks):
    """The form key comes from the browser: a fresh key per failed submit must not hold files
    without end. Past HELD_PER_OWNER the oldest files of OTHER forms go; the form being filled in
    keeps all of its own."""
    from intake.held import HELD_PER_OWNER

    clerk = login("gm_window")
    keys = [uuid.uuid4().hex for _ in range(HELD_PER_OWNER)]
    with django_capture_on_commit_callbacks(execute=True):
        for key in keys:
            clerk.post(WINDOW, {**walk_in(submission_key=key, description="欠薪"), "attachments": files()})
    rows = HeldUpload.objects.filter(owner__username="gm_window")
    assert rows.count() == HELD_PER_OWNER
    assert set(rows.values_list("form_key", flat=True)) == set(keys[-HELD_PER_OWNER // 2 :])
    assert rows.filter(form_key=keys[-1]).count() == 2  # the last form has both its files
    assert all(map(storage_has, rows))
    assert HeldUpload.objects.filter(form_key=keys[0]).count() == 0


def test_showing_the_form_again_keeps_its_files_from_the_purge(login):
    clerk, key = login("gm_window"), uuid.uuid4().hex
    clerk.post(WINDOW, {**walk_in(submission_key=key, description="欠薪"), "attachments": files()})
    HeldUpload.objects.update(created_at=timezone.now() - timedelta(hours=HELD_UPLOAD_HOURS - 1))
    clerk.post(WINDOW, walk_in(submission_key=key, description="还是太短"))  # still wrong: shown again
    assert held_uploads_purge(now=timezone.now() + timedelta(hours=2)) == 0
    assert HeldUpload.objects.filter(form_key=key).count() == 2


def test_a_held_file_gone_meanwhile_is_skipped_not_a_500(login):
    """A double submit whose first went through lets the files go before the second reads them:
    the second returns the first claim, with no server error."""
    clerk, key = login("gm_window"), uuid.uuid4().hex
    clerk.post(WINDOW, {**walk_in(submission_key=key, description="欠薪"), "attachments": files()})
    first = HeldUpload.objects.filter(form_key=key).first()
    first.file.storage.delete(first.file.name)
    ok = clerk.post(WINDOW, walk_in(submission_key=key))
    assert ok.status_code == 302
    assert [a.original_name for a in Claim.objects.get().attachments.all()] == ["合同.pdf"]
