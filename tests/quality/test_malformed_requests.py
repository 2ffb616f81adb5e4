"""trialsite.middleware.MalformedRequestMiddleware, request by request: no database."""

import pytest
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from trialsite.middleware import (
    BODY_TOO_LARGE,
    NOT_FORM_DATA,
    NOT_TEXT,
    PATH_NOT_FOUND,
    MalformedRequestMiddleware,
)

rf = RequestFactory()
door = MalformedRequestMiddleware(lambda request: HttpResponse("the page"))
FORM = "application/x-www-form-urlencoded"


def test_it_lets_an_ordinary_form_through():
    request = rf.post("/enrollment/screenings/new/", "name=Li+M%C3%A9i&age=52", content_type=FORM)
    assert door(request).content == b"the page"
    assert request.POST["name"] == "Li Méi"
    assert door(rf.get("/enrollment/participants/", {"q": "李", "page": "2"})).status_code == 200


@pytest.mark.parametrize(
    "path", ["/enrollment/participants/%00/", "/a%01b/", "/x/%7F/", "/%FF%FE/", "/%ED%B3%80/"]
)
def test_it_refuses_a_path_with_a_control_character_or_bytes_that_are_not_utf8(path):
    with pytest.raises(Http404, match=PATH_NOT_FOUND):
        door(rf.get(path))


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "%00=1", "q=%FF", "q=%ED%B3%80", "q=%E6%97"])
def test_it_refuses_a_query_string_with_a_nul_or_bytes_that_are_not_utf8(query):
    with pytest.raises(BadRequest, match=NOT_TEXT):
        door(rf.get(f"/enrollment/participants/?{query}"))


@pytest.mark.parametrize("body", [b"reason=%00", b"reason=%FF", b"reason=\xff", b"a=1&b=%ED%B3%80"])
def test_it_refuses_a_form_body_with_a_nul_or_bytes_that_are_not_utf8(body):
    with pytest.raises(BadRequest, match=NOT_TEXT):
        door(rf.generic("POST", "/", body, content_type=FORM))


def test_it_refuses_a_multipart_body_with_bytes_that_are_not_utf8():
    body = b'--b\r\nContent-Disposition: form-data; name="reason"\r\n\r\n\xed\xb3\x80\r\n--b--\r\n'
    request = rf.generic("POST", "/", body, content_type="multipart/form-data; boundary=b")
    with pytest.raises(BadRequest, match=NOT_TEXT):
        door(request)


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/xml"])
def test_it_refuses_a_body_that_is_not_form_data(content_type):
    with pytest.raises(BadRequest, match=NOT_FORM_DATA):
        door(rf.generic("POST", "/", b'{"reason": "x"}', content_type=content_type))


def test_an_empty_post_is_not_a_body_to_judge():
    assert door(rf.generic("POST", "/", b"", content_type="application/json")).status_code == 200


def test_it_answers_413_to_a_body_over_the_limit_without_reading_it(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    request = rf.generic("POST", "/", b"a=" + b"x" * 1_000, content_type=FORM)
    response = door(request)
    assert response.status_code == 413
    assert response.content.decode() == str(BODY_TOO_LARGE)
    assert not hasattr(request, "_body")
