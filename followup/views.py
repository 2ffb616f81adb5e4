from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.decorators import action_required, require_action
from access.roles import Action
from access.scoping import get_for_user_or_404
from audit.services import StaleRecordError
from enrollment.models import Participant
from workflow import services as workflow

from . import schedule, selectors, services
from .forms import MissedVisitForm, VisitContext, VisitForm
from .models import Visit


def _for_data_entry(queryset, request: HttpRequest, **lookup):  # type: ignore[no-untyped-def]
    """Another site's record is a 404 (as if absent); one of the user's own sites that their
    role may not enter data for is a 403."""
    record = get_for_user_or_404(queryset, request.user, Action.VIEW_PARTICIPANTS, **lookup)
    site_id = record.site_id if isinstance(record, Participant) else record.participant.site_id
    require_action(request.user, Action.ENTER_DATA, site_id)
    return record


def _context(visit: Visit) -> VisitContext:
    participant = visit.participant
    return VisitContext(
        diagnosis_date=participant.diagnosis_date,
        enrolment_date=participant.enrolment_date,
        today=selectors.site_today(participant.site),
        window_start=visit.window_start if visit.is_planned else None,
        window_end=visit.window_end if visit.is_planned else None,
    )


# The worklist's sections: title and colour, in the order of selectors.WORKLIST_SECTIONS.
SECTIONS = {
    schedule.STATE_OVERDUE: (gettext_lazy("Overdue, the longest first"), "text-danger"),
    schedule.STATE_DUE: (
        gettext_lazy("Due: window open, closing soonest first"),
        "text-warning-emphasis",
    ),
    schedule.STATE_UPCOMING: (
        gettext_lazy("Upcoming: window opens within 7 days"),
        "text-info-emphasis",
    ),
}
SECTION_PAGE_SIZE = 50


@require_GET
@action_required(Action.ENTER_DATA)
def worklist(request: HttpRequest) -> HttpResponse:
    """Each site's sections, their first visits and their counts; `?section=<state>`: every
    visit of one section, page by page."""
    state = request.GET.get("section")
    if state is not None:
        if state not in selectors.WORKLIST_SECTIONS:
            raise Http404
        visits = selectors.section(user=request.user, state=state)
        page = Paginator(visits, SECTION_PAGE_SIZE).get_page(request.GET.get("page"))
        title, style = SECTIONS[state]
        return render(
            request,
            "followup/worklist_section.html",
            {"state": state, "title": title, "style": style, "page_obj": page},
        )
    worklists = selectors.worklist(user=request.user)
    boards = [
        (
            entry,
            [
                (state, *SECTIONS[state], getattr(entry, state), entry.counts[state])
                for state in selectors.WORKLIST_SECTIONS
            ],
        )
        for entry in worklists
    ]
    return render(request, "followup/worklist.html", {"worklists": worklists, "boards": boards})


@require_GET
@login_required
def participant_visits(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = get_for_user_or_404(
        Participant.objects.select_related("site"), request.user, pk=participant_pk
    )
    today = selectors.site_today(participant.site)
    visits = [
        (visit, visit.state_on(today))
        for visit in selectors.participant_visits(participant=participant)
    ]
    return render(
        request,
        "followup/participant_visits.html",
        {
            "participant": participant,
            "visits": visits,
            "can_enter": request.user.can(Action.ENTER_DATA, participant.site_id),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _for_data_entry(Visit.objects.select_related("participant__site"), request, pk=pk)
    form = VisitForm(request.POST or None, instance=visit, context=_context(visit))
    if request.method == "POST" and form.is_valid():
        try:
            workflow.record_visit(
                visit=visit,
                user=request.user,
                data=form.cleaned_data,
                reason=form.cleaned_data.get("reason", ""),
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleRecordError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Visit %(visit)s saved.") % {"visit": visit})
            return redirect("followup:participant_visits", participant_pk=visit.participant_id)
    return render(request, "followup/visit_form.html", {"form": form, "visit": visit})


@require_http_methods(["GET", "POST"])
@login_required
def unscheduled_visit(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = _for_data_entry(
        Participant.objects.select_related("site"), request, pk=participant_pk
    )
    visit = Visit(participant=participant, kind=Visit.Kind.UNSCHEDULED)
    form = VisitForm(request.POST or None, instance=visit, context=_context(visit))
    if request.method == "POST" and form.is_valid():
        workflow.record_unscheduled_visit(
            participant=participant, user=request.user, data=form.cleaned_data
        )
        messages.success(request, _("Unscheduled visit saved."))
        return redirect("followup:participant_visits", participant_pk=participant.pk)
    return render(request, "followup/visit_form.html", {"form": form, "visit": visit})


@require_POST
@login_required
def visit_missed(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _for_data_entry(
        Visit.objects.select_related("participant"), request, pk=pk, status=Visit.Status.OPEN
    )
    form = MissedVisitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason the visit did not take place."))
        return redirect("followup:visit_record", pk=visit.pk)
    try:
        services.mark_visit_missed(
            visit=visit,
            user=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data.get("version"),
        )
    except StaleRecordError as exc:
        messages.error(request, str(exc))
        return redirect("followup:visit_record", pk=visit.pk)
    messages.success(request, _("Visit %(visit)s recorded as missed.") % {"visit": visit})
    return redirect("followup:worklist")
