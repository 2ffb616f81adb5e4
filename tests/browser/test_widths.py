"""The main pages are usable on a phone (390 px) and on a laptop (1280 px, 1366 px): no
horizontal scroll, no control cut off at the edge, the navigation bar on one line when it is
expanded. Screenshots go to a temporary folder (CS_EDC_SCREENSHOTS, or the system's), for a
person to look at; they are not committed."""

import os
import tempfile
from pathlib import Path

import pytest

from tests.browser.pages import MAIN_PAGES, url_of
from tests.test_access_matrix import world  # noqa: F401 - `world` is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280, 1366, 1440)
SCREENSHOTS = Path(os.environ.get("CS_EDC_SCREENSHOTS") or tempfile.gettempdir()) / "cs-edc-widths"

# Every visible control whose box leaves the viewport, and the page's own overflow.
MEASURE = """() => {
  const width = window.innerWidth;
  const cut = [];
  const controls = 'input:not([type=hidden]), select, textarea, button, a.btn';
  const skipped = '[hidden], .collapse:not(.show)';
  for (const el of document.querySelectorAll(controls)) {
    const box = el.getBoundingClientRect();
    // A wide table scrolls in its own box (.table-responsive), but a control should not
    // need that scroll to be seen.
    if (box.width === 0 || box.height === 0 || el.closest(skipped)) continue;
    if (box.right > width + 1 || box.left < -1) cut.push(el.outerHTML.slice(0, 80));
  }
  const nav = document.querySelector('.navbar');
  return {
    overflow: document.scrollingElement.scrollWidth - width,
    cut,
    navHeight: nav ? nav.getBoundingClientRect().height : 0,
  };
}"""


@pytest.mark.parametrize("persona", sorted({persona for persona, _name in MAIN_PAGES}))
def test_main_pages_fit_a_phone_and_a_laptop(persona, world, login_as, page, request):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    login_as(request.getfixturevalue(persona), "/")
    problems = []
    for who, name in MAIN_PAGES:
        if who != persona:
            continue
        url = url_of(name, world)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(url, timeout=60_000)  # the reports page computes
            assert response is not None and response.status == 200, url
            found = page.evaluate(MEASURE)
            slug = name.replace(":", "-")
            page.screenshot(path=str(SCREENSHOTS / f"{persona}-{slug}-{width}.png"), full_page=True)
            if found["overflow"] > 0:
                problems.append(f"{url} at {width}px scrolls sideways by {found['overflow']}px")
            problems += [f"{url} at {width}px cuts {html}" for html in found["cut"]]
            # Expanded (from 1200 px), the bar is one line of links: about 56 px high.
            if width >= 1200 and found["navHeight"] > 70:
                problems.append(f"{url} at {width}px: the navigation bar wraps")
    assert not problems, "\n".join(problems)


def test_a_casebook_and_a_form_print_on_a4_without_navigation_or_buttons(
    world,  # noqa: F811
    login_as,
    page,
    coordinator_a,
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    login_as(coordinator_a, "/")
    for name in ("enrollment:casebook", "assessments:therapy_edit"):
        page.goto(url_of(name, world))
        page.emulate_media(media="print")
        assert not page.locator(".navbar").is_visible()
        visible_buttons = page.locator("button:visible, a.btn:visible")
        assert visible_buttons.count() == 0, visible_buttons.first.inner_html()
        page.pdf(path=str(SCREENSHOTS / f"{name.replace(':', '-')}.pdf"), format="A4")
        page.emulate_media(media="screen")
