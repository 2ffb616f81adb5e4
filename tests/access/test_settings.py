"""Settings come from the environment; production refuses to run unsafely."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# What the test process's environment must not lend to the subprocesses it starts.
NOT_INHERITED = {"DATABASE_URL", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _clean_env(**env: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in NOT_INHERITED}, **env}


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.TIME_ZONE, "
    "s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER, s.USE_TZ)"
)


def test_settings_are_read_from_the_environment():
    result = _run(
        PRINT_SETTINGS,
        DJANGO_SETTINGS_MODULE="trialsite.settings.dev",
        DATABASE_URL="postgres://someone@db.example:5432/edc",
        TIME_ZONE="Europe/Paris",
        DEBUG="false",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SECRET_KEY="x" * 60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "edc",
        "Europe/Paris",
        "False",
        "False",
        "True",
    ]


def test_defaults_are_sqlite_in_var_the_sponsors_time_zone_and_in_process_tasks():
    result = _run(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE="trialsite.settings.dev", REDIS_URL="")
    assert result.returncode == 0, result.stderr
    engine, name, tz, _debug, eager, use_tz = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name.endswith("var/cs-edc.sqlite3")
    assert (tz, eager, use_tz) == ("Asia/Shanghai", "True", "True")


def test_production_refuses_to_start_without_a_secret_key():
    result = _run(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE="trialsite.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_debug_is_off_unless_asked_for():
    result = _run(
        PRINT_SETTINGS, DJANGO_SETTINGS_MODULE="trialsite.settings.production", SECRET_KEY="k" * 60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[3] == "False"


def test_production_keeps_database_connections_and_checks_them_before_use():
    """Kept for a minute, and tested before a request's first query (a dropped connection is
    then replaced, tests/quality/test_database_connection.py), and Redis with its fallback."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], s.CACHES['default']['BACKEND'])"
    )
    result = _run(
        code,
        DJANGO_SETTINGS_MODULE="trialsite.settings.production",
        SECRET_KEY="k" * 60,
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "True", "trialsite.cache.FallbackRedisCache"]


def test_production_sends_the_content_security_policy():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print('csp.middleware.CSPMiddleware' in s.MIDDLEWARE, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])"
    )
    result = _run(code, DJANGO_SETTINGS_MODULE="trialsite.settings.production", SECRET_KEY="k" * 60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True [\"'self'\"]"


def test_production_settings_pass_check_deploy_without_a_warning():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_clean_env(
            DJANGO_SETTINGS_MODULE="trialsite.settings.production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="edc.example.org",
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_development_key_is_generated_once_into_var(tmp_path, monkeypatch):
    from trialsite.settings import dev

    monkeypatch.setattr(dev, "VAR_DIR", tmp_path)
    first = dev._dev_secret_key()
    assert len(first) >= 50
    assert dev._dev_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
