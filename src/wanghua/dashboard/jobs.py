"""The dashboard's scheduled job: the indicator refresh (core/jobs.py runs it in the job worker)."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.jobs import Every, job

from . import services


@job("refresh_indicators", _("Refresh indicators"), Every(minutes=15),
     result=_("%(values)s values stored, %(failures)s indicators failed"), link="dashboard:refreshes",
     description=_("Recomputes every indicator for every scope and stores this month's values."))
def refresh_indicators() -> dict[str, int]:
    run = services.refresh_indicators(trigger="schedule")
    return {"values": run.values, "failures": len(run.failures), "refresh": run.pk}
