"""The platform API at /api/v1: session auth for the browser, hashed bearer tokens for machines,
errors as JSON in the caller's language (Accept-Language)."""


import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar, cast

import django_filters
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.pagination import PageNumberPagination
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth
from pydantic import AfterValidator, create_model

from . import reference
from .access import has_perm_anywhere
from .models import ApiToken, User, hash_token

_Route = TypeVar("_Route", bound=Callable[..., Any])
_M = TypeVar("_M", bound=models.Model)


def needs(perm: str) -> Callable[[_Route], _Route]:
    """Route decorator: 403 unless the caller holds `perm` somewhere (out-of-scope objects are 404)."""

    def decorate(view: _Route) -> _Route:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not has_perm_anywhere(request.user, perm):
                raise PermissionDenied(_("You do not have permission to do this."))
            return view(request, *args, **kwargs)

        wrapper.required_perm = perm  # type: ignore[attr-defined]  # read by the permission matrix tests
        return cast(_Route, wrapper)  # functools.wraps keeps the route's signature, which ninja reads

    return decorate


class TokenAuth(HttpBearer):
    """Authorization: Bearer wh_…; only the SHA-256 of the key is stored.

    A request that presents a bearer token is a machine's: a wrong or revoked token answers 401 here, rather
    than falling through to the session check and its "CSRF check Failed" 403. (Other schemes, such as the
    Basic credentials a proxy in front may pass on, are not ours and fall through to the session.)"""

    def __call__(self, request: HttpRequest) -> User | None:
        user: User | None = super().__call__(request)
        scheme = request.headers.get(self.header, "").split(" ", 1)[0]
        if user is None and scheme.lower() == self.openapi_scheme:
            raise AuthenticationError
        return user

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        row = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
        if row is None or not row.active or not row.user.is_active:
            return None
        if row.last_used_at is None or (timezone.now() - row.last_used_at).total_seconds() > 60:
            ApiToken._base_manager.filter(pk=row.pk).update(last_used_at=timezone.now())  # not a domain change
        request.user = row.user
        return row.user


class BoundedParser(Parser):
    """JSON bodies with a depth limit (`core.boundary.parse_json_body`); ninja answers 400 when it refuses."""

    def parse_body(self, request: HttpRequest) -> Any:
        from .boundary import parse_json_body

        return parse_json_body(request.body)


class BrowserSession(SessionAuth):
    """The browser's session, with CSRF on writes, for a logged-in user. Someone not logged in has no session to
    protect: they get 401 (authenticate) rather than the CSRF check's 403."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super().__call__(request)


browser_session = BrowserSession(csrf=True)


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # readable Chinese in responses and logs


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    parser=BoundedParser(),
    title="望花区数字治理平台 API",
    version="1",
    description="Wanghua District platform API. Authenticate with a session (browser) or "
    "`Authorization: Bearer <token>` (machines; tokens are created under 账户 → API 令牌).",
    urls_namespace="api",
    auth=[TokenAuth(), browser_session],
    docs_decorator=login_required,  # the schema and its docs are for people with an account
)


def _no_control(value: str) -> str:
    from .boundary import text_problem

    if problem := text_problem(value):
        raise ValueError(problem)
    return value


# Every text the API accepts: no NUL or other control characters (PostgreSQL cannot store NUL; the others
# make the Open311 XML and the Excel exports unwritable; none is ever meant). Tabs and line breaks may stay.
Text = Annotated[str, AfterValidator(_no_control)]

def _sane_moment(value: datetime) -> datetime:
    if value.tzinfo is not None:
        offset = value.utcoffset()
        if offset is not None and abs(offset) > timedelta(hours=14):
            raise ValueError("the time-zone offset must lie within ±14:00")
    if not 1970 <= value.year <= 2100:
        raise ValueError("the year must lie between 1970 and 2100")
    return value


# Every time the API accepts: a real offset and a year every database stores (PostgreSQL refuses
# offsets beyond ±15:59; far-off years are never meant).
Moment = Annotated[datetime, AfterValidator(_sane_moment)]

# Every record id the API accepts: positive and within what every database (and JavaScript) holds.
RecordId = Annotated[int, Field(ge=1, le=9_007_199_254_740_991)]


def patch_data(body: Schema) -> dict[str, Any]:
    """The fields a PATCH sets. `null` clears a reference (`…_id`); for any other field it means
    "leave as is" — text columns are never NULL."""
    return {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None or k.endswith("_id")}


class Pagination(PageNumberPagination):
    """`page` and `page_size` with upper bounds, so no request can ask the database for an absurd offset."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int | None = Field(None, ge=1, le=500)


_QUERY_SCHEMAS: dict[type[django_filters.FilterSet], type[Schema]] = {}


def _filter_type(flt: django_filters.Filter) -> Any:
    if isinstance(flt, django_filters.BooleanFilter):
        return bool
    if isinstance(flt, django_filters.DateFilter):
        return date
    if isinstance(flt, django_filters.ModelChoiceFilter):
        return RecordId
    if isinstance(flt, django_filters.NumberFilter):  # bounded like the page's field, so no year or id overflows
        bounds = {key: flt.extra[name] for key, name in (("ge", "min_value"), ("le", "max_value")) if name in flt.extra}
        return Annotated[int, Field(**bounds)] if bounds else float
    choices = flt.extra.get("choices") if isinstance(flt, django_filters.ChoiceFilter) else None
    if choices and not callable(choices) and all(not isinstance(v, list | tuple) for _v, v in choices):
        return Literal[tuple(str(value) for value, _label in choices)]  # a value outside the choices is 422
    return str


def filter_query(filterset_class: type[django_filters.FilterSet]) -> type[Schema]:
    """A ninja query schema whose parameters are the FilterSet's own, so the OpenAPI parameters of a list are
    the page's filters. Use it as `filters: Query[filter_query(ErrandFilter)]` and read the rows with
    `filtered(request, ErrandFilter, queryset)`: the FilterSet itself does the filtering."""
    if filterset_class not in _QUERY_SCHEMAS:
        fields = {name: (_filter_type(flt) | None, Field(None, description=str(flt.label or name)))
                  for name, flt in filterset_class.base_filters.items()}
        _QUERY_SCHEMAS[filterset_class] = create_model(f"{filterset_class.__name__}Query", __base__=Schema,  # type: ignore[call-overload]  # fields built at run time
                                                       **fields)
    return _QUERY_SCHEMAS[filterset_class]


_API_BOOLEANS = {"1": "true", "0": "false", "yes": "true", "no": "false", "on": "true", "off": "false"}


def _api_query(query: QueryDict, filterset_class: type[django_filters.FilterSet]) -> QueryDict:
    """The query as the FilterSet reads it: API booleans may be 1/0 as well as true/false (the page's widget
    knows only the latter)."""
    booleans = [name for name, flt in filterset_class.base_filters.items()
                if isinstance(flt, django_filters.BooleanFilter) and name in query]
    if not booleans:
        return query
    query = query.copy()
    for name in booleans:
        value = cast(str, query[name])  # a parsed query string has a value for each of its names
        query[name] = _API_BOOLEANS.get(value.lower(), value)
    return query


def filtered(request: HttpRequest, filterset_class: type[django_filters.FilterSet],
             queryset: models.QuerySet[_M]) -> models.QuerySet[_M]:
    """The rows of `queryset` the list page's FilterSet keeps for this request's query (400 on a bad value)."""
    from .boundary import bound_form

    filterset = filterset_class(_api_query(request.GET, filterset_class), queryset=queryset, request=request)
    bound_form(filterset.form)  # the page's ranges: dates within 1900–2100, numbers the database holds
    if not filterset.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in filterset.errors.items()})
    return filterset.qs


class RevealOut(Schema):
    """The full value of a masked personal-data field (every reveal is audited)."""

    field: str
    value: str


class ErrorOut(Schema):
    detail: str
    errors: dict[str, Any] | list[Any] | None = None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    is_superuser: bool
    roles: list[str]


def _json(request: HttpRequest, status: int, detail: str, errors: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _json(request, 401, _("Authentication required: log in or send a valid API token."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _json(request, 403, str(exc) or _("You do not have permission to do this."))


@api.exception_handler(ObjectDoesNotExist)
def _missing(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return _json(request, 404, _("Not found."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _json(request, 404, _("Not found."))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(errors.values()))[0] if errors else ""
    return _json(request, 400, _("The data is not valid: %(reason)s") % {"reason": first}, errors)


@api.exception_handler(SchemaValidationError)
def _schema_invalid(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    return _json(request, 422, _("The request does not match the API schema."), exc.errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if str(exc).startswith("Cannot parse request body"):  # ninja's own words for a body its parser refused
        return _json(request, 400, _("The request body is not valid JSON, or it nests too deeply."))
    return _json(request, exc.status_code, str(exc))


@api.get("/me", response=MeOut, tags=["core"], summary="The caller's account and roles")
def me(request: HttpRequest) -> dict[str, Any]:
    user = cast(User, request.user)  # the API's auth lets in only a logged-in user
    roles = [str(a.role) for a in user.role_assignments.select_related("role")]
    return {"id": user.pk, "username": user.username, "display_name": str(user),
            "is_superuser": user.is_superuser, "roles": roles}


class DictItemOut(Schema):
    value: str
    label: str


@api.get("/dicts/{code}", response=list[DictItemOut], tags=["core"], summary="Active items of a dictionary")
def dictionary(request: HttpRequest,
               code: Annotated[str, Field(pattern=r"^[-a-zA-Z0-9_]{1,60}$")]) -> list[dict[str, str]]:
    from .models import DictType

    if not DictType.objects.filter(code=code).exists():
        raise Http404
    return [{"value": value, "label": label} for value, label in reference.choices(code)]


api.add_router("/org", "wanghua.org.api.router")
api.add_router("/services", "wanghua.stations.api.router")
api.add_router("/industry", "wanghua.industry.api.router")
api.add_router("/lab", "wanghua.lab.api.router")
api.add_router("/projects", "wanghua.projects.api.router")
api.add_router("/civic", "wanghua.civic.api.router")
api.add_router("/culture", "wanghua.culture.api.router")
api.add_router("/dashboard", "wanghua.dashboard.api.router")
