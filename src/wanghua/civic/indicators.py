"""民生·创城 indicators for the 一核 card and the 六望花 board, counted from cases, commitments and volunteers."""

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal, register
from wanghua.org.models import Unit, UnitKind

from . import commitments, kpis
from .models import Activity, CaseTally, Commitment, SignUp


def _year_kpis(region=None) -> kpis.CaseKpis:
    """This year's case KPIs from the tallies (whole months so far), never a scan of the cases."""
    tallies = CaseTally.objects.all()
    if region is not None:
        tallies = tallies.filter(community__path__startswith=region.path)
    today = timezone.localdate()
    return kpis.tallied_kpis(tallies, today.replace(month=1, day=1), today.replace(day=1))[0]


@register("civic.cases_closed", name=_("City-management cases closed this year"), goal=Goal.CIVILITY,
          unit=_("count"), zone="core")
def cases_closed(region=None) -> int:
    return _year_kpis(region).closed


@register("civic.on_time_rate", name=_("Cases handled on time (按期处置率)"), goal=Goal.RULE_OF_LAW, unit="%")
def on_time_rate(region=None) -> Decimal:
    return _year_kpis(region).on_time_rate or Decimal("0.0")


@register("civic.closure_rate", name=_("Cases closed (结案率)"), goal=Goal.RULE_OF_LAW, unit="%")
def closure_rate(region=None) -> Decimal:
    return _year_kpis(region).closure_rate or Decimal("0.0")


@register("civic.commitments_delivered", name=_("Livelihood commitments delivered"), goal=Goal.WELLBEING,
          unit="%", zone="core")
def commitments_delivered(region=None) -> Decimal:
    """Of this year's commitments that concern the region: made for it, within it or for the whole district."""
    year = Commitment.objects.filter(year=timezone.localdate().year)
    if region is not None:
        ancestors = [region.path[:n] for n in range(1, len(region.path) + 1)]  # tree paths are prefixes
        year = year.filter(Q(region__path__startswith=region.path) | Q(region__path__in=ancestors))
    return commitments.delivered_share(year)


@register("civic.volunteer_teams", name=_("Volunteer teams"), goal=Goal.CIVILITY, unit=_("count"), zone="core")
def volunteer_teams(region=None) -> int:
    teams = Unit.objects.filter(kind=UnitKind.VOLUNTEER_TEAM, active=True)
    return (teams.filter(region__path__startswith=region.path) if region is not None else teams).count()


@register("civic.activities", name=_("Volunteer activities this year"), goal=Goal.CIVILITY, unit=_("count"))
def activities(region=None) -> int:
    year = Activity.objects.filter(starts_at__year=timezone.localdate().year, cancelled=False)
    return (year.filter(community__path__startswith=region.path) if region is not None else year).count()


@register("civic.volunteer_hours", name=_("Volunteer hours served this year"), goal=Goal.CIVILITY,
          unit=_("hours"))
def volunteer_hours(region=None) -> Decimal:
    served = SignUp.objects.filter(activity__starts_at__year=timezone.localdate().year)
    if region is not None:
        served = served.filter(activity__community__path__startswith=region.path)
    return served.aggregate(total=Sum("hours"))["total"] or Decimal(0)
