"""Malformed requests are refused at the door, before any view or query sees them.

Hostile input once reached the database: a NUL byte in a study ID answered 500, because
PostgreSQL refuses a NUL in a string. A browser never sends such a request, so none of them
is a page of the trial:

- a path with a control character (NUL included) or bytes that are not UTF-8 names no page:
  404 (Django would otherwise keep the bad bytes as percent-escapes and go on);
- a query string or form body whose values are not UTF-8 (a lone surrogate's encoding, say):
  400, rather than Django's silent replacement by U+FFFD, which could be saved as data;
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413, before it is read.
"""

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

PATH_NOT_FOUND = "No page has this address."
NOT_UTF8 = "The request's parameters are not valid UTF-8."
BODY_TOO_LARGE = _("The submitted data is too large.")
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MULTIPART_CONTENT_TYPE = "multipart/form-data"
# C0 control characters and DEL: no URL of the trial has one.
_CONTROL = frozenset(chr(c) for c in (*range(0x20), 0x7F))


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _url_encoded_is_utf8(raw: bytes) -> bool:
    """Whether every name and value of `a=1&b=2` decodes as UTF-8 once unescaped."""
    return _is_utf8(raw) and _is_utf8(unquote_to_bytes(raw.replace(b"+", b" ")))


def _meta_bytes(request: HttpRequest, key: str) -> bytes:
    """A CGI variable as the client sent it. WSGI hands bytes over decoded as ISO-8859-1,
    which this undoes; an ASGI server has already decoded them as UTF-8."""
    value = str(request.META.get(key, ""))
    try:
        return value.encode("iso-8859-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class MalformedRequestMiddleware:
    """Refuses what no browser sends; sits right after SecurityMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        # Django keeps a path's bytes that are not UTF-8 as percent-escapes (and no URL of the
        # trial has a percent sign).
        if not _is_utf8(unquote_to_bytes(path)) or _CONTROL.intersection(path):
            raise Http404(PATH_NOT_FOUND)
        if not _url_encoded_is_utf8(_meta_bytes(request, "QUERY_STRING")):
            raise BadRequest(NOT_UTF8)
        content_type = request.META.get("CONTENT_TYPE", "")
        # Multipart bodies may carry files, which Django streams to disk and which the memory
        # limit does not count; their other fields are held to it by Django's own parser.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if (
            limit is not None
            and not content_type.startswith(MULTIPART_CONTENT_TYPE)
            and _content_length(request) > limit
        ):
            return HttpResponse(str(BODY_TOO_LARGE), status=413, content_type="text/plain")
        if content_type.startswith(FORM_CONTENT_TYPE) and not _url_encoded_is_utf8(request.body):
            raise BadRequest(NOT_UTF8)
        return self.get_response(request)
