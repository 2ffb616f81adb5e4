from django.db import models
from django.utils.translation import gettext_lazy as _

from access.models import Site
from audit.models import ClinicalRecord


class Participant(ClinicalRecord):
    """An enrolled patient, known by a study ID allocated per site at enrolment."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        OFF_STUDY = "off_study", _("Off study")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participants")
    study_id = models.CharField(_("study ID"), max_length=16, unique=True)
    sequence = models.PositiveIntegerField(_("sequence at site"))
    diagnosis_date = models.DateField(_("date of diagnosis"))
    enrolment_date = models.DateField(_("date of enrolment"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ENROLLED
    )

    class Meta:
        ordering = ["study_id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["site", "sequence"], name="participant_site_sequence"),
            models.CheckConstraint(
                condition=models.Q(enrolment_date__gte=models.F("diagnosis_date")),
                name="participant_enrolled_after_diagnosis",
            ),
        ]

    def __str__(self) -> str:
        return self.study_id

    @property
    def is_off_study(self) -> bool:
        return self.status == self.Status.OFF_STUDY
