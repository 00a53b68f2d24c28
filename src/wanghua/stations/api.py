"""Services API: stations, residents, errands, their transitions and ledgers. Thin: parse, call, shape."""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wanghua.core.api import Moment, Pagination, RecordId, RevealOut, Text, filter_query, filtered, needs
from wanghua.core.editing import visible_or_404
from wanghua.core.transitions import offers

from . import services
from .filters import ErrandFilter, ResidentFilter, StationFilter
from .models import (
    ERRAND_FLOW,
    Channel,
    Errand,
    ErrandStatus,
    ErrandStep,
    LedgerEntry,
    LedgerKind,
    Resident,
    Station,
)

router = Router(tags=["services"])


class StationOut(Schema):
    id: int
    name: str = Field(..., alias="unit.name")
    community_id: int
    host_household: str
    address: str
    phone: str
    service_hours: str
    active: bool


@router.get("/stations", response=list[StationOut])
@paginate(Pagination)
@needs("services.view_station")
def list_stations(request, filters: Query[filter_query(StationFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, StationFilter, Station.objects.visible_to(request.user, "view").select_related("unit"))


@router.get("/stations/{station_id}", response=StationOut)
@needs("services.view_station")
def get_station(request, station_id: RecordId):
    return get_object_or_404(Station.objects.visible_to(request.user, "view").select_related("unit"), pk=station_id)


class ResidentOut(Schema):
    id: int
    name: str
    id_number: str = Field(..., alias="id_number_masked")
    phone: str = Field(..., alias="phone_masked")
    address: str
    community_id: int
    station_id: int
    birth_year: int | None
    empty_nest: bool
    living_alone: bool
    disabled: bool


class ResidentIn(Schema):
    name: Text = Field(..., min_length=1, max_length=50)
    station_id: RecordId
    id_number: Text = Field("", max_length=18)
    phone: Text = Field("", max_length=20)
    address: Text = Field("", max_length=200)
    birth_year: int | None = Field(None, ge=1900, le=2100)
    empty_nest: bool = False
    living_alone: bool = False
    disabled: bool = False
    emergency_contact: Text = Field("", max_length=50)
    emergency_phone: Text = Field("", max_length=20)


class RevealIn(Schema):
    field: str = Field(..., pattern="^(id_number|phone|emergency_phone)$")


@router.get("/residents", response=list[ResidentOut])
@paginate(Pagination)
@needs("services.view_resident")
def list_residents(request, filters: Query[filter_query(ResidentFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, ResidentFilter, Resident.objects.visible_to(request.user, "view"))


@router.get("/residents/{resident_id}", response=ResidentOut)
@needs("services.view_resident")
def get_resident(request, resident_id: RecordId):
    return visible_or_404(Resident, request, resident_id)


@router.post("/residents", response={201: ResidentOut})
@needs("services.add_resident")
def create_resident(request, body: ResidentIn):
    data = body.dict()
    data["station"] = visible_or_404(Station, request, data.pop("station_id"))
    return Status(201, services.register_resident(request.user, **data))


@router.post("/residents/{resident_id}/reveal", response=RevealOut,
             summary="Full value of a masked field (logged as a personal-data view)")
@needs("services.reveal_resident")
def reveal_resident(request, resident_id: RecordId, body: RevealIn):
    return {"field": body.field, "value": services.reveal_resident_field(request.user, resident_id, body.field)}


class ErrandOut(Schema):
    id: int
    station_id: int
    resident_id: int
    agent_id: int
    category: str
    channel: str
    description: str
    handles_money: bool
    status: ErrandStatus
    accepted_at: datetime
    due_at: datetime
    done_at: datetime | None
    overdue: bool
    outcome: str
    satisfaction: int | None
    balance: Decimal = Field(..., description="Money still held for the resident, yuan")

    @staticmethod
    def resolve_balance(obj: Errand) -> Decimal:
        return obj.balance()


class ErrandIn(Schema):
    resident_id: RecordId
    category: Text = Field(..., max_length=60)
    description: Text = Field(..., min_length=1, max_length=500)
    channel: Channel = Channel.PHONE
    handles_money: bool = False
    due_at: Moment | None = None


class OutcomeIn(Schema):
    outcome: Text = Field(..., min_length=1, max_length=500)


class VisitIn(Schema):
    satisfaction: int = Field(..., ge=1, le=5)
    comment: Text = Field("", max_length=500)


class ReasonIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=300)


class LedgerIn(Schema):
    kind: LedgerKind
    amount: Decimal = Field(..., gt=0, max_digits=10, decimal_places=2)
    receipt_no: Text = Field("", max_length=60)
    note: Text = Field("", max_length=200)


class LedgerOut(Schema):
    id: int
    kind: LedgerKind
    amount: Decimal
    receipt_no: str
    note: str
    recorded_at: datetime
    voids_id: int | None = Field(None, description="The line this one voids (a compensating entry)")
    void_reason: str = ""


@router.get("/errands", response=list[ErrandOut])
@paginate(Pagination)
@needs("services.view_errand")
def list_errands(request, filters: Query[filter_query(ErrandFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, ErrandFilter, Errand.objects.visible_to(request.user, "view").prefetch_related("ledger"))


@router.get("/errands/{errand_id}", response=ErrandOut)
@needs("services.view_errand")
def get_errand(request, errand_id: RecordId):
    return visible_or_404(Errand, request, errand_id)


@router.post("/errands", response={201: ErrandOut}, summary="受理: take a resident's request")
@needs("services.add_errand")
def create_errand(request, body: ErrandIn):
    data = body.dict()
    resident = visible_or_404(Resident, request, data.pop("resident_id"))
    return Status(201, services.accept_errand(request.user, resident=resident, **data))


@router.post("/errands/{errand_id}/start", response=ErrandOut, summary="受理 → 办理中")
@offers(ERRAND_FLOW, ErrandStep.START)
@needs("services.change_errand")
def start(request, errand_id: RecordId):
    return services.start_errand(request.user, errand_id)


@router.post("/errands/{errand_id}/complete", response=ErrandOut, summary="办理中 → 办结 (ledger must balance)")
@offers(ERRAND_FLOW, ErrandStep.COMPLETE)
@needs("services.change_errand")
def complete(request, errand_id: RecordId, body: OutcomeIn):
    return services.complete_errand(request.user, errand_id, outcome=body.outcome)


@router.post("/errands/{errand_id}/follow-up", response=ErrandOut, summary="办结 → 回访")
@offers(ERRAND_FLOW, ErrandStep.VISIT)
@needs("services.change_errand")
def visit(request, errand_id: RecordId, body: VisitIn):
    return services.record_visit(request.user, errand_id, satisfaction=body.satisfaction, comment=body.comment)


@router.post("/errands/{errand_id}/cancel", response=ErrandOut, summary="→ 取消")
@offers(ERRAND_FLOW, ErrandStep.CANCEL)
@needs("services.change_errand")
def cancel(request, errand_id: RecordId, body: ReasonIn):
    return services.cancel_errand(request.user, errand_id, reason=body.reason)


@router.post("/errands/{errand_id}/return", response=ErrandOut, summary="受理 → 退回")
@offers(ERRAND_FLOW, ErrandStep.RETURN)
@needs("services.change_errand")
def give_back(request, errand_id: RecordId, body: ReasonIn):
    return services.return_errand(request.user, errand_id, reason=body.reason)


@router.get("/errands/{errand_id}/ledger", response=list[LedgerOut])
@needs("services.view_ledgerentry")
def ledger(request, errand_id: RecordId):
    return visible_or_404(Errand, request, errand_id).ledger.all()


@router.post("/errands/{errand_id}/ledger", response={201: LedgerOut}, summary="Record money received/paid/returned")
@needs("services.add_ledgerentry")
def add_ledger_entry(request, errand_id: RecordId, body: LedgerIn):
    return Status(201, services.record_money(request.user, errand_id, kind=body.kind, amount=body.amount,
                                             receipt_no=body.receipt_no, note=body.note))


@router.post("/ledger/{entry_id}/void", response={201: LedgerOut},
             summary="作废: void a wrong ledger line by a compensating entry, with the reason")
@needs("services.add_ledgerentry")
def void_ledger_entry(request, entry_id: RecordId, body: ReasonIn):
    return Status(201, services.void_money(request.user, entry_id, reason=body.reason))


class PhotoOut(Schema):
    id: int
    caption: str
    size: int
    uploaded_at: datetime
    ledger_entry_id: int | None = Field(None, description="The ledger line this photo is the receipt of")


@router.post("/errands/{errand_id}/photos", response={201: PhotoOut}, summary="Attach a photo (JPEG/PNG/WebP, ≤ 5 MB)")
@needs("services.add_errandattachment")
def add_photo(request, errand_id: RecordId, image: File[UploadedFile], caption: Text = Form("", max_length=100),
              ledger_entry_id: RecordId | None = Form(None)):
    line = visible_or_404(LedgerEntry, request, ledger_entry_id) if ledger_entry_id else None
    return Status(201, services.attach_photo(request.user, errand_id, image, caption, ledger_entry=line))
