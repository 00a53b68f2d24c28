"""Open311 GeoReport v2 at /open311/v2/, so existing reporting apps can file and follow 创城 cases.

Formats by suffix (.json, .xml); errors as the specification writes them: the status code and a list of
{code, description}. Creating a request needs an api_key (an API token of the platform); reading is public and
never shows who reported. Extensions: `page` and `page_size` on GET requests, and `media` (a photo) on POST."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import wraps
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from wanghua.core.api import TokenAuth
from wanghua.core.boundary import printable
from wanghua.core.rules import PUBLIC, access
from wanghua.org.models import Region, RegionLevel

from . import queries
from .models import CaseCategory, CaseSource
from .services import cases

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00Z"
MAX_DESCRIPTION = 4000
DEFAULT_DAYS, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE = 90, 1000, 50
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


# --- rendering ------------------------------------------------------------------------------------------

XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def _xml(parent: ElementTree.Element, tag: str, value) -> None:
    """One element. The document stays well-formed whatever is stored: text loses the characters XML 1.0
    cannot hold (a row saved before the input boundary refused them), and a key that is no XML name (from a
    category's attribute definitions) becomes <item>."""
    element = ElementTree.SubElement(parent, tag if XML_NAME.fullmatch(tag) else "item")
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml(element, key, inner)
    elif isinstance(value, list):
        child_tag = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value",
                     "keywords": "keyword"}.get(tag, "item")
        for inner in value:
            _xml(element, child_tag, inner)
    elif value is not None:
        element.text = str(value).lower() if isinstance(value, bool) else printable(str(value))


def render(data, fmt: str, root: str, item: str, status: int = 200) -> HttpResponse:
    """JSON as it is; XML with the specification's element names (a root, one element per item)."""
    if fmt == "json":
        return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    top = ElementTree.Element(root)
    for entry in data if isinstance(data, list) else [data]:
        element = ElementTree.SubElement(top, item) if isinstance(data, list) else top
        for key, value in entry.items():
            _xml(element, key, value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(top, encoding="utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES["xml"])


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render([{"code": status, "description": description}], fmt if fmt in CONTENT_TYPES else "json", "errors",
                  "error", status=status)


def open311(view):
    """Unknown format → 404; an Open311Error or a refused value → the specification's error body. Public:
    reading needs no account, creating checks the api_key itself."""

    @wraps(view)
    @access(PUBLIC)
    def wrapper(request, *args, fmt: str, **kwargs):
        if fmt not in CONTENT_TYPES:
            return error("json", 404, _("Unknown format: use .json or .xml."))
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return error(fmt, exc.status, exc.description)
        except ValidationError as exc:
            return error(fmt, 400, "; ".join(exc.messages))

    return wrapper


# --- discovery and services -----------------------------------------------------------------------------

@require_GET
@open311
def discovery(request, fmt: str):
    url = request.build_absolute_uri(reverse("open311:root"))
    return render({"changeset": CHANGESET, "contact": "望花区城市管理综合行政执法局 (12345)",
                   "key_service": _("API keys are issued by the district platform (账户 → API 令牌)."),
                   "endpoints": [{"specification": SPECIFICATION, "url": url.rstrip("/"), "changeset": CHANGESET,
                                  "type": "production", "formats": ["text/xml", "application/json"]}]},
                  fmt, "discovery", "discovery")


@require_GET
@open311
def service_list(request, fmt: str):
    return render([{"service_code": c.code, "service_name": c.name, "description": f"{c.parent.name} · {c.name}",
                    "metadata": bool(c.attributes), "type": "realtime", "keywords": c.parent.name,
                    "group": c.parent.name} for c in queries.open311_services()], fmt, "services", "service")


@require_GET
@open311
def service_definition(request, code: str, fmt: str):
    category = queries.open311_services().filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("No service has the code “%(code)s”.") % {"code": code})
    attributes = [{"variable": True, "datatype": "string", "required": False, "datatype_description": "",
                   "description": "", "values": [], **attribute, "order": index + 1}
                  for index, attribute in enumerate(category.attributes)]
    return render({"service_code": category.code, "attributes": attributes}, fmt, "service_definition",
                  "service_definition")


# --- requests -------------------------------------------------------------------------------------------

def _request(case, updated: datetime | None) -> dict:
    status, notes = queries.public_status(case)
    return {
        "service_request_id": case.number, "status": status, "status_notes": notes,
        "service_name": case.category.name, "service_code": case.category.code, "description": case.description,
        "agency_responsible": case.unit.name if case.unit else "", "service_notice": "",
        "requested_datetime": timezone.localtime(case.reported_at).isoformat(),
        "updated_datetime": timezone.localtime(updated or case.reported_at).isoformat(),
        "expected_datetime": timezone.localtime(case.due_at).isoformat() if case.due_at else "",
        "address": case.address, "address_id": case.community.code, "zipcode": "",
        "lat": str(case.lat) if case.lat is not None else "", "long": str(case.lon) if case.lon is not None else "",
        "media_url": "",
    }


def _when(value: str, name: str) -> datetime:
    moment = parse_datetime(value) if value else None
    if moment is None or not 1970 <= moment.year <= 2100:
        raise Open311Error(400, _("%(name)s is not a w3c date-time such as 2026-11-29T10:00:00+08:00.")
                           % {"name": name})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _positive(value: str, name: str, default: int, most: int) -> int:
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise Open311Error(400, _("%(name)s must be a whole number from 1 to %(most)s.") % {"name": name,
                                                                                              "most": most})
    return int(value)


def _search(params) -> list[dict]:
    """GET requests: by ids, or by dates, service codes and open/closed, a page at a time."""
    if ids := params.get("service_request_id"):
        return _shaped(queries.service_requests(numbers=[i.strip() for i in ids.split(",")][:100]))
    end = _when(params["end_date"], "end_date") if params.get("end_date") else timezone.now()
    start = _when(params["start_date"], "start_date") if params.get("start_date") else end - timedelta(DEFAULT_DAYS)
    if start > end:
        raise Open311Error(400, _("start_date must come before end_date."))
    codes = [c.strip() for c in params["service_code"].split(",")] if params.get("service_code") else None
    status = params.get("status", "")
    if status not in ("", "open", "closed"):
        raise Open311Error(400, _("status is open or closed."))
    size = _positive(params.get("page_size", ""), "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    page = _positive(params.get("page", ""), "page", 1, 1_000_000)
    rows = queries.service_requests(start=start, end=end, codes=codes, state=status or None)
    return _shaped(rows[(page - 1) * size:page * size])


def _shaped(cases) -> list[dict]:
    rows = list(cases)
    updated = queries.last_steps(rows)
    return [_request(case, updated.get(case.pk)) for case in rows]


def _api_user(request, key: str):
    user = TokenAuth().authenticate(request, key) if key else None
    if user is None:
        raise Open311Error(403, _("The api_key is missing or not valid."))
    return user


def _decimal(value: str, name: str, low: int, high: int) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise Open311Error(400, _("%(name)s is not a number.") % {"name": name}) from exc
    if not number.is_finite() or not low <= number <= high:
        raise Open311Error(400, _("%(name)s is out of range.") % {"name": name})
    return number.quantize(Decimal("0.000001"))


def _location(post) -> tuple[Region, Decimal | None, Decimal | None, str]:
    """lat/long, an address_id (a community's code) or an address_string naming the community."""
    lat, lon = post.get("lat", "").strip(), post.get("long", "").strip()
    address = post.get("address_string", "").strip()[:200]
    communities = Region.objects.filter(level__in=(RegionLevel.COMMUNITY, RegionLevel.GRID))
    if lat or lon:
        if not (lat and lon):
            raise Open311Error(400, _("Give both lat and long."))
        lat_value, lon_value = _decimal(lat, "lat", -90, 90), _decimal(lon, "long", -180, 180)
        community = (communities.filter(code=post["address_id"]).first() if post.get("address_id")
                     else queries.community_at(lat_value, lon_value))
        if community is None:
            raise Open311Error(400, _("The location lies outside the district's communities."))
        return community, lat_value, lon_value, address
    if post.get("address_id"):
        community = communities.filter(code=post["address_id"].strip()).first()
        if community is None:
            raise Open311Error(400, _("No community has the address_id “%(id)s”.") % {"id": post["address_id"]})
        return community, None, None, address
    if address:
        named = [c for c in communities.filter(level=RegionLevel.COMMUNITY) if c.name in address]
        if named:
            return max(named, key=lambda c: len(c.name)), None, None, address
        raise Open311Error(400, _("The address must name a community of the district, or send lat and long."))
    raise Open311Error(400, _("A location is required: lat and long, address_string or address_id."))


def _details(category: CaseCategory, post) -> dict:
    details = {}
    for attribute in category.attributes:
        code = attribute.get("code")
        value = post.get(f"attribute[{code}]", "").strip()
        if attribute.get("required") and not value:
            raise Open311Error(400, _("attribute[%(code)s] is required for this service.") % {"code": code})
        allowed = {str(v.get("key")) for v in attribute.get("values", [])}
        if value and allowed and value not in allowed:
            raise Open311Error(400, _("attribute[%(code)s] must be one of: %(values)s.")
                               % {"code": code, "values": ", ".join(sorted(allowed))})
        if value:
            details[code] = value[:200]
    return details


def _create(request, fmt: str):
    post = request.POST
    user = _api_user(request, post.get("api_key", ""))
    category = queries.open311_services().filter(code=post.get("service_code", "").strip()).first()
    if category is None:
        raise Open311Error(400, _("service_code is missing or names no service."))
    description = post.get("description", "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description is longer than 4,000 characters."))
    community, lat, lon, address = _location(post)
    details = _details(category, post)
    name = " ".join(p for p in (post.get("last_name", "").strip(), post.get("first_name", "").strip()) if p)
    case = cases.report_case(
        None, source=CaseSource.RESIDENT, category=category, description=description or category.name,
        community=community, address=address, lat=lat, lon=lon, reporter_name=name[:50],
        reporter_phone=post.get("phone", "").strip()[:20], photo=request.FILES.get("media"),
        details=details, channel=f"Open311 · {user.get_username()}")
    return render([{"service_request_id": case.number, "token": case.public_token, "service_notice": "",
                    "account_id": None}], fmt, "service_requests", "request", status=201)


@csrf_exempt  # machines post with an api_key, not a browser session
@require_http_methods(["GET", "POST"])
@open311
def requests(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    return render(_search(request.GET), fmt, "service_requests", "request")


@require_GET
@open311
def request_detail(request, request_id: str, fmt: str):
    rows = _shaped(queries.service_requests(numbers=[request_id]))
    if not rows:
        raise Open311Error(404, _("No service request has the id “%(id)s”.") % {"id": request_id})
    return render(rows, fmt, "service_requests", "request")


@require_GET
@open311
def token(request, token: str, fmt: str):
    case = queries.case_for_token(token)
    if case is None:
        raise Open311Error(404, _("No service request has this token."))
    return render([{"service_request_id": case.number, "token": token}], fmt, "service_requests", "request")
