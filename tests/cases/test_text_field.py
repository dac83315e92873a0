"""The shared text field (issue #19 item 9): bounded, and invisible characters are not content."""

import pytest
from django import forms

from cases.forms import TEXT_MAX, DateField, DateTimeField, TextField, text_field


class Form(forms.Form):
    required_text = text_field("说明", message="请填写说明。")
    optional_text = TextField(label="备注", required=False)


@pytest.mark.parametrize(
    "invisible",
    ["\u200b\u200b", "\u200c\u200d", "\u2060", "\ufeff", " \u200b \n\u200d ", "\x01\x02", "\u200b\x0b"],
)
def test_only_invisible_characters_count_as_empty(invisible):
    form = Form({"required_text": invisible})
    assert not form.is_valid()
    assert form.errors["required_text"] == ["请填写说明。"]


def test_visible_text_keeps_its_newlines_and_loses_zero_width_and_control_characters():
    form = Form({"required_text": "\u200b第一行\r\n第二\x07行\u2060\u200d", "optional_text": "\ufeff"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["required_text"] == "第一行\r\n第二行"
    assert form.cleaned_data["optional_text"] == ""


def test_every_text_field_has_a_maximum_with_a_chinese_error():
    form = Form({"required_text": "字" * (TEXT_MAX + 1), "optional_text": "x" * 500_000})
    assert not form.is_valid()
    assert "内容过长：最多 2000 个字" in form.errors["optional_text"][0]
    assert "内容过长" in form.errors["required_text"][0]


class DatesForm(forms.Form):
    day = DateField(required=False)
    moment = DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"day": "9999-12-31"}, "day"),
        ({"day": "0001-01-01"}, "day"),
        ({"day": "1999-12-31"}, "day"),
        ({"moment": "0001-01-01T00:00"}, "moment"),
        ({"moment": "9999-12-31T23:59"}, "moment"),
    ],
)
def test_dates_beyond_the_horizon_are_refused_with_a_clear_error(data, field):
    form = DatesForm(data)
    assert not form.is_valid()
    assert "日期超出可受理的范围，请填写 2000 年至 2100 年之间的日期" in form.errors[field][0]


def test_dates_inside_the_horizon_pass():
    form = DatesForm({"day": "2026-12-07", "moment": "2100-12-31T23:59"})
    assert form.is_valid(), form.errors


def test_the_case_search_with_year_9999_is_a_clear_error(client, user):
    client.force_login(user("gm_dispatch"))
    response = client.get("/cases/", {"created_from": "9999-12-31", "created_to": "9999-12-31"})
    assert response.status_code in (200, 400)
    assert "日期超出可受理的范围" in response.content.decode()
