"""`/health/`: whether this web process can serve, for the container's health check and a
load balancer's probe.

It answers 200 `ok` when the database answers `SELECT 1`, 503 otherwise, to anyone: no login,
no session (nothing is written or set as a cookie), no transaction (ATOMIC_REQUESTS would wrap
the probe in BEGIN/COMMIT for nothing), one query. Production exempts it from the HTTPS
redirect (SECURE_REDIRECT_EXEMPT), so a proxy can probe each web container over plain HTTP.
"""

import logging

from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Read by machines, not people: not translated.
HEALTHY = "ok"
DATABASE_DOWN = "database unavailable"


@require_safe
@never_cache
@transaction.non_atomic_requests
def health(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database does not answer", exc_info=True)
        return HttpResponse(DATABASE_DOWN, status=503, content_type="text/plain")
    return HttpResponse(HEALTHY, content_type="text/plain")
