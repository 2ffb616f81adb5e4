#!/usr/bin/env python3
"""The web container's health check: GET /health/ from this container's gunicorn.

Standard library only, no Django: it runs every few seconds. The request is the one the TLS
proxy forwards (a Host that ALLOWED_HOSTS accepts, X-Forwarded-Proto: https), since production
refuses any other host and sends plain HTTP to HTTPS. Exit 0 when the page answers 200 (the
database answered), 1 otherwise (docker's "unhealthy").
"""

import os
import sys
import urllib.error
import urllib.request

URL = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/health/")
TIMEOUT_SECONDS = 5


def host_header(allowed_hosts: str) -> str:
    """The first concrete name of ALLOWED_HOSTS (`.example.org` allows `example.org`)."""
    for host in allowed_hosts.split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    if not URL.startswith(("http://", "https://")):
        print(f"unhealthy: HEALTHCHECK_URL is not an HTTP address: {URL}", file=sys.stderr)
        return 1
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        URL,
        headers={
            "Host": host_header(os.environ.get("ALLOWED_HOSTS", "")),
            "X-Forwarded-Proto": "https",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {URL} answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
