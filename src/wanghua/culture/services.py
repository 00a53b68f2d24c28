"""Every rule of the Lei Feng culture module: heritage sites and their visits, study routes, the 身边榜样
nomination table (`models.NOMINATION_FLOW`) with its 公示 and objections, and the volunteer points ledger.

Points follow the lock discipline of the errand cash ledger: every write locks the volunteer's account row first
(then, for a redemption, the goods row: always in that order, so two writers never wait on each other), checks the
balance and the stock under the locks, and writes the entry, the balance and the stock in one transaction. The
balance can never go below zero, and a database constraint holds it to earned − redeemed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any, cast

import holidays
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.civic import queries as civic_queries
from wanghua.core import audit
from wanghua.core.access import can, fetch_for_change, has_perm_anywhere, require
from wanghua.core.models import User
from wanghua.core.photos import photo_format
from wanghua.org.geo import contains
from wanghua.org.models import Person, Region, RegionLevel
from wanghua.org.services import PHONE_PATTERN

from .models import (
    NOMINATION_FLOW,
    EntryKind,
    Goods,
    HeritageSite,
    Nomination,
    NominationPhoto,
    NominationStatus,
    NominationStep,
    Objection,
    PointsAccount,
    PointsEntry,
    PointsRule,
    Redemption,
    RouteStop,
    ServiceCertificate,
    SitePhoto,
    SiteVisit,
    StudyRoute,
)

# --- working days (公示 counts them as China's official calendar does) --------------------------------


@cache
def _calendar() -> holidays.HolidayBase:
    return holidays.China(language="zh_CN")  # type: ignore[no-untyped-call]  # holidays leaves the country classes' __init__ unannotated


def is_working_day(day: date) -> bool:
    return _calendar().is_working_day(day)


def publicity_window(start: date, days: int) -> tuple[date, date]:
    """The first working day on or after `start`, and the day on which `days` working days are complete."""
    first = start
    while not is_working_day(first):
        first += timedelta(days=1)
    last, counted = first, 1
    while counted < days:
        last += timedelta(days=1)
        counted += is_working_day(last)
    return first, last


# --- heritage sites ----------------------------------------------------------------------------------

def district_outlines() -> list[dict[str, Any]]:
    """The district's outline as the geography holds it: the root region's own, else its communities' outlines
    (a point inside any of them is inside the district); empty when no outline is recorded at all."""
    root = Region.objects.filter(parent__isnull=True, level=RegionLevel.DISTRICT).only("geojson").first()
    if root is not None and root.geojson:
        return [root.geojson]
    outlines = Region.objects.filter(level=RegionLevel.COMMUNITY, geojson__isnull=False).values_list("geojson",
                                                                                                      flat=True)
    return cast(list[dict[str, Any]], list(outlines))  # geojson__isnull=False: every value is an outline


def inside_district(longitude: Decimal | float, latitude: Decimal | float) -> bool:
    outlines = district_outlines()
    return not outlines or any(contains(o, float(longitude), float(latitude)) for o in outlines)


def _check_site(site: HeritageSite) -> None:
    errors: dict[str, str] = {}
    if site.community_id and site.community.level != RegionLevel.COMMUNITY:
        errors["community"] = _("A heritage site belongs to a village or community.")
    located = site.longitude is not None and site.latitude is not None
    if located and not inside_district(site.longitude, site.latitude):
        errors["longitude"] = _("This location lies outside the district's outline: check the longitude "
                                "and latitude.")
    if not (site.story or "").strip():
        errors["story"] = _("Tell the site's story.")
    if errors:
        raise ValidationError(errors)
    if site.zone_id is None and site.community_id:
        site.zone = site.community.zone
    site.full_clean()


@transaction.atomic
def create_site(actor: User, **fields: Any) -> HeritageSite:
    site = HeritageSite(**fields)
    _check_site(site)
    require(actor, "add", site)
    with audit.acting_as(actor):
        site.save()
    return site


SITE_FIELDS = ("name", "address", "community", "zone", "longitude", "latitude", "story", "source", "opening_hours",
               "active")


@transaction.atomic
def update_site(actor: User, site_id: int, **fields: Any) -> HeritageSite:
    site = fetch_for_change(HeritageSite, actor, "change", site_id)
    for key in SITE_FIELDS:
        if key in fields:
            setattr(site, key, fields[key])
    _check_site(site)
    require(actor, "change", site)  # a site moved to another community stays within the actor's scope
    with audit.acting_as(actor):
        site.save()
    return site


@transaction.atomic
def add_site_photo(actor: User, site_id: int, upload: UploadedFile[Any], caption: str = "") -> SitePhoto:
    site = fetch_for_change(HeritageSite, actor, "change", site_id)
    photo = SitePhoto(site=site, caption=caption.strip()[:100], image_format=photo_format(upload), size=upload.size)  # type: ignore[misc]  # an upload has its size
    require(actor, "add", photo)
    photo.image.save("photo", upload, save=False)
    with audit.acting_as(actor):
        photo.save()
    return photo


def device_fingerprint(device_id: str, day: date) -> str:
    """A day's salted hash of the visitor's random device cookie: counts one visit a day without knowing who."""
    return hashlib.sha256(f"{settings.SECRET_KEY}|visit|{device_id}|{day.isoformat()}".encode()).hexdigest()


def record_visit(token: str, device_id: str) -> tuple[HeritageSite, bool]:
    """A plaque scan: one visit per device per day (a second scan that day counts nothing). Anonymous."""
    site = HeritageSite.objects.filter(plaque_token=token, active=True).first()
    if site is None:
        raise HeritageSite.DoesNotExist(_("No such heritage site."))
    if not device_id or len(device_id) > 64 or not device_id.replace("-", "").replace("_", "").isalnum():
        raise ValidationError(_("The visit could not be counted."))
    day = timezone.localdate()
    try:
        with transaction.atomic():
            _visit, created = SiteVisit.objects.get_or_create(site=site, day=day,
                                                              device=device_fingerprint(device_id, day))
    except IntegrityError:  # the same device in the same instant from two tabs
        created = False
    return site, created


def _check_stops(sites: list[HeritageSite]) -> None:
    if len(sites) < 2:
        raise ValidationError({"sites": _("A study route links at least two sites.")})
    if len({s.pk for s in sites}) != len(sites):
        raise ValidationError({"sites": _("A site appears only once on a route.")})


@transaction.atomic
def create_route(actor: User, *, name: str, description: str = "", sites: Iterable[HeritageSite] = (),
                 active: bool = True) -> StudyRoute:
    sites = list(sites)
    _check_stops(sites)
    route = StudyRoute(name=name.strip(), description=description.strip(), active=active)
    route.full_clean()
    require(actor, "add", route)
    with audit.acting_as(actor):
        route.save()
        for position, site in enumerate(sites, start=1):
            RouteStop.objects.create(route=route, site=site, position=position)
    return route


@transaction.atomic
def update_route(actor: User, route_id: int, **fields: Any) -> StudyRoute:
    """Rename, describe, publish or withdraw a route, or give it new stops (in order)."""
    route = fetch_for_change(StudyRoute, actor, "change", route_id)
    for key in ("name", "description", "active"):
        if key in fields:
            setattr(route, key, fields[key].strip() if isinstance(fields[key], str) else fields[key])
    route.full_clean()
    sites = list(fields["sites"]) if "sites" in fields else None
    if sites is not None:
        _check_stops(sites)
    with audit.acting_as(actor):
        route.save()
        if sites is not None:
            route.stops.all().delete()
            for position, site in enumerate(sites, start=1):
                RouteStop.objects.create(route=route, site=site, position=position)
    return route


# --- 身边榜样 ------------------------------------------------------------------------------------------

@transaction.atomic
def nominate(actor: User, *, nominee_name: str, community: Region, category: str, deed: str, deed_date: date,
             nominee_phone: str = "", title: str = "", by_community: bool = False,
             photos: Iterable[UploadedFile[Any]] = ()) -> Nomination:
    """提名: anyone with an account names a person and the deed; a community may nominate in its own name."""
    errors: dict[str, str] = {}
    if not (deed or "").strip():
        errors["deed"] = _("Describe the deed: a nomination without a deed cannot be reviewed.")
    if not (nominee_name or "").strip():
        errors["nominee_name"] = _("Name the person nominated.")
    if deed_date and deed_date > timezone.localdate():
        errors["deed_date"] = _("The deed's date cannot be in the future.")
    if community is None or community.level != RegionLevel.COMMUNITY:
        errors["community"] = _("Choose the nominee's village or community.")
    if nominee_phone and not PHONE_PATTERN.match(nominee_phone):
        errors["nominee_phone"] = _("Enter a valid phone number.")
    if errors:
        raise ValidationError(errors)
    nomination = Nomination(nominee_name=nominee_name.strip(), community=community, category=category,
                            deed=deed.strip(), deed_date=deed_date, nominee_phone=nominee_phone, title=title.strip(),
                            nominated_by=actor, by_community=by_community)
    nomination.full_clean()
    if not has_perm_anywhere(actor, "culture.add_nomination"):  # anyone may name a person of any community
        raise PermissionDenied(_("You do not have permission to do this."))
    if by_community and not can(actor, "culture.review_nomination", nomination):
        raise PermissionDenied(_("Only the community's own staff nominate in its name."))
    with audit.acting_as(actor), audit.labelled(audit.Label.CULTURE_NOMINATE):
        nomination.save()
        for upload in photos or ():
            _save_evidence(nomination, upload)
    return nomination


def _save_evidence(nomination: Nomination, upload: UploadedFile[Any], caption: str = "") -> NominationPhoto:
    photo = NominationPhoto(nomination=nomination, caption=caption.strip()[:100], image_format=photo_format(upload),
                            size=upload.size)  # type: ignore[misc]  # an upload has its size
    photo.image.save("photo", upload, save=False)
    photo.save()
    return photo


@transaction.atomic
def add_evidence(actor: User, nomination_id: int, upload: UploadedFile[Any], caption: str = "") -> NominationPhoto:
    nomination = fetch_for_change(Nomination, actor, "view", nomination_id)
    if nomination.status != NominationStatus.SUBMITTED:
        raise ValidationError(_("Evidence is added before the community's review."))
    require(actor, "add", NominationPhoto(nomination=nomination))
    with audit.acting_as(actor):
        return _save_evidence(nomination, upload, caption)


OPINION_FIELD: dict[str, str] = {
    NominationStatus.SUBMITTED: "community_opinion", NominationStatus.COMMUNITY_PASSED: "street_opinion",
    NominationStatus.STREET_PASSED: "office_opinion", NominationStatus.PUBLICITY: "office_opinion"}


@transaction.atomic
def approve_nomination(actor: User, nomination_id: int, *, opinion: str = "", publicity_days: int | None = None
                       ) -> Nomination:
    """审核通过 at the community, the street or the 文明办; the 文明办's pass opens the 公示 (≥ 5 working days)."""

    def record(nomination: Nomination) -> None:
        setattr(nomination, OPINION_FIELD[nomination.status], opinion.strip()[:500])
        if nomination.status == NominationStatus.STREET_PASSED:
            nomination.publicity_days = publicity_days or nomination.publicity_days
            nomination.full_clean(validate_unique=False, validate_constraints=False)
            nomination.publicity_starts, nomination.publicity_ends = publicity_window(
                timezone.localdate(), nomination.publicity_days)

    return NOMINATION_FLOW.perform(actor, nomination_id, NominationStep.APPROVE, apply=record)


@transaction.atomic
def reject_nomination(actor: User, nomination_id: int, *, reason: str) -> Nomination:
    def record(nomination: Nomination) -> None:
        if not reason.strip():
            raise ValidationError({"reason": _("Give a reason.")})
        nomination.rejection_reason = reason.strip()[:500]
        setattr(nomination, OPINION_FIELD[nomination.status], reason.strip()[:500])

    return NOMINATION_FLOW.perform(actor, nomination_id, NominationStep.REJECT, apply=record)


@transaction.atomic
def recognise_nomination(actor: User, nomination_id: int) -> Nomination:
    """认定: after the 公示, with every objection answered (the table's guard)."""

    def stamp(nomination: Nomination) -> None:
        nomination.recognised_on = timezone.localdate()

    return NOMINATION_FLOW.perform(actor, nomination_id, NominationStep.RECOGNISE, apply=stamp)


@transaction.atomic
def file_objection(actor: User | AnonymousUser | None, nomination_id: int, *, text: str,
                   contact: str = "") -> Objection:
    """异议: anyone, with or without an account, while the 公示 runs. The nomination row is locked so an objection
    and the recognition cannot pass each other."""
    nomination = (Nomination.objects.select_for_update().filter(pk=nomination_id,
                                                                 status=NominationStatus.PUBLICITY).first())
    if nomination is None:
        raise Nomination.DoesNotExist(_("No nomination is on public notice under this number."))
    if not nomination.in_publicity():
        raise ValidationError(_("The public notice ended on %(day)s: objections are no longer taken.")
                              % {"day": nomination.publicity_ends})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what the objection is.")})
    if contact and not PHONE_PATTERN.match(contact):
        raise ValidationError({"contact": _("Enter a valid phone number.")})
    user = actor if actor is not None and actor.is_authenticated else None
    objection = Objection(nomination=nomination, text=text, contact=contact, filed_by=user)
    objection.full_clean()
    with audit.acting_as(user), audit.labelled(audit.Label.CULTURE_OBJECTION):
        objection.save()
    return objection


@transaction.atomic
def answer_objection(actor: User, objection_id: int, *, answer: str) -> Objection:
    objection = fetch_for_change(Objection, actor, "view", objection_id)
    require(actor, "culture.answer_objection", objection.nomination)
    if objection.answered_at is not None:
        raise ValidationError(_("This objection has been answered."))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    objection.answer, objection.answered_by, objection.answered_at = answer.strip(), actor, timezone.now()
    objection.full_clean()
    with audit.acting_as(actor), audit.labelled(audit.Label.CULTURE_ANSWER):
        objection.save()
    return objection


# --- volunteer points --------------------------------------------------------------------------------

def current_rule() -> PointsRule:
    return PointsRule.objects.first() or PointsRule()


@transaction.atomic
def set_rule(actor: User, **fields: Any) -> PointsRule:
    """A new rule in force from now on (points already earned keep the rule they were earned under)."""
    rule = PointsRule(**fields)
    rule.full_clean()
    require(actor, "add", rule)
    try:
        date(2024, rule.bonus_month, rule.bonus_day)  # a leap year: 2月29日 is a day
    except ValueError as exc:
        raise ValidationError({"bonus_day": _("There is no such day in that month.")}) from exc
    with audit.acting_as(actor):
        rule.save()
    return rule


def is_bonus(rule: PointsRule, day: date, title: str) -> bool:
    return (day.month, day.day) == (rule.bonus_month, rule.bonus_day) and (rule.bonus_keyword or "") in title


def points_for(rule: PointsRule, hours: Decimal, day: date, title: str) -> tuple[int, bool]:
    """Points for `hours` served on `day` (rounded to whole points) and whether the bonus applied."""
    bonus = is_bonus(rule, day, title)
    rate = rule.points_per_hour + (rule.bonus_per_hour if bonus else 0)
    return int((Decimal(hours) * rate).quantize(Decimal(1), ROUND_HALF_UP)), bonus


def home_community(person: Person) -> Region:
    """Where a volunteer's points and certificates belong: their own region, else their team's."""
    region = person.region or (person.unit.region if person.unit is not None else None)
    if region is None:
        raise ValidationError(_("%(name)s has no community on record.") % {"name": person.name})
    return region


def _locked_account(person: Person) -> PointsAccount:
    """The volunteer's account row, locked (opened on first use)."""
    account = PointsAccount.objects.select_for_update().filter(person=person).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            PointsAccount.objects.create(person=person, community=home_community(person))
    except IntegrityError:  # opened by a concurrent writer
        pass
    return PointsAccount.objects.select_for_update().get(person=person)


def _post(account: PointsAccount, kind: str, points: int, **fields: Any) -> PointsEntry:
    """Write one entry and move the locked account's balance (never below zero)."""
    if kind == EntryKind.REDEEMED and points > account.balance:
        raise ValidationError(_("That needs %(points)s points; the balance is %(balance)s.")
                              % {"points": points, "balance": account.balance})
    if kind == EntryKind.EARNED:
        account.earned += points
    else:
        account.redeemed += points
    account.balance = account.earned - account.redeemed
    account.save(update_fields=["earned", "redeemed", "balance"])
    return PointsEntry.objects.create(account=account, kind=kind, points=points, balance_after=account.balance,
                                      **fields)


def award_points(actor: User | None = None, person: Person | None = None) -> int:
    """积分: every checked-out sign-up not yet counted earns points by the rule in force, once. Run by the job for
    everyone, and by a volunteer for their own hours. Returns the number of sign-ups counted."""
    rule = current_rule()
    counted = set(PointsEntry.objects.filter(signup_id__isnull=False).values_list("signup_id", flat=True))
    awarded = 0
    for signup in civic_queries.served_signups(person):
        if signup.pk in counted or not signup.hours:
            continue
        served_on = timezone.localdate(signup.activity.starts_at)
        points, bonus = points_for(rule, signup.hours, served_on, signup.activity.title)
        if points <= 0:
            continue
        with transaction.atomic(), audit.acting_as(actor), audit.labelled(audit.Label.CULTURE_POINTS):
            account = _locked_account(signup.person)
            if PointsEntry.objects.filter(signup_id=signup.pk).exists():  # counted by a concurrent run
                continue
            _post(account, EntryKind.EARNED, points, signup_id=signup.pk, activity=signup.activity.title[:200],
                  served_on=served_on, hours=signup.hours, bonus=bonus)
        awarded += 1
    return awarded


def collect_own_points(actor: User) -> int:
    """The volunteer's 领取积分: their own checked-out hours, counted now instead of at the next job run."""
    person = Person.objects.filter(user=actor).first()
    if person is None:
        raise ValidationError(_("Your account is not linked to a volunteer."))
    return award_points(actor, person)


def _may_redeem_for(actor: User, account: PointsAccount, goods: Goods) -> bool:
    own = account.person.user_id == actor.pk and has_perm_anywhere(actor, "culture.add_redemption")
    return own or can(actor, "add", Redemption(account=account, goods=goods))


@transaction.atomic
def redeem(actor: User, *, goods_id: int, quantity: int = 1, account_id: int | None = None) -> Redemption:
    """兑换 at a 积分超市: the volunteer for themselves (account_id None) or the community's staff for a volunteer.
    Locks the account, then the goods; checks the balance and the stock under both locks."""
    account: PointsAccount | None
    if account_id is None:
        person = Person.objects.filter(user=actor).first()
        if person is None:
            raise ValidationError(_("Your account is not linked to a volunteer."))
        account = _locked_account(person)
    else:
        account = PointsAccount.objects.select_for_update().filter(pk=account_id).first()
        if account is None or not (account.person.user_id == actor.pk or can(actor, "view", account)):
            raise PointsAccount.DoesNotExist(_("points account not found."))
    goods = Goods.objects.select_for_update().filter(pk=goods_id).first()
    if goods is None or not goods.active:
        raise Goods.DoesNotExist(_("These goods are not on the shelf."))
    if not _may_redeem_for(actor, account, goods):
        raise PermissionDenied(_("You do not have permission to do this."))
    if not isinstance(quantity, int) or not 1 <= quantity <= 100:
        raise ValidationError({"quantity": _("Take between 1 and 100 at a time.")})
    if quantity > goods.stock:
        raise ValidationError({"quantity": _("Only %(stock)s left in stock.") % {"stock": goods.stock}})
    points = goods.points * quantity
    if points > account.balance:
        raise ValidationError({"quantity": _("That needs %(points)s points; the balance is %(balance)s.")
                               % {"points": points, "balance": account.balance}})
    with audit.acting_as(actor), audit.labelled(audit.Label.CULTURE_REDEEM):
        redemption = Redemption.objects.create(account=account, goods=goods, quantity=quantity, points=points,
                                               recorded_by=actor)
        goods.stock -= quantity  # the goods row is locked: no other redemption moves it meanwhile
        goods.save(update_fields=["stock"])
        _post(account, EntryKind.REDEEMED, points, redemption=redemption, activity=goods.name[:200])
    return redemption


@transaction.atomic
def add_goods(actor: User, **fields: Any) -> Goods:
    goods = Goods(**fields)
    if goods.community_id and goods.community.level != RegionLevel.COMMUNITY:
        raise ValidationError({"community": _("A points shop belongs to a village or community.")})
    goods.full_clean()
    require(actor, "add", goods)
    with audit.acting_as(actor):
        goods.save()
    return goods


@transaction.atomic
def update_goods(actor: User, goods_id: int, **fields: Any) -> Goods:
    """Price, stock (restocking) and whether the goods are on the shelf, under the goods' lock."""
    goods = fetch_for_change(Goods, actor, "change", goods_id)
    for key in ("name", "points", "stock", "active"):
        if key in fields:
            setattr(goods, key, fields[key])
    goods.full_clean()
    with audit.acting_as(actor):
        goods.save()
    return goods


# --- 志愿服务证明 --------------------------------------------------------------------------------------

def canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest_of(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content).encode()).hexdigest()


@transaction.atomic
def issue_certificate(actor: User, person_id: int | None = None) -> ServiceCertificate:
    """The volunteer's hours as they stand, frozen into a numbered certificate (for themselves, or by the
    community's staff for one of their volunteers)."""
    if person_id is None:
        person = Person.objects.filter(user=actor).first()
        if person is None:
            raise ValidationError(_("Your account is not linked to a volunteer."))
    else:
        person = Person.objects.visible_to(actor, "view").filter(pk=person_id).first()
        if person is None:
            raise Person.DoesNotExist(_("volunteer not found."))
    certificate = ServiceCertificate(person=person, community=home_community(person), issued_by=actor, content={},
                                     number="", digest="")
    own = person.user_id == actor.pk and has_perm_anywhere(actor, "culture.add_servicecertificate")
    if not own:
        require(actor, "add", certificate)
    served = list(civic_queries.served_signups(person))
    if not served:
        raise ValidationError(_("There are no checked-out volunteer hours to certify yet."))
    now = timezone.now()
    certificate.number = certificate.token  # until the row has its id, which the number is made of
    with audit.acting_as(actor), audit.labelled(audit.Label.CULTURE_CERTIFICATE):
        certificate.save()
        certificate.number = f"ZYFW{timezone.localdate(now):%Y}{certificate.pk:06d}"
        certificate.content = {
            "number": certificate.number, "name": person.name, "community": certificate.community.name,
            "issued_on": timezone.localdate(now).isoformat(),
            "activities": len(served), "hours": str(sum((s.hours for s in served), Decimal(0))),
            "first": timezone.localdate(served[0].activity.starts_at).isoformat(),
            "last": timezone.localdate(served[-1].activity.starts_at).isoformat(),
            "rows": [[timezone.localdate(s.activity.starts_at).isoformat(), s.activity.title, str(s.hours)]
                     for s in served[-30:]],
        }
        certificate.digest = digest_of(certificate.content)
        certificate.save()
    return certificate


def certificate_is_intact(certificate: ServiceCertificate) -> bool:
    return digest_of(certificate.content) == certificate.digest
