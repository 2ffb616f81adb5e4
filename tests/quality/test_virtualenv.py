"""The virtualenv's own tools are not left at the versions `python -m venv` seeded.

`make install` upgrades pip, setuptools and wheel with the project's dependencies. Each floor
is the release that fixed a known vulnerability of the tool.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

FLOORS = {
    "setuptools": (78, 1, 1),  # CVE-2022-40897 (65.5.1), CVE-2025-47273 (78.1.1)
    "pip": (25, 3),  # CVE-2023-5752 (23.3), CVE-2025-8869 (25.3)
    "wheel": (0, 38, 1),  # CVE-2022-40898
}


def _release(version: str) -> tuple[int, ...]:
    """(78, 1, 1) of "78.1.1" or "78.1.1.post1": the leading numeric parts."""
    parts = []
    for part in version.split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def installed_versions(python: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m\n"
        f"for name in {sorted(FLOORS)!r}:\n"
        "    try:\n"
        "        print(name, m.version(name))\n"
        "    except m.PackageNotFoundError:\n"
        "        print(name, 'absent')\n"
    )
    result = subprocess.run(  # noqa: S603 - a fixed command line, no user input
        [str(python), "-I", "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return dict(line.split(" ", 1) for line in result.stdout.splitlines())


def test_release_reads_the_numeric_parts():
    assert _release("78.1.1") == (78, 1, 1)
    assert _release("65.5.0") < FLOORS["setuptools"] <= _release("80.9.0")
    assert _release("26.0.post1") == (26, 0)


@pytest.mark.parametrize("tool", sorted(FLOORS))
def test_the_virtualenv_tool_is_past_its_known_vulnerabilities(tool):
    python = VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)
    version = installed_versions(python)[tool]
    assert _release(version) >= FLOORS[tool], f"{tool} {version} in {python}: run `make install`"
