"""Reading the deployment files as Docker and Compose read them, without either of them:
the Dockerfile's instructions, the .dockerignore rules, the build context, the Makefile's
package lists and the README's configuration table."""

import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
README = ROOT / "README.md"


@dataclass(frozen=True)
class Instruction:
    stage: int  # 0 for the first FROM
    keyword: str  # upper case: FROM, RUN, COPY ...
    arguments: str


def dockerfile_instructions(text: str) -> list[Instruction]:
    """Instructions with their continuation lines joined; comments and parser directives
    dropped."""
    instructions: list[Instruction] = []
    stage = -1
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = pending + stripped
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        instructions.append(Instruction(stage, keyword, arguments.strip()))
    return instructions


@dataclass(frozen=True)
class Copy:
    stage: int
    sources: tuple[str, ...]
    destination: str
    from_stage: str | None  # COPY --from=...: not from the build context


def copies(instructions: list[Instruction]) -> list[Copy]:
    found = []
    for instruction in instructions:
        if instruction.keyword not in {"COPY", "ADD"}:
            continue
        words = shlex.split(instruction.arguments)
        options = [w for w in words if w.startswith("--")]
        paths = [w for w in words if not w.startswith("--")]
        from_stage = next((o.split("=", 1)[1] for o in options if o.startswith("--from=")), None)
        found.append(Copy(instruction.stage, tuple(paths[:-1]), paths[-1], from_stage))
    return found


def apt_packages(instruction: Instruction) -> set[str]:
    """The packages an instruction's `apt-get install` commands name."""
    packages: set[str] = set()
    for command in re.split(r"&&|;|\|\|", instruction.arguments):
        words = command.split()
        if "apt-get" in words and "install" in words:
            after = words[words.index("install") + 1 :]
            packages |= {w for w in after if not w.startswith("-")}
    return packages


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go's filepath.Match plus `**`) as a regular expression over a
    context-relative path with `/` separators."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


class DockerIgnore:
    """Docker's rules: a path is out when it or one of its parent directories matches a
    pattern; a later `!pattern` brings it back; the last matching rule wins."""

    def __init__(self, text: str) -> None:
        self.rules: list[tuple[bool, re.Pattern[str]]] = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            keep = line.startswith("!")
            pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
            self.rules.append((keep, _pattern_regex(pattern)))
        self.has_exceptions = any(keep for keep, _ in self.rules)

    def excludes(self, path: str) -> bool:
        parts = Path(path).parts
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        excluded = False
        for keep, regex in self.rules:
            if any(regex.match(candidate) for candidate in candidates):
                excluded = not keep
        return excluded


def dockerignore() -> DockerIgnore:
    path = ROOT / ".dockerignore"
    return DockerIgnore(path.read_text() if path.exists() else "")


def build_context(root: Path = ROOT) -> Iterator[str]:
    """Every file `docker build .` would send, as paths relative to the root."""
    ignore = dockerignore()
    for directory, dirnames, filenames in os.walk(root):
        relative = Path(directory).relative_to(root)
        if not ignore.has_exceptions:
            dirnames[:] = [d for d in dirnames if not ignore.excludes(str(relative / d))]
        for name in filenames:
            path = str(relative / name) if str(relative) != "." else name
            if not ignore.excludes(path):
                yield path


def make_variable(name: str) -> list[str]:
    """A `NAME := words` line of the Makefile, as its words."""
    match = re.search(rf"^{name}\s*:?=(.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, f"the Makefile sets no {name}"
    return match.group(1).split()


def readme_configuration_variables() -> list[str]:
    """The first column of the table under the README's "## Configuration" heading."""
    section = README.read_text().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, re.MULTILINE)


def env_example_variables() -> dict[str, bool]:
    """The settings .env.example lists: name -> whether its line is set (not commented out)."""
    found = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^(# ?)?([A-Z][A-Z0-9_]*)=", line)
        if match:
            found[match.group(2)] = match.group(1) is None
    return found
