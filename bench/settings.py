"""Settings for the load benchmark: production's, plus the no-database floor view (bench.urls).

Run by bench/run_load.sh with SECRET_KEY, SECURE_SSL_REDIRECT=false (plain HTTP on loopback;
the client says X-Forwarded-Proto: https, as the TLS proxy in front would) and DEBUG off.
"""

from trialsite.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Only the benchmark's own requests: no per-request console log line to slow the workers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
