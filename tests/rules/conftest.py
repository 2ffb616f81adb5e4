"""Helpers for the tests of the protocol rules core: no database, no Django settings."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# The five modules of the rules core and the packages they live in.
RULE_MODULES = (
    "enrollment.eligibility",
    "assessments.recist",
    "arms.rules",
    "followup.schedule",
    "followup.endpoints",
)
CORE_PACKAGES = frozenset(name.split(".")[0] for name in RULE_MODULES) | {
    "trialcalendar",
    "ruleviolation",
}


def top_level_modules_loaded_by(*modules: str) -> set[str]:
    """Import `modules` in a fresh interpreter without site-packages (`-I -S`) and return the
    top-level names of every module then loaded. A third-party import fails there outright."""
    code = (
        "import importlib, json, sys\n"
        f"sys.path.insert(0, {str(REPO_ROOT)!r})\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run(  # noqa: S603 - a fixed command line, no user input
        [sys.executable, "-I", "-S", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def _assert_standard_library_only(*modules: str) -> None:
    loaded = top_level_modules_loaded_by(*modules)
    assert "django" not in loaded
    standard = set(sys.stdlib_module_names) | set(sys.builtin_module_names) | {"__main__"}
    foreign = loaded - standard - CORE_PACKAGES
    assert foreign == set(), f"{modules} load modules outside the standard library: {foreign}"


@pytest.fixture
def assert_standard_library_only() -> Callable[..., None]:
    """`assert_standard_library_only("arms.rules")`: the module imports nothing but the standard
    library and the rules core, and so never Django."""
    return _assert_standard_library_only
