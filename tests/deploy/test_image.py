"""The image, built without Docker: its file list, its packages, and the project installed as
the Dockerfile installs it passing `check --deploy`.

Docker does not run where the suite runs. So the build context is made the way `docker build`
makes it (.dockerignore), every path the Dockerfile copies must be in it, and the project is
installed with `pip install .` from the files copied before that step into a clean virtualenv
of the image's Python; then the build's own steps (compilemessages, collectstatic) and
`manage.py check --deploy` run there with production-like settings. A dependency, a file or a
setting that the image would miss fails here rather than on the first deploy.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.deploy.buildfiles import (
    DOCKERFILE,
    ROOT,
    apt_packages,
    build_context,
    copies,
    dockerfile_instructions,
    dockerignore,
    make_variable,
)

# Build tools: in the build stage only, not the runtime image.
BUILD_ONLY_PACKAGES = {"gettext"}
# Dummy values shaped like production's (none of them reaches a server: `check` opens no
# connection).
PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "trialsite.settings.production",
    "SECRET_KEY": "kZ3f9Q-a-production-like-secret-key-of-sixty-characters-x7Lw2",
    "ALLOWED_HOSTS": "edc.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://edc.example.org",
    "DATABASE_URL": "postgres://edc:pw@db.invalid:5432/edc",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "EMAIL_URL": "smtp+tls://edc:pw@mail.invalid:587",
}


@pytest.fixture(scope="module")
def instructions():
    return dockerfile_instructions(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def context() -> set[str]:
    return set(build_context())


def stages(instructions) -> int:
    return max(i.stage for i in instructions) + 1


def python_minor(instructions) -> str:
    """The `X.Y` of the image's `FROM python:X.Y-...` (every stage the same)."""
    versions = {
        re.match(r"python:(\d+\.\d+)", i.arguments.split()[0]).group(1)
        for i in instructions
        if i.keyword == "FROM"
    }
    assert len(versions) == 1, f"the stages use different Pythons: {versions}"
    return versions.pop()


def in_context(source: str, context: set[str]) -> bool:
    source = os.path.normpath(source)
    return source == "." or source in context or any(p.startswith(source + "/") for p in context)


def test_the_dockerignore_rules_read_as_docker_reads_them():
    from tests.deploy.buildfiles import DockerIgnore

    rules = DockerIgnore("var\n**/__pycache__\n*.egg-info\ndocs/*.md\n!docs/keep.md\n")
    assert rules.excludes("var/staticfiles/app.css")
    assert rules.excludes("access/__pycache__/models.cpython-311.pyc")
    assert rules.excludes("__pycache__/x.pyc")
    assert rules.excludes("cs_edc.egg-info/PKG-INFO")
    assert rules.excludes("docs/notes.md") and not rules.excludes("docs/keep.md")
    assert not rules.excludes("access/models.py") and not rules.excludes("variant.py")


def test_every_path_the_dockerfile_copies_is_in_the_build_context(instructions, context):
    sources = [s for c in copies(instructions) if c.from_stage is None for s in c.sources]
    assert sources, "the Dockerfile copies nothing"
    missing = [s for s in sources if not (ROOT / s).exists()]
    excluded = [s for s in sources if (ROOT / s).exists() and not in_context(s, context)]
    assert (missing, excluded) == ([], [])


def test_the_context_holds_the_code_and_no_secret(context):
    """Every project app and directory the settings name (templates, static files, the
    translations once they exist) is in the image; .env, the virtualenv and git are not."""
    needed = ["manage.py", "pyproject.toml", "bin/healthcheck.py"]
    needed += [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()]
    directories = [*settings.STATICFILES_DIRS, *settings.LOCALE_PATHS]
    directories += [d for template in settings.TEMPLATES for d in template["DIRS"]]
    needed += [str(Path(d).relative_to(ROOT)) for d in directories if Path(d).is_dir()]
    assert [path for path in needed if not in_context(path, context)] == []
    ignore = dockerignore()
    assert all(ignore.excludes(p) for p in (".env", ".venv/bin/python", ".git/HEAD"))


def test_the_image_installs_the_makefiles_runtime_packages(instructions):
    """The Makefile's RUNTIME_PACKAGES (what the features need from Debian) are the image's:
    the build tools in the build stage, the rest in the image that runs."""
    wanted = set(make_variable("RUNTIME_PACKAGES"))
    last = stages(instructions) - 1
    runtime = set().union(*(apt_packages(i) for i in instructions if i.stage == last))
    build = set().union(*(apt_packages(i) for i in instructions if i.stage < last))
    assert wanted - BUILD_ONLY_PACKAGES <= runtime
    assert BUILD_ONLY_PACKAGES & wanted <= (build if last else runtime)
    if last:
        assert not BUILD_ONLY_PACKAGES & runtime, "the runtime image needs no build tools"


def test_the_image_compiles_translations_collects_static_and_runs_unprivileged(instructions):
    runs = " ".join(i.arguments for i in instructions if i.keyword == "RUN")
    assert "compilemessages" in runs and "collectstatic" in runs
    last = stages(instructions) - 1
    users = [i.arguments for i in instructions if i.keyword == "USER" and i.stage == last]
    assert users and users[-1] not in {"root", "0"}
    assert any(i.keyword == "HEALTHCHECK" and i.stage == last for i in instructions)
    assert f"DJANGO_SETTINGS_MODULE={PRODUCTION_ENVIRONMENT['DJANGO_SETTINGS_MODULE']}" in " ".join(
        i.arguments for i in instructions if i.keyword == "ENV" and i.stage == last
    )


def files_before_pip_install(instructions) -> list[str]:
    """What the build stage has copied when it runs `pip install .`."""
    copied: list[str] = []
    for instruction in instructions:
        if instruction.stage != 0:
            break
        if instruction.keyword in {"COPY", "ADD"}:
            copied += [s for c in copies([instruction]) for s in c.sources]
        if instruction.keyword == "RUN" and re.search(
            r"pip install [^&;]*\s\.(\s|$)", instruction.arguments
        ):
            return copied
    pytest.fail("the build stage runs no `pip install .`")


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 - fixed command lines
        command, capture_output=True, text=True, timeout=300, check=False, **kwargs
    )
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_pip_install_in_a_clean_virtualenv_passes_check_deploy(instructions, context, tmp_path):
    minor = python_minor(instructions)
    python = shutil.which(f"python{minor}")
    if python is None:
        pytest.fail(f"the image runs Python {minor}: install python{minor} to check it")
    # The files as the image has them: the build context, copied.
    app = tmp_path / "app"
    for path in context:
        (app / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, app / path)
    # The dependency layer: `pip install .` from only what was copied before it.
    early = tmp_path / "early"
    for source in files_before_pip_install(instructions):
        (early / source).parent.mkdir(parents=True, exist_ok=True)
        if (app / source).is_dir():
            shutil.copytree(app / source, early / source, dirs_exist_ok=True)
        else:
            shutil.copy2(app / source, early / source)
    # A virtualenv with nothing in it; this suite's pip installs into it (--python), with its
    # cache, and no byte-compiling: the check needs neither a pip of its own nor .pyc files.
    venv = tmp_path / "venv"
    run([python, "-m", "venv", "--without-pip", str(venv)])
    target = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(target), "install", "--quiet"]
    run([*pip, "--no-compile", str(early)], cwd=tmp_path)
    version = run([str(target), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
    assert version.stdout.strip() == minor

    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        **PRODUCTION_ENVIRONMENT,
    }
    manage = [str(target), "manage.py"]
    if (app / "locale").is_dir():
        run([*manage, "compilemessages"], cwd=app, env=environment)
    run([*manage, "collectstatic", "--noinput", "--verbosity", "0"], cwd=app, env=environment)
    # Any warning fails; the justified ones are silenced in the settings, with their reason
    # (SILENCED_SYSTEM_CHECKS).
    check = run([*manage, "check", "--deploy", "--fail-level", "WARNING"], cwd=app, env=environment)
    assert "no issues" in check.stdout
