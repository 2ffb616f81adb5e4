"""The Simplified Chinese catalogue is complete: every entry translated, none fuzzy, its
placeholders kept, and every string the code marks is in it (a fresh extraction, with xgettext
as makemessages runs it, finds nothing the catalogue lacks)."""

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")
# What makemessages reads: the apps and templates, not the tools around them.
NOT_EXTRACTED = (".venv", "var", "tests", "bench", "static", "locale", "docs", "bin")


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


def test_translations_keep_their_placeholders(catalogue):
    def placeholders(text: str) -> list[str]:
        return sorted(PLACEHOLDER.findall(text))

    wrong = []
    for entry in catalogue.translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        expected = {tuple(placeholders(entry.msgid))}
        if entry.msgid_plural:
            expected.add(tuple(placeholders(entry.msgid_plural)))
        wrong += [entry.msgid for t in translations if tuple(placeholders(t)) not in expected]
    assert wrong == []


def _sources() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_EXTRACTED or parts[0].startswith(".") or "migrations" in parts:
            continue
        if path.suffix in (".py", ".html", ".txt") and path.is_file():
            found.append(path)
    return found


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs Debian's gettext")
def test_every_marked_string_of_the_code_is_in_the_catalogue(catalogue, tmp_path):
    """A fresh extraction of the Python files (xgettext, with Django's keywords) and of the
    templates (Django's template-to-Python step, as makemessages does it)."""
    from django.utils.translation import templatize

    python = [p for p in _sources() if p.suffix == ".py"]
    templates = []
    for path in _sources():
        if path.suffix in (".html", ".txt"):
            target = tmp_path / (str(path.relative_to(ROOT)).replace("/", "__") + ".py")
            target.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(path)))
            templates.append(target)
    pot = tmp_path / "fresh.pot"
    keywords = [
        "--keyword=gettext_noop",
        "--keyword=gettext_lazy",
        "--keyword=ngettext_lazy:1,2",
        "--keyword=pgettext:1c,2",
        "--keyword=npgettext:1c,2,3",
        "--keyword=pgettext_lazy:1c,2",
        "--keyword=npgettext_lazy:1c,2,3",
    ]
    subprocess.run(  # noqa: S603 (xgettext on the repository's own files)
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--output", str(pot), *keywords]
        + [str(p) for p in python + templates],
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(pot))
    assert len(fresh) > 900  # the extraction read the code (a broken one finds nothing)
    have = {(e.msgctxt, e.msgid) for e in catalogue}
    missing = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in have)
    assert missing == [], "run `make messages` and translate these (docs/glossary.md)"
