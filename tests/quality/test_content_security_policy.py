"""The Content-Security-Policy header, and templates that need no exception to it.

The browser test (tests/browser/test_csp.py) finds violations on rendered pages; these find the
header on every kind of answer and the inline code a template would bring, without a browser.
"""

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    path
    for pattern in ("templates/**/*.html", "*/templates/**/*.html")
    for path in ROOT.glob(pattern)
    if ".venv" not in path.parts
    # The PDF templates are laid out by WeasyPrint on the server and never served to a
    # browser, so the page's policy does not apply to them (their styles are the print's).
    and "pdf" not in path.relative_to(ROOT).parts
)
# <script> without src, an on...= handler, a style attribute or element, a javascript: URL.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style\b|javascript:", re.I
)


def _directives(header: str) -> dict[str, list[str]]:
    parts = (d.split() for d in header.split(";") if d.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/no-such-page/", "/x/%00/"])
def test_every_answer_carries_the_policy(path):
    response = Client().get(path)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_templates_were_found():
    assert any(path.name == "base.html" for path in TEMPLATES)
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_style(template):
    found = INLINE_CODE.findall(template.read_text())
    assert not found, f"{template}: {found} (move it to a file under static/)"
