"""``core.views``: how a service's refusal reaches the user — on the form (a field or not), as a
flashed message, a 409 or a 403 — through ``service_error_response`` and ``service_call``, and
that every app's error base is a ``ServiceError``."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory
from django_fsm import ConcurrentTransition

from accounts.services import AccountError
from cases.transitions import CaseError
from core.errors import ForbiddenError, ServiceError, StaleError
from core.views import STALE_MESSAGE, as_service_error, service_call, service_error_response
from intake.uploads import UploadError
from mediation.agreements.services import AgreementError
from mediation.litigation.court_gateway import CourtGatewayError
from mediation.services import MediationError
from routing.directory_io import DirectoryError


class _Form(forms.Form):
    name = forms.CharField()


def _form() -> _Form:
    form = _Form({"name": "x"})
    assert form.is_valid()
    return form


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _flashed(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


@pytest.mark.parametrize(
    "error",
    [
        CaseError("x"),
        MediationError("x"),
        AgreementError("x"),
        AccountError("x", field="phone"),
        DirectoryError(["第一处", "第二处"]),
        UploadError("x"),
        CourtGatewayError("x"),
    ],
)
def test_every_error_base_is_a_service_error(error):
    assert isinstance(error, ServiceError) and error.status == 400
    assert error.message == str(error)


def test_the_old_shapes_still_hold():
    assert isinstance(UploadError("x"), ValueError)  # callers that catch ValueError still do
    assert DirectoryError(["a", "b"]).errors == ["a", "b"] and DirectoryError(["a", "b"]).message == "a\nb"
    assert AccountError("x", field="code").field == "code"


def test_field_error_goes_on_the_named_field():
    form = _form()
    with service_call(form) as call:
        raise ServiceError("名称已被占用", field="name")
    assert not call.ok and call.response is None
    assert form.errors == {"name": ["名称已被占用"]}


def test_field_can_be_forced_and_unknown_fields_become_non_field_errors():
    forced = _form()
    with service_call(forced, field="name"):
        raise CaseError("确认码错误")
    assert forced.errors == {"name": ["确认码错误"]}
    unknown = _form()
    with service_call(unknown):
        raise AccountError("不能办理", field="phone")
    assert unknown.non_field_errors() == ["不能办理"]


def test_non_field_error_and_nothing_raised():
    form = _form()
    with service_call(form) as call:
        raise MediationError("该调解已结束")
    assert form.non_field_errors() == ["该调解已结束"] and call.response is None
    with service_call(_form()) as fine:
        pass
    assert fine.ok and fine.error is None and fine.response is None


def test_without_a_form_the_message_is_flashed():
    request = _request()
    with service_call(request=request) as call:
        raise AgreementError("协议书已封存")
    assert not call.ok and call.response is None
    assert _flashed(request) == ["协议书已封存"]


def test_stale_error_answers_409():
    form = _form()
    with service_call(form) as call:
        raise StaleError("该案件刚被他人处理")
    assert call.response.status_code == 409
    assert call.response.content.decode() == "该案件刚被他人处理"
    assert form.non_field_errors() == ["该案件刚被他人处理"]  # if the view shows the form again


def test_forbidden_error_answers_403():
    with service_call() as call:
        raise ForbiddenError("只有承办人可以办理")
    assert call.response.status_code == 403
    assert call.response.content.decode() == "只有承办人可以办理"
    assert service_error_response(ForbiddenError("不行"), form=_form()).status_code == 403


def test_concurrent_transition_is_a_stale_write():
    assert isinstance(as_service_error(ConcurrentTransition()), StaleError)
    assert as_service_error(ValueError("x")) is None
    response = service_error_response(ConcurrentTransition())
    assert response.status_code == 409 and response.content.decode() == str(STALE_MESSAGE)
    with service_call(_form()) as call:
        raise ConcurrentTransition("row changed")
    assert call.response.status_code == 409


def test_concurrent_transition_with_on_stale_flashes_and_redirects():
    request = _request()
    asked = []

    def target():
        asked.append(True)
        return "/cases/1/"

    with service_call(_form(), request=request, on_stale=target, stale_message="该案件刚被他人处理") as call:
        raise ConcurrentTransition("row changed")
    assert call.response.status_code == 302 and call.response["Location"] == "/cases/1/"
    assert _flashed(request) == ["该案件刚被他人处理"] and asked == [True]
    with service_call(_form(), request=_request(), on_stale=target):
        pass
    assert asked == [True]  # the target is worked out only for a stale write


def test_other_exceptions_pass_through():
    with pytest.raises(KeyError), service_call(_form()):
        raise KeyError("x")
