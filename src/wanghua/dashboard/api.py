"""Dashboard API: the caller's board and an indicator's history from the store, and external statistics pushed
by the statistics bureau's system. Thin: parse, call, shape."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wanghua.core import indicators
from wanghua.core.api import Pagination, Text, filter_query, filtered, needs

from . import queries, services
from .filters import ExternalStatisticFilter
from .models import ExternalStatistic

router = Router(tags=["dashboard"])
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class BoardQuery(Schema):
    month: Month | None = None


class IndicatorOut(Schema):
    key: str
    name: str
    unit: str
    value: Decimal | None
    target: Decimal | None
    expected: Decimal | None
    status: str
    records: str = Field(description="The list page of the records behind the value")


class GoalOut(Schema):
    goal: str
    label: str
    score: Decimal | None
    indicators: list[IndicatorOut]


class BoardOut(Schema):
    scope: str
    period: date | None
    goals: list[GoalOut]


class PointOut(Schema):
    period: date
    value: Decimal


class StatisticIn(Schema):
    key: Annotated[str, Field(pattern=r"^[-a-zA-Z0-9_]{1,60}$")]
    name: Annotated[Text, Field(min_length=1, max_length=100)]
    goal: indicators.Goal
    unit: Annotated[Text, Field(max_length=20)]
    period: Day
    value: Annotated[Decimal, Field(max_digits=18, decimal_places=4)]
    source: Annotated[Text, Field(min_length=1, max_length=200)]
    published_on: Day


class StatisticOut(Schema):
    id: int
    key: str
    period: date
    value: Decimal
    source: str
    published_on: date


def _scope(request):
    scope = queries.board_scope(request.user)
    if scope is None:
        raise PermissionDenied(_("Your role has no board: boards show a district, a town/street, a "
                                 "village/community or a government unit."))
    return scope


@router.get("/board", response=BoardOut, summary="The six goals for the caller's scope and a month")
def board(request, query: Query[BoardQuery]):
    scope = _scope(request)
    period = queries.latest_period(scope, queries.month_of(query.month))
    goals = queries.goal_board(scope, period) if period else []
    return {"scope": queries.scope_label(scope), "period": period, "goals": [
        {"goal": g.goal.value, "label": str(g.goal.label), "score": g.score, "indicators": [
            {"key": r.key, "name": str(r.indicator.name), "unit": str(r.indicator.unit), "value": r.value,
             "target": r.target, "expected": r.expected, "status": r.status, "records": r.url} for r in g.rows]}
        for g in goals]}


@router.get("/indicators/{key}/history", response=list[PointOut], summary="An indicator's stored months")
def history(request, key: Annotated[str, Field(pattern=r"^[a-z_]+\.[a-z_0-9]+$")]):
    scope = _scope(request)
    if key not in indicators.REGISTRY:
        raise Http404
    return list(queries.stored(scope).filter(key=key).order_by("period")
                .values("period", "value")[:120])


@router.get("/statistics", response=list[StatisticOut], summary="External statistics, newest month first")
@paginate(Pagination)
@needs("dashboard.view_externalstatistic")
def list_statistics(request, filters: Query[filter_query(ExternalStatisticFilter)]):  # type: ignore[valid-type]  # ninja builds the schema from the FilterSet
    return filtered(request, ExternalStatisticFilter, ExternalStatistic.objects.visible_to(request.user, "view"))


@router.post("/statistics", response={201: StatisticOut}, summary="Enter an external statistic with its source")
@needs("dashboard.add_externalstatistic")
def add_statistic(request, body: StatisticIn):
    statistic = services.add_statistic(request.user, **body.dict())
    return Status(201, statistic)
