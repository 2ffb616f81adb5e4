from django.utils import translation

from enrollment import eligibility
from enrollment.labels import CRITERION_LABELS


def test_the_criteria_labels_are_the_cores_in_the_cores_english():
    assert set(CRITERION_LABELS) == set(eligibility.CRITERIA)
    with translation.override("en"):
        assert {c: str(label) for c, label in CRITERION_LABELS.items()} == (
            eligibility.CRITERION_LABELS
        )


def test_a_criterion_in_chinese():
    with translation.override("zh-hans"):
        assert str(CRITERION_LABELS[eligibility.ECOG_0_2]) == (
            "美国东部肿瘤协作组体能状态（ECOG）0 至 2 分"
        )
