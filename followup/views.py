from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.decorators import action_required, require_action
from access.http import AuthenticatedHttpRequest
from access.roles import Action
from access.scoping import SiteScopedQuerySet, get_for_user_or_404
from audit.services import StaleRecordError
from enrollment.models import Participant
from workflow import services as workflow

from . import schedule, selectors, services
from .forms import MissedVisitForm, VisitForm
from .models import PlannedVisit, Visit
from .validators import VisitContext


def _for_data_entry(
    queryset: SiteScopedQuerySet[Any], request: AuthenticatedHttpRequest, **lookup: Any
) -> Any:
    """Another site's record is a 404 (as if absent); one of the user's own sites that their
    role may not enter data for is a 403."""
    record = get_for_user_or_404(queryset, request.user, Action.VIEW_PARTICIPANTS, **lookup)
    site_id = record.site_id if isinstance(record, Participant) else record.participant.site_id
    require_action(request.user, Action.ENTER_DATA, site_id)
    return record


def _context(participant: Participant, planned: PlannedVisit | None) -> VisitContext:
    return VisitContext(
        diagnosis_date=participant.diagnosis_date,
        enrolment_date=participant.enrolment_date,
        today=selectors.site_today(participant.site),
        window=planned.as_schedule() if planned else None,
        death_date=services.death_date_of(participant.pk),
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
def worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
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
def participant_visits(request: AuthenticatedHttpRequest, participant_pk: int) -> HttpResponse:
    participant = get_for_user_or_404(
        Participant.objects.select_related("site"), request.user, pk=participant_pk
    )
    today = selectors.site_today(participant.site)
    return render(
        request,
        "followup/participant_visits.html",
        {
            "participant": participant,
            "rows": selectors.participant_visits(participant=participant, today=today),
            "can_enter": request.user.can(Action.ENTER_DATA, participant.site_id),
        },
    )


def _visit_page(
    request: AuthenticatedHttpRequest,
    participant: Participant,
    planned: PlannedVisit | None,
    visit: Visit,
) -> HttpResponse:
    """The follow-up CRF of one visit: of a planned visit (recorded or not yet), or of an
    unscheduled visit (new or recorded)."""
    form = VisitForm(request.POST or None, instance=visit, context=_context(participant, planned))
    if request.method == "POST" and form.is_valid():
        try:
            if visit.pk is None and planned is None:
                workflow.record_unscheduled_visit(
                    participant=participant, user=request.user, data=form.cleaned_data
                )
            else:
                workflow.record_visit(
                    visit=planned or visit,
                    user=request.user,
                    data=form.cleaned_data,
                    reason=form.cleaned_data.get("reason", ""),
                    expected_version=form.cleaned_data.get("version"),
                )
        except StaleRecordError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            # The form's rules, met again by the service (the site's day may have turned).
            form.add_error(None, exc)
        else:
            if planned is not None:
                messages.success(request, _("Visit %(visit)s saved.") % {"visit": planned})
            else:
                messages.success(request, _("Unscheduled visit saved."))
            return redirect("followup:participant_visits", participant_pk=participant.pk)
    return render(
        request, "followup/visit_form.html", {"form": form, "visit": visit, "planned": planned}
    )


@require_http_methods(["GET", "POST"])
@login_required
def visit_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A planned visit's page: recording it creates its form, later saves correct that form."""
    planned = _for_data_entry(
        PlannedVisit.objects.select_related("participant__site", "visit"), request, pk=pk
    )
    visit = planned.recorded_visit or Visit(
        participant=planned.participant, kind=Visit.Kind.PLANNED, planned_visit=planned
    )
    return _visit_page(request, planned.participant, planned, visit)


@require_http_methods(["GET", "POST"])
@login_required
def visit_form(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A recorded visit form's page (the data-quality pages link here): an unscheduled visit's,
    or a planned one's, which is its planned visit's page."""
    visit = _for_data_entry(
        Visit.objects.select_related("participant__site", "planned_visit"), request, pk=pk
    )
    if visit.planned_visit is not None:
        return redirect("followup:visit_record", pk=visit.planned_visit_id)
    return _visit_page(request, visit.participant, None, visit)


@require_http_methods(["GET", "POST"])
@login_required
def unscheduled_visit(request: AuthenticatedHttpRequest, participant_pk: int) -> HttpResponse:
    participant = _for_data_entry(
        Participant.objects.select_related("site"), request, pk=participant_pk
    )
    return _visit_page(
        request, participant, None, Visit(participant=participant, kind=Visit.Kind.UNSCHEDULED)
    )


@require_POST
@login_required
def visit_missed(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = _for_data_entry(
        PlannedVisit.objects.select_related("participant"),
        request,
        pk=pk,
        status=PlannedVisit.Status.OPEN,
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
    except ValidationError as exc:  # recorded meanwhile: no longer open
        messages.error(request, " ".join(exc.messages))
        return redirect("followup:visit_record", pk=visit.pk)
    messages.success(request, _("Visit %(visit)s recorded as missed.") % {"visit": visit})
    return redirect("followup:worklist")
