"""Data-quality reads: a participant's forms and their state, queries, sign-offs; all scoped."""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Model
from django.http import Http404
from django.urls import reverse

from access.roles import Action
from access.scoping import get_for_user_or_404
from audit.models import CrfRecord, CrfStatus
from enrollment.models import Participant
from followup.models import Visit

from .models import CasebookSignOff, DataQuery

DONE_STATES = (CrfStatus.VERIFIED, CrfStatus.LOCKED)


@cache
def crf_models() -> tuple[type[CrfRecord], ...]:
    """Every CRF model: the subclasses of audit.models.CrfRecord."""
    return tuple(m for m in apps.get_models() if issubclass(m, CrfRecord))


def form_models() -> tuple[type[CrfRecord], ...]:
    """The CRFs shown as forms of their own (not parts of another form)."""
    return tuple(m for m in crf_models() if not m.is_crf_part)


def form_page_url(record: Model) -> str | None:
    """The page where the form is entered: its model's `get_absolute_url`, where it has one
    (an off-study record is entered once, on the participant's page, and has none)."""
    page = getattr(record, "get_absolute_url", None)
    return page() if page is not None else None


def form_for_user_or_404(
    user: Any, form_id: int, pk: int, action: Action = Action.VIEW_PARTICIPANTS
) -> CrfRecord:
    try:
        model = ContentType.objects.get_for_id(form_id).model_class()
    except ContentType.DoesNotExist as exc:
        raise Http404 from exc
    if model is None or not issubclass(model, CrfRecord):
        raise Http404
    return get_for_user_or_404(model.objects.all(), user, action, pk=pk)


@dataclass(frozen=True)
class FormRow:
    record: CrfRecord
    form_id: int
    open_queries: int

    @property
    def label(self) -> str:
        return f"{str(self.record._meta.verbose_name).capitalize()}: {self.record}"

    @property
    def status(self) -> str:
        return self.record.crf_status

    @property
    def participant(self) -> Any:
        """The form's participant, through `participant_path` (read with the form); None for a
        screening that enrolled nobody."""
        obj: Any = self.record
        try:
            for hop in self.record.participant_path.split("__"):
                obj = getattr(obj, hop)
        except ObjectDoesNotExist:
            return None
        return obj

    @property
    def site(self) -> Any:
        obj: Any = self.record
        for hop in self.record.site_path.split("__"):
            obj = getattr(obj, hop)
        return obj

    @property
    def page_url(self) -> str | None:
        return form_page_url(self.record)

    @property
    def quality_url(self) -> str:
        return reverse("dataquality:form", kwargs={"form_id": self.form_id, "pk": self.record.pk})


def quality_url(record: Model) -> str:
    """The form's data-quality page: its state, queries and audit trail."""
    form_id = ContentType.objects.get_for_model(record).pk
    return reverse("dataquality:form", kwargs={"form_id": form_id, "pk": record.pk})


def participant_forms(participant: Participant) -> list[FormRow]:
    """Every form of the participant with its state and open query count: one query per CRF
    model and one for the counts, however many forms there are."""
    counts = {
        (row["form_id"], row["object_id"]): row["n"]
        for row in DataQuery.objects.filter(participant=participant, status=DataQuery.Status.OPEN)
        .values("form_id", "object_id")
        .annotate(n=Count("pk"))
    }
    rows = []
    # One query for every form's content type (none once Django's cache holds them).
    content_types = ContentType.objects.get_for_models(*form_models())
    for model in form_models():
        form_id = content_types[model].pk
        records = model.objects.filter(**{model.participant_path: participant})
        related = (model.participant_path, *getattr(model, "crf_related", ()))
        for record in records.select_related(*related).order_by("pk"):
            rows.append(FormRow(record, form_id, counts.get((form_id, record.pk), 0)))
    return rows


def unverified_forms(participant: Participant) -> list[FormRow]:
    return [row for row in participant_forms(participant) if row.status not in DONE_STATES]


def query_list(user: Any, *, status: str = "", site: Any = None) -> Any:
    queries = DataQuery.objects.for_user(user).select_related(
        "participant", "site", "form", "opened_by"
    )
    if status:
        queries = queries.filter(status=status)
    if site:
        queries = queries.filter(site=site)
    return queries


def query_for_user_or_404(user: Any, pk: int) -> DataQuery:
    return get_for_user_or_404(
        DataQuery.objects.select_related("participant", "site", "form", "opened_by"), user, pk=pk
    )


def queries_on(record: Model) -> Any:
    return DataQuery.objects.filter(
        form=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("opened_by")


def open_query_count(user: Any) -> int:
    """The queries waiting for the user: open ones for those who answer them, answered ones
    (to close or re-open) for those who raise them."""
    waiting = []
    if user.can(Action.ANSWER_QUERY):
        waiting.append(DataQuery.Status.OPEN)
    if user.can(Action.RAISE_QUERY):
        waiting.append(DataQuery.Status.ANSWERED)
    if not waiting:
        return 0
    return DataQuery.objects.for_user(user).filter(status__in=waiting).count()


def sign_offs(participant: Participant) -> list[CasebookSignOff]:
    return list(CasebookSignOff.objects.filter(participant=participant).select_related("signature"))


# The source data verification worklist shows this many forms (the oldest waiting first) and
# the count of all of them; the filters narrow it.
SDV_LIMIT = 100


@dataclass(frozen=True)
class SdvWorklist:
    rows: list[FormRow]
    total: int


def visit_codes(user: Any) -> list[str]:
    """The follow-up visits (schedule codes) that have a recorded form at the user's sites."""
    return sorted(
        Visit.objects.for_user(user, Action.VERIFY)
        .filter(planned_visit__isnull=False)
        .values_list("planned_visit__code", flat=True)
        .distinct()
    )


def sdv_worklist(
    user: Any, *, site: Any = None, form: ContentType | None = None, visit: str = ""
) -> SdvWorklist:
    """Forms complete and waiting for source data verification at the sites where the user
    verifies: one count and one read per CRF model, whatever the number of forms."""
    models = [m for m in form_models() if form is None or form.model_class() is m]
    if visit:
        # A visit names a slot of the follow-up schedule: only follow-up visit forms have one.
        models = [m for m in models if m is Visit]
    content_types = ContentType.objects.get_for_models(*form_models())
    rows: list[FormRow] = []
    total = 0
    for model in models:
        records = model.objects.for_user(user, Action.VERIFY).filter(crf_status=CrfStatus.COMPLETE)
        if site is not None:
            records = records.filter(**{model.site_path: site})
        if visit:
            # Only Visit is left here (above); the filter names its slot of the schedule.
            slot = (
                {"planned_visit__isnull": True}
                if visit == "unscheduled"  # dataquality.forms.UNSCHEDULED_VISIT
                else {"planned_visit__code": visit}
            )
            records = records.filter(**slot)
        total += records.count()
        related = (
            model.participant_path,
            model.site_path,
            *getattr(model, "crf_related", ()),
        )
        form_id = content_types[model].pk
        for record in records.select_related(*related).order_by("updated_at", "pk")[:SDV_LIMIT]:
            rows.append(FormRow(record, form_id, 0))
    rows.sort(key=lambda row: (row.record.updated_at, row.form_id, row.record.pk))
    return SdvWorklist(rows[:SDV_LIMIT], total)
