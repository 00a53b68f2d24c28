"""智检中心 API: lab orders per heat and the results instruments and robots post with machine tokens.
Thin: parse, call the services, shape."""

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wanghua.core.api import Moment, Pagination, RecordId, Text, filter_query, filtered, needs
from wanghua.core.transitions import offers

from . import services
from .filters import CertificateFilter, LabOrderFilter
from .models import CERTIFICATE_FLOW, LAB_ORDER_FLOW, LAB_REVIEW_FLOW, Certificate, LabOrder, LabOrderStep, ReviewStep
from .services import chemistry, review

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
    review: str
    review_note: str

    @staticmethod
    def resolve_standard(order):
        return str(order.standard)


class LabOrderDetailOut(LabOrderOut):
    specimens: list[SpecimenOut]

    @staticmethod
    def resolve_specimens(order):
        return list(order.specimens.prefetch_related("results"))


def _orders(request):
    return LabOrder.objects.visible_to(request.user).select_related("enterprise", "standard")


@router.get("/orders", response=list[LabOrderOut], summary="Lab orders (one per heat), newest first")
@paginate(Pagination)
@needs("lab.view_laborder")
def list_lab_orders(request, filters: Query[filter_query(LabOrderFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, LabOrderFilter, _orders(request))


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
@offers(LAB_ORDER_FLOW, *LabOrderStep.values)  # the heat is decided by the result posted,
@offers(LAB_REVIEW_FLOW, ReviewStep.SUBMIT, ReviewStep.REOPEN)  # goes to (or back from) review,
@offers(CERTIFICATE_FLOW, "supersede")  # and a correction voids the certificates behind it
def post_lab_result(request, specimen_id: RecordId, body: ResultIn):
    result = services.post_result(request.user, specimen_id, **body.dict())
    order = result.specimen.order
    order.refresh_from_db()
    return Status(201, {"result": result, "heat_verdict": order.verdict, "heat_rule": order.verdict_rule})


class AnalysisIn(Schema):
    """A melt analysis in mass %: C, Si, Mn, P, S always; V, Nb, Ti, Cr, Ni, Cu, Mo where used."""

    source: str = Field("instrument", pattern="^(instrument|manual)$")
    instrument: Text = Field("", max_length=60)
    reason: Text = Field("", max_length=300)
    correction: bool = False
    c: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)
    si: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)
    mn: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)
    p: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)
    s: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)
    cr: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)
    ni: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)
    cu: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)
    mo: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)
    v: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)
    nb: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)
    ti: Decimal | None = Field(None, ge=-1e6, le=1e6, max_digits=10, decimal_places=5)


class AnalysisOut(Schema):
    id: int
    order_id: int
    revision: int
    c: Decimal
    si: Decimal
    mn: Decimal
    p: Decimal
    s: Decimal
    cr: Decimal | None
    ni: Decimal | None
    cu: Decimal | None
    mo: Decimal | None
    v: Decimal | None
    nb: Decimal | None
    ti: Decimal | None
    ceq: Decimal
    source: str
    instrument: str
    reason: str
    recorded_at: datetime
    verdict: str
    verdict_rule: str
    hash: str


class AnalysedOut(Schema):
    analysis: AnalysisOut
    heat_verdict: str
    heat_rule: str


@router.post("/orders/{order_id}/analyses", response={201: AnalysedOut},
             summary="A heat's melt analysis from the spectrometer (machine token): Ceq computed, judged at once")
@needs("lab.add_heatanalysis")
@offers(LAB_ORDER_FLOW, *LabOrderStep.values)
@offers(LAB_REVIEW_FLOW, ReviewStep.SUBMIT, ReviewStep.REOPEN)
@offers(CERTIFICATE_FLOW, "supersede")
def post_lab_analysis(request, order_id: RecordId, body: AnalysisIn):
    analysis = chemistry.post_analysis(request.user, order_id, **body.dict())
    order = LabOrder.objects.get(pk=analysis.order_id)
    return Status(201, {"analysis": analysis, "heat_verdict": order.verdict, "heat_rule": order.verdict_rule})


class ApprovalIn(Schema):
    note: Text = Field("", max_length=300)


class RefusalIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=300)


@router.post("/orders/{order_id}/approve", response=LabOrderDetailOut,
             summary="批准: a second person with the reviewer permission makes the heat's verdict final")
@needs("lab.approve_laborder")
@offers(LAB_REVIEW_FLOW, ReviewStep.APPROVE)
def approve_lab_order(request, order_id: RecordId, body: ApprovalIn):
    return review.approve(request.user, order_id, body.note)


@router.post("/orders/{order_id}/refuse", response=LabOrderDetailOut,
             summary="退回: send a decided heat back to the lab, with the reason")
@needs("lab.approve_laborder")
@offers(LAB_REVIEW_FLOW, ReviewStep.REFUSE)
def refuse_lab_order(request, order_id: RecordId, body: RefusalIn):
    return review.refuse(request.user, order_id, body.reason)


class CertificateOut(Schema):
    id: int
    number: str
    status: str
    issued_at: datetime
    replaces: str | None
    void_reason: str
    hash: str
    content: dict

    @staticmethod
    def resolve_replaces(certificate):
        return certificate.replaces.number if certificate.replaces_id else None


@router.get("/certificates", response=list[CertificateOut], summary="Quality certificates, newest first")
@paginate(Pagination)
@needs("lab.view_certificate")
def list_lab_certificates(request, filters: Query[filter_query(CertificateFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, CertificateFilter, Certificate.objects.visible_to(request.user, "view")
                    .select_related("replaces"))


@router.get("/certificates/{certificate_id}", response=CertificateOut)
@needs("lab.view_certificate")
def get_lab_certificate(request, certificate_id: RecordId):
    return get_object_or_404(Certificate.objects.visible_to(request.user, "view"), pk=certificate_id)
