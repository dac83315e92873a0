"""Attachments are served only to people who may see the case; everyone else gets a 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services as s
from intake.uploads import check_uploads

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100 + b"\xff\xd9"


@pytest.fixture
def photo_claim(submit_claim):
    upload = SimpleUploadedFile("欠薪现场.jpg", JPEG, content_type="image/jpeg")
    pdf = SimpleUploadedFile("工资条.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return submit_claim(uploads=check_uploads([upload, pdf]))


def url(item):
    return reverse("intake:attachment", args=[item.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_owner_gets_the_file_inline_with_safe_headers(login, photo_claim, citizen):
    photo, pdf = photo_claim.attachments.order_by("id")
    client = login(citizen)
    response = client.get(url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == JPEG
    pdf_response = client.get(url(pdf))
    assert pdf_response["Content-Type"] == "application/pdf"
    # Issue #19 item 10: a PDF (it may carry /OpenAction JavaScript) is downloaded, not shown inline.
    assert pdf_response["Content-Disposition"].startswith("attachment")
    assert pdf_response["X-Content-Type-Options"] == "nosniff"
    assert (
        "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]
    )
    body(pdf_response)


def test_stored_under_a_generated_name(photo_claim):
    photo = photo_claim.attachments.order_by("id").first()
    assert "欠薪现场" not in photo.file.name and photo.file.name.endswith(".jpg")


def test_case_page_shows_thumbnail_and_link(login, photo_claim, citizen):
    photo, pdf = photo_claim.attachments.order_by("id")
    html = login(citizen).get(reverse("intake:claim-detail", args=[photo_claim.tracking_code])).content.decode()
    assert f'<img class="yk-thumb" src="{url(photo)}"' in html
    assert f'href="{url(pdf)}"' in html and "工资条.pdf" in html


def test_lead_unit_handler_gets_it_after_dispatch(login, photo_claim, user, fresh):
    photo = photo_claim.attachments.first()
    client = login("gm_labor")
    assert client.get(url(photo)).status_code == 404  # not dispatched to GM-RSJ yet
    s.case_accept(case=fresh(photo_claim.case), actor=user("gm_window"))
    response = client.get(url(photo))
    assert response.status_code == 200
    body(response)


def test_centre_clerk_in_scope_gets_it(login, photo_claim):
    response = login("gm_window").get(url(photo_claim.attachments.first()))
    assert response.status_code == 200
    body(response)


def test_handler_of_another_unit_gets_404(login, photo_claim, user, fresh):
    s.case_accept(case=fresh(photo_claim.case), actor=user("gm_window"))
    assert login("md_grid").get(url(photo_claim.attachments.first())).status_code == 404


def test_other_citizen_and_anonymous_get_404_like_a_missing_id(login, photo_claim, other_citizen, client, same_page):
    photo = photo_claim.attachments.first()
    anonymous = client.get(url(photo))
    assert anonymous.status_code == 404
    client = login(other_citizen)
    foreign = client.get(url(photo))
    missing = client.get(reverse("intake:attachment", args=[999999]))
    assert foreign.status_code == missing.status_code == 404
    assert same_page(foreign, missing)


def test_merged_duplicate_evidence_stays_with_its_submitter(
    login, photo_claim, submit_claim, other_citizen, user, fresh
):
    """Another claimant whose duplicate is merged into this case becomes a party of it, but
    does not get this claimant's photos."""
    kept = photo_claim
    duplicate = submit_claim(submitter=other_citizen, phone="13900139000", text="同一个老板也拖欠我两个月工资。")
    s.case_merge(case=fresh(duplicate.case), actor=user("gm_window"), into=fresh(kept.case))
    assert login(other_citizen).get(url(kept.attachments.first())).status_code == 404


def test_handler_of_the_followed_case_sees_a_merged_duplicates_evidence(login, submit_claim, photo_claim, user, fresh):
    kept = submit_claim(text="老板拖欠工资三个月，我们几个工友都没拿到钱。")
    s.case_merge(case=fresh(photo_claim.case), actor=user("gm_window"), into=fresh(kept.case))
    s.case_accept(case=fresh(kept.case), actor=user("gm_window"))
    response = login("gm_labor").get(url(photo_claim.attachments.first()))
    assert response.status_code == 200
    body(response)


def png_of(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` (pixels never decoded, so it stays small)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height"), [(20000, 20000), (8000, 6000), (100_000, 100_000)])
def test_an_image_over_40_megapixels_is_refused_in_chinese(width, height):
    """Issue #19 item 10: a 20000×20000 image was accepted and shown as a thumbnail."""
    from intake.uploads import UploadError

    with pytest.raises(UploadError, match="图片尺寸过大（超过 4000 万像素）"):
        check_uploads([SimpleUploadedFile("巨图.png", png_of(width, height), content_type="image/png")])


def test_a_phone_photo_size_passes():
    checked = check_uploads([SimpleUploadedFile("照片.png", png_of(4000, 3000), content_type="image/png")])
    assert checked[0].content_type == "image/png"


def test_the_claim_form_says_why_a_huge_image_is_refused(login, citizen, claim_data):
    response = login(citizen).post(
        reverse("intake:claim-submit"),
        {**claim_data(), "attachments": SimpleUploadedFile("巨图.png", png_of(20000, 20000), content_type="image/png")},
    )
    assert response.status_code == 400
    assert "图片尺寸过大" in response.content.decode()
