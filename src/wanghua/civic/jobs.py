"""The civic module's scheduled jobs (core/jobs.py runs them in the job worker)."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.jobs import Daily, Every, job

from .services.cases import supervise_overdue
from .services.commitments import review_commitments


@job("supervise_cases", _("Supervise overdue cases"), Every(minutes=15), result=_("%(cases)s cases supervised"),
     description=_("Dispatched city-management cases past their deadline are flagged for the command centre."))
def supervise_cases() -> dict[str, int]:
    return {"cases": supervise_overdue()}


@job("review_commitments", _("Review livelihood commitments"), Daily(hour=1),
     result=_("%(commitments)s commitments fell behind"),
     description=_("Livelihood commitments whose milestone or deadline passed unmet are marked as lagging."))
def review() -> dict[str, int]:
    return {"commitments": review_commitments()}
