"""联办任务 (issue #15): giving, answering and withdrawing a task, the submit-result guard and its
override, and who may do what (another unit: 404; citizens never see a task)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services as s
from cases.joint import joint_task_answer, joint_task_create, joint_task_withdraw
from cases.models import CaseEvent, JointTask, JointTaskFile, JointTaskStatus, Outcome, Status
from cases.transitions import CaseError
from cases.workdays import add_working_days, is_workday
from notifications.models import OutboxMessage
from routing.models import Unit

pytestmark = pytest.mark.django_db

GRID = "GM-MC-MD-W1"  # 明东村网格: not cooperating on the demo case until given a task (md_grid)
TOWN = "GM-MC-ZZ"  # 明城镇综治中心: cooperating on the demo case (mc_centre)


def due(days=3) -> dt.date:
    return timezone.localtime(add_working_days(timezone.now(), days)).date()


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def give(user, fresh):
    def make(case, unit=GRID, actor="gm_labor", request="请核实企业是否仍在经营并出具意见", days=3):
        return joint_task_create(
            case=fresh(case), actor=user(actor), unit=Unit.objects.get(code=unit), request=request, due_date=due(days)
        )

    return make


# Giving a task ---------------------------------------------------------------------------------


def test_lead_gives_a_task_to_a_new_unit_which_becomes_cooperating(case_in, give, user, fresh):
    case = case_in("handling")
    task = give(case)
    assert task.status == JointTaskStatus.OPEN and task.unit.code == GRID
    assert task.blue_at < task.yellow_at < task.due_at
    assert GRID in {u.code for u in fresh(case).cooperating_units.all()}
    event = CaseEvent.objects.get(case=case, transition="joint_task_create")
    assert not event.public and "明东村第一网格" in event.note and "请核实企业" in event.note
    assert OutboxMessage.objects.filter(recipient_user=user("md_grid"), kind="joint_task").exists()


def test_dispatcher_gives_a_task_on_a_dispatched_case(case_in, give):
    task = give(case_in("dispatched"), unit=TOWN, actor="gm_dispatch")
    assert task.created_by.username == "gm_dispatch"


@pytest.mark.parametrize("who", ["mc_centre", "md_grid", "gm_window", "gm_supervisor"])
def test_only_the_lead_or_the_dispatcher_gives_tasks(case_in, give, who):
    with pytest.raises(PermissionDenied):
        give(case_in("handling"), unit=TOWN if who != "mc_centre" else GRID, actor=who)
    assert not JointTask.objects.exists()


@pytest.mark.parametrize("status", ["reviewing", "feedback", "accepted"])
def test_no_task_on_a_case_past_handling(case_in, give, status):
    with pytest.raises(CaseError, match="不能交办联办任务"):
        give(case_in(status), actor="gm_dispatch")
    assert not JointTask.objects.exists()


def test_past_deadline_refused(case_in, user, fresh):
    case = case_in("handling")
    with pytest.raises(CaseError, match="不能早于今天"):
        joint_task_create(
            case=fresh(case),
            actor=user("gm_labor"),
            unit=Unit.objects.get(code=GRID),
            request="核实",
            due_date=timezone.localdate() - dt.timedelta(days=1),
        )
    assert not JointTask.objects.exists()
    assert not CaseEvent.objects.filter(transition="joint_task_create").exists()


def test_rest_day_refused(case_in, user, fresh):
    day = timezone.localdate() + dt.timedelta(days=1)
    while is_workday(day):
        day += dt.timedelta(days=1)
    with pytest.raises(CaseError, match="不是工作日"):
        joint_task_create(
            case=fresh(case_in("handling")),
            actor=user("gm_labor"),
            unit=Unit.objects.get(code=GRID),
            request="核实",
            due_date=day,
        )


def test_the_lead_unit_itself_and_an_inactive_unit_refused(case_in, give):
    case = case_in("handling")
    with pytest.raises(CaseError, match="主办单位"):
        give(case, unit="GM-RSJ")
    Unit.objects.filter(code=GRID).update(active=False)
    with pytest.raises(CaseError, match="不存在或已停用"):
        give(case)


# The screens: giving ----------------------------------------------------------------------------


def test_case_page_offers_the_form_to_the_lead_only(case_in, login):
    case = case_in("handling")
    url = reverse("cases:case-detail", args=[case.number])
    assert 'data-testid="joint-create"' in login("gm_labor").get(url).content.decode()
    page = login("mc_centre").get(url).content.decode()
    assert 'data-testid="joint-create"' not in page


def test_give_through_the_form(case_in, login):
    case = case_in("handling")
    unit = Unit.objects.get(code=GRID)
    response = login("gm_labor").post(
        reverse("cases:joint-create", args=[case.number]),
        {"unit": unit.pk, "request": "请核实现场", "due_date": due().isoformat()},
    )
    assert response.status_code == 302
    assert JointTask.objects.get().unit == unit


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"unit": "999999"}, "所选单位不存在或已停用"),
        ({"unit": ""}, "请选择协办单位"),
        ({"request": "   "}, "请填写需要协办单位做什么"),
        ({"due_date": "2020-01-02"}, "不能早于今天"),
        ({"due_date": "31/01/2026"}, "日期格式应为"),
    ],
)
def test_give_bad_input_keeps_what_was_typed(case_in, login, data, message):
    case = case_in("handling")
    payload = {"unit": str(Unit.objects.get(code=GRID).pk), "request": "请核实现场", "due_date": due().isoformat()}
    payload.update(data)
    response = login("gm_labor").post(reverse("cases:joint-create", args=[case.number]), payload)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if payload["request"].strip():
        assert payload["request"] in page  # nothing typed is lost
    assert not JointTask.objects.exists()


def test_give_on_a_closed_case_says_why(case_in, login):
    case = case_in("feedback")
    response = login("gm_dispatch").post(
        reverse("cases:joint-create", args=[case.number]),
        {"unit": str(Unit.objects.get(code=GRID).pk), "request": "核实", "due_date": due().isoformat()},
    )
    assert response.status_code == 400
    assert "不能交办联办任务" in response.content.decode()
    assert not JointTask.objects.exists()


@pytest.mark.parametrize("who", ["mc_centre", "md_grid", "citizen"])
def test_give_by_someone_else_is_404(case_in, login, citizen, who):
    case = case_in("handling")
    client = login(citizen if who == "citizen" else who)
    response = client.post(
        reverse("cases:joint-create", args=[case.number]),
        {"unit": str(Unit.objects.get(code=TOWN).pk), "request": "核实", "due_date": due().isoformat()},
    )
    assert response.status_code == 404
    assert not JointTask.objects.exists()


# Answering --------------------------------------------------------------------------------------


def test_the_unit_answers_with_a_file_and_the_lead_sees_it(case_in, give, login, user):
    case = case_in("handling")
    task = give(case)
    upload = SimpleUploadedFile("现场照片.png", png(), content_type="image/png")
    response = login("md_grid").post(
        reverse("cases:joint-answer", args=[task.pk]), {"reply": "经核实企业已停业", "files": [upload]}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == JointTaskStatus.ANSWERED and task.answered_by == user("md_grid")
    item = JointTaskFile.objects.get(task=task)
    assert item.original_name == "现场照片.png" and item.content_type == "image/png"
    page = login("gm_labor").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert "经核实企业已停业" in page and "现场照片.png" in page and "已答复" in page
    assert login("gm_labor").get(reverse("cases:joint-file", args=[item.pk])).status_code == 200
    assert OutboxMessage.objects.filter(recipient_user=user("gm_labor"), kind="joint_task").exists()


@pytest.mark.parametrize("who", ["mc_centre", "gm_labor", "gm_dispatch"])
def test_another_unit_cannot_answer(case_in, give, login, user, who):
    task = give(case_in("handling"))
    client = login(who)
    assert client.get(reverse("cases:joint-answer", args=[task.pk])).status_code == 404
    assert client.post(reverse("cases:joint-answer", args=[task.pk]), {"reply": "答复"}).status_code == 404
    with pytest.raises(PermissionDenied):
        joint_task_answer(task=JointTask.objects.get(pk=task.pk), actor=user(who), reply="答复")
    assert JointTask.objects.get(pk=task.pk).status == JointTaskStatus.OPEN


def test_empty_reply_and_bad_file_change_nothing(case_in, give, login):
    task = give(case_in("handling"))
    url = reverse("cases:joint-answer", args=[task.pk])
    response = login("md_grid").post(url, {"reply": " \u200b "})
    assert response.status_code == 400 and "请填写答复内容" in response.content.decode()
    fake = SimpleUploadedFile("病毒.png", b"MZ\x90\x00not an image", content_type="image/png")
    response = login("md_grid").post(url, {"reply": "已核实", "files": [fake]})
    page = response.content.decode()
    assert response.status_code == 400 and "不是图片" in page and "已核实" in page
    assert JointTask.objects.get(pk=task.pk).status == JointTaskStatus.OPEN
    assert not JointTaskFile.objects.exists()
    assert not CaseEvent.objects.filter(transition="joint_task_answer").exists()


def test_answering_twice_answers_once(case_in, give, user):
    task = give(case_in("handling"))
    joint_task_answer(task=JointTask.objects.get(pk=task.pk), actor=user("md_grid"), reply="第一次")
    with pytest.raises(CaseError, match="已答复或已撤回"):
        joint_task_answer(task=JointTask.objects.get(pk=task.pk), actor=user("md_grid"), reply="第二次")
    assert JointTask.objects.get(pk=task.pk).reply == "第一次"
    assert CaseEvent.objects.filter(transition="joint_task_answer").count() == 1


def test_no_answer_once_the_case_has_ended(case_in, give, user, fresh):
    case = case_in("handling")
    task = give(case)
    s.case_submit_result(
        case=fresh(case), actor=user("gm_labor"), result="已办结", outcome=Outcome.RESOLVED, joint_override="急办"
    )
    s.case_approve(case=fresh(case), actor=user("gm_dispatch"))
    with pytest.raises(CaseError, match="不能再答复"):
        joint_task_answer(task=JointTask.objects.get(pk=task.pk), actor=user("md_grid"), reply="迟到的答复")


# Withdrawing ------------------------------------------------------------------------------------


def test_lead_withdraws_and_the_unit_is_told(case_in, give, login, user):
    task = give(case_in("handling"))
    response = login("gm_labor").post(reverse("cases:joint-withdraw", args=[task.pk]), {"reason": "已自行核实"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == JointTaskStatus.WITHDRAWN and task.withdraw_reason == "已自行核实"
    assert OutboxMessage.objects.filter(recipient_user=user("md_grid"), body__contains="已撤回").exists()
    # a withdrawn task is no longer answerable
    with pytest.raises(CaseError):
        joint_task_answer(task=JointTask.objects.get(pk=task.pk), actor=user("md_grid"), reply="答复")


@pytest.mark.parametrize("who", ["md_grid", "mc_centre"])
def test_only_lead_or_dispatcher_withdraws(case_in, give, login, who):
    task = give(case_in("handling"))
    response = login(who).post(reverse("cases:joint-withdraw", args=[task.pk]), {"reason": "不需要了"})
    assert response.status_code == 404
    assert JointTask.objects.get(pk=task.pk).status == JointTaskStatus.OPEN


def test_withdraw_needs_a_reason(case_in, give, login):
    task = give(case_in("handling"))
    response = login("gm_dispatch").post(reverse("cases:joint-withdraw", args=[task.pk]), {"reason": ""})
    assert response.status_code == 400 and "请填写撤回理由" in response.content.decode()
    assert JointTask.objects.get(pk=task.pk).status == JointTaskStatus.OPEN
    with pytest.raises(CaseError):
        joint_task_withdraw(task=JointTask.objects.get(pk=task.pk), actor=task.created_by, reason=" ")


# The submit-result guard -----------------------------------------------------------------------


def test_submit_refused_while_a_task_is_open(case_in, give, user, fresh):
    case = case_in("handling")
    give(case)
    with pytest.raises(CaseError, match="联办任务未答复") as caught:
        s.case_submit_result(case=fresh(case), actor=user("gm_labor"), result="已办结", outcome=Outcome.RESOLVED)
    assert caught.value.field == "joint_override"
    assert fresh(case).status == Status.HANDLING
    assert not CaseEvent.objects.filter(case=case, transition__in=["submit_result", "joint_override"]).exists()


def test_submit_with_an_override_reason_is_recorded_and_shown(case_in, give, user, fresh, login, act):
    case = case_in("handling")
    give(case)
    client = login("gm_labor")
    response = act(client, case, "submit_result", {"outcome": Outcome.RESOLVED, "result": "已办结"})
    page = response.content.decode()
    assert response.status_code == 400 and "联办任务未答复" in page and "已办结" in page
    assert fresh(case).status == Status.HANDLING
    response = act(
        client,
        case,
        "submit_result",
        {"outcome": Outcome.RESOLVED, "result": "已办结", "joint_override": "群众急需答复，网格意见后补"},
    )
    assert response.status_code == 302
    assert fresh(case).status == Status.REVIEWING
    event = CaseEvent.objects.get(case=case, transition="joint_override")
    assert not event.public and "群众急需答复" in event.note and "明东村第一网格" in event.note
    page = login("gm_dispatch").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="joint-override"' in page and "群众急需答复" in page


def test_submit_after_every_task_answered_or_withdrawn(case_in, give, user, fresh):
    case = case_in("handling")
    first, second = give(case), give(case, unit=TOWN)
    joint_task_answer(task=JointTask.objects.get(pk=first.pk), actor=user("md_grid"), reply="已核实")
    joint_task_withdraw(task=JointTask.objects.get(pk=second.pk), actor=user("gm_labor"), reason="不需要了")
    s.case_submit_result(case=fresh(case), actor=user("gm_labor"), result="已办结", outcome=Outcome.RESOLVED)
    assert fresh(case).status == Status.REVIEWING
    assert not CaseEvent.objects.filter(case=case, transition="joint_override").exists()


def test_submit_form_asks_for_the_reason_only_with_open_tasks(case_in, give, login):
    case = case_in("handling")
    url = reverse("cases:case-detail", args=[case.number])
    assert "joint_override" not in login("gm_labor").get(url).content.decode()
    give(case)
    assert "未等联办答复即提交的理由" in login("gm_labor").get(url).content.decode()


# Citizens ---------------------------------------------------------------------------------------


def test_citizen_never_sees_tasks(case_in, give, login, citizen, user):
    case = case_in("handling")
    task = give(case, request="内部核实：企业法人联系方式")
    joint_task_answer(task=JointTask.objects.get(pk=task.pk), actor=user("md_grid"), reply="内部答复内容")
    claim = case.claims.first()
    client = login(citizen)
    page = client.get(reverse("intake:claim-detail", args=[claim.tracking_code])).content.decode()
    for text in ("联办", "内部核实", "内部答复内容", "明东村第一网格"):
        assert text not in page, text
    assert client.get(reverse("cases:joint-answer", args=[task.pk])).status_code == 404
