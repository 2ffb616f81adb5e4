from django.utils import translation

from arms.labels import ARM_LABELS, arm_label
from arms.rules import ARMS


def test_the_arms_labels_are_the_rules_arms_in_the_rules_english():
    assert set(ARM_LABELS) == set(ARMS)
    with translation.override("en"):
        assert {n: str(label) for n, label in ARM_LABELS.items()} == {
            n: a.label for n, a in ARMS.items()
        }


def test_an_arm_in_chinese():
    with translation.override("zh-hans"):
        assert arm_label(2) == "原发灶非完全缓解，转移灶完全缓解"
    assert arm_label(None) == ""
