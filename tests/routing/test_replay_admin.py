"""Rule-change replay in the browser: upload → preview (with the replay tables) → confirm or cancel.

Admins only; nothing changes before the confirmation; the confirmation imports exactly the
previewed file, and refuses when the directory changed in between.
"""

import copy
from pathlib import Path

import pytest
from django.apps import apps
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from routing import yaml_io
from routing.models import DirectoryVersion, RuleTarget
from routing.services import directory_touch

pytestmark = pytest.mark.django_db

URL = reverse("routing:directory-import")
DEMO_CITY = Path(__file__).resolve().parents[2] / "demo" / "city.yaml"


@pytest.fixture
def city():
    return yaml_io.load(DEMO_CITY.read_text(encoding="utf-8"))


@pytest.fixture
def wages_cases(submit_case, user):
    """Three wage claims accepted (so routed) in 明城镇: labor-wages sends them to 高明区人社局."""
    from cases.services import case_accept

    cases = [submit_case(matter="labor.wages", region="440608102201") for _ in range(3)]
    for case in cases:
        case_accept(case=case, actor=user("gm_window"))
    return cases


def changed(city: dict) -> dict:
    """labor-wages now led by the 佛山市 centre."""
    data = copy.deepcopy(city)
    next(r for r in data["rules"] if r["id"] == "labor-wages")["lead"] = {"unit": "FS-ZX"}
    return data


def upload(data=None, *, raw: bytes | None = None, name="new.yaml", months="12") -> dict:
    content = raw if raw is not None else yaml_io.dump(data).encode("utf-8")
    return {"file": SimpleUploadedFile(name, content, content_type="application/x-yaml"), "months": months}


def snapshot() -> dict:
    counts = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    return {"counts": counts, "stamp": DirectoryVersion.objects.get().stamp}


def wages_lead() -> str:
    target = RuleTarget.objects.get(rule__rule_id="labor-wages", kind="lead")
    return target.unit.code if target.unit_id else f"{target.role.code}@{target.level}"


def token_of(response) -> str:
    return response.context["confirm"].initial["token"]


# --- who may ------------------------------------------------------------------------------------
def test_anonymous_is_sent_to_login(client, demo):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    "username", ["gm_dispatch", "gm_window", "gm_labor", "gm_supervisor", "fs_supervisor", "gm_mediator", "citizen"]
)
def test_only_admins_may_preview_or_confirm(login, citizen, city, username):
    client = login(citizen if username == "citizen" else username)
    state = snapshot()
    assert client.get(URL).status_code == 403
    assert client.post(URL, upload(changed(city))).status_code == 403
    assert client.post(URL, {"token": "x"}).status_code == 403
    assert snapshot() == state


def test_admin_sees_the_upload_form_and_the_admin_links_to_it(login):
    client = login("admin")
    page = client.get(URL).content.decode()
    assert 'type="file"' in page and "预演导入" in page and 'for="id_file"' in page
    changelist = client.get(reverse("admin:routing_routingrule_changelist")).content.decode()
    assert URL in changelist


# --- the round trip -------------------------------------------------------------------------------
def test_preview_shows_the_replay_and_changes_nothing(login, city, wages_cases):
    client = login("admin")
    state = snapshot()
    response = client.post(URL, upload(changed(city)))
    assert response.status_code == 200
    page = response.content.decode()
    report = response.context["report"]
    assert report.cases == 3 and report.moved == 3
    assert [(c.old_rule, c.new_rule, c.old_unit, c.new_unit, c.count) for c in report.changes] == [
        ("labor-wages", "labor-wages", "GM-RSJ", "FS-ZX", 3)
    ]
    assert "佛山市群众诉求服务中心（FS-ZX）" in page and "高明区人力资源和社会保障局（GM-RSJ）" in page
    assert 'data-testid="replay-units"' in page and 'data-testid="replay-changes"' in page
    assert "确认导入" in page and "取消，不导入" in page
    assert "最近 12 个月" in page and "登记的 3 件案件中" in page
    assert snapshot() == state and wages_lead() == "labor@district"


def test_confirm_imports_the_previewed_file(login, city, wages_cases):
    client = login("admin")
    token = token_of(client.post(URL, upload(changed(city))))
    stamp = DirectoryVersion.objects.get().stamp
    response = client.post(URL, {"token": token}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "目录已导入" in response.content.decode()
    assert wages_lead() == "FS-ZX" and DirectoryVersion.objects.get().stamp != stamp


def test_cancel_leaves_everything_unchanged(login, city, wages_cases):
    client = login("admin")
    state = snapshot()
    page = client.post(URL, upload(changed(city))).content.decode()
    assert f'href="{URL}"' in page  # 取消，不导入: back to an empty form, nothing kept server-side
    assert client.get(URL).status_code == 200
    assert snapshot() == state and wages_lead() == "labor@district"


def test_the_same_file_previews_no_moves(login, city, wages_cases):
    response = login("admin").post(URL, upload(city))
    assert response.status_code == 200 and response.context["report"].moved == 0
    assert "没有案件会换主办单位" in response.content.decode()


def test_directory_changed_since_the_preview_is_previewed_again(login, city, wages_cases):
    client = login("admin")
    token = token_of(client.post(URL, upload(changed(city))))
    directory_touch()  # another admin edited the directory meanwhile
    state = snapshot()
    response = client.post(URL, {"token": token})
    assert response.status_code == 409
    assert "目录在预览之后已被修改" in response.content.decode()
    assert snapshot() == state and wages_lead() == "labor@district"
    # the fresh preview can be confirmed
    assert client.post(URL, {"token": token_of(response)}).status_code == 302
    assert wages_lead() == "FS-ZX"


def test_a_forged_expired_or_someone_elses_token_imports_nothing(login, city, demo):
    from accounts.models import User

    other = User.objects.create_superuser(username="root2", password="Pass-word-2026")
    token = token_of(login(other).post(URL, upload(changed(city))))
    client = login("admin")
    state = snapshot()
    forged = signing.dumps(
        {"user": 1, "text": "rules: []", "sha": "", "version": "", "months": 12, "name": "x"}, salt="wrong"
    )
    for bad in [token, token[:-2] + "xx", forged, ""]:
        response = client.post(URL, {"token": bad})
        assert response.status_code == 400
        assert "预演结果已失效" in response.content.decode()
    assert snapshot() == state


# --- bad files ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, message",
    [
        (b"rules: [\n  - id: x\n", "文件不是有效的 YAML（第 2 行附近）"),
        ("区划：北京".encode("gbk"), "文件不是 UTF-8 编码的文本"),
        (b"", "所选文件是空的"),
        (b"rules:\x00", "文件不是文本文件"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(login, demo, raw, message):
    client = login("admin")
    state = snapshot()
    response = client.post(URL, upload(raw=raw))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == state


def test_a_file_over_two_megabytes_is_refused(login, demo):
    response = login("admin").post(URL, upload(raw=b"#" * (2 * 1024 * 1024 + 1)))
    assert response.status_code == 400 and "文件超过 2 MB" in response.content.decode()


def test_no_file_or_bad_period_keeps_the_form(login, demo):
    client = login("admin")
    response = client.post(URL, {"months": "12"})
    assert response.status_code == 400 and "请选择要导入的目录文件" in response.content.decode()
    response = client.post(URL, upload({"rules": []}, months="7"))
    assert response.status_code == 400 and "请选择重放的时间段" in response.content.decode()


def test_a_directory_with_errors_lists_every_one(login, city, demo):
    broken = changed(city)
    next(r for r in broken["rules"] if r["id"] == "labor-general")["lead"] = {"unit": "NO-SUCH"}
    broken["units"].append({"code": "GM-X", "name": "某单位", "region": "999"})
    client = login("admin")
    state = snapshot()
    response = client.post(URL, upload(broken, name="broken.yaml"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件“broken.yaml”不能导入，共 2 处错误，未作任何更改" in page
    assert "规则 labor-general 主办目标：单位 NO-SUCH 不存在" in page and "单位 GM-X：所在区划 999 不存在" in page
    assert 'type="file"' in page  # upload again
    assert snapshot() == state


def test_preview_queries_do_not_grow_with_the_cases(
    login, city, wages_cases, submit_case, django_assert_max_num_queries
):
    client = login("admin")
    client.post(URL, upload(changed(city)))  # warm the dispatch index
    with django_assert_max_num_queries(120) as few:
        client.post(URL, upload(changed(city)))
    for _ in range(5):
        submit_case(matter="neighbour.livestock", region="440608102201")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.post(URL, upload(changed(city)))
    assert response.context["report"].cases == 8
