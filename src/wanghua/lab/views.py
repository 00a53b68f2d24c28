"""智检中心 pages: lab orders, manual entry and corrections, certificates, the public check, analysis. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wanghua.core.access import can, has_perm_anywhere
from wanghua.core.editing import ServiceFormView, StepView, perform, style_form, visible_or_404
from wanghua.core.listing import Column, ScopedListView, attr, detail_link
from wanghua.core.rules import PUBLIC, access, perm
from wanghua.core.transitions import offers
from wanghua.org.models import Unit, UnitKind

from . import queries, services
from .filters import CertificateFilter, DeliveryFilter, LabOrderFilter
from .forms import AnalysisForm, DeliveryForm, LabOrderForm, LabProfileForm, ResultForm
from .models import (
    CERTIFICATE_FLOW,
    LAB_ORDER_FLOW,
    LAB_REVIEW_FLOW,
    Certificate,
    CertificateStep,
    Delivery,
    HeatAnalysis,
    LabOrder,
    LabOrderStep,
    LabProfile,
    Review,
    ReviewStep,
    Verdict,
)
from .services import certificates, chemistry, review

# Recording a result or an analysis decides the heat, moves its review and voids the certificates behind it.
RECORDING = [(LAB_ORDER_FLOW, LabOrderStep.values), (LAB_REVIEW_FLOW, (ReviewStep.SUBMIT, ReviewStep.REOPEN)),
             (CERTIFICATE_FLOW, (CertificateStep.SUPERSEDE,))]


def offers_recording(view):
    for machine, steps in RECORDING:
        view = offers(machine, *steps)(view)
    return view


@access(perm("lab.view_laborder"))
class OrderListView(ScopedListView):
    model = LabOrder
    filterset_class = LabOrderFilter
    title = gettext_lazy("Lab orders")
    create_url: str | None = "lab:order_create"
    columns = [
        Column(gettext_lazy("sampled"), attr("sampled_at"), link=detail_link),
        Column(gettext_lazy("Heat number"), attr("heat"), link=detail_link),
        Column(gettext_lazy("Steel grade"), attr("grade")),
        Column(gettext_lazy("nominal diameter (mm)"), attr("diameter")),
        Column(gettext_lazy("verdict"), attr("verdict")),
        Column(gettext_lazy("review"), attr("review")),
        Column(gettext_lazy("deciding rule"), attr("verdict_rule")),
        Column(gettext_lazy("Turnaround (h)"), lambda o: round((o.decided_at - o.sampled_at).total_seconds() / 3600, 1)
               if o.decided_at else ""),
        Column(gettext_lazy("enterprise"), attr("enterprise.name")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("enterprise")


@access(perm("lab.add_laborder"))
def order_create(request):
    form = LabOrderForm(request.POST or None)
    style_form(form)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.create_order(request.user, enterprise=services.enterprise_of(request.user),
                                          **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect(order.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "core/form.html", {"form": form, "title": _("Register a heat")}, status=status)


@access(perm("lab.view_laborder"))
def order_detail(request, pk: int, form=None, status: int = 200, analysis_form=None):
    order = visible_or_404(LabOrder, request, pk)
    specimens = list(order.specimens.prefetch_related("results__recorded_by"))
    for specimen in specimens:  # every revision, the latest last: corrections never hide what came before
        specimen.history = list(specimen.results.all())  # type: ignore[attr-defined]  # the page's own attribute
        specimen.latest = specimen.history[-1] if specimen.history else None  # type: ignore[attr-defined]  # as above
    form = form or ResultForm()
    style_form(form)
    analysis_form = analysis_form or AnalysisForm()
    style_form(analysis_form)
    return render(request, "lab/order.html", {
        "order": order, "specimens": specimens, "form": form, "analysis_form": analysis_form,
        "analyses": list(order.analyses.select_related("recorded_by")),
        "limits": services.limits_of(order.standard, order.grade),
        "review_steps": [t.step for t in LAB_REVIEW_FLOW.available(request.user, order)
                         if t.step in ReviewStepView.steps],
        "deliveries": list(order.deliveries.prefetch_related("certificates")),
        "can_record": has_perm_anywhere(request.user, "lab.add_testresult"),
        "can_analyse": has_perm_anywhere(request.user, "lab.add_heatanalysis"),
        "verify_url": request.build_absolute_uri(reverse("lab:verify", args=[order.certificate_token]))
        if order.certificate_token else ""}, status=status)


@access(perm("lab.add_testresult"))
@require_POST
@offers_recording  # a manual result or a correction decides the heat again
def result_entry(request, pk: int, specimen_id: int):
    """A result typed in by hand, or a correction: both need a reason; the record is never overwritten."""
    order = visible_or_404(LabOrder, request, pk)
    form = ResultForm(request.POST)
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        specimen = order.specimens.filter(pk=specimen_id).first()
        if specimen is None:
            raise Http404
        try:
            services.post_result(request.user, specimen.pk, source="manual", reason=form.cleaned_data["reason"],
                            correction=specimen.results.exists(), **values)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect(order.get_absolute_url())
    return order_detail(request, pk, form=form, status=400)


@access(perm("lab.view_laborder"))
def certificate(request, pk: int):
    order = visible_or_404(LabOrder, request, pk)
    if order.verdict not in (Verdict.PASS, Verdict.FAIL):
        raise Http404
    url = request.build_absolute_uri(reverse("lab:verify", args=[order.certificate_token]))
    response = HttpResponse(services.render_certificate(order, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{order.heat}.pdf"'
    return response


@access(perm("lab.add_heatanalysis"))
@require_POST
@offers_recording
def analysis_entry(request, pk: int):
    """A melt analysis typed in by hand, or a correction: both with a reason; the record is never overwritten."""
    order = visible_or_404(LabOrder, request, pk)
    form = AnalysisForm(request.POST)
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            chemistry.post_analysis(request.user, order.pk, source="manual", reason=form.cleaned_data["reason"],
                                    correction=order.analyses.exists(), **values)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect(order.get_absolute_url())
    return order_detail(request, pk, analysis_form=form, status=400)


@access(perm("lab.approve_laborder"))
class ReviewQueueView(OrderListView):
    """The reviewer's home list: decided heats waiting for 审核/批准, the oldest first."""

    title = gettext_lazy("Heats awaiting review")
    create_url = None

    def base_queryset(self):
        return super().base_queryset().filter(review=Review.AWAITING).order_by("decided_at")


@access(perm("lab.view_laborder"))
class ReviewStepView(StepView):
    """批准 / 退回 (with the reason) / 重新送审 of one heat."""

    machine = LAB_REVIEW_FLOW
    steps = {ReviewStep.APPROVE: lambda user, pk, request: review.approve(user, pk, request.POST.get("note", "")),
             ReviewStep.REFUSE: lambda user, pk, request: review.refuse(user, pk, request.POST.get("reason", "")),
             ReviewStep.SUBMIT: lambda user, pk, request: review.resubmit(user, pk)}
    redirect_to = "lab:order"


@access(perm("lab.view_delivery"))
class DeliveryListView(ScopedListView):
    model = Delivery
    filterset_class = DeliveryFilter
    title = gettext_lazy("Deliveries")
    create_url = "lab:delivery_create"
    columns = [
        Column(gettext_lazy("created"), attr("created_at"), link=detail_link),
        Column(gettext_lazy("customer"), attr("customer"), link=detail_link),
        Column(gettext_lazy("contract number"), attr("contract")),
        Column(gettext_lazy("Steel grade"), attr("grade")),
        Column(gettext_lazy("nominal diameter (mm)"), attr("diameter")),
        Column(gettext_lazy("bundles"), attr("bundles")),
        Column(gettext_lazy("weight (t)"), attr("weight")),
        Column(gettext_lazy("heats"), lambda d: "、".join(o.heat for o in d.orders.all())),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related("orders")


@access(perm("lab.add_delivery"))
class DeliveryCreateView(ServiceFormView):
    form_class = DeliveryForm
    model = Delivery
    title = gettext_lazy("New delivery")
    create_service = certificates.create_delivery


@access(perm("lab.view_delivery"))
def delivery_detail(request, pk: int):
    delivery = visible_or_404(Delivery, request, pk)
    issued = list(delivery.certificates.select_related("replaces", "issued_by"))
    for certificate in issued:
        certificate.verify_url = request.build_absolute_uri(  # type: ignore[attr-defined]  # the page's own attribute
            reverse("lab:verify", args=[certificate.token]))
    return render(request, "lab/delivery.html", {
        "delivery": delivery, "orders": delivery.orders.order_by("heat"), "certificates": issued,
        "can_issue": can(request.user, "lab.add_certificate", delivery),
        "can_revoke": has_perm_anywhere(request.user, "lab.approve_laborder")})


@access(perm("lab.add_certificate"))
@require_POST
def certificate_issue(request, pk: int):
    """Issue the delivery's certificate (a reissue after a void one gets a new number naming the old)."""
    delivery = visible_or_404(Delivery, request, pk)
    perform(request, lambda: certificates.issue_certificate(request.user, delivery.pk))
    return redirect(delivery.get_absolute_url())


@access(perm("lab.view_certificate"))
class CertificateListView(ScopedListView):
    model = Certificate
    filterset_class = CertificateFilter
    title = gettext_lazy("Certificates")
    columns = [
        Column(gettext_lazy("certificate number"), attr("number"), link=detail_link),
        Column(gettext_lazy("issued"), attr("issued_at")),
        Column(gettext_lazy("status"), attr("status")),
        Column(gettext_lazy("customer"), attr("delivery.customer")),
        Column(gettext_lazy("contract number"), attr("delivery.contract")),
        Column(gettext_lazy("replaces"), lambda c: c.replaces.number if c.replaces else ""),
        Column(gettext_lazy("reason it is void"), attr("void_reason")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("delivery", "replaces")


@access(perm("lab.view_certificate"))
def certificate_pdf(request, pk: int):
    certificate = visible_or_404(Certificate, request, pk)
    url = request.build_absolute_uri(reverse("lab:verify", args=[certificate.token]))
    response = HttpResponse(certificates.render_delivery_certificate(certificate, url),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response


@access(perm("lab.view_certificate"))
class CertificateStepView(StepView):
    """撤回: a reviewer withdraws a certificate, with the reason (supersession is taken by corrections)."""

    machine = CERTIFICATE_FLOW
    steps = {CertificateStep.REVOKE: lambda user, pk, request: certificates.revoke_certificate(
        user, pk, request.POST.get("reason", ""))}
    redirect_to = "lab:certificate_delivery"


@access(perm("lab.view_certificate"))
def certificate_delivery(request, pk: int):
    """A certificate's page is its delivery's."""
    return redirect(visible_or_404(Certificate, request, pk).get_absolute_url())


@access(perm("lab.change_labprofile"))
class LabProfileView(ServiceFormView):
    """The lab's certificate number pattern and the seal image printed on its certificates."""

    form_class = LabProfileForm
    model = LabProfile
    title = gettext_lazy("Certificate settings")
    template_name = "lab/settings.html"

    def render_form(self, form, obj, status=200):
        return render(self.request, self.template_name, {"form": form, "object": obj, "title": self.title,
                                                         "choices": self._choices() if obj is None else []},
                      status=status)

    def get(self, request, pk=None, **kwargs):
        profile = self._profile()
        return self.render_form(self.make_form(profile), profile)

    def post(self, request, pk=None, **kwargs):
        profile = self._profile()
        if profile is None:
            raise Http404
        form = self.make_form(profile, request.POST, request.FILES or None)
        if form.is_valid() and perform(request, lambda: certificates.configure_lab(
                request.user, profile.enterprise, **form.cleaned_data)):
            return redirect(f"{reverse('lab:settings')}?enterprise={profile.enterprise_id}")
        return self.render_form(form, profile, status=400)

    def _choices(self):
        return Unit.objects.visible_to(self.request.user).filter(kind=UnitKind.ENTERPRISE).order_by("name")

    def _profile(self) -> LabProfile | None:
        """The lab of the reviewer's own enterprise, or (for whoever spans several) the one chosen."""
        chosen = self.request.GET.get("enterprise", "")
        if chosen.isdigit():
            enterprise = self._choices().filter(pk=int(chosen)).first()
            if enterprise is None:
                raise Http404
            return certificates.profile_of(enterprise)
        try:
            return certificates.profile_of(services.enterprise_of(self.request.user, "lab.change_labprofile"))  # type: ignore[arg-type]  # behind login
        except ValidationError:
            return None


@access(PUBLIC)
def verify(request, token: str):
    """Anyone holding a certificate (a customer, a site inspector) checks it against the record: a numbered
    certificate by its own token; the per-heat certificates printed before them by the heat's."""
    certificate = Certificate.objects.filter(token=token).select_related("replaced_by").first()
    if certificate is not None:
        return render(request, "lab/verify_certificate.html", {
            "certificate": certificate, "content": certificate.content,
            "check": certificates.verify_certificate(certificate),
            "replaced_by": getattr(certificate, "replaced_by", None)})
    order = LabOrder.objects.filter(certificate_token=token).exclude(certificate_token="").select_related(
        "enterprise", "standard").first()
    if order is None:
        raise Http404
    # A heat reopened after its certificate was printed (a correction turned it to 复检) is no longer certified.
    reopened = order.verdict not in (Verdict.PASS, Verdict.FAIL)
    return render(request, "lab/verify.html", {
        "order": order, "results": services.certificate_rows(order), "reopened": reopened,
        "chain": services.verify_order(order) and not reopened,
        "analysis": HeatAnalysis.objects.filter(order=order).order_by("-revision").first()})


@access(perm("lab.view_laborder"))
def analysis(request):
    """Turnaround before and after the robot, strength trends per grade against the limits, X̄-R and Cpk."""
    orders = LabOrder.objects.visible_to(request.user)
    grades = queries.grades_of(orders)
    grade = request.GET.get("grade") or (grades[0] if grades else "")
    if grade and grade not in grades:
        raise Http404
    field = "tensile_strength" if request.GET.get("field") == "tensile_strength" else "yield_strength"
    chart = queries.spc(orders, grade, field) if grade else None
    turnaround = queries.turnaround(orders)
    series = {"heats": [h["heat"] for h in chart.heats], "means": [h["mean"] for h in chart.heats],
              "ranges": [h["range"] for h in chart.heats], "centre": chart.centre, "ucl": chart.ucl,
              "lcl": chart.lcl, "range_ucl": chart.range_ucl, "lower": chart.lower_spec, "upper": chart.upper_spec,
              "months": [m["month"] for m in turnaround.by_month],
              "turnaround": [m["hours"] for m in turnaround.by_month]} if chart else {}
    return render(request, "lab/analysis.html", {
        "grades": grades, "grade": grade, "field": field, "spc": chart, "turnaround": turnaround,
        "pass_rate": queries.pass_rate(orders), "series": series})


@access(perm("lab.view_laborder"))
def legacy(request, rest: str = ""):
    """The lab's pages lived under /industry/lab/ before the lab became its own app: bookmarks and printed links
    move permanently to the same page under /lab/ (308 keeps the method and body of a form post)."""
    target = f"/lab/{rest}"
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(target)
    response = HttpResponsePermanentRedirect(target)
    response.status_code = 308
    return response
