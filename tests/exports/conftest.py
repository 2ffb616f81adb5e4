import pytest

from tests.exports.trial import build_trial


@pytest.fixture
def trial(site_a, site_b, coordinator_a, investigator_a, coordinator_b):
    return build_trial(site_a, site_b, coordinator_a, investigator_a, coordinator_b)
