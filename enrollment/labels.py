"""The eligibility criteria and metastatic sites in the reader's language. The rules core
(`enrollment.eligibility`) names them in the protocol's English and imports no Django; the
checklist, the outcome messages and the data dictionary use these.
tests/enrollment/test_labels.py holds the tables to the core's codes and English."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import eligibility as e

CRITERION_LABELS: dict[str, Promise] = {
    e.AGE_18_75: _("Aged 18 to 75 years at screening"),
    e.FEMALE: _("Female"),
    e.INVASIVE_PRIMARY_CONFIRMED: _(
        "Primary tumour is invasive breast cancer, confirmed by pathology"
    ),
    e.DE_NOVO_STAGE_IV: _("Distant metastasis present at first diagnosis (de novo stage IV)"),
    e.METASTASIS_CONFIRMED: _("Metastases confirmed by pathology or imaging"),
    e.OPERABLE: _("Primary tumour operable"),
    e.ECOG_0_2: _("ECOG performance status 0 to 2"),
    e.ORGAN_FUNCTION: _("Adequate bone marrow, liver and kidney function"),
    e.NO_PRIOR_LOCOREGIONAL_SURGERY: _("No prior locoregional surgery of the primary tumour"),
    e.SYSTEMIC_WITHIN_1Y: _("Systemic therapy, if started, began within one year of diagnosis"),
    e.OTHER_PRIMARY_MALIGNANCY: _("Another primary malignant tumour"),
    e.VISCERAL_ORGANS_OVER_2: _("More than two visceral organs involved"),
    e.FOLLOWUP_NOT_FEASIBLE: _("Cannot attend regular follow-up"),
    e.MULTIPLE_LIVER_METS_LFT_OVER_4ULN: _(
        "Two or more liver metastases with AST or ALT above 4 x ULN"
    ),
}
