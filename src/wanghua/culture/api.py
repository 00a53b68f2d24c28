"""Culture API: heritage sites, routes, 身边榜样 with their steps and objections, points and the 积分超市.
Thin: parse, call a service or a query, shape."""

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wanghua.core.api import Pagination, RecordId, Text, filter_query, filtered, needs
from wanghua.core.editing import visible_or_404
from wanghua.core.transitions import offers
from wanghua.org.models import Region

from . import queries, services
from .filters import AccountFilter, GoodsFilter, NominationFilter, RouteFilter, SiteFilter
from .models import (
    NOMINATION_FLOW,
    DeedCategory,
    EntryKind,
    Goods,
    HeritageSite,
    Nomination,
    NominationStatus,
    NominationStep,
    PointsAccount,
    StudyRoute,
)

router = Router(tags=["culture"])


class SiteOut(Schema):
    id: int
    name: str
    address: str
    community_id: int
    longitude: Decimal
    latitude: Decimal
    story: str
    source: str
    opening_hours: str
    active: bool


class SiteIn(Schema):
    name: Text = Field(..., min_length=1, max_length=100)
    address: Text = Field(..., min_length=1, max_length=200)
    community_id: RecordId
    longitude: Decimal = Field(..., ge=-180, le=180, max_digits=9, decimal_places=6)
    latitude: Decimal = Field(..., ge=-90, le=90, max_digits=9, decimal_places=6)
    story: Text = Field(..., max_length=5000)
    source: Text = Field(..., min_length=1, max_length=300)
    opening_hours: Text = Field("", max_length=100)


@router.get("/sites", response=list[SiteOut])
@paginate(Pagination)
@needs("culture.view_heritagesite")
def list_sites(request, filters: Query[filter_query(SiteFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, SiteFilter, HeritageSite.objects.visible_to(request.user, "view"))


@router.get("/sites/{site_id}", response=SiteOut)
@needs("culture.view_heritagesite")
def get_site(request, site_id: RecordId):
    return visible_or_404(HeritageSite, request, site_id)


@router.post("/sites", response={201: SiteOut}, summary="A heritage site (inside the district's outline)")
@needs("culture.add_heritagesite")
def create_site(request, body: SiteIn):
    data = body.dict()
    data["community"] = visible_or_404(Region, request, data.pop("community_id"))
    return Status(201, services.create_site(request.user, **data))


class RouteOut(Schema):
    id: int
    name: str
    description: str
    active: bool
    site_ids: list[int]

    @staticmethod
    def resolve_site_ids(obj: StudyRoute) -> list[int]:
        return [stop.site_id for stop in obj.stops.order_by("position")]


@router.get("/routes", response=list[RouteOut])
@paginate(Pagination)
@needs("culture.view_studyroute")
def list_routes(request, filters: Query[filter_query(RouteFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, RouteFilter, StudyRoute.objects.visible_to(request.user, "view"))


class NominationOut(Schema):
    id: int
    nominee_name: str
    nominee_phone: str = Field(..., alias="nominee_phone_masked")
    community_id: int
    category: DeedCategory
    title: str
    deed: str
    deed_date: date
    status: NominationStatus
    submitted_at: datetime
    publicity_starts: date | None
    publicity_ends: date | None
    recognised_on: date | None


class NominationIn(Schema):
    nominee_name: Text = Field(..., max_length=50)
    community_id: RecordId
    category: DeedCategory
    deed: Text = Field("", max_length=3000)
    deed_date: date
    nominee_phone: Text = Field("", max_length=20)
    title: Text = Field("", max_length=100)


class OpinionIn(Schema):
    opinion: Text = Field("", max_length=500)
    publicity_days: int | None = Field(None, ge=5, le=30)


class ReasonIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=500)


class ObjectionIn(Schema):
    text: Text = Field(..., max_length=1000)
    contact: Text = Field("", max_length=20)


class ObjectionOut(Schema):
    id: int
    nomination_id: int
    text: str
    filed_at: datetime
    answer: str
    answered_at: datetime | None


class AnswerIn(Schema):
    answer: Text = Field(..., max_length=1000)


@router.get("/nominations", response=list[NominationOut])
@paginate(Pagination)
@needs("culture.view_nomination")
def list_nominations(request, filters: Query[filter_query(NominationFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, NominationFilter, Nomination.objects.visible_to(request.user, "view"))


@router.get("/nominations/{nomination_id}", response=NominationOut)
@needs("culture.view_nomination")
def get_nomination(request, nomination_id: RecordId):
    return visible_or_404(Nomination, request, nomination_id)


@router.post("/nominations", response={201: NominationOut}, summary="提名: a person and their deed")
@needs("culture.add_nomination")
def create_nomination(request, body: NominationIn):
    data = body.dict()
    data["community"] = get_object_or_404(Region, pk=data.pop("community_id"))
    return Status(201, services.nominate(request.user, **data))


@router.post("/nominations/{nomination_id}/approve", response=NominationOut,
             summary="审核通过 (community → street → 文明办 → 公示)")
@offers(NOMINATION_FLOW, NominationStep.APPROVE)
@needs("culture.view_nomination")
def approve(request, nomination_id: RecordId, body: OpinionIn):
    return services.approve_nomination(request.user, nomination_id, opinion=body.opinion,
                                       publicity_days=body.publicity_days)


@router.post("/nominations/{nomination_id}/reject", response=NominationOut, summary="不予通过")
@offers(NOMINATION_FLOW, NominationStep.REJECT)
@needs("culture.view_nomination")
def reject(request, nomination_id: RecordId, body: ReasonIn):
    return services.reject_nomination(request.user, nomination_id, reason=body.reason)


@router.post("/nominations/{nomination_id}/recognise", response=NominationOut,
             summary="认定 (after the 公示, every objection answered)")
@offers(NOMINATION_FLOW, NominationStep.RECOGNISE)
@needs("culture.approve_nomination")
def recognise(request, nomination_id: RecordId):
    return services.recognise_nomination(request.user, nomination_id)


@router.post("/nominations/{nomination_id}/objections", response={201: ObjectionOut},
             summary="异议 during the 公示 (anyone with an account; the public page takes them without one)")
def object_to(request, nomination_id: RecordId, body: ObjectionIn):
    return Status(201, services.file_objection(request.user, nomination_id, text=body.text, contact=body.contact))


@router.post("/objections/{objection_id}/answer", response=ObjectionOut)
@needs("culture.answer_objection")
def answer(request, objection_id: RecordId, body: AnswerIn):
    return services.answer_objection(request.user, objection_id, answer=body.answer)


class AccountOut(Schema):
    id: int
    person_id: int
    name: str = Field(..., alias="person.name")
    community_id: int
    balance: int
    earned: int
    redeemed: int


class EntryOut(Schema):
    id: int
    kind: EntryKind
    points: int
    balance_after: int
    activity: str
    served_on: date | None
    hours: Decimal | None
    bonus: bool
    recorded_at: datetime


class MyPointsOut(Schema):
    balance: int
    earned: int
    redeemed: int
    entries: list[EntryOut]


@router.get("/accounts", response=list[AccountOut])
@paginate(Pagination)
@needs("culture.view_pointsaccount")
def list_accounts(request, filters: Query[filter_query(AccountFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, AccountFilter,
                    PointsAccount.objects.visible_to(request.user, "view").select_related("person"))


@router.get("/accounts/{account_id}/entries", response=list[EntryOut])
@needs("culture.view_pointsentry")
def account_entries(request, account_id: RecordId):
    return queries.entries_of(visible_or_404(PointsAccount, request, account_id))[:500]


@router.get("/me/points", response=MyPointsOut, summary="The caller's own points and history")
@needs("culture.add_redemption")
def my_points(request):
    from wanghua.org.models import Person

    account = queries.account_of(Person.objects.filter(user=request.user).first())
    if account is None:
        return {"balance": 0, "earned": 0, "redeemed": 0, "entries": []}
    return {"balance": account.balance, "earned": account.earned, "redeemed": account.redeemed,
            "entries": list(queries.entries_of(account)[:100])}


class GoodsOut(Schema):
    id: int
    community_id: int
    name: str
    points: int
    stock: int
    active: bool


class GoodsIn(Schema):
    community_id: RecordId
    name: Text = Field(..., min_length=1, max_length=100)
    points: int = Field(..., ge=1, le=1_000_000)
    stock: int = Field(..., ge=0, le=1_000_000)


class RedeemIn(Schema):
    goods_id: RecordId
    quantity: int = Field(1, ge=1, le=100)
    account_id: RecordId | None = Field(None, description="A volunteer's account (staff); omitted: the caller's own")


class RedemptionOut(Schema):
    id: int
    account_id: int
    goods_id: int
    quantity: int
    points: int
    redeemed_at: datetime


@router.get("/goods", response=list[GoodsOut])
@paginate(Pagination)
@needs("culture.view_goods")
def list_goods(request, filters: Query[filter_query(GoodsFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, GoodsFilter, Goods.objects.visible_to(request.user, "view"))


@router.post("/goods", response={201: GoodsOut})
@needs("culture.add_goods")
def create_goods(request, body: GoodsIn):
    data = body.dict()
    data["community"] = visible_or_404(Region, request, data.pop("community_id"))
    return Status(201, services.add_goods(request.user, **data))


@router.post("/redemptions", response={201: RedemptionOut},
             summary="兑换 at a 积分超市 (balance and stock checked under the account's and the goods' locks)")
@needs("culture.add_redemption")
def redeem(request, body: RedeemIn):
    return Status(201, services.redeem(request.user, goods_id=body.goods_id, quantity=body.quantity,
                                       account_id=body.account_id))
