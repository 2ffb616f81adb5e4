"""Biomarker categories derived from the baseline pathology (pure Python, no Django).

ER and PR follow the ASCO/CAP 2020 categories that the issue names: negative below 1 % of
stained nuclei, low positive from 1 % to 10 %, positive above 10 %. HER2 follows the ASCO/CAP
2018 algorithm with the HER2-low split used since DESTINY-Breast04: an amplified ISH or IHC 3+
is positive; IHC 1+, or IHC 2+ without amplification, is low; IHC 0 without amplification is
zero. IHC 2+ without an ISH result is equivocal: the category is `None`, never a guess.
"""

from __future__ import annotations

from ruleviolation import OUT_OF_RANGE, UNKNOWN_CODE, RuleViolation

# The version of these rules: a category stored with another version is recomputed
# (`manage.py recompute_derived`). Raise it with any change that can change a category.
RULES_VERSION = "1.0"

# Hormone receptor categories.
HR_NEGATIVE = "negative"
HR_LOW_POSITIVE = "low_positive"
HR_POSITIVE = "positive"
# "low positive 1-10 %": both limits included.
HR_LOW_POSITIVE_FROM_PERCENT = 1
HR_LOW_POSITIVE_TO_PERCENT = 10

# HER2 immunohistochemistry scores and in-situ hybridisation results.
IHC_0 = "0"
IHC_1 = "1+"
IHC_2 = "2+"
IHC_3 = "3+"
IHC_SCORES = (IHC_0, IHC_1, IHC_2, IHC_3)
ISH_NOT_DONE = "not_done"
ISH_NEGATIVE = "negative"
ISH_POSITIVE = "positive"
ISH_RESULTS = (ISH_NOT_DONE, ISH_NEGATIVE, ISH_POSITIVE)

# HER2 categories.
HER2_POSITIVE = "positive"
HER2_LOW = "low"
HER2_ZERO = "zero"


def hormone_receptor_category(percent: int | None) -> str | None:
    """ER or PR category from the percentage of stained nuclei; `None` when not known."""
    if percent is None:
        return None
    if not 0 <= percent <= 100:
        raise RuleViolation("percent", OUT_OF_RANGE, f"must be 0 to 100, got {percent!r}")
    if percent < HR_LOW_POSITIVE_FROM_PERCENT:
        return HR_NEGATIVE
    if percent <= HR_LOW_POSITIVE_TO_PERCENT:
        return HR_LOW_POSITIVE
    return HR_POSITIVE


def her2_category(ihc: str | None, ish: str | None) -> str | None:
    """HER2-positive / HER2-low / HER2-zero, or `None` when the results do not decide it."""
    if ihc is not None and ihc not in IHC_SCORES:
        raise RuleViolation("ihc", UNKNOWN_CODE, f"unknown HER2 IHC score {ihc!r}")
    if ish is not None and ish not in ISH_RESULTS:
        raise RuleViolation("ish", UNKNOWN_CODE, f"unknown HER2 ISH result {ish!r}")
    if ish == ISH_POSITIVE or ihc == IHC_3:
        return HER2_POSITIVE
    if ihc is None:
        return None
    if ihc == IHC_2:
        # Equivocal: only ISH decides (ASCO/CAP 2018).
        return HER2_LOW if ish == ISH_NEGATIVE else None
    return HER2_LOW if ihc == IHC_1 else HER2_ZERO
