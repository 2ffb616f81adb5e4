"""Settings shared by every environment; values come from the environment (12-factor).

Environment variables (all optional in development):
  DATABASE_URL   default: SQLite file var/cs-edc.sqlite3
  REDIS_URL      Celery broker; without it tasks run in-process (eager)
  SECRET_KEY     required in production; generated into var/ for development
  DEBUG          off unless set
  TIME_ZONE      default Asia/Shanghai, the sponsor's
  ALLOWED_HOSTS  comma-separated
  EMAIL_URL      e.g. smtp://user:pass@host:587 ; default: console backend
  REMINDER_HOUR  hour of the daily follow-up reminder scan, 0-23; default 7
  SAFETY_CONTACT_EMAILS  comma-separated: the trial's safety contacts (the sponsor's
                 pharmacovigilance desk), e-mailed at once of every serious adverse event
  REPORTS_REFRESH_SECONDS, REPORTS_CACHE_SECONDS  how often the reports page's figures are
                 recomputed (default 300), and how old they may be when shown (900)
"""

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets the classes that django-stubs makes generic (ModelAdmin[Site], ModelForm[Visit]) be
# subscripted at run time as well as by mypy.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "access",
    "accounts",
    "audit",
    "enrollment",
    "assessments",
    "arms",
    "followup",
    "safety",
    "dataquality",
    "notifications",
    "exports",
    "reports",
    "scaledata",
    "workflow",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the middleware that refuses malformed requests, so that its answers carry the
    # policy too.
    "csp.middleware.CSPMiddleware",
    # A path, query or form body that no browser sends is refused before anything reads it.
    "trialsite.middleware.MalformedRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the second factor (django-otp); a user
    # who must pass it and has not is sent to it, and can do nothing else meanwhile.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "access.middleware.SessionRenewalMiddleware",
    # The logged-in user's chosen language over the browser's (LocaleMiddleware's choice).
    "access.languages.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes wants to be last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp), in every environment so that the browser tests see it:
# scripts, styles, fonts and requests from this site only, no inline script or style, no eval,
# no plugin, no framing, forms posted here only. Bootstrap's CSS draws its icons (the menu
# button, select arrows, check marks) as data: SVG images. A template that one day needs an
# inline script gets a nonce ({{ request.csp_nonce }}, with csp.constants.NONCE in script-src),
# not 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # The one style attribute of a page here: simple-history's admin history list has
        # <p class="paginator" style="border-top: 0">. Allowed by its hash, nothing else.
        "style-src-attr": [UNSAFE_HASHES, "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

ROOT_URLCONF = "trialsite.urls"
WSGI_APPLICATION = "trialsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "access.context_processors.navigation",
                "notifications.context_processors.bell",
                "dataquality.context_processors.open_queries",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'cs-edc.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Persistent connections: a web process keeps its connection for a minute instead of opening
# one per request; each is checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "access.User"
AUTHENTICATION_BACKENDS = [
    # Axes first, so that a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A reset link works once (Django's token changes with the password) and for an hour; an
# invitation's set-password link for three days (accounts.tokens).
PASSWORD_RESET_TIMEOUT = 60 * 60
INVITATION_TIMEOUT = 3 * 24 * 60 * 60
# The authenticator app shows the trial's name beside the account (django-otp).
OTP_TOTP_ISSUER = "CS-EDC"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account after five failed logins in a row, for 30 minutes (or until an admin resets it).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks to lock by IP address too. Hospital staff share a few NAT addresses, so one
# person's typos would lock a whole site out; the lockout is per account, deliberately.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Log off after 30 minutes without a request: a request renews the session, at most once a
# minute (access.middleware.SessionRenewalMiddleware), not with a write on every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# ISO dates (2026-12-01) and 24-hour times in every language (trialsite/formats).
FORMAT_MODULE_PATH = ["trialsite.formats"]
USE_I18N = True
USE_TZ = True  # stored in UTC, shown in TIME_ZONE
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="cs-edc@localhost")
# The trial's safety contacts: e-mailed (through the outbox) of each serious adverse event at
# once, beside the site's investigators (access.roles: Action.RECEIVE_SAE_ALERTS).
SAFETY_CONTACT_EMAILS = env.list("SAFETY_CONTACT_EMAILS", default=[])
# A mail server that accepts the connection and then says nothing must not hold the outbox's
# worker for ever (Django's default is no timeout); the message is retried later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Celery: Redis when configured; otherwise tasks run in the calling process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

# The files of the long exports (exports.jobs): kept for OUTPUT_JOB_HOURS, then removed by the
# beat's cleanup task.
OUTPUT_DIR = Path(env.str("OUTPUT_DIR", default=str(VAR_DIR / "outputs")))
OUTPUT_JOB_HOURS = env.int("OUTPUT_JOB_HOURS", default=24)


def redis_cache(url: str) -> dict[str, str]:
    """The cache shared by every web process through Redis; while Redis is away, each process
    falls back to its own memory (trialsite.cache), so an outage costs time, not pages."""
    return {"BACKEND": "trialsite.cache.FallbackRedisCache", "LOCATION": url}


# The cache, shared by every web process through Redis when configured (each process its own
# memory otherwise). It holds only recomputable figures: the reports page.
CACHES = {
    "default": redis_cache(REDIS_URL)
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# The reports page's figures (reports.figures): recomputed by the beat every
# REPORTS_REFRESH_SECONDS; on a page view when older than REPORTS_CACHE_SECONDS.
REPORTS_REFRESH_SECONDS = env.int("REPORTS_REFRESH_SECONDS", default=300)
REPORTS_CACHE_SECONDS = env.int("REPORTS_CACHE_SECONDS", default=900)


def _hour(name: str, default: int) -> int:
    """An hour of the day from the environment; refuses anything but 0..23."""
    value: int = env.int(name, default=default)
    if not 0 <= value <= 23:
        raise ImproperlyConfigured(f"{name} must be an hour from 0 to 23, not {value}.")
    return value


# Follow-up reminders: one scan a day at REMINDER_HOUR (CELERY_TIMEZONE); each site is scanned
# for its own calendar day. A missed day is caught up by the next scan.
REMINDER_HOUR = _hour("REMINDER_HOUR", 7)
CELERY_BEAT_SCHEDULE = {
    # The long exports' files are kept for OUTPUT_JOB_HOURS (exports.jobs).
    "remove-expired-outputs": {
        "task": "exports.tasks.remove_expired_outputs_task",
        "schedule": timedelta(hours=1),
    },
    "send-due-reminders": {
        "task": "followup.tasks.send_due_reminders_task",
        "schedule": crontab(hour=REMINDER_HOUR, minute=0),
    },
    "run-automatic-checks": {
        "task": "dataquality.tasks.run_automatic_checks_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # The outbox (notifications.services): every e-mail the app must send. Polled, so a message
    # enqueued while the broker was down is sent once it is back. A tick that waited longer than
    # the next one (no worker was up) is dropped rather than run late.
    "deliver-outbox": {
        "task": "notifications.tasks.deliver_outbox_task",
        "schedule": timedelta(seconds=60),
        "options": {"expires": 55},
    },
    "refresh-report-figures": {
        "task": "reports.tasks.refresh_figures_task",
        "schedule": timedelta(seconds=REPORTS_REFRESH_SECONDS),
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# WeasyPrint logs every layout step of every page at INFO (a casebook is dozens of lines).
LIBRARY_LOGGERS = {
    "weasyprint": {"level": "WARNING"},
    "weasyprint.progress": {"level": "WARNING"},
    "fontTools": {"level": "WARNING"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": LIBRARY_LOGGERS,
}
