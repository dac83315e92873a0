"""一键诉讼 services: the package's contents (case.json, records.pdf, evidence, manifest), the
hand-off to the gateway, what a refusing gateway leaves behind (nothing), who may submit and
when, one package at a time, and the court's reply on the case's timeline."""

import hashlib
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection  # noqa: F401  (the skipif condition reads connection)
from django.utils import timezone
from pdfminer.high_level import extract_text

from cases.models import Case, CaseEvent, Party, PartyRole
from intake.models import Attachment
from mediation import services as ms
from mediation.litigation import services as lit
from mediation.litigation.court_gateway import CourtGateway, CourtGatewayError
from mediation.models import LitigationPackage, Mediation
from notifications.models import OutboxMessage

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x07" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RECORD = "申请人主张拖欠工资一万二千元；被申请人仅认可八千元，双方分歧较大，调解未果。"


def reload(mediation) -> Mediation:
    return Mediation.objects.select_related(
        "case__region", "case__matter", "case__lead_unit", "case__centre", "mediator__user"
    ).get(pk=mediation.pk)


@pytest.fixture
def failed_mediation(mediators, citizen, user):
    """``failed_mediation()`` → a mediation of a wage dispute whose claim came with a photo and a
    PDF, one held session with its record, failed with ``next_step`` (default litigation)."""
    from cases import services as cs
    from intake.services import claim_submit
    from intake.uploads import check_uploads
    from routing.models import MatterType, Region

    def make(next_step="litigation", attachments=True):
        uploads = None
        if attachments:
            uploads = check_uploads(
                [
                    SimpleUploadedFile("欠条:照片.jpg", JPEG, content_type="image/jpeg"),
                    SimpleUploadedFile("工资表.pdf", PDF, content_type="application/pdf"),
                ]
            )
        claim, _created = claim_submit(
            channel="web",
            matter=MatterType.objects.get(code="labor.wages"),
            region=Region.objects.get(code="440608102201"),
            description="明东村某五金厂拖欠夏志明三个月工资共计一万二千元，多次讨要无果。",
            contact_name="夏志明",
            contact_phone="13800138000",
            id_number="440608199001011234",
            uploads=uploads,
            submitter=citizen,
        )
        case = Case.objects.get(pk=claim.case_id)
        cs.case_accept(case=case, actor=user("gm_window"))
        case = Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=case.pk)
        cs.case_sign(case=case, actor=user("gm_labor"))
        Party.objects.create(
            case=case,
            role=PartyRole.RESPONDENT,
            name="佛山市高明区明东五金制品厂",
            phone="13700137000",
            id_number="91440608MA4UXXXX1X",
        )
        case = Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=case.pk)
        m = ms.mediation_request(case=case, actor=user("gm_labor"), note="双方对欠薪数额有争议，同意调解。")
        ms.mediation_assign(
            mediation=reload(m), actor=user("gm_dispatch"), mediator=user("gm_mediator").mediator_profile
        )
        mediator = user("gm_mediator")
        ms.mediation_accept(mediation=reload(m), actor=mediator, no_conflict=True)
        session = ms.session_schedule(
            mediation=reload(m),
            actor=mediator,
            scheduled_at=timezone.now() - timedelta(days=1),
            mode="onsite",
            place="明城镇司法所调解室",
            participants="夏志明（申请人）\n张厂长（被申请人）",
            notify_parties=False,
        )
        ms.session_record(session=session, actor=mediator, attendance="双方均到场", record=RECORD)
        ms.mediation_fail(mediation=reload(m), actor=mediator, reason="被申请人不同意支付全部欠薪", next_step=next_step)
        return reload(m)

    return make


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class RefusingGateway(CourtGateway):
    name = "refusing"

    def submit(self, package, *, filename, metadata):
        raise CourtGatewayError("法院系统维护中，请稍后再试。")


# The package -----------------------------------------------------------------------------------


def test_package_holds_case_parties_evidence_history_and_a_manifest(failed_mediation):
    m = failed_mediation()
    archive = open_zip(lit.litigation_package_build(m))
    names = archive.namelist()
    assert names[:2] == ["case.json", "records.pdf"]
    assert "evidence/01_欠条_照片.jpg" in names and "evidence/02_工资表.pdf" in names
    assert names[-1] == "manifest.json"

    data = json.loads(archive.read("case.json"))
    assert data["format"] == lit.PACKAGE_FORMAT
    assert data["case"]["number"] == m.case.number
    assert data["case"]["description"].startswith("明东村某五金厂")
    parties = {p["name"]: p for p in data["parties"]}
    assert parties["夏志明"]["role"] == "applicant"
    assert parties["夏志明"]["id_number"] == "440608199001011234"  # the court needs them unmasked
    assert parties["夏志明"]["phone"] == "13800138000"
    assert parties["佛山市高明区明东五金制品厂"]["role_label"] == "被申请人"
    assert data["facts"]["dispute_focus"] == "双方对欠薪数额有争议，同意调解。"
    assert data["facts"]["region"]["path"][-1] == "明东村"

    history = data["mediation"]
    assert history["number"] == m.number
    assert history["status"] == "failed" and history["failure_next"] == "litigation"
    assert history["outcome_reason"] == "被申请人不同意支付全部欠薪"
    assert history["mediator"]["organisation"] == "高明区人民调解委员会"
    [session] = history["sessions"]
    assert (session["mode"], session["mode_label"], session["status"]) == ("onsite", "现场调解", "held")
    assert session["attendance"] == "双方均到场" and session["record"] == RECORD
    assert history["agreements"] == []
    assert data["referral"]["source"] == "handler" and data["referral"]["requested_by"].startswith("王芳")

    stored = {a.original_name: a for a in Attachment.objects.filter(claim__case=m.case)}
    for row in data["evidence"]:
        content = archive.read(row["file"])
        assert hashlib.sha256(content).hexdigest() == row["sha256"] == stored[row["name"]].sha256
        assert row["verified"] is True and row["size"] == len(content)
    assert [row["name"] for row in data["evidence"]] == ["欠条:照片.jpg", "工资表.pdf"]

    manifest = json.loads(archive.read("manifest.json"))
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == set(names) - {"manifest.json"}
    for name, digest in listed.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest


def test_records_pdf_carries_the_chinese_record(failed_mediation):
    m = failed_mediation()
    archive = open_zip(lit.litigation_package_build(m))
    text = squash(extract_text(io.BytesIO(archive.read("records.pdf"))))
    assert "调解笔录" in text
    assert squash(RECORD) in text
    assert "明城镇司法所调解室" in text and "双方均到场" in text
    assert m.number in text and "被申请人不同意支付全部欠薪" in text


def test_claims_come_through_the_configured_provider(failed_mediation, settings):
    m = failed_mediation(attachments=False)
    settings.MEDIATION_CLAIM_PROVIDERS = ["intake.evidence.case_claims"]
    data = json.loads(open_zip(lit.litigation_package_build(m)).read("case.json"))
    [claim] = data["claims"]
    assert claim["channel"] == "web" and claim["channel_label"]
    assert claim["description"].startswith("明东村某五金厂") and claim["contact_name"] == "夏志明"
    assert data["evidence"] == []

    settings.MEDIATION_CLAIM_PROVIDERS = []
    settings.MEDIATION_EVIDENCE_PROVIDERS = []
    data = json.loads(open_zip(lit.litigation_package_build(m)).read("case.json"))
    assert data["claims"] == [] and data["evidence"] == []


def test_a_missing_evidence_file_is_listed_not_fatal(failed_mediation):
    m = failed_mediation()
    photo = Attachment.objects.filter(claim__case=m.case).order_by("id").first()
    default_storage.delete(photo.file.name)
    archive = open_zip(lit.litigation_package_build(m))
    rows = json.loads(archive.read("case.json"))["evidence"]
    assert rows[0]["file"] is None and rows[0]["verified"] is False and "缺失" in rows[0]["note"]
    assert rows[1]["file"] == "evidence/02_工资表.pdf"
    assert not any(n.startswith("evidence/01_") for n in archive.namelist())


def test_safe_names_stay_inside_the_evidence_folder():
    escaped = lit.safe_name("../../etc/passwd")
    assert "/" not in escaped and not escaped.startswith(".")
    assert lit.safe_name("") == "附件"
    long = lit.safe_name("很长" * 60 + ".jpg")
    assert len(long) == 80 and long.endswith(".jpg")


# Submitting ------------------------------------------------------------------------------------


def test_submit_stores_the_package_and_drops_it_in_the_outbox(failed_mediation, user, settings):
    m = failed_mediation()
    package = lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    package.refresh_from_db()
    stored = package.file.read()
    assert package.sha256 == hashlib.sha256(stored).hexdigest() and package.size == len(stored)
    assert package.state == LitigationPackage.State.SUBMITTED
    assert package.gateway == "outbox" and package.reference.startswith("OUT-")

    outbox = settings.COURT_OUTBOX_DIR
    assert (outbox / f"{package.reference}.zip").read_bytes() == stored
    envelope = json.loads((outbox / f"{package.reference}.json").read_text("utf-8"))
    assert envelope["reference"] == package.reference
    assert envelope["metadata"]["sha256"] == package.sha256
    assert envelope["metadata"]["submission_key"] == f"{m.number}#1"
    assert envelope["metadata"]["case_number"] == m.case.number

    event = CaseEvent.objects.filter(case=m.case, transition="litigation_submit").get()
    assert package.reference in event.note and event.actor == user("gm_mediator")


def test_a_refusing_gateway_leaves_nothing_and_a_retry_works(failed_mediation, user, monkeypatch):
    m = failed_mediation()
    monkeypatch.setattr(lit, "get_gateway", RefusingGateway)
    before = {f for _root, _d, files in _walk("litigation") for f in files}
    with pytest.raises(ms.MediationError, match="法院系统维护中"):
        lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    assert not LitigationPackage.objects.exists()
    assert not CaseEvent.objects.filter(case=m.case, transition="litigation_submit").exists()
    assert {f for _root, _d, files in _walk("litigation") for f in files} == before

    monkeypatch.undo()
    package = lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    assert package.reference and LitigationPackage.objects.count() == 1


def _walk(folder):
    if not default_storage.exists(folder):
        return
    dirs, files = default_storage.listdir(folder)
    yield folder, dirs, files
    for d in dirs:
        yield from _walk(f"{folder}/{d}")


def test_the_centre_dispatcher_may_submit_too(failed_mediation, user):
    m = failed_mediation()
    package = lit.litigation_submit(mediation=m, actor=user("gm_dispatch"))
    assert package.submitted_by == user("gm_dispatch")


@pytest.mark.parametrize("who", ["gm_veteran", "gm_labor", "gm_supervisor", "md_grid"])
def test_others_may_not_submit(failed_mediation, user, who):
    m = failed_mediation()
    with pytest.raises(PermissionDenied):
        lit.litigation_submit(mediation=m, actor=user(who))
    assert not LitigationPackage.objects.exists()


def test_only_a_failed_mediation_heading_for_litigation(failed_mediation, mediation_in, user):
    with pytest.raises(ms.MediationError, match="引导诉讼"):
        lit.litigation_submit(mediation=failed_mediation(next_step="arbitration"), actor=user("gm_mediator"))
    with pytest.raises(ms.MediationError, match="调解中"):
        lit.litigation_submit(mediation=mediation_in("in_progress"), actor=user("gm_mediator"))
    assert not LitigationPackage.objects.exists()


def test_one_package_at_a_time_until_the_court_returns_it(failed_mediation, user):
    m = failed_mediation()
    mediator = user("gm_mediator")
    first = lit.litigation_submit(mediation=m, actor=mediator)
    with pytest.raises(ms.MediationError, match="不能重复提交"):
        lit.litigation_submit(mediation=m, actor=mediator)

    lit.litigation_reply(package=first, actor=mediator, state="returned", reply="请补充劳动关系证明")
    second = lit.litigation_submit(mediation=m, actor=mediator)
    assert "第 2 次提交" in CaseEvent.objects.filter(transition="litigation_submit").last().note

    lit.litigation_reply(package=second, actor=mediator, state="accepted", court_document="（2026）粤0608民初1234号")
    with pytest.raises(ms.MediationError, match="不能重复提交"):
        lit.litigation_submit(mediation=m, actor=mediator)
    assert LitigationPackage.objects.filter(mediation=m).count() == 2


# The court's reply -----------------------------------------------------------------------------


def test_the_court_reply_goes_on_the_timeline_and_tells_the_mediator(failed_mediation, user):
    m = failed_mediation()
    package = lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    lit.litigation_reply(
        package=package, actor=user("gm_dispatch"), state="accepted", court_document="（2026）粤0608民初1234号"
    )
    package.refresh_from_db()
    assert package.state == "accepted" and package.court_document == "（2026）粤0608民初1234号"
    assert package.replied_at is not None
    event = CaseEvent.objects.filter(case=m.case, transition="court_reply").get()
    assert "（2026）粤0608民初1234号" in event.note and event.public
    assert OutboxMessage.objects.filter(recipient_user=user("gm_mediator"), kind="court_reply").exists()

    with pytest.raises(ms.MediationError, match="已登记过法院答复"):
        lit.litigation_reply(package=package, actor=user("gm_dispatch"), state="returned", reply="重复")
    assert CaseEvent.objects.filter(case=m.case, transition="court_reply").count() == 1


def test_a_reply_needs_its_details_and_the_right_person(failed_mediation, user):
    m = failed_mediation()
    package = lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    with pytest.raises(ms.MediationError, match="法院案号"):
        lit.litigation_reply(package=package, actor=user("gm_mediator"), state="accepted")
    with pytest.raises(ms.MediationError, match="退回理由"):
        lit.litigation_reply(package=package, actor=user("gm_mediator"), state="returned", reply="  ")
    with pytest.raises(ms.MediationError, match="请选择"):
        lit.litigation_reply(package=package, actor=user("gm_mediator"), state="submitted")
    with pytest.raises(PermissionDenied):
        lit.litigation_reply(package=package, actor=user("gm_veteran"), state="returned", reply="x")
    assert LitigationPackage.objects.get().state == "submitted"
    assert not CaseEvent.objects.filter(transition="court_reply").exists()


def test_a_gateway_callback_may_record_the_reply_without_a_user(failed_mediation, user):
    m = failed_mediation()
    package = lit.litigation_submit(mediation=m, actor=user("gm_mediator"))
    lit.litigation_reply(package=package, actor=None, state="returned", reply="材料不全")
    event = CaseEvent.objects.get(transition="court_reply")
    assert event.actor is None and "材料不全" in event.note


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="thread races need PostgreSQL")
def test_two_clicks_at_once_make_one_package(failed_mediation, user):
    import threading

    from django.db import connections

    m = failed_mediation()
    actors = [user("gm_mediator"), user("gm_dispatch")]
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = lit.litigation_submit(mediation=m, actor=actors[i])
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(type(r).__name__ for r in results) == ["LitigationPackage", "MediationError"], results
    assert LitigationPackage.objects.count() == 1
    assert CaseEvent.objects.filter(transition="litigation_submit").count() == 1
