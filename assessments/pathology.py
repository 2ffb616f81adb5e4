"""Pathological complete response after surgery of the primary (pure Python, no Django).

The protocol's definition is ypT0/Tis ypN0: no residual invasive carcinoma in the breast
(ductal carcinoma in situ allowed) and none in the regional nodes. Isolated tumour cells,
ypN0(i+), are not counted as a pCR, following the FDA's 2020 pCR guidance ("no residual
invasive cancer in the sampled regional lymph nodes"), the stricter reading.
"""

from __future__ import annotations

from ruleviolation import UNKNOWN_CODE, RuleViolation

YPT_CODES = (
    "ypT0",
    "ypTis",
    "ypT1mi",
    "ypT1a",
    "ypT1b",
    "ypT1c",
    "ypT2",
    "ypT3",
    "ypT4a",
    "ypT4b",
    "ypT4c",
    "ypT4d",
    "ypTX",
)
YPN_CODES = (
    "ypN0",
    "ypN0(i+)",
    "ypN1mi",
    "ypN1a",
    "ypN1b",
    "ypN1c",
    "ypN2a",
    "ypN2b",
    "ypN3a",
    "ypN3b",
    "ypN3c",
    "ypNX",
)
PCR_YPT = frozenset({"ypT0", "ypTis"})
PCR_YPN = frozenset({"ypN0"})
UNKNOWN_CODES = frozenset({"ypTX", "ypNX"})


def is_pcr(ypt: str | None, ypn: str | None) -> bool | None:
    """True for ypT0/Tis ypN0; False when either shows residual invasive disease; `None` when
    the missing or unassessable (X) category is the one that would decide."""
    for value, codes, name in ((ypt, YPT_CODES, "ypt"), (ypn, YPN_CODES, "ypn")):
        if value is not None and value not in codes:
            raise RuleViolation(name, UNKNOWN_CODE, f"unknown category {value!r}")
    known = [v for v in (ypt, ypn) if v is not None and v not in UNKNOWN_CODES]
    if any(v not in PCR_YPT | PCR_YPN for v in known):
        return False
    if len(known) < 2:
        return None
    return True


# ypT categories that mean invasive carcinoma is left in the breast.
INVASIVE_YPT = frozenset(YPT_CODES) - {"ypT0", "ypTis", "ypTX"}
