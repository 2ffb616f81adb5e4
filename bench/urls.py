"""The project's URLs and one more: a view that touches no database, the benchmark's floor.

It runs through the whole middleware stack and gunicorn, so a page's time over the floor's is
what the page itself costs. Requested without a session cookie: a logged-in request reads
its session (and renews it once a minute), which is database work.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from trialsite.urls import urlpatterns as project_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *project_urlpatterns]
