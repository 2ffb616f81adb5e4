from typing import Any

from django.db.models import QuerySet

from access.roles import Action

from .models import ExportLog, OutputJob

RECENT_EXPORTS = 20


def recent_exports(*, user: Any) -> QuerySet[ExportLog]:
    """The latest exports: everyone's for those who may export identified data, else one's own."""
    log = ExportLog.objects.select_related("user")
    if not user.can(Action.EXPORT_IDENTIFIED):
        log = log.filter(user=user)
    return log[:RECENT_EXPORTS]


RECENT_JOBS = 10


def recent_jobs(*, user: Any) -> QuerySet[OutputJob]:
    """The user's own latest long exports (a job's file is its owner's alone)."""
    return OutputJob.objects.filter(user=user)[:RECENT_JOBS]
