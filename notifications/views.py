from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from access.http import AuthenticatedHttpRequest

from .selectors import LIST_LIMIT, notifications_for
from .services import notification_mark_done, notifications_mark_all_done


@require_GET
@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications = notifications_for(user=request.user)
    unread = list(notifications.filter(read_at__isnull=True)[:LIST_LIMIT])
    read = list(notifications.filter(read_at__isnull=False)[:50])
    return render(request, "notifications/list.html", {"unread": unread, "read": read})


@require_POST
@login_required
def notification_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Someone else's notification, or none at all, is a 404; the user's own, already done,
    # is marked again harmlessly.
    marked = notification_mark_done(user=request.user, notification_id=pk)
    if not marked and not notifications_for(user=request.user).filter(pk=pk).exists():
        raise Http404
    return redirect("notifications:list")


@require_POST
@login_required
def notification_all_done(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = notifications_mark_all_done(user=request.user)
    messages.success(request, _("%(count)d notifications marked done.") % {"count": count})
    return redirect("notifications:list")
