import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from notifications.models import Notification
from notifications.services import NewNotification, notifications_create

pytestmark = pytest.mark.django_db


def _notify(user, n=1, key=""):
    notifications_create(
        notifications=[
            NewNotification(
                recipient_id=user.pk, kind="test", message=f"note {i}", url="/", key=key
            )
            for i in range(n)
        ]
    )


def test_the_bell_counts_unread_notifications_in_one_query(
    client, coordinator_a, django_assert_num_queries
):
    from django.test import RequestFactory

    from notifications.context_processors import bell

    _notify(coordinator_a, 3)
    request = RequestFactory().get("/")
    request.user = coordinator_a
    with django_assert_num_queries(1):
        assert bell(request) == {"unread_notifications": 3}


def test_the_bell_shows_in_the_navbar(client, coordinator_a):
    _notify(coordinator_a, 2)
    client.force_login(coordinator_a)
    response = client.get(reverse("notifications:list"))
    assert b'data-testid="bell-count">2<' in response.content


def test_only_the_recipient_sees_theirs(client, coordinator_a, coordinator_b):
    _notify(coordinator_a, 1)
    client.force_login(coordinator_b)
    response = client.get(reverse("notifications:list"))
    assert response.context["unread"] == []
    note = Notification.objects.get()
    assert client.post(reverse("notifications:done", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_the_recipient_marks_one_done(client, coordinator_a):
    _notify(coordinator_a, 2)
    note = Notification.objects.first()
    client.force_login(coordinator_a)
    response = client.post(reverse("notifications:done", args=[note.pk]))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    # Marking it again is harmless.
    assert client.post(reverse("notifications:done", args=[note.pk])).status_code == 302


def test_the_recipient_marks_all_done(client, coordinator_a, coordinator_b):
    _notify(coordinator_a, 3)
    _notify(coordinator_b, 1)
    client.force_login(coordinator_a)
    client.post(reverse("notifications:all_done"))
    assert not Notification.objects.filter(recipient=coordinator_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=coordinator_b, read_at__isnull=True).count() == 1


def test_marking_done_needs_post(client, coordinator_a):
    _notify(coordinator_a)
    client.force_login(coordinator_a)
    note = Notification.objects.get()
    assert client.get(reverse("notifications:done", args=[note.pk])).status_code == 405


def test_the_list_needs_a_login(client):
    assert client.get(reverse("notifications:list")).status_code == 302


def test_a_keyed_notification_is_given_once_per_recipient(coordinator_a):
    _notify(coordinator_a, key="reminder:1")
    _notify(coordinator_a, key="reminder:1")  # ignored: already given
    assert Notification.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=coordinator_a, kind="x", message="y", key="reminder:1"
        )
