"""Which baseline lesions may be target lesions (RECIST 1.1, section 3), pure Python.

`assessments.recist` judges responses; this module only checks the baseline choice of target
lesions, which the rules core does not cover.

The limits of five target lesions and two per organ apply per compartment: the protocol
judges the primary compartment (breast and regional nodes) and the metastatic compartment
(distant lesions) separately, each against its own baseline, which makes each compartment a
RECIST evaluation of its own. Pathological lymph nodes count as one organ (RECIST 1.1, 3.2.1):
within a compartment all nodal lesions share one organ-site code (regional or distant nodes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

# RECIST 1.1: measurable when the longest diameter is at least 10 mm (CT slice <= 5 mm), or a
# lymph node's short axis at least 15 mm.
MIN_TARGET_NON_NODAL_MM = Decimal(10)
MIN_TARGET_NODAL_MM = Decimal(15)
MAX_TARGETS_PER_COMPARTMENT = 5
MAX_TARGETS_PER_ORGAN = 2


@dataclass(frozen=True)
class PlannedTarget:
    compartment: str
    organ_site: str


def measurability_limit_mm(*, nodal: bool) -> Decimal:
    return MIN_TARGET_NODAL_MM if nodal else MIN_TARGET_NON_NODAL_MM


def is_measurable(*, nodal: bool, baseline_mm: Decimal) -> bool:
    return baseline_mm >= measurability_limit_mm(nodal=nodal)


def too_many_targets(targets: Iterable[PlannedTarget]) -> tuple[set[str], set[tuple[str, str]]]:
    """The compartments over five targets, and the (compartment, organ) pairs over two."""
    targets = list(targets)
    per_compartment = Counter(t.compartment for t in targets)
    per_organ = Counter((t.compartment, t.organ_site) for t in targets)
    return (
        {c for c, n in per_compartment.items() if n > MAX_TARGETS_PER_COMPARTMENT},
        {key for key, n in per_organ.items() if n > MAX_TARGETS_PER_ORGAN},
    )
