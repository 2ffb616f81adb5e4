"""Kaplan-Meier and log-rank through lifelines, and the SVG drawn from them (no database)."""

import xml.etree.ElementTree as ET

import pytest

from reports.survival import Observation, estimate, format_p, to_svg

SVG_LABELS = {"p_label": "p =", "x_label": "Months", "y_label": "S(t)", "at_risk_label": "At risk"}


def obs(*pairs):
    return [Observation(days=d, event=e) for d, e in pairs]


def test_the_estimate_is_the_product_limit():
    # 5 at risk: event at 100 (4/5), censored at 150, event at 200 (of 3 at risk: 2/3).
    km = estimate(
        "OS", {"Arm 1": obs((100, True), (150, False), (200, True), (400, False), (500, False))}
    )
    steps = dict(km.curves[0].steps)
    assert steps[100] == pytest.approx(0.8)
    assert steps[200] == pytest.approx(0.8 * 2 / 3)
    assert km.curves[0].censored[0] == (150.0, pytest.approx(0.8))
    assert km.p_value is None  # one group: nothing to compare


def test_numbers_at_risk_at_each_yearly_tick():
    km = estimate("OS", {"Arm 1": obs((100, True), (400, False), (800, True))})
    assert km.ticks == [0, 365, 730, 1095]  # up to the first tick past the longest follow-up
    assert km.curves[0].at_risk == [3, 2, 1, 0]


def test_the_log_rank_test_separates_different_curves():
    early = obs(*[(30 * i, True) for i in range(1, 21)])
    late = obs(*[(900 + 30 * i, i % 2 == 0) for i in range(1, 21)])
    km = estimate("OS", {"Arm 1": early, "Arm 4": late})
    assert km.p_value < 0.001
    assert format_p(km.p_value) == "< 0.001"
    same = estimate("OS", {"Arm 1": early, "Arm 2": list(early)})
    assert same.p_value == pytest.approx(1.0)


def test_the_svg_is_well_formed_with_a_curve_and_at_risk_row_per_arm():
    km = estimate("Overall <survival>", {"Arm 1": obs((100, True), (300, False)),
                                          "Arm 4": obs((50, True), (60, True))})  # fmt: skip
    svg = to_svg(km, **SVG_LABELS)
    root = ET.fromstring(svg)  # noqa: S314 - our own SVG
    ns = {"s": "http://www.w3.org/2000/svg"}
    curves = [p.get("data-curve") for p in root.findall("s:path", ns) if p.get("data-curve")]
    assert curves == ["Arm 1", "Arm 4"]
    at_risk = [t.text for t in root.findall("s:text", ns) if t.get("data-at-risk") == "Arm 1"]
    assert at_risk == ["2", "0"]  # at 0 and 12 months
    assert "Overall &lt;survival&gt;" in svg


def test_no_observations_give_an_empty_but_valid_chart():
    km = estimate("OS", {})
    ET.fromstring(to_svg(km, **SVG_LABELS))  # noqa: S314
    assert km.curves == [] and km.p_value is None


def test_the_svg_stays_small_however_many_are_censored():
    """At 100,000 participants one element per censoring mark made the page megabytes long."""
    many = obs(*[(100, True)] * 100, *[(1000 + d % 800, False) for d in range(20_000)])
    svg = to_svg(estimate("OS", {"Arm 1": many}), **SVG_LABELS)
    assert len(svg) < 60_000
    ET.fromstring(svg)  # noqa: S314 - our own SVG
