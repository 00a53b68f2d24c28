"""雷锋文化 pages: sites and their public plaques, routes, 身边榜样 and the 好人榜, points and the 积分超市.
Thin: parse, call a service or a query, render."""

from __future__ import annotations

import secrets
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from wanghua.core.access import can
from wanghua.core.editing import (
    PhotoView,
    ServiceFormView,
    StepView,
    int_or_zero,
    perform,
    style_form,
    visible_or_404,
)
from wanghua.core.listing import Column, ScopedListView, attr, detail_link
from wanghua.core.rules import PUBLIC, access, perm
from wanghua.org.models import Person

from . import certificates, queries, services
from .filters import (
    AccountFilter,
    EntryFilter,
    GoodsFilter,
    NominationFilter,
    RedemptionFilter,
    RouteFilter,
    SiteFilter,
)
from .forms import GoodsForm, NominationForm, RouteForm, RuleForm, SiteForm
from .models import (
    NOMINATION_FLOW,
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
    ServiceCertificate,
    SitePhoto,
    StudyRoute,
)

DEVICE_COOKIE = "wh_device"


def _messages_of(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


def _year_bounds() -> tuple[date, date]:
    today = timezone.localdate()
    return today.replace(month=1, day=1), today


# --- heritage sites ----------------------------------------------------------------------------------

@access(perm("culture.view_heritagesite"))
class SiteListView(ScopedListView):
    model, filterset_class, title = HeritageSite, SiteFilter, gettext_lazy("Heritage sites")
    create_url = "culture:site_create"
    columns = [Column(gettext_lazy("Site name"), attr("name"), detail_link),
               Column(gettext_lazy("Village/community"), attr("community.name")),
               Column(gettext_lazy("Address"), attr("address")),
               Column(gettext_lazy("Opening hours"), attr("opening_hours")),
               Column(gettext_lazy("Open to visitors"), attr("active"))]

    def base_queryset(self):
        return super().base_queryset().select_related("community")


class _SiteForm(ServiceFormView):
    model, form_class = HeritageSite, SiteForm
    create_service = services.create_site
    update_service = services.update_site

    def form_kwargs(self, obj) -> dict:
        return {"user": self.request.user}


@access(perm("culture.add_heritagesite"))
class SiteCreateView(_SiteForm):
    title = gettext_lazy("New heritage site")


@access(perm("culture.change_heritagesite"))
class SiteUpdateView(_SiteForm):
    title = gettext_lazy("Edit heritage site")


@access(perm("culture.view_heritagesite"))
def site_detail(request, pk: int):
    site = visible_or_404(HeritageSite, request, pk)
    year = timezone.localdate().year
    return render(request, "culture/site_detail.html", {
        "site": site, "photos": site.photos.all(), "months": queries.visits_by_month(site, year), "year": year,
        "plaque": request.build_absolute_uri(site.plaque_url()), "qr": certificates.qr_svg(
            request.build_absolute_uri(site.plaque_url())),
        "can_change": can(request.user, "change", site),
        "routes": StudyRoute.objects.filter(stops__site=site).distinct()})


@access(perm("culture.add_sitephoto"))
@require_POST
def site_photo_upload(request, pk: int):
    upload = request.FILES.get("image")
    if upload is None:
        messages.error(request, _("Choose a photo."))
    else:
        perform(request, lambda: services.add_site_photo(request.user, pk, upload, request.POST.get("caption", "")))
    return redirect("culture:site_detail", pk=pk)


@access(PUBLIC)
class SitePhotoView(PhotoView):
    """A site's photo is public while its site is open to visitors (it is shown on the plaque page)."""

    def get(self, request, photo_id: int):
        from django.http import FileResponse

        photo = SitePhoto.objects.filter(pk=photo_id, site__active=True).first()
        if photo is None:
            raise Http404
        return FileResponse(photo.image.open("rb"), content_type=self.CONTENT_TYPES[photo.image_format])


# --- the public plaque ------------------------------------------------------------------------------

@access(PUBLIC)
def plaque(request, token: str):
    """The phone page a plaque's QR opens: the story, photos, hours and the routes through the site. The visit is
    counted by the page's script posting back (GET never writes)."""
    site = HeritageSite.objects.filter(plaque_token=token, active=True).select_related("community").first()
    if site is None:
        raise Http404
    routes = [(route, [stop.site for stop in route.stops.select_related("site").order_by("position")])
              for route in StudyRoute.objects.filter(active=True, stops__site=site).distinct()]
    return render(request, "culture/plaque.html", {
        "site": site, "photos": site.photos.all(), "routes": routes,
        "visit_url": reverse("culture:plaque_visit", args=[token]),
        "visits": site.visits.count()})


@access(PUBLIC)
@require_POST
@ratelimit(key="ip", rate="120/10m", method="POST", block=False)
def plaque_visit(request, token: str):
    """The plaque page's beacon: one visit per device per day; the device is a random cookie, stored hashed. A
    school group behind one address is fine; a script inventing devices is not counted past the limit."""
    if getattr(request, "limited", False):
        return JsonResponse({"counted": False}, status=429)
    device = request.COOKIES.get(DEVICE_COOKIE) or secrets.token_urlsafe(16)
    try:
        _site, counted = services.record_visit(token, device)
    except HeritageSite.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return JsonResponse({"detail": _messages_of(exc)}, status=400)
    response = JsonResponse({"counted": counted})
    response.set_cookie(DEVICE_COOKIE, device, max_age=400 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=request.is_secure())
    return response


# --- routes ------------------------------------------------------------------------------------------

@access(perm("culture.view_studyroute"))
class RouteListView(ScopedListView):
    model, filterset_class, title = StudyRoute, RouteFilter, gettext_lazy("Study routes")
    create_url = "culture:route_create"
    columns = [Column(gettext_lazy("Route name"), attr("name"), detail_link),
               Column(gettext_lazy("Description"), attr("description")),
               Column(gettext_lazy("Published"), attr("active"))]


class _RouteForm(ServiceFormView):
    model, form_class = StudyRoute, RouteForm
    create_service = services.create_route
    update_service = services.update_route

    def form_kwargs(self, obj) -> dict:
        return {"user": self.request.user}


@access(perm("culture.add_studyroute"))
class RouteCreateView(_RouteForm):
    title = gettext_lazy("New study route")


@access(perm("culture.change_studyroute"))
class RouteUpdateView(_RouteForm):
    title = gettext_lazy("Edit study route")


@access(perm("culture.view_studyroute"))
def route_detail(request, pk: int):
    route = visible_or_404(StudyRoute, request, pk)
    stops = route.stops.select_related("site__community").order_by("position")
    return render(request, "culture/route_detail.html", {"route": route, "stops": stops,
                                                         "can_change": can(request.user, "change", route)})


@access(perm("culture.view_heritagesite"))
def culture_map(request):
    return render(request, "culture/map.html", {"title": _("Lei Feng culture map")})


@access(perm("culture.view_heritagesite"))
def map_data(request):
    return JsonResponse(queries.map_layers())


# --- 身边榜样 ------------------------------------------------------------------------------------------

@access(perm("culture.view_nomination"))
class NominationListView(ScopedListView):
    model, filterset_class, title = Nomination, NominationFilter, gettext_lazy("Role-model nominations")
    create_url = "culture:nominate"
    columns = [Column(gettext_lazy("Nominee"), attr("nominee_name"), detail_link),
               Column(gettext_lazy("Village/community"), attr("community.name")),
               Column(gettext_lazy("Category"), attr("category")),
               Column(gettext_lazy("Date of the deed"), attr("deed_date")),
               Column(gettext_lazy("Status"), attr("status")),
               Column(gettext_lazy("Public notice until"), attr("publicity_ends"))]

    def base_queryset(self):
        return super().base_queryset().select_related("community")


@access(perm("culture.add_nomination"))
class NominateView(ServiceFormView):
    """提名: the deed is required; the service says so in Chinese and nothing is stored."""

    model, form_class, title = Nomination, NominationForm, gettext_lazy("Nominate a role model")
    template_name = "culture/nomination_form.html"
    create_service = services.nominate
    saved_message = gettext_lazy("Nomination submitted: the community reviews it first.")

    def form_kwargs(self, obj) -> dict:
        return {"user": self.request.user}

    def service_kwargs(self, form, obj) -> dict:
        upload = form.cleaned_data.get("photos")
        return {"photos": [upload] if upload else []}


@access(perm("culture.view_nomination"))
def nomination_detail(request, pk: int, *, status: int = 200):
    nomination = visible_or_404(Nomination, request, pk)
    return render(request, "culture/nomination_detail.html", {
        "nomination": nomination, "photos": nomination.photos.all(),
        "objections": nomination.objections.select_related("answered_by"),
        "steps": {t.step for t in NOMINATION_FLOW.available(request.user, nomination)},
        "can_answer": can(request.user, "culture.answer_objection", nomination),
        "may_add_evidence": nomination.status == NominationStatus.SUBMITTED and can(
            request.user, "add", NominationPhoto(nomination=nomination))}, status=status)


@access(perm("culture.view_nomination"))
class NominationStepView(StepView):
    """审核通过 / 不予通过 / 认定: each level's reviewer, through the table (its permission, its guard)."""

    machine = NOMINATION_FLOW
    redirect_to = "culture:nomination_detail"
    steps = {
        NominationStep.APPROVE: lambda user, pk, request: services.approve_nomination(
            user, pk, opinion=request.POST.get("opinion", ""),
            publicity_days=int_or_zero(request.POST.get("publicity_days")) or None),
        NominationStep.REJECT: lambda user, pk, request: services.reject_nomination(
            user, pk, reason=request.POST.get("reason", "")),
        NominationStep.RECOGNISE: lambda user, pk, request: services.recognise_nomination(user, pk),
    }

    def refused(self, request, pk: int):
        return nomination_detail(request, pk, status=400)


@access(perm("culture.add_nominationphoto"))
@require_POST
def nomination_photo_upload(request, pk: int):
    upload = request.FILES.get("image")
    if upload is None:
        messages.error(request, _("Choose a photo."))
    else:
        perform(request, lambda: services.add_evidence(request.user, pk, upload, request.POST.get("caption", "")))
    return redirect("culture:nomination_detail", pk=pk)


@access(perm("culture.view_nominationphoto"))
class NominationPhotoView(PhotoView):
    model = NominationPhoto


@access(perm("culture.answer_objection"))
@require_POST
def objection_answer(request, pk: int):
    objection = visible_or_404(Objection, request, pk)
    perform(request, lambda: services.answer_objection(request.user, pk, answer=request.POST.get("answer", "")))
    return redirect("culture:nomination_detail", pk=objection.nomination_id)


@access(PUBLIC)
def honour_roll(request):
    """好人榜: the recognised, and the nominations on 公示 with the form to object. Public."""
    return render(request, "culture/honour_roll.html", {
        "recognised": queries.honour_roll(), "notices": queries.on_public_notice(),
        "today": timezone.localdate()})


def _honour_roll_with_error(request, pk: int, error: str, status: int):
    return render(request, "culture/honour_roll.html", {
        "recognised": queries.honour_roll(), "notices": queries.on_public_notice(), "today": timezone.localdate(),
        "error": error, "error_for": pk}, status=status)


@access(PUBLIC)
@require_POST
@ratelimit(key="ip", rate="5/10m", method="POST", block=False)
def objection_file(request, pk: int):
    """异议 from the public page, with or without an account; five in ten minutes from one address at most."""
    if getattr(request, "limited", False):
        return _honour_roll_with_error(request, pk, _("Too many objections from this address: please try again in "
                                                     "ten minutes."), 429)
    try:
        services.file_objection(request.user, pk, text=request.POST.get("text", ""),
                                contact=request.POST.get("contact", "").strip())
    except Nomination.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return _honour_roll_with_error(request, pk, _messages_of(exc), 400)
    messages.success(request, _("Your objection was received: the civilisation office answers it before any "
                                "recognition."))
    return redirect("culture:honour_roll")


# --- points ------------------------------------------------------------------------------------------

@access(perm("culture.view_pointsaccount"))
class AccountListView(ScopedListView):
    model, filterset_class, title = PointsAccount, AccountFilter, gettext_lazy("Points accounts")
    columns = [Column(gettext_lazy("Volunteer"), attr("person.name"), detail_link),
               Column(gettext_lazy("Village/community"), attr("community.name")),
               Column(gettext_lazy("Points balance"), attr("balance")),
               Column(gettext_lazy("Points earned"), attr("earned")),
               Column(gettext_lazy("Points redeemed"), attr("redeemed"))]

    def base_queryset(self):
        return super().base_queryset().select_related("person", "community")


@access(perm("culture.view_pointsaccount"))
def account_detail(request, pk: int, *, error: str = "", status: int = 200):
    account = visible_or_404(PointsAccount, request, pk)
    goods = Goods.objects.visible_to(request.user, "view").filter(active=True, stock__gt=0)
    return render(request, "culture/account_detail.html", {
        "account": account, "entries": queries.entries_of(account)[:200], "goods": goods, "error": error,
        "can_redeem": can(request.user, "add", Redemption(account=account, goods=Goods(community=account.community)))},
        status=status)


@access(perm("culture.add_redemption"))
@require_POST
def account_redeem(request, pk: int):
    """Staff at the 积分超市 record a volunteer's redemption."""
    account = visible_or_404(PointsAccount, request, pk)
    try:
        services.redeem(request.user, goods_id=int_or_zero(request.POST.get("goods")),
                        quantity=int_or_zero(request.POST.get("quantity")) or 1, account_id=account.pk)
    except (Goods.DoesNotExist, PointsAccount.DoesNotExist) as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return account_detail(request, pk, error=_messages_of(exc), status=400)
    messages.success(request, _("Redeemed."))
    return redirect("culture:account_detail", pk=pk)


@access(perm("culture.view_pointsentry"))
class EntryListView(ScopedListView):
    model, filterset_class, title = PointsEntry, EntryFilter, gettext_lazy("Points entries")
    columns = [Column(gettext_lazy("Volunteer"), attr("account.person.name"), lambda e: e.account.get_absolute_url()),
               Column(gettext_lazy("Kind"), attr("kind")), Column(gettext_lazy("Points"), attr("points")),
               Column(gettext_lazy("Balance after"), attr("balance_after")),
               Column(gettext_lazy("Volunteer activity"), attr("activity")),
               Column(gettext_lazy("Recorded"), attr("recorded_at"))]

    def base_queryset(self):
        return super().base_queryset().select_related("account__person")


@access(perm("culture.view_goods"))
class GoodsListView(ScopedListView):
    model, filterset_class, title = Goods, GoodsFilter, gettext_lazy("Points shop goods")
    create_url = "culture:goods_create"
    columns = [Column(gettext_lazy("Goods"), attr("name"), lambda g: reverse("culture:goods_update", args=[g.pk])),
               Column(gettext_lazy("Village/community"), attr("community.name")),
               Column(gettext_lazy("Price (points)"), attr("points")), Column(gettext_lazy("Stock"), attr("stock")),
               Column(gettext_lazy("On the shelf"), attr("active"))]

    def base_queryset(self):
        return super().base_queryset().select_related("community")


class _GoodsForm(ServiceFormView):
    model, form_class = Goods, GoodsForm
    create_service = services.add_goods
    update_service = services.update_goods

    def form_kwargs(self, obj) -> dict:
        return {"user": self.request.user}

    def success_url(self, saved) -> str:
        return reverse("culture:goods")


@access(perm("culture.add_goods"))
class GoodsCreateView(_GoodsForm):
    title = gettext_lazy("New goods")


@access(perm("culture.change_goods"))
class GoodsUpdateView(_GoodsForm):
    title = gettext_lazy("Edit goods")


@access(perm("culture.view_redemption"))
class RedemptionListView(ScopedListView):
    model, filterset_class, title = Redemption, RedemptionFilter, gettext_lazy("Redemptions")
    columns = [Column(gettext_lazy("Volunteer"), attr("account.person.name")),
               Column(gettext_lazy("Goods"), attr("goods.name")), Column(gettext_lazy("Quantity"), attr("quantity")),
               Column(gettext_lazy("Points"), attr("points")), Column(gettext_lazy("Redeemed"), attr("redeemed_at"))]

    def base_queryset(self):
        return super().base_queryset().select_related("account__person", "goods")


@access(perm("culture.add_pointsrule"))
class RuleView(ServiceFormView):
    """积分规则: a new rule from now on; the page shows the one in force."""

    model, form_class, title = PointsRule, RuleForm, gettext_lazy("Points rule")
    create_service = services.set_rule
    saved_message = gettext_lazy("The new points rule is in force.")

    def make_form(self, obj, data=None, files=None):
        form = RuleForm(data, instance=PointsRule(**{f: getattr(services.current_rule(), f) for f in
                                                     RuleForm.Meta.fields}))
        style_form(form)
        return form

    def success_url(self, saved) -> str:
        return reverse("culture:rule")


# --- the volunteer's own points (phone) -----------------------------------------------------------------

def _own_person(request) -> Person | None:
    return Person.objects.filter(user=request.user).select_related("region").first()


@access(perm("culture.add_redemption"))
def my_points(request, *, error: str = "", status: int = 200):
    person = _own_person(request)
    account = queries.account_of(person)
    return render(request, "culture/my_points.html", {
        "person": person, "account": account, "entries": queries.entries_of(account)[:50] if account else [],
        "shelf": queries.shelf_for(person)[:50], "error": error,
        "certificates": ServiceCertificate.objects.filter(person=person)[:10] if person else []}, status=status)


@access(perm("culture.add_redemption"))
@require_POST
def my_points_collect(request):
    try:
        counted = services.collect_own_points(request.user)
    except ValidationError as exc:
        return my_points(request, error=_messages_of(exc), status=400)
    messages.success(request, _("%(count)s activities counted.") % {"count": counted})
    return redirect("culture:my_points")


@access(perm("culture.add_redemption"))
@require_POST
def my_redeem(request, goods_id: int):
    try:
        services.redeem(request.user, goods_id=goods_id, quantity=int_or_zero(request.POST.get("quantity")) or 1)
    except Goods.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return my_points(request, error=_messages_of(exc), status=400)
    messages.success(request, _("Redeemed: show this page at the points shop to collect the goods."))
    return redirect("culture:my_points")


@access(perm("culture.add_servicecertificate"))
@require_POST
def certificate_issue(request):
    person_id = int_or_zero(request.POST.get("person")) or None
    try:
        certificate = services.issue_certificate(request.user, person_id)
    except Person.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return my_points(request, error=_messages_of(exc), status=400)
    return redirect("culture:certificate_pdf", pk=certificate.pk)


@access(perm("culture.view_servicecertificate"))
def certificate_pdf(request, pk: int):
    certificate = queries.readable_certificates(request.user).filter(pk=pk).first()
    if certificate is None:
        raise Http404
    url = request.build_absolute_uri(certificate.verify_path())
    response = HttpResponse(certificates.render(certificate, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response


@access(PUBLIC)
def verify(request, token: str):
    certificate = ServiceCertificate.objects.filter(token=token).first()
    if certificate is None:
        raise Http404
    return render(request, "culture/verify.html", {"certificate": certificate, "content": certificate.content,
                                                   "intact": services.certificate_is_intact(certificate)})

