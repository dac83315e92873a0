"""整区打印 built by q2 (issue #14 review): a page that says how many pages, the batch page that
says when it is ready, only the asker sees it, no silent cap (a too-large area is refused with its
count and the places one level down), a lost batch shows as failed, the task runs once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, User
from selfservice import selectors, services
from selfservice.models import PosterBatch

pytestmark = pytest.mark.django_db
TOWN = "440608102"  # 明城镇
DISTRICT = "440608"


def posters_url(code):
    return reverse("selfservice:posters", args=[code])


def batch_url(batch):
    return reverse("selfservice:poster-batch", args=[batch.pk])


def download_url(batch):
    return reverse("selfservice:poster-batch-download", args=[batch.pk])


def test_page_says_how_many_pages(login):
    from routing.models import Region

    html = login("gm_dispatch").get(posters_url(TOWN)).content.decode()
    n = selectors.places_below(Region.objects.get(code=TOWN)).count()
    assert f"共 {n} 页" in html and "开始生成" in html


def test_ask_then_wait_then_download(login, django_capture_on_commit_callbacks):
    client = login("gm_dispatch")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(posters_url(TOWN))
    batch = PosterBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch_url(batch)
    waiting = client.get(batch_url(batch))
    assert waiting.status_code == 200
    html = waiting.content.decode()
    assert "正在生成" in html and "刷新查看是否已生成" in html and 'aria-live="polite"' in html
    assert client.get(download_url(batch)).status_code == 404  # not ready yet
    # asking again while it is being built returns the same batch
    with django_capture_on_commit_callbacks(execute=False):
        client.post(posters_url(TOWN))
    assert PosterBatch.objects.count() == 1
    for callback in callbacks:
        callback()  # the q2 task (synchronous in tests)
    batch.refresh_from_db()
    assert batch.state == PosterBatch.State.DONE and batch.total > 1 and batch.file
    ready = client.get(batch_url(batch)).content.decode()
    assert "下载 PDF" in ready and f"共 {batch.total} 页" in ready
    pdf = client.get(download_url(batch))
    assert pdf.status_code == 200 and f"posters-{TOWN}.pdf" in pdf["Content-Disposition"]
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert batch_url(batch) in client.get(posters_url(TOWN)).content.decode()  # listed as earlier


def test_the_task_runs_once(login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        login("gm_dispatch").post(posters_url(TOWN))
    batch = PosterBatch.objects.get()
    assert services.poster_batch_build(batch.pk) == 0  # already built: nothing again


def test_no_silent_cap(login, monkeypatch):
    from routing.models import Region

    monkeypatch.setattr(selectors, "MAX_POSTERS", 3)
    client = login("gm_dispatch")
    n = selectors.places_below(Region.objects.get(code=TOWN)).count()
    page = client.get(posters_url(TOWN))
    html = page.content.decode()
    assert page.status_code == 200 and f"共有 {n} 个地点，超过一次最多生成的 3 张海报" in html
    assert "开始生成" not in html and "明东村" in html  # the places one level down, to print each
    refused = client.post(posters_url(TOWN), follow=True)
    assert "超过一次最多生成的 3 张海报" in refused.content.decode()
    assert not PosterBatch.objects.exists()


def _batch(username="gm_dispatch", code=TOWN, **fields):
    from routing.models import Region

    return PosterBatch.objects.create(
        region=Region.objects.get(code=code), requested_by=User.objects.get(username=username), total=3, **fields
    )


def test_only_the_asker_sees_a_batch(login, citizen):
    batch = _batch(state=PosterBatch.State.DONE)
    colleague = User.objects.create_user(username="gm_dispatch_b", password="x", full_name="同事")
    from routing.models import Unit

    Membership.objects.create(user=colleague, unit=Unit.objects.get(code="GM-ZX"), role=Role.DISPATCHER)
    assert login(colleague).get(batch_url(batch)).status_code == 404
    assert login(colleague).get(download_url(batch)).status_code == 404
    assert login("gm_labor").get(batch_url(batch)).status_code == 403
    assert login(citizen).get(download_url(batch)).status_code == 403
    assert login("gm_dispatch").get(reverse("selfservice:poster-batch", args=[999999])).status_code == 404


def test_outside_the_area_is_404(login):
    assert login("mc_centre").post(posters_url(DISTRICT)).status_code == 404
    assert not PosterBatch.objects.exists()


def test_a_lost_batch_shows_as_failed_and_can_be_asked_again(login, django_capture_on_commit_callbacks):
    batch = _batch(state=PosterBatch.State.RUNNING)
    PosterBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    client = login("gm_dispatch")
    html = client.get(batch_url(batch)).content.decode()
    assert "生成超时，请重新生成" in html and "重新生成" in html
    assert PosterBatch.objects.get(pk=batch.pk).state == PosterBatch.State.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(posters_url(TOWN))
    assert PosterBatch.objects.filter(state=PosterBatch.State.DONE).count() == 1


def test_a_failed_build_is_recorded(login, monkeypatch, django_capture_on_commit_callbacks):
    def broken(places):
        raise RuntimeError("font missing")

    monkeypatch.setattr(services, "posters_pdf", broken)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        login("gm_dispatch").post(posters_url(TOWN))
    batch = PosterBatch.objects.get()
    assert batch.state == PosterBatch.State.FAILED and "font" not in batch.error
    assert "生成失败" in login("gm_dispatch").get(batch_url(batch)).content.decode()
