"""Laboratory units accepted at screening, and how each converts to the unit the rules use.

The eligibility rules take ANC and platelets in 10^9/L and hemoglobin in g/dL, and bilirubin,
AST, ALT and creatinine as multiples of the site's upper limit of normal (ULN). For those four
the value and the ULN are entered in one unit, so the ratio needs no conversion; the unit is
still recorded because a ratio is only meaningful when both numbers were read in the same one.
A unit that is not listed here is refused.
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

# unit code -> (label, factor to the rules' unit); no factor where only a ratio is used.
Units = Mapping[str, tuple[StrOrPromise, float | None]]
ConvertibleUnits = Mapping[str, tuple[StrOrPromise, float]]

# unit code -> (label, factor to the rules' unit)
ANC_UNITS: ConvertibleUnits = {
    "10e9_l": (_("×10⁹/L"), 1.0),
    "10e3_ul": (_("×10³/µL"), 1.0),
    "per_ul": (_("cells/µL"), 0.001),
}
PLATELET_UNITS: ConvertibleUnits = {
    "10e9_l": (_("×10⁹/L"), 1.0),
    "10e3_ul": (_("×10³/µL"), 1.0),
}
# 1 mmol/L of hemoglobin (monomer) is 1.611 g/dL.
HEMOGLOBIN_UNITS: ConvertibleUnits = {
    "g_dl": (_("g/dL"), 1.0),
    "g_l": (_("g/L"), 0.1),
    "mmol_l": (_("mmol/L"), 1.611),
}
# Value and ULN share the unit: the ratio is unit-free.
BILIRUBIN_UNITS = {"umol_l": (_("µmol/L"), None), "mg_dl": (_("mg/dL"), None)}
TRANSAMINASE_UNITS = {"u_l": (_("U/L"), None), "ukat_l": (_("µkat/L"), None)}
CREATININE_UNITS = {"umol_l": (_("µmol/L"), None), "mg_dl": (_("mg/dL"), None)}


def unit_choices(units: Units) -> list[tuple[str, object]]:
    return [(code, label) for code, (label, _factor) in units.items()]


def convert(value: float | None, unit: str | None, units: ConvertibleUnits) -> float | None:
    """`value` in the rules' unit, or None when the value or its unit is not known."""
    if value is None or not unit:
        return None
    if unit not in units:
        raise ValueError(f"unknown unit {unit!r}")
    return float(value) * units[unit][1]


def uln_ratio(value: float | None, uln: float | None) -> float | None:
    """`value` as a multiple of the upper limit of normal; None when either is not known."""
    if value is None or uln is None:
        return None
    if uln <= 0:
        raise ValueError("the upper limit of normal must be more than 0")
    return float(value) / float(uln)
