"""Read-side figures of the culture module: visits per site, the 好人榜, the map's layers, a volunteer's points."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, Sum

from wanghua.org.models import Person, Region

from .models import (
    EntryKind,
    Goods,
    HeritageSite,
    Nomination,
    NominationStatus,
    PointsAccount,
    PointsEntry,
    ServiceCertificate,
    SiteVisit,
    StudyRoute,
)


def visits_by_site(sites, start: date, end: date) -> dict[int, int]:
    """Visits (device-days) per site from `start` to `end`, both included."""
    rows = (SiteVisit.objects.filter(site__in=sites, day__gte=start, day__lte=end).values("site")
            .annotate(n=Count("pk")).values_list("site", "n"))
    return dict(rows)


def visits_by_month(site: HeritageSite, year: int) -> list[int]:
    counts = dict(SiteVisit.objects.filter(site=site, day__year=year).values_list("day__month")
                  .annotate(n=Count("pk")).values_list("day__month", "n"))
    return [counts.get(month, 0) for month in range(1, 13)]


def honour_roll(region: Region | None = None):
    """The recognised, newest first (their phone never leaves the record)."""
    rows = Nomination.objects.filter(status=NominationStatus.RECOGNISED).select_related("community__parent")
    return (rows.filter(community__path__startswith=region.path) if region else rows).order_by("-recognised_on",
                                                                                               "nominee_name")


def on_public_notice():
    return (Nomination.objects.filter(status=NominationStatus.PUBLICITY).select_related("community")
            .order_by("publicity_ends"))


def map_layers() -> dict:
    """Sites (points), routes (lines through their sites in order) and the recognised per community."""
    sites = list(HeritageSite.objects.filter(active=True).select_related("community"))
    routes = [{"name": r.name, "coords": [[float(s.site.longitude), float(s.site.latitude)]
                                          for s in r.stops.select_related("site").order_by("position")]}
              for r in StudyRoute.objects.filter(active=True)]
    recognised = (Nomination.objects.filter(status=NominationStatus.RECOGNISED).values("community__name")
                  .annotate(n=Count("pk")).order_by("community__name"))
    return {"outline": outline_features(),
            "sites": [{"name": s.name, "value": [float(s.longitude), float(s.latitude)],
                       "community": s.community.name} for s in sites],
            "routes": routes,
            "role_models": [{"community": r["community__name"], "count": r["n"]} for r in recognised]}


def outline_features() -> dict:
    """The communities' outlines as one FeatureCollection (the district's own when no community has one)."""
    from wanghua.org.models import RegionLevel

    def feature(region: Region) -> dict:
        outline = region.geojson
        assert outline is not None  # both querysets below filter on geojson__isnull=False
        geometry = outline.get("geometry") if outline.get("type") == "Feature" else outline
        return {"type": "Feature", "properties": {"name": region.name}, "geometry": geometry}

    regions = list(Region.objects.filter(level=RegionLevel.COMMUNITY, geojson__isnull=False))
    if not regions:
        regions = list(Region.objects.filter(level=RegionLevel.DISTRICT, geojson__isnull=False)[:1])
    return {"type": "FeatureCollection", "features": [feature(r) for r in regions]}


def account_of(person: Person | None) -> PointsAccount | None:
    return PointsAccount.objects.filter(person=person).first() if person is not None else None


def shelf_for(person: Person | None):
    """The 积分超市 shelf a volunteer sees: goods in stock at their own community's shop, or, where that shop
    has none, every shop's (a volunteer may redeem at any of them)."""
    shelf = Goods.objects.filter(active=True, stock__gt=0).select_related("community")
    if person is not None and person.region_id is not None:
        own = shelf.filter(community=person.region_id)
        if own.exists():
            return own
    return shelf


def readable_certificates(user):
    """The 志愿服务证明 `user` may open: those their grants reach, and always the volunteer's own (a volunteer's
    grant is on their team, which no certificate's community lies under)."""
    reached = Q(pk__in=ServiceCertificate.objects.visible_to(user, "view").values("pk"))
    own = Q(person__user=user.pk) if user.pk is not None else Q(pk__in=[])  # no one owns a person without a user
    return ServiceCertificate.objects.filter(reached | own)


def points_totals(entries) -> dict[str, int]:
    totals = entries.aggregate(earned=Sum("points", filter=Q(kind=EntryKind.EARNED)),
                               redeemed=Sum("points", filter=Q(kind=EntryKind.REDEEMED)))
    return {key: value or 0 for key, value in totals.items()}


def entries_of(account: PointsAccount):
    return PointsEntry.objects.filter(account=account).order_by("-recorded_at", "-id")
