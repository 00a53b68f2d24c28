"""民生·创城 indicators for the 一核 card and the 六望花 board, counted from cases, commitments and volunteers."""

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal, now, records, register, shared, today
from wanghua.core.localtime import up_to_day
from wanghua.org.models import Unit, UnitKind

from . import queries
from .models import Activity, Case, CaseStatus, CaseTally, Commitment, SignUp


def _year_kpis(region=None, unit=None) -> queries.CaseKpis:
    """This year's case KPIs from the tallies (whole months so far), never a scan of the cases."""
    tallies = CaseTally.objects.all()
    if unit is not None:
        tallies = tallies.filter(unit=unit)
    elif region is not None:
        tallies = tallies.filter(community__path__startswith=region.path)
    day = today()
    return shared(("civic.year_kpis", region and region.pk, unit and unit.pk),
                  lambda: queries.tallied_kpis(tallies, day.replace(month=1, day=1), day.replace(day=1))[0])


def _cases(**filters):
    def url(region=None, unit=None) -> str:
        return records("civic:cases", region=region, unit=unit, year=today().year, **filters)

    return url


@register("civic.cases_closed", name=_("City-management cases closed this year"), goal=Goal.CIVILITY,
          unit=_("count"), zone="core", by_unit=True, accumulates=True, drill=_cases(status=CaseStatus.CLOSED))
def cases_closed(region=None, unit=None) -> int:
    return _year_kpis(region, unit).closed


@register("civic.on_time_rate", name=_("Cases handled on time (按期处置率)"), goal=Goal.RULE_OF_LAW, unit="%",
          by_unit=True, drill=_cases())
def on_time_rate(region=None, unit=None) -> Decimal:
    return _year_kpis(region, unit).on_time_rate or Decimal("0.0")


@register("civic.closure_rate", name=_("Cases closed (结案率)"), goal=Goal.RULE_OF_LAW, unit="%", by_unit=True,
          drill=_cases())
def closure_rate(region=None, unit=None) -> Decimal:
    return _year_kpis(region, unit).closure_rate or Decimal("0.0")


def _put_right(action_code: str, region=None) -> int:
    cases = Case.objects.filter(action__code=action_code, action__year=today().year, status=CaseStatus.CLOSED,
                                closed_at__lte=now())
    return (cases.filter(community__path__startswith=region.path) if region is not None else cases).count()


def _action_cases(action_code: str):
    def url(region=None) -> str:
        from .models import CampaignAction

        action = CampaignAction.objects.filter(code=action_code, year=today().year).first()
        return records("civic:cases", region=region, status=CaseStatus.CLOSED, action=action.pk if action else "")

    return url


@register("civic.occupation_put_right", name=_("Road-occupation cases put right this year"), goal=Goal.CIVILITY,
          unit=_("places"), accumulates=True, drill=_action_cases("occupation"),
          description=_("Closed cases of the campaign action with the code “occupation”."))
def occupation_put_right(region=None) -> int:
    return _put_right("occupation", region)


@register("civic.vendors_put_right", name=_("Vendors corrected this year"), goal=Goal.CIVILITY,
          unit=_("person-times"), accumulates=True, drill=_action_cases("market"),
          description=_("Closed cases of the campaign action with the code “market”."))
def vendors_put_right(region=None) -> int:
    return _put_right("market", region)


def _commitments_page(region=None, unit=None) -> str:
    return records("civic:commitments", region_param=None, unit_param=None, year=today().year)


@register("civic.commitments_delivered", name=_("Livelihood commitments delivered"), goal=Goal.WELLBEING,
          unit="%", zone="core", by_unit=True, drill=_commitments_page)
def commitments_delivered(region=None, unit=None) -> Decimal:
    return queries.delivered_share(_year_commitments(region, unit))


def _year_commitments(region=None, unit=None):
    """This year's commitments of the unit, or those that concern the region: made for it, within it or for
    the whole district."""
    year = Commitment.objects.filter(year=today().year)
    if unit is not None:
        return year.filter(unit=unit)
    if region is not None:
        ancestors = [region.path[:n] for n in range(1, len(region.path) + 1)]  # tree paths are prefixes
        return year.filter(Q(region__path__startswith=region.path) | Q(region__path__in=ancestors))
    return year


@register("civic.commitments", name=_("Livelihood commitments this year"), goal=Goal.WELLBEING, unit=_("count"),
          by_unit=True, drill=_commitments_page)
def commitment_count(region=None, unit=None) -> int:
    return _year_commitments(region, unit).count()


def _teams(region=None) -> str:
    return records("org:units", region=region, kind=UnitKind.VOLUNTEER_TEAM)


def _activities(region=None) -> str:
    return records("civic:activities", region=region)


@register("civic.volunteer_teams", name=_("Volunteer teams"), goal=Goal.CIVILITY, unit=_("count"), zone="core",
          drill=_teams)
def volunteer_teams(region=None) -> int:
    teams = Unit.objects.filter(kind=UnitKind.VOLUNTEER_TEAM, active=True)
    return (teams.filter(region__path__startswith=region.path) if region is not None else teams).count()


@register("civic.activities", name=_("Volunteer activities this year"), goal=Goal.CIVILITY, unit=_("count"),
          accumulates=True, drill=_activities)
def activities(region=None) -> int:
    year = Activity.objects.filter(starts_at__year=today().year, **up_to_day("starts_at", today()), cancelled=False)
    return (year.filter(community__path__startswith=region.path) if region is not None else year).count()


@register("civic.volunteer_hours", name=_("Volunteer hours served this year"), goal=Goal.CIVILITY,
          unit=_("hours"), accumulates=True, drill=_activities)
def volunteer_hours(region=None) -> Decimal:
    served = SignUp.objects.filter(activity__starts_at__year=today().year, **up_to_day("activity__starts_at", today()))
    if region is not None:
        served = served.filter(activity__community__path__startswith=region.path)
    return served.aggregate(total=Sum("hours"))["total"] or Decimal(0)
