"""The culture module's scheduled jobs (core/jobs.py runs them in the job worker)."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.jobs import Every, job

from .services import award_points


@job("award_points", _("Award volunteer points"), Every(minutes=10), result=_("%(signups)s sign-ups earned points"),
     description=_("Checked-out volunteer hours earn points by the points rule in force, once per sign-up."))
def award() -> dict[str, int]:
    return {"signups": award_points()}
