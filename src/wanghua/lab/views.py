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

from wanghua.core.access import has_perm_anywhere
from wanghua.core.editing import style_form, visible_or_404
from wanghua.core.listing import Column, ScopedListView, attr, detail_link
from wanghua.core.rules import PUBLIC, access, perm
from wanghua.core.transitions import offers

from . import queries, services
from .filters import LabOrderFilter
from .forms import LabOrderForm, ResultForm
from .models import LAB_ORDER_FLOW, LabOrder, LabOrderStep, Verdict


@access(perm("lab.view_laborder"))
class OrderListView(ScopedListView):
    model = LabOrder
    filterset_class = LabOrderFilter
    title = gettext_lazy("Lab orders")
    create_url = "lab:order_create"
    columns = [
        Column(gettext_lazy("sampled"), attr("sampled_at"), link=detail_link),
        Column(gettext_lazy("Heat number"), attr("heat"), link=detail_link),
        Column(gettext_lazy("Steel grade"), attr("grade")),
        Column(gettext_lazy("nominal diameter (mm)"), attr("diameter")),
        Column(gettext_lazy("verdict"), attr("verdict")),
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
def order_detail(request, pk: int, form=None, status: int = 200):
    order = visible_or_404(LabOrder, request, pk)
    specimens = list(order.specimens.prefetch_related("results__recorded_by"))
    for specimen in specimens:  # every revision, the latest last: corrections never hide what came before
        specimen.history = list(specimen.results.all())
        specimen.latest = specimen.history[-1] if specimen.history else None
    form = form or ResultForm()
    style_form(form)
    return render(request, "lab/order.html", {
        "order": order, "specimens": specimens, "form": form,
        "can_record": has_perm_anywhere(request.user, "lab.add_testresult"),
        "verify_url": request.build_absolute_uri(reverse("lab:verify", args=[order.certificate_token]))
        if order.certificate_token else ""}, status=status)


@access(perm("lab.add_testresult"))
@require_POST
@offers(LAB_ORDER_FLOW, *LabOrderStep.values)  # a manual result or a correction decides the heat again
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


@access(PUBLIC)
def verify(request, token: str):
    """Anyone holding the certificate (a customer, a site inspector) checks it against the record."""
    order = LabOrder.objects.filter(certificate_token=token).exclude(certificate_token="").select_related(
        "enterprise", "standard").first()
    if order is None:
        raise Http404
    return render(request, "lab/verify.html", {
        "order": order, "results": services.certificate_rows(order), "chain": services.verify_order(order)})


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
