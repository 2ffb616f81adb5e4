"""docker-compose.yml is valid Compose and starts its services in order.

No Docker engine runs where the suite runs, so this is the only check the file gets: against
the Compose specification's JSON schema (vendored, tests/deploy/compose_spec/README.md), and
for the start order that keeps every process built from the image off tables the migrations
have not made yet: migrate completes before any of them starts; web has a health check that
touches the database; the Celery processes start once web is healthy.
"""

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.deploy.buildfiles import COMPOSE_FILE, ROOT, env_example_variables

SCHEMA = Path(__file__).parent / "compose_spec" / "compose-spec.json"
SCHEMA_SHA256 = "1f91e091f16b2dd50ab8860e02bb391d22df553d91c145eacedb1b6eff9c3f0e"
MIGRATE = "migrate"
WEB = "web"
# What production cannot start without (trialsite/settings/production.py, README "Deploying").
REQUIRED = {"SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "EMAIL_URL", "POSTGRES_PASSWORD"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


def built_from_the_image(services) -> dict[str, dict[str, Any]]:
    return {name: service for name, service in services.items() if "build" in service}


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """service name -> condition (a list form means service_started)."""
    dependencies = service.get("depends_on", {})
    if isinstance(dependencies, list):
        return dict.fromkeys(dependencies, "service_started")
    return {name: spec["condition"] for name, spec in dependencies.items()}


def has_healthcheck(service: dict[str, Any]) -> bool:
    check = service.get("healthcheck", {})
    return bool(check.get("test")) and not check.get("disable", False)


def test_the_vendored_schema_is_the_named_one():
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256


def validator() -> jsonschema.Draft7Validator:
    """The schema says draft-07, as `https://json-schema.org/draft-07/schema` (without the
    `#` that jsonschema looks the draft up by)."""
    schema = json.loads(SCHEMA.read_text())
    assert "draft-07" in schema["$schema"]
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_the_compose_file_is_valid_against_the_compose_specification(compose):
    errors = sorted(
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator().iter_errors(compose)
    )
    assert errors == []


def test_the_schema_check_catches_an_invalid_file(compose):
    """The check is not vacuous: the schema refuses what Compose would refuse."""
    broken = {**compose, "services": {**compose["services"], WEB: {"depends_on": 3}}}
    assert not validator().is_valid(broken)
    misspelt = {**compose, "services": {**compose["services"], WEB: {"buidl": "."}}}
    assert not validator().is_valid(misspelt)


def test_migrate_is_a_one_shot_that_runs_the_migrations_after_the_database(services):
    migrate = services[MIGRATE]
    assert "build" in migrate
    assert "manage.py migrate" in migrate["command"]
    # The analysis export is the stored rows: an upgrade of the rules recomputes them first.
    command = migrate["command"]
    assert command.index("manage.py migrate") < command.index("manage.py recompute_derived --stale")
    assert migrate.get("restart") == "no", "a one-shot that restarts never completes"
    assert depends_on(migrate).get("db") == "service_healthy"


def test_every_service_built_from_the_image_waits_for_the_migrations(services):
    waiting = {
        name: depends_on(service).get(MIGRATE)
        for name, service in built_from_the_image(services).items()
        if name != MIGRATE
    }
    assert waiting, "no service is built from the image"
    assert waiting == dict.fromkeys(waiting, "service_completed_successfully")


def test_web_has_a_health_check_through_the_database(services):
    web = services[WEB]
    assert has_healthcheck(web)
    probe = " ".join(web["healthcheck"]["test"])
    assert "bin/healthcheck.py" in probe  # GET /health/, which runs SELECT 1
    assert (ROOT / "bin" / "healthcheck.py").exists()


def test_the_celery_processes_start_once_web_is_healthy(services):
    celery = {
        name: service
        for name, service in built_from_the_image(services).items()
        if str(service.get("command", "")).startswith("celery")
    }
    assert {"worker", "beat"} <= set(celery)
    for name, service in celery.items():
        assert depends_on(service).get(WEB) == "service_healthy", name


def test_only_web_runs_the_images_http_health_check(services):
    """The image's HEALTHCHECK probes gunicorn: on the worker, beat or migrate it would mark
    a working container unhealthy."""
    for name, service in built_from_the_image(services).items():
        if name != WEB:
            assert service.get("healthcheck", {}).get("disable") is True, name


def test_every_wait_for_health_has_a_health_check_to_wait_for(services):
    for name, service in services.items():
        for dependency, condition in depends_on(service).items():
            assert dependency in services, f"{name} waits for an unknown {dependency}"
            if condition == "service_healthy":
                assert has_healthcheck(services[dependency]), f"{name} -> {dependency}"


def test_the_start_order_has_no_cycle(services):
    order: list[str] = []
    remaining = {name: set(depends_on(service)) for name, service in services.items()}
    while remaining:
        ready = sorted(name for name, needs in remaining.items() if needs <= set(order))
        assert ready, f"a dependency cycle among {sorted(remaining)}"
        order += ready
        for name in ready:
            del remaining[name]
    assert order.index(MIGRATE) < order.index(WEB) < order.index("worker")


def test_the_image_services_read_dot_env(services):
    for name, service in built_from_the_image(services).items():
        env_file = service.get("env_file")
        assert env_file == ".env" or ".env" in (env_file or []), name


def test_a_missing_required_value_stops_compose_with_a_message():
    """`${VAR:?message}`: Compose refuses to start and prints the message."""
    text = COMPOSE_FILE.read_text()
    required = dict(re.findall(r"\$\{([A-Z][A-Z0-9_]*):\?([^}]*)\}", text))
    assert set(required) >= REQUIRED
    for name, message in required.items():
        assert name in message and ".env" in message, f"{name}: say what to set, and where"


def test_every_variable_the_compose_file_reads_is_in_env_example():
    text = COMPOSE_FILE.read_text()
    read = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    assert read - set(env_example_variables()) == set()
