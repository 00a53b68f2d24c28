"""The demo resident (陈大娘, login `resident`) has records of her own for 我的: errands the lead station ran
for her, cases she reported and volunteer hours. Runs after the stations and civic demos; draws no random
numbers, so the rest of the demo stays as it was."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from wanghua.civic.models import Activity, Case, CaseSource, SignUp
from wanghua.org.models import Person
from wanghua.stations.models import Errand, ErrandStatus, Resident, Station

from .stations_demo import LEAD_STATION_CODE

MY_ERRANDS = 5  # her latest errands at the lead station, one of them still open
MY_CASES = 2
MY_ACTIVITIES = 3


def build() -> None:
    user = get_user_model().objects.filter(username="resident").first()
    person = Person.objects.filter(user=user).first() if user else None
    if person is None or Resident.objects.filter(user=user).exists():  # built already: the demo is idempotent
        return
    station = Station.objects.get(unit__code=LEAD_STATION_CODE)
    resident = Resident.objects.create(
        name=person.name, station=station, community=station.community, user=user, birth_year=1948,
        phone="13504041948", address=f"{station.community.name}3号楼2单元", empty_nest=True,
        consent_how=Resident.Consent.SIGNED, consent_on=timezone.localdate() - timedelta(days=900),
        first_served_on=timezone.localdate() - timedelta(days=400))
    latest = list(station.errands.order_by("-accepted_at").values_list("pk", flat=True)[:MY_ERRANDS * 3])
    mine = latest[::3]
    if not station.errands.filter(pk__in=mine, status__in=(ErrandStatus.ACCEPTED, ErrandStatus.IN_PROGRESS)).exists():
        opened = station.errands.filter(status=ErrandStatus.IN_PROGRESS).values_list("pk", flat=True).first()
        mine = [*mine[:-1], opened] if opened else mine
    Errand.objects.filter(pk__in=mine).update(resident=resident)
    _link_reports(user, person, station)
    past = (Activity.objects.filter(community=station.community, ends_at__lt=timezone.now())
            .exclude(signups__person=person).order_by("-starts_at")[:MY_ACTIVITIES])
    SignUp.objects.bulk_create([SignUp(activity=a, person=person, checked_in_at=a.starts_at,
                                       checked_out_at=a.ends_at, hours=Decimal("2.00")) for a in past])


def _link_reports(user, person, station) -> None:
    """随手拍 reports of residents nearest her: her own community's, else her street's, else the district's."""
    reports = Case.objects.filter(source=CaseSource.RESIDENT, reported_by__isnull=True).order_by("-reported_at")
    for nearby in (reports.filter(community=station.community),
                   reports.filter(community__parent=station.community.parent), reports):
        picked = list(nearby.values_list("pk", flat=True)[:MY_CASES])
        if picked:
            Case.objects.filter(pk__in=picked).update(reported_by=user, reporter_name=person.name)
            return
