"""The projects module's scheduled jobs (core/jobs.py runs them in the job worker)."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.jobs import Daily, job

from .services import escalate_overdue


@job("escalate_issues", _("Escalate overdue project issues"), Daily(hour=8), result=_("%(issues)s issues escalated"),
     description=_("Open project issues past their deadline go to the project's responsible leader."))
def escalate_issues() -> dict[str, int]:
    return {"issues": escalate_overdue()}
