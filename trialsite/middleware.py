"""Malformed requests are refused at the door, before any view or query sees them.

Hostile input once reached the database: a NUL byte in a study ID answered 500, because
PostgreSQL refuses a NUL in a string. A browser never sends such a request, so none of them
is a page of the trial:

- a path with a control character (NUL included) or bytes that are not UTF-8 names no page:
  404 (Django would otherwise keep the bad bytes as percent-escapes and go on);
- a query string or form body with a NUL, or with bytes that are not UTF-8 (a lone
  surrogate's encoding, say): 400, rather than Django's silent replacement by U+FFFD, which a
  free-text field would then save as data;
- a body that is not form data (JSON, say): 400; every page of the trial takes forms;
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413, before it is read.

No form of the trial uploads a file, so every body is text held to the memory limit; a form
that one day uploads files must bring its own rule here.
"""

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

PATH_NOT_FOUND = "No page has this address."
NOT_TEXT = "The request's parameters hold a NUL byte or bytes that are not UTF-8."
NOT_FORM_DATA = "The trial's pages take form data only."
BODY_TOO_LARGE = _("The submitted data is too large.")
URL_ENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
# C0 control characters and DEL: no URL of the trial has one.
_CONTROL = frozenset(chr(c) for c in (*range(0x20), 0x7F))


def _is_text(raw: bytes) -> bool:
    """UTF-8 without a NUL, which PostgreSQL cannot store in a string."""
    if b"\x00" in raw:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _unescaped(raw: bytes) -> bytes:
    """`a=1&b=%FF+c` as the bytes its names and values stand for."""
    return unquote_to_bytes(raw.replace(b"+", b" "))


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
        if not _is_text(unquote_to_bytes(path)) or _CONTROL.intersection(path):
            raise Http404(PATH_NOT_FOUND)
        if not _is_text(_unescaped(_meta_bytes(request, "QUERY_STRING"))):
            raise BadRequest(NOT_TEXT)
        length = _content_length(request)
        if length:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit:
                return HttpResponse(str(BODY_TOO_LARGE), status=413, content_type="text/plain")
            content_type = request.META.get("CONTENT_TYPE", "")
            if content_type.startswith(URL_ENCODED):
                body = _unescaped(request.body)
            elif content_type.startswith(MULTIPART):
                body = request.body
            else:
                raise BadRequest(NOT_FORM_DATA)
            if not _is_text(body):
                raise BadRequest(NOT_TEXT)
        return self.get_response(request)
