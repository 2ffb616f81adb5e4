"""`.env.example` lists exactly the settings of the README's configuration table, and that
table names every variable the settings read from the environment; the required ones are
left empty there, so that docker compose refuses to start until they are filled in."""

import json
import re
import subprocess
import sys

from tests.deploy.buildfiles import (
    ROOT,
    env_example_variables,
    readme_configuration_variables,
)

# Records every variable django-environ is asked for while the settings modules load.
RECORD_ENVIRONMENT_READS = """
import importlib, json, os, sys
import environ
read = set()
get_value = environ.Env.get_value
def recording(self, var, *args, **kwargs):
    read.add(var)
    return get_value(self, var, *args, **kwargs)
environ.Env.get_value = recording
os.environ["SECRET_KEY"] = "a-secret-key-for-loading-the-settings-only-0123456789"
for module in ("production", "dev", "test"):
    importlib.import_module(f"trialsite.settings.{module}")
print(json.dumps(sorted(read)))
"""


def test_env_example_lists_every_setting_of_the_readme_table_and_no_other():
    readme = readme_configuration_variables()
    assert len(readme) == len(set(readme)), "a variable appears twice in the README table"
    assert set(env_example_variables()) == set(readme)


def test_the_readme_table_names_every_variable_the_settings_read():
    result = subprocess.run(  # noqa: S603 - a fixed command line
        [sys.executable, "-c", RECORD_ENVIRONMENT_READS],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    read = set(json.loads(result.stdout))
    assert read, "no setting read from the environment: the recorder missed them"
    for module in (ROOT / "trialsite" / "settings").glob("*.py"):
        read |= set(
            re.findall(r"os\.environ(?:\.get\(|\[)\s*[\"']([A-Z][A-Z0-9_]*)", module.read_text())
        )
    assert read - set(readme_configuration_variables()) == set(), "add them to README's table"


def test_the_required_settings_are_left_empty_to_be_filled_in():
    text = (ROOT / ".env.example").read_text()
    for name, is_set in env_example_variables().items():
        if is_set:
            assert f"\n{name}=\n" in text, f"{name}: a placeholder would pass compose's check"
