import pytest

from access.roles import PERMISSIONS, Action, Role, role_allows
from tests.factories.access import user_with_role

pytestmark = pytest.mark.django_db

# Who may do what, as the brief says: coordinators enter data, investigators sign,
# data managers raise queries and verify, admins unlock, export identified data and manage
# users; monitors verify and query, statisticians export de-identified data.
EXPECTED = {
    Action.SCREEN: {Role.COORDINATOR},
    Action.ENROL: {Role.COORDINATOR},
    Action.ENTER_DATA: {Role.COORDINATOR},
    Action.SIGN_ARM: {Role.INVESTIGATOR},
    Action.SIGN_CASEBOOK: {Role.INVESTIGATOR},
    Action.RAISE_QUERY: {Role.DATA_MANAGER, Role.MONITOR},
    Action.VERIFY: {Role.DATA_MANAGER, Role.MONITOR},
    Action.UNLOCK: {Role.ADMIN},
    Action.EXPORT_IDENTIFIED: {Role.ADMIN},
    Action.EXPORT_DEIDENTIFIED: {Role.DATA_MANAGER, Role.ADMIN, Role.STATISTICIAN},
    Action.MANAGE_USERS: {Role.ADMIN},
}


@pytest.mark.parametrize("action", list(EXPECTED), ids=str)
def test_each_action_belongs_to_exactly_its_roles(action):
    assert {role for role in Role if role_allows(role, action)} == EXPECTED[action]


def test_every_role_has_a_declared_set_of_actions():
    assert set(PERMISSIONS) == set(Role)


def test_a_role_applies_only_at_its_site(site_a, site_b):
    user = user_with_role(Role.COORDINATOR, site_a)
    assert user.can(Action.ENROL, site_a.pk)
    assert not user.can(Action.ENROL, site_b.pk)
    assert not user.can(Action.SIGN_ARM, site_a.pk)


def test_an_inactive_user_can_do_nothing(coordinator_a, site_a):
    coordinator_a.is_active = False
    assert not coordinator_a.can(Action.ENROL, site_a.pk)
