"""智检中心 API: lab orders per heat and the results instruments and robots post with machine tokens.
Thin: parse, call the services, shape."""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wanghua.core.api import Moment, Pagination, RecordId, Text, needs
from wanghua.core.transitions import offers

from . import services
from .models import LAB_ORDER_FLOW, LabOrder, LabOrderStep

router = Router(tags=["lab"])


class LabOrderIn(Schema):
    heat: Text = Field(..., min_length=1, max_length=40)
    grade: Text = Field(..., min_length=1, max_length=20)
    diameter: int = Field(..., ge=6, le=50)
    sampled_at: Moment
    sampled_where: Text = Field("", max_length=100)


class ResultOut(Schema):
    id: int
    specimen_id: int
    revision: int
    yield_strength: Decimal | None
    tensile_strength: Decimal | None
    elongation: Decimal | None
    agt: Decimal | None
    passed_bend: bool | None
    weight_deviation: Decimal | None
    source: str
    instrument: str
    reason: str
    recorded_at: datetime
    verdict: str
    verdict_rule: str
    hash: str


class SpecimenOut(Schema):
    id: int
    kind: str
    number: int
    retest: bool
    result: ResultOut | None

    @staticmethod
    def resolve_result(specimen):
        return max(specimen.results.all(), key=lambda r: r.revision, default=None)


class LabOrderOut(Schema):
    id: int
    enterprise: str = Field(..., alias="enterprise.name")
    heat: str
    grade: str
    diameter: int
    standard: str
    sampled_at: datetime
    sampled_where: str
    verdict: str
    verdict_rule: str
    decided_at: datetime | None

    @staticmethod
    def resolve_standard(order):
        return str(order.standard)


class LabOrderDetailOut(LabOrderOut):
    specimens: list[SpecimenOut]

    @staticmethod
    def resolve_specimens(order):
        return list(order.specimens.prefetch_related("results"))


class LabOrderQuery(Schema):
    heat: Text | None = Field(None, max_length=40)
    grade: Text | None = Field(None, max_length=20)
    verdict: str | None = Field(None, pattern="^(pending|pass|fail|retest)$")


def _orders(request):
    return LabOrder.objects.visible_to(request.user).select_related("enterprise", "standard")


@router.get("/orders", response=list[LabOrderOut], summary="Lab orders (one per heat), newest first")
@paginate(Pagination)
@needs("lab.view_laborder")
def list_lab_orders(request, query: Query[LabOrderQuery]):
    qs = _orders(request)
    for field in ("heat", "grade", "verdict"):
        if getattr(query, field):
            qs = qs.filter(**{field: getattr(query, field)})
    return qs


@router.get("/orders/{order_id}", response=LabOrderDetailOut)
@needs("lab.view_laborder")
def get_lab_order(request, order_id: RecordId):
    return get_object_or_404(_orders(request), pk=order_id)


@router.post("/orders", response={201: LabOrderDetailOut}, summary="Register a heat's samples")
@needs("lab.add_laborder")
def create_lab_order(request, body: LabOrderIn):
    order = services.create_order(request.user, enterprise=services.enterprise_of(request.user), **body.dict())
    return Status(201, order)


class ResultIn(Schema):
    source: str = Field("instrument", pattern="^(instrument|manual)$")
    instrument: Text = Field("", max_length=60)
    reason: Text = Field("", max_length=300)
    correction: bool = False
    strength_unit: Text = Field("MPa", max_length=10)
    yield_strength: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=3)
    tensile_strength: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=3)
    elongation: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=3)
    agt: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=3)
    passed_bend: bool | None = None
    weight_deviation: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=3)


class PostedOut(Schema):
    result: ResultOut
    heat_verdict: str
    heat_rule: str


@router.post("/specimens/{specimen_id}/results", response={201: PostedOut},
             summary="A result from an instrument or robot (machine token), judged at once")
@needs("lab.add_testresult")
@offers(LAB_ORDER_FLOW, *LabOrderStep.values)  # the heat is decided by the result posted
def post_lab_result(request, specimen_id: RecordId, body: ResultIn):
    result = services.post_result(request.user, specimen_id, **body.dict())
    order = result.specimen.order
    order.refresh_from_db()
    return Status(201, {"result": result, "heat_verdict": order.verdict, "heat_rule": order.verdict_rule})
