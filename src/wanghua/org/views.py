"""Org pages: region tree, zones, units, people, roles. Thin: every change calls services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wanghua.core.access import can, has_perm_anywhere
from wanghua.core.editing import ServiceDeleteView, ServiceFormView, reveal_response, style_form, visible_or_404
from wanghua.core.listing import Column, ScopedListView, attr, detail_link
from wanghua.core.models import Role
from wanghua.core.rules import access, perm

from . import services
from .filters import AssignmentFilter, PersonFilter, RegionFilter, UnitFilter
from .forms import GrantForm, PersonForm, RegionForm, UnitForm
from .models import Person, Region, RoleAssignment, Unit

# --- regions ----------------------------------------------------------------------------------------

@access(perm("org.view_region"))
def region_tree(request):
    """The tree browser: the user's top visible regions; children load on demand (htmx)."""
    visible = Region.objects.visible_to(request.user, "view")
    min_depth = visible.order_by("depth").values_list("depth", flat=True).first()
    roots = visible.filter(depth=min_depth) if min_depth is not None else visible.none()
    return render(request, "org/region_tree.html", {"nodes": _with_child_counts(roots, request.user)})


def _with_child_counts(qs, user):
    visible_ids = Region.objects.visible_to(user, "view").values("pk")
    return qs.annotate(child_count=Count("children", filter=Q(children__in=visible_ids))).order_by(
        "sort_order", "code")


@access(perm("org.view_region"))
def region_children(request, pk: int):
    region = visible_or_404(Region, request, pk)
    children = _with_child_counts(Region.objects.visible_to(request.user, "view").filter(parent=region),
                                  request.user)
    return render(request, "org/_region_nodes.html", {"nodes": children})


@access(perm("org.view_region"))
def region_detail(request, pk: int):
    region = visible_or_404(Region, request, pk)
    context = {
        "region": region,
        "ancestors": region.ancestors().filter(pk__in=Region.objects.visible_to(request.user, "view").values("pk")),
        "children": Region.objects.visible_to(request.user, "view").filter(parent=region).order_by(
            "sort_order", "code"),
        "units": Unit.objects.visible_to(request.user, "view").filter(region=region)[:100],
        "people_count": Person.objects.visible_to(request.user, "view").filter(
            region__path__startswith=region.path).count(),
        "can_change": can(request.user, "change", region),
        "can_add": can(request.user, "add", region),
    }
    return render(request, "org/region_detail.html", context)


@access(perm("org.view_region"))
class RegionListView(ScopedListView):
    model = Region
    filterset_class = RegionFilter
    title = gettext_lazy("Regions")
    create_url = "org:region_create"
    columns = [
        Column(gettext_lazy("Code"), attr("code")),
        Column(gettext_lazy("Name"), attr("name"), link=detail_link),
        Column(gettext_lazy("Level"), attr("level")),
        Column(gettext_lazy("Kind"), attr("kind")),
        Column(gettext_lazy("Parent"), attr("parent.name")),
        Column(gettext_lazy("Zone"), attr("zone.name")),
        Column(gettext_lazy("Population"), attr("population")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("parent", "zone").order_by("path")


@access(perm("org.add_region"))
class RegionCreateView(ServiceFormView):
    form_class, model, title = RegionForm, Region, gettext_lazy("New region")
    create_service = services.create_region


@access(perm("org.change_region"))
class RegionUpdateView(ServiceFormView):
    form_class, model, title = RegionForm, Region, gettext_lazy("Edit region")
    update_service = services.update_region


@access(perm("org.delete_region"))
class RegionDeleteView(ServiceDeleteView):
    model, success_url = Region, "/org/regions/"
    delete_service = services.delete_region


# --- units ------------------------------------------------------------------------------------------

@access(perm("org.view_unit"))
class UnitListView(ScopedListView):
    model = Unit
    filterset_class = UnitFilter
    title = gettext_lazy("Units")
    create_url = "org:unit_create"
    columns = [
        Column(gettext_lazy("Code"), attr("code")),
        Column(gettext_lazy("Name"), attr("name"), link=detail_link),
        Column(gettext_lazy("Kind"), attr("kind")),
        Column(gettext_lazy("Region"), attr("region.name")),
        Column(gettext_lazy("Zone"), attr("zone.name")),
        Column(gettext_lazy("Parent unit"), attr("parent.name")),
        Column(gettext_lazy("Phone"), attr("phone")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("region", "zone", "parent").order_by("path")


@access(perm("org.view_unit"))
def unit_detail(request, pk: int):
    unit = visible_or_404(Unit, request, pk)
    return render(request, "org/unit_detail.html", {
        "unit": unit,
        "children": Unit.objects.visible_to(request.user, "view").filter(parent=unit),
        "people": Person.objects.visible_to(request.user, "view").filter(unit=unit)[:200],
        "can_change": can(request.user, "change", unit),
        "can_delete": can(request.user, "delete", unit),
    })


@access(perm("org.add_unit"))
class UnitCreateView(ServiceFormView):
    form_class, model, title = UnitForm, Unit, gettext_lazy("New unit")
    create_service = services.create_unit


@access(perm("org.change_unit"))
class UnitUpdateView(ServiceFormView):
    form_class, model, title = UnitForm, Unit, gettext_lazy("Edit unit")
    update_service = services.update_unit


@access(perm("org.delete_unit"))
class UnitDeleteView(ServiceDeleteView):
    model, success_url = Unit, "/org/units/"
    delete_service = services.delete_unit


# --- people -----------------------------------------------------------------------------------------

@access(perm("org.view_person"))
class PersonListView(ScopedListView):
    model = Person
    filterset_class = PersonFilter
    title = gettext_lazy("People")
    create_url = "org:person_create"
    columns = [
        Column(gettext_lazy("Name"), attr("name"), link=detail_link),
        Column(gettext_lazy("Gender"), attr("gender")),
        Column(gettext_lazy("ID number"), attr("id_number_masked")),
        Column(gettext_lazy("Phone"), attr("phone_masked")),
        Column(gettext_lazy("Position"), attr("title")),
        Column(gettext_lazy("Unit"), attr("unit.name")),
        Column(gettext_lazy("Region"), attr("region.name")),
        Column(gettext_lazy("Party member"), attr("party_member")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("unit", "region")


@access(perm("org.view_person"))
def person_detail(request, pk: int):
    person = visible_or_404(Person, request, pk)
    return render(request, "org/person_detail.html", {
        "person": person,
        "can_change": can(request.user, "change", person),
        "can_delete": can(request.user, "delete", person),
        "can_reveal": can(request.user, "reveal", person),
    })


@access(perm("org.reveal_person"))
@require_POST
def person_reveal(request, pk: int, field: str):
    return reveal_response(request, Person, pk, field)


@access(perm("org.add_person"))
class PersonCreateView(ServiceFormView):
    form_class, model, title = PersonForm, Person, gettext_lazy("New person")
    create_service = services.create_person


@access(perm("org.change_person"))
class PersonUpdateView(ServiceFormView):
    form_class, model, title = PersonForm, Person, gettext_lazy("Edit person")
    update_service = services.update_person


@access(perm("org.delete_person"))
class PersonDeleteView(ServiceDeleteView):
    model, success_url = Person, "/org/people/"
    delete_service = services.delete_person


# --- roles ------------------------------------------------------------------------------------------

@access(perm("org.view_roleassignment"))
class AssignmentListView(ScopedListView):
    model = RoleAssignment
    filterset_class = AssignmentFilter
    title = gettext_lazy("Role assignments")
    template_name = "org/assignments.html"
    columns = [
        Column(gettext_lazy("Username"), attr("user.username")),
        Column(gettext_lazy("Name"), lambda a: str(a.user)),
        Column(gettext_lazy("Role"), lambda a: str(a.role)),
        Column(gettext_lazy("Scope"), lambda a: str(a.scope)),
        Column(gettext_lazy("Granted by"), attr("granted_by")),
        Column(gettext_lazy("Granted"), attr("created_at")),
    ]

    def base_queryset(self):
        return super().base_queryset().select_related("user", "role", "region", "unit", "granted_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roles = services.assignable_roles(self.request.user)  # type: ignore[arg-type]  # behind login
        context["grant_form"] = GrantForm(user=self.request.user, roles=roles) if roles else None
        if context["grant_form"]:
            style_form(context["grant_form"])
        context["can_revoke"] = has_perm_anywhere(self.request.user, "org.delete_roleassignment")
        return context


@access(perm("org.add_roleassignment"))
@require_POST
def grant_role(request):
    form = GrantForm(request.POST, user=request.user, roles=services.assignable_roles(request.user))
    if form.is_valid():
        try:
            services.grant_role(request.user, form.cleaned_data["username"], form.cleaned_data["role"],
                                region=form.cleaned_data["region"], unit=form.cleaned_data["unit"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("org:assignments")
        messages.success(request, _("The role has been granted."))
    else:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
    return redirect("org:assignments")


@access(perm("org.delete_roleassignment"))
@require_POST
def revoke_role(request, pk: int):
    try:
        services.revoke_role(request.user, pk)
    except RoleAssignment.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("The role has been revoked."))
    return redirect("org:assignments")


@access(perm("org.view_roleassignment"))
def roles(request):
    return render(request, "org/roles.html", {"roles": Role.objects.all()})

