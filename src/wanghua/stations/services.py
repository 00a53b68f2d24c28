"""Every rule of the proxy service: stations, residents, the errand lifecycle and the cash ledger.

Each errand step is one function that takes it through the declared table (`models.ERRAND_FLOW`) and
recounts the station-month's tally. Ledger writes lock
the errand row first, so concurrent entries are serialised and the balance can never go negative."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import fetch_for_change, require
from wanghua.core.models import User
from wanghua.core.photos import photo_format
from wanghua.core.pii import reveal
from wanghua.core.reference import choices
from wanghua.core.transitions import TransitionError
from wanghua.org.models import Person, Region, RegionLevel, Unit, UnitKind
from wanghua.org.services import PHONE_PATTERN, id_number_is_valid

from . import tally
from .models import (
    ERRAND_FLOW,
    OPEN_STATUSES,
    DiaryNote,
    Errand,
    ErrandAttachment,
    ErrandStep,
    LedgerEntry,
    LedgerKind,
    Resident,
    Station,
    ledger_balance,
)

ERRAND_CATEGORIES = "errand_category"
DEFAULT_DUE = timedelta(days=3)
CENT = Decimal("0.01")


# --- stations ----------------------------------------------------------------------------------------

@transaction.atomic
def open_station(actor: User, *, community: Region, code: str, host_household: str, agents: Iterable[Person] = (),
                 **fields: Any) -> Station:
    if community.level != RegionLevel.COMMUNITY:
        raise ValidationError({"community": _("A station belongs to a village or community.")})
    unit = Unit(code=code, name=f"{community.name}{host_household}党员家庭代办站", kind=UnitKind.STATION,
                short_name=host_household, region=community, zone=community.zone)
    station = Station(unit=unit, community=community, host_household=host_household, **fields)
    require(actor, "add", station)
    with audit.acting_as(actor):
        unit.full_clean()
        unit.save()
        station.unit = unit
        station.full_clean()
        station.save()
        _set_agents(station, agents)
    return station


def _set_agents(station: Station, agents: Iterable[Person] | None) -> None:
    agents = list(agents or [])
    strangers = [a.name for a in agents if a.region_id != station.community_id]
    if strangers:
        raise ValidationError({"agents": _("Agents must live in the station's community: %(names)s")
                               % {"names": "、".join(strangers)}})
    station.agents.set(agents)


@transaction.atomic
def update_station(actor: User, station_id: int, **fields: Any) -> Station:
    """Hours, phone, address, agents, and pausing or resuming a station."""
    station = fetch_for_change(Station, actor, "change", station_id)
    agents = fields.pop("agents", None)
    for key in ("host_household", "address", "phone", "service_hours", "active"):
        if key in fields:
            setattr(station, key, fields[key])
    station.full_clean()
    with audit.acting_as(actor):
        station.save()
        if agents is not None:
            _set_agents(station, agents)
    return station


# --- residents ---------------------------------------------------------------------------------------

def _check_resident(resident: Resident) -> None:
    errors: dict[str, str] = {}
    if resident.id_number:
        resident.id_number = resident.id_number.strip().upper()
        if not id_number_is_valid(resident.id_number):
            errors["id_number"] = _("This is not a valid 18-digit resident ID number.")
        elif Resident.objects.filter(id_number=resident.id_number).exclude(pk=resident.pk).exists():
            errors["id_number"] = _("A resident with this ID number is already registered.")
    for name in ("phone", "emergency_phone"):
        value = getattr(resident, name)
        if value and not PHONE_PATTERN.match(value):
            errors[name] = _("Enter a valid phone number.")
    if resident.station_id and resident.community_id and resident.station.community_id != resident.community_id:
        errors["station"] = _("The station must be in the resident's community.")
    if errors:
        raise ValidationError(errors)
    resident.full_clean()


@transaction.atomic
def register_resident(actor: User, **fields: Any) -> Resident:
    resident = Resident(**fields)
    if resident.station_id and not resident.community_id:
        resident.community = resident.station.community
    _check_resident(resident)
    require(actor, "add", resident)
    with audit.acting_as(actor):
        resident.save()
    return resident


# --- errands -----------------------------------------------------------------------------------------

def _agent_for(actor: User, station: Station, agent: Person | None) -> Person:
    if agent is None:
        agent = Person.objects.filter(user=actor).first()
    if agent is None or not station.agents.filter(pk=agent.pk).exists():
        raise ValidationError({"agent": _("Choose one of this station's agents.")})
    return agent


@transaction.atomic
def accept_errand(actor: User, *, resident: Resident, category: str, description: str, channel: str = "phone",
                  due_at: datetime | None = None, handles_money: bool = False, agent: Person | None = None) -> Errand:
    """受理: a resident's request is taken by their station."""
    if category not in dict(choices(ERRAND_CATEGORIES)):
        raise ValidationError({"category": _("Choose a category from the list.")})
    station = resident.station
    now = timezone.now()
    errand = Errand(station=station, community=station.community, resident=resident,
                    agent=_agent_for(actor, station, agent), category=category, channel=channel,
                    description=description.strip(), handles_money=handles_money, accepted_at=now,
                    due_at=due_at or now + DEFAULT_DUE)
    if errand.due_at <= now:
        raise ValidationError({"due_at": _("The due time must be in the future.")})
    if not station.active:
        raise ValidationError({"resident": _("This station is paused and takes no new errands.")})
    errand.full_clean(exclude=["community"])
    require(actor, "add", errand)
    with audit.acting_as(actor), audit.labelled(audit.Label.ERRAND_ACCEPT):
        errand.save()
    if resident.first_served_on is None:
        with audit.acting_as(actor):
            Resident.objects.filter(pk=resident.pk, first_served_on__isnull=True).update(
                first_served_on=timezone.localdate())
    tally.refresh(errand)
    return errand


def _step_and_recount(actor: User, errand_id: int, step: str, apply: Callable[[Errand], None] | None = None) -> Errand:
    """One step of the errand table (lock, re-check, guard, save, audit), then its station-month recounted."""
    errand = ERRAND_FLOW.perform(actor, errand_id, step, apply=apply)
    tally.refresh(errand)
    return errand


@transaction.atomic
def start_errand(actor: User, errand_id: int) -> Errand:
    """受理 → 办理中."""

    def stamp(errand: Errand) -> None:
        errand.started_at = timezone.now()

    return _step_and_recount(actor, errand_id, ErrandStep.START, stamp)


@transaction.atomic
def complete_errand(actor: User, errand_id: int, *, outcome: str) -> Errand:
    """办理中 → 办结, only when every fen received has been paid out or returned (the table's guard)."""

    def record_outcome(errand: Errand) -> None:
        if not outcome.strip():
            raise ValidationError({"outcome": _("Say how the errand ended.")})
        errand.outcome, errand.done_at = outcome.strip(), timezone.now()

    return _step_and_recount(actor, errand_id, ErrandStep.COMPLETE, record_outcome)


@transaction.atomic
def record_visit(actor: User, errand_id: int, *, satisfaction: int, comment: str = "") -> Errand:
    """办结 → 回访: the resident is visited and asked how it went (1–5)."""

    def rate(errand: Errand) -> None:
        if satisfaction not in range(1, 6):
            raise ValidationError({"satisfaction": _("Satisfaction is a score from 1 to 5.")})
        errand.satisfaction, errand.visit_comment, errand.visited_at = satisfaction, comment.strip(), timezone.now()

    return _step_and_recount(actor, errand_id, ErrandStep.VISIT, rate)


def _closing(reason: str) -> Callable[[Errand], None]:
    def give_reason(errand: Errand) -> None:
        if not reason.strip():
            raise ValidationError({"reason": _("Give a reason.")})
        errand.closing_reason = reason.strip()

    return give_reason


@transaction.atomic
def cancel_errand(actor: User, errand_id: int, *, reason: str) -> Errand:
    """受理/办理中 → 取消 (the resident no longer needs it)."""
    return _step_and_recount(actor, errand_id, ErrandStep.CANCEL, _closing(reason))


@transaction.atomic
def return_errand(actor: User, errand_id: int, *, reason: str) -> Errand:
    """受理 → 退回 (the station cannot take it: wrong place, not an errand, needs another office)."""
    return _step_and_recount(actor, errand_id, ErrandStep.RETURN, _closing(reason))


# --- ledger ------------------------------------------------------------------------------------------

def parse_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"amount": _("Enter an amount in yuan, such as 35.50.")}) from exc
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if amount != amount.quantize(CENT) or amount >= Decimal("100000000"):
        raise ValidationError({"amount": _("Amounts are in yuan with at most two decimals (fen).")})
    return amount.quantize(CENT)


@transaction.atomic
def record_money(actor: User, errand_id: int, *, kind: str, amount: Any, receipt_no: str = "", note: str = "",
                 receipt_photo: Any = None) -> LedgerEntry:
    """Add one ledger entry, with the photo of its receipt when given. The errand row is locked first:
    concurrent entries queue, none is lost."""
    errand = fetch_for_change(Errand, actor, "change", errand_id)
    require(actor, "add", LedgerEntry(errand=errand))
    value = parse_amount(amount)
    if kind not in LedgerKind.values:
        raise ValidationError({"kind": _("Choose received, paid out or change returned.")})
    if not errand.handles_money:
        raise ValidationError(_("This errand does not handle the resident's money."))
    if errand.status not in OPEN_STATUSES:
        raise TransitionError(_("Money can only be recorded while the errand is open."))
    if kind == LedgerKind.PAID and not receipt_no.strip():
        raise ValidationError({"receipt_no": _("A payment needs its receipt number.")})
    if kind != LedgerKind.RECEIVED and value > ledger_balance(errand.ledger.all()):
        raise ValidationError({"amount": _("That is more than the %(held)s yuan held for the resident.")
                               % {"held": ledger_balance(errand.ledger.all())}})
    entry = LedgerEntry(errand=errand, kind=kind, amount=value, receipt_no=receipt_no.strip(), note=note.strip(),
                        recorded_by=actor)
    entry.full_clean()
    with audit.acting_as(actor):
        entry.save()
    if receipt_photo is not None:
        attach_photo(actor, errand.pk, receipt_photo, caption=entry.receipt_no, ledger_entry=entry)
    return entry


@transaction.atomic
def void_money(actor: User, entry_id: int, *, reason: str) -> LedgerEntry:
    """作废: a wrong line is taken back by a compensating line (same kind and amount, with the reason). Nothing
    is changed or deleted, a line is voided once, and a receipt cannot be voided while its money is spent."""
    original = LedgerEntry.objects.visible_to(actor, "view").filter(pk=entry_id).first()
    if original is None:
        raise LedgerEntry.DoesNotExist(_("%(model)s not found.") % {"model": LedgerEntry._meta.verbose_name})
    errand = fetch_for_change(Errand, actor, "change", original.errand_id)  # the errand's lock serialises voids
    require(actor, "add", LedgerEntry(errand=errand))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the line is wrong.")})
    if original.is_void:
        raise ValidationError(_("A void cannot itself be voided: record the entry again instead."))
    if LedgerEntry.objects.filter(voids=original).exists():
        raise ValidationError(_("This line has already been voided."))
    if errand.status not in OPEN_STATUSES:
        raise TransitionError(_("Money can only be recorded while the errand is open."))
    held = ledger_balance(errand.ledger.all())
    if original.kind == LedgerKind.RECEIVED and original.amount > held:
        raise ValidationError(_("Only %(held)s yuan are held: void the payments made from this money first.")
                              % {"held": held})
    void = LedgerEntry(errand=errand, kind=original.kind, amount=original.amount, receipt_no=original.receipt_no,
                       note=original.note, voids=original, void_reason=reason.strip()[:200], recorded_by=actor)
    void.full_clean()
    with audit.acting_as(actor), audit.labelled(audit.Label.LEDGER_VOID):
        void.save()
    return void


# --- work diary --------------------------------------------------------------------------------------

@transaction.atomic
def write_diary_note(actor: User, station: Station, agent: Person, day: date, text: str) -> DiaryNote:
    """A free line in the agent's work diary for `day` (today or earlier), by the agent or whoever may add one."""
    text = text.strip()
    if not text or "\x00" in text:
        raise ValidationError({"text": _("Write something for the diary.")})
    if day > timezone.localdate():
        raise ValidationError({"day": _("The diary cannot be written ahead.")})
    if not station.agents.filter(pk=agent.pk).exists():
        raise ValidationError({"agent": _("Choose one of this station's agents.")})
    note = DiaryNote(station=station, agent=agent, day=day, text=text)
    note.full_clean()
    require(actor, "add", note)
    with audit.acting_as(actor):
        note.save()
    return note


# --- personal data and photos --------------------------------------------------------------------------

def reveal_resident_field(actor: User, resident_id: int, field: str) -> str:
    """The full value of a masked field of a resident; every full view is written to the audit trail."""
    return reveal(actor, Resident, resident_id, field)


@transaction.atomic
def attach_photo(actor: User, errand_id: int, upload: UploadedFile[Any], caption: str = "",
                 ledger_entry: LedgerEntry | None = None) -> ErrandAttachment:
    """A photo for the errand; a receipt's photo names the ledger line it proves (a line of this errand)."""
    errand = fetch_for_change(Errand, actor, "change", errand_id)
    if ledger_entry is not None and (ledger_entry.errand_id != errand.pk or ledger_entry.is_void):
        raise ValidationError({"ledger_entry": _("Choose a line of this errand's ledger.")})
    attachment = ErrandAttachment(errand=errand, caption=caption.strip()[:100], uploaded_by=actor,
                                  image_format=photo_format(upload), size=upload.size, ledger_entry=ledger_entry)  # type: ignore[misc]  # an upload has its size
    require(actor, "add", attachment)
    attachment.image.save("photo", upload, save=False)
    with audit.acting_as(actor):
        attachment.save()
    return attachment
